/**
 * HTTP inference server for the lecture/Iris network (4 → 5 → 6 → 3 with sigmoids).
 *
 *   npx ts-node examples/serve.ts [--weights examples/out/iris_mlp.safetensors] [--port 3000]
 *        [--host 127.0.0.1] [--workers N] [--no-batch] [--max-batch 64] [--max-delay-ms 2]
 *        [--max-rows 1024] [--body-limit 1048576] [--timeout-ms 30000]
 *
 *   POST /predict  {"inputs": [[5.1, 3.5, 1.4, 0.2], ...]}  →  {"outputs": [[...], ...], "device": "cpu",
 *                  "classes": ["setosa", ...]}   (classes when the weights file names them)
 *   GET  /health   →  {"status": "ok"}
 *   GET  /info     →  the runtime diagnosis (tn.info()) and the model
 *
 * Every client mistake (body too large, bad JSON, wrong types, wrong row width, NaN, too many
 * rows, inputs whose outputs overflow to non-finite values) is a 4xx with {"error": "..."}; a
 * full queue or a batch past --timeout-ms is a 503 with Retry-After; SIGTERM stops accepting connections and exits once
 * in-flight requests finish. With --workers N, Node's cluster module runs N processes sharing
 * the port (one per core).
 */
import cluster from 'cluster';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as tn from '../lib/index';
import * as nn from '../lib/nn';
import { loadFileSync } from '../lib/io/safetensors';
import { BatchTimeoutError, QueueFullError, batcher } from '../lib/serve/batcher';

export interface ServerOptions {
  weights?: string | null;
  port?: number;
  host?: string;
  batch?: boolean;
  maxBatch?: number;
  maxDelayMs?: number;
  maxRows?: number;
  bodyLimit?: number;
  /** Longest a batch may run before its requests get 503 (default 30000 ms). */
  timeoutMs?: number;
}

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.forward(x);
  }
}

const IN_FEATURES = 4;

class ClientError extends Error {
  /** closeConnection: answer, then close (the rest of the request is not worth reading). */
  constructor(readonly status: number, message: string, readonly closeConnection = false) {
    super(message);
  }
}

/**
 * Reads the body, refusing more than limit bytes without buffering them. An oversized body (as
 * declared, or as streamed in chunks) gets its 413 and `Connection: close`: the connection closes
 * once the answer is written instead of reading the rest (destroying it before answering would
 * reset the client's connection; keeping it open would read a declared 10 GB to the end).
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ClientError => new ClientError(413, `request body exceeds ${limit} bytes`, true);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;  // what arrives until the connection closes is dropped
      size += c.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        req.pause();  // read no more: the connection closes after the 413
        return reject(tooLarge());
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that hangs up mid-body (ECONNRESET) made a client error, not an internal one.
    req.on('error', (e) => reject(new ClientError(400, `request body could not be read: ${e.message}`)));
  });
}

/** Validates {"inputs": number[][] | number[]} into a Float32Array of rows × 4. */
export function parseInputs(text: string, maxRows: number): { values: Float32Array; rows: number } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ClientError(400, `invalid JSON: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClientError(400, 'body must be a JSON object with an "inputs" field');
  let inputs = (body as { inputs?: unknown }).inputs;
  if (inputs === undefined) throw new ClientError(400, 'missing field "inputs"');
  if (!Array.isArray(inputs)) throw new ClientError(422, '"inputs" must be an array of rows (arrays of numbers)');
  if (inputs.length > 0 && !Array.isArray(inputs[0])) inputs = [inputs];  // one row
  const rows = inputs as unknown[];
  if (rows.length === 0) throw new ClientError(422, '"inputs" must hold at least one row');
  if (rows.length > maxRows) throw new ClientError(413, `too many rows: ${rows.length} > ${maxRows}`);
  const values = new Float32Array(rows.length * IN_FEATURES);
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new ClientError(422, `inputs[${r}] must be an array of ${IN_FEATURES} numbers`);
    if (row.length !== IN_FEATURES) throw new ClientError(422, `inputs[${r}] has ${row.length} values; the model expects ${IN_FEATURES}`);
    row.forEach((v, c) => {
      // finite in float32 too: 4e38 is a finite double but Infinity once stored (NaN outputs)
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 3.4028234663852886e38)
        throw new ClientError(422, `inputs[${r}][${c}] must be a finite number, got ${JSON.stringify(v)}`);
      values[r * IN_FEATURES + c] = v;
    });
  });
  return { values, rows: rows.length };
}

function send(res: http.ServerResponse, status: number, body: unknown, closeConnection = false): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * The outputs as JSON rows, or a 422 when one is not finite: finite inputs can still overflow
 * float32 inside the model (`[3e38, 3e38, 0, 0]`), and JSON would carry the NaN as null.
 */
function finiteRows(y: tn.Tensor, rows: number): number[][] {
  const values = y.dataSync();
  const width = values.length / rows;
  for (let i = 0; i < values.length; ++i) {
    if (!Number.isFinite(values[i]))
      throw new ClientError(422, `the model's output for inputs[${Math.floor(i / width)}] is not finite (${values[i]}): the inputs overflow float32 inside the model`);
  }
  return y.toArray() as number[][];
}

interface LoadedModel {
  model: NeuralNetwork;
  /** Standardisation stored by examples/train_iris.ts (identity when absent). */
  mean: number[];
  std: number[];
  classes: string[] | null;
}

function metadataArray(meta: Record<string, string> | null, key: string): unknown[] | null {
  if (!meta || meta[key] === undefined) return null;
  const v: unknown = JSON.parse(meta[key]);
  if (!Array.isArray(v)) throw new Error(`metadata ${key} must be a JSON array`);
  return v;
}

function loadModel(weights: string | null | undefined): LoadedModel {
  tn.manualSeed(42);
  const model = new NeuralNetwork();
  let meta: Record<string, string> | null = null;
  if (weights) {
    const file = loadFileSync(weights);
    meta = file.metadata;
    const sd = Object.fromEntries(Object.entries(file.tensors).map(([k, t]) => [k, tn.tensor(t.data, { shape: t.shape, dtype: t.dtype })]));
    // Accept both the module's own keys (deep_nn.0.weight) and a bare Sequential's (0.weight).
    const keyed = Object.keys(sd).every((k) => k.startsWith('deep_nn.')) ? sd : Object.fromEntries(Object.entries(sd).map(([k, v]) => [`deep_nn.${k}`, v]));
    model.loadStateDict(keyed);
  }
  model.eval();
  const mean = (metadataArray(meta, 'feature_mean') as number[] | null) ?? new Array(IN_FEATURES).fill(0);
  const std = (metadataArray(meta, 'feature_std') as number[] | null) ?? new Array(IN_FEATURES).fill(1);
  return { model: model.to(tn.device), mean, std, classes: metadataArray(meta, 'classes') as string[] | null };
}

/** Builds the server (not listening yet). */
export function createServer(opts: ServerOptions = {}): { server: http.Server; model: NeuralNetwork } {
  const { model, mean, std, classes } = loadModel(opts.weights);
  const maxRows = opts.maxRows ?? 1024;
  const limit = opts.bodyLimit ?? 1 << 20;
  const infer = opts.batch === false ? null : batcher(model, { maxBatchSize: opts.maxBatch ?? 64, maxDelayMs: opts.maxDelayMs ?? 2, inputShape: [IN_FEATURES], timeoutMs: opts.timeoutMs ?? 30000 });
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (e instanceof ClientError) send(res, e.status, { error: e.message }, e.closeConnection);
      else if (e instanceof QueueFullError || e instanceof BatchTimeoutError) {
        // overloaded or stalled, not broken: the client may retry
        res.setHeader('retry-after', '1');
        send(res, 503, { error: e.message });
      } else {
        console.error('internal error:', e);
        send(res, 500, { error: 'internal error' });
      }
    });
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/health') {
      if (req.method !== 'GET') throw new ClientError(405, 'use GET /health');
      return send(res, 200, { status: 'ok' });
    }
    if (url === '/info') {
      if (req.method !== 'GET') throw new ClientError(405, 'use GET /info');
      // pid: which process answered (with --workers, which of the cluster's workers).
      return send(res, 200, { runtime: tn.info(), model: String(model), parameters: model.parameters().reduce((n, p) => n + p.numel(), 0), pid: process.pid });
    }
    if (url !== '/predict') throw new ClientError(404, `no route ${url}; try POST /predict, GET /health, GET /info`);
    if (req.method !== 'POST') throw new ClientError(405, 'use POST /predict');
    const ctype = String(req.headers['content-type'] ?? 'application/json');
    if (!ctype.startsWith('application/json')) throw new ClientError(415, 'content-type must be application/json');
    const { values, rows } = parseInputs(await readBody(req, limit), maxRows);
    for (let i = 0; i < values.length; ++i) values[i] = (values[i] - mean[i % IN_FEATURES]) / std[i % IN_FEATURES];
    const x = tn.fromArray(values, [rows, IN_FEATURES]);
    const y = infer ? await infer(x) : await model.forwardAsync(x);
    const outputs = finiteRows(y, rows);
    const body: Record<string, unknown> = { outputs, device: tn.device };
    if (classes) body.classes = outputs.map((row) => classes[row.indexOf(Math.max(...row))]);
    return send(res, 200, body);
  }
  return { server, model };
}

/** Starts listening; resolves with the bound port. */
export function listen(server: http.Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops accepting, lets in-flight requests finish, then resolves. */
export function shutdown(server: http.Server, graceMs = 10000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    force.unref();
    // Keep-alive connections become idle once their response is sent; close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function parseArgs(argv: string[]): ServerOptions & { workers: number } {
  const opts: ServerOptions & { workers: number } = { workers: 1, port: 3000, host: '127.0.0.1' };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--weights') opts.weights = argv[++i] === 'none' ? null : argv[i];
    else if (a === '--port') opts.port = num(a, argv[++i]);
    else if (a === '--host') opts.host = argv[++i];
    else if (a === '--workers') opts.workers = Math.max(1, Math.floor(num(a, argv[++i])));
    else if (a === '--no-batch') opts.batch = false;
    else if (a === '--max-batch') opts.maxBatch = num(a, argv[++i]);
    else if (a === '--max-delay-ms') opts.maxDelayMs = num(a, argv[++i]);
    else if (a === '--max-rows') opts.maxRows = num(a, argv[++i]);
    else if (a === '--body-limit') opts.bodyLimit = num(a, argv[++i]);
    else if (a === '--timeout-ms') opts.timeoutMs = num(a, argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (opts.weights === undefined && fs.existsSync('examples/out/iris_mlp.safetensors')) opts.weights = 'examples/out/iris_mlp.safetensors';
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.workers > 1 && cluster.isPrimary) {
    // Run from TypeScript source (ts-node): the workers need the same loader.
    if (__filename.endsWith('.ts')) cluster.setupPrimary({ execArgv: [...process.execArgv, '-r', 'ts-node/register/transpile-only'] });
    cluster.on('exit', (w, code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') console.error(`worker ${w.process.pid} exited (${signal ?? code})`);
    });
    for (let i = 0; i < opts.workers; ++i) cluster.fork();
    const stop = (): void => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    console.log(`primary ${process.pid}: ${opts.workers} workers on http://${opts.host}:${opts.port}`);
    return;
  }
  const { server } = createServer(opts);
  const port = await listen(server, opts.port, opts.host);
  console.log(`${cluster.isWorker ? `worker ${process.pid}` : 'server'}: http://${opts.host}:${port} (device ${tn.device}, weights ${opts.weights ?? 'seed 42 init'}, batching ${opts.batch === false ? 'off' : 'on'})`);
  const stop = (): void => {
    void shutdown(server).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
