// The HTTP example (examples/serve.ts) on an ephemeral loopback port: correct answers, 4xx JSON
// errors for every client mistake, batching under concurrency, graceful shutdown.
import * as fs from 'fs';
import type * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tn from '../../lib/index';
import { createServer, listen, shutdown } from '../../examples/serve';

let server: http.Server;
let base: string;
let model: ReturnType<typeof createServer>['model'];

beforeAll(async () => {
  ({ server, model } = createServer({ weights: null, maxRows: 100, bodyLimit: 4096, maxDelayMs: 1 }));
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterAll(() => shutdown(server, 1000));

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}/predict`, { method: 'POST', body, headers });
  return { status: r.status, json: await r.json() };
}

/**
 * Answers equal the model's forward bit for bit, although a request may share a batch with
 * others: the CPU GEMM gives each row the same arithmetic whatever the batch's row count
 * (test/ops/row_invariance.test.ts).
 */
function expectOutputs(got: number[][], want: number[][]): void {
  expect(got).toEqual(want);
}

function expected(rows: number[][]): number[][] {
  return tn.noGrad(() => model.forward(tn.tensor(rows, { dtype: 'float32' }))).toArray() as number[][];
}

test('GET /health and /info', async () => {
  const h = await fetch(`${base}/health`);
  expect(h.status).toBe(200);
  expect(await h.json()).toEqual({ status: 'ok' });
  const i: any = await (await fetch(`${base}/info`)).json();
  expect(i.runtime.device).toBe(tn.device);
  expect(i.parameters).toBe(82);
  expect(i.pid).toBe(process.pid);
  expect(i.model).toContain('(deep_nn): Sequential(');
});

test('POST /predict answers with the model outputs', async () => {
  const rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]];
  const r = await post(JSON.stringify({ inputs: rows }));
  expect(r.status).toBe(200);
  expect(r.json.device).toBe(tn.device);
  expectOutputs(r.json.outputs, expected(rows));
  const one = await post(JSON.stringify({ inputs: rows[0] }));
  expectOutputs(one.json.outputs, expected([rows[0]]));
});

test.each([
  ['not JSON', 400, '{"inputs": [[1,2,3,4]', /^invalid JSON/],
  ['not an object', 400, '[1,2,3,4]', /JSON object with an "inputs" field/],
  ['no inputs', 400, '{"x": 1}', /missing field "inputs"/],
  ['inputs not an array', 422, '{"inputs": "abc"}', /must be an array of rows/],
  ['empty', 422, '{"inputs": []}', /at least one row/],
  ['wrong row width', 422, '{"inputs": [[1,2,3]]}', /inputs\[0\] has 3 values; the model expects 4/],
  ['a string value', 422, '{"inputs": [[1,2,"3",4]]}', /inputs\[0\]\[2\] must be a finite number, got "3"/],
  ['null (how JSON spells NaN)', 422, '{"inputs": [[1,2,null,4]]}', /inputs\[0\]\[2\] must be a finite number, got null/],
  ['a huge number', 422, '{"inputs": [[1,2,1e999,4]]}', /must be a finite number/],
  ['ragged rows', 422, '{"inputs": [[1,2,3,4],[1,2]]}', /inputs\[1\] has 2 values/],
  ['too many rows', 413, JSON.stringify({ inputs: Array.from({ length: 101 }, () => [1, 2, 3, 4]) }), /too many rows: 101 > 100/],
  ['body over the limit', 413, JSON.stringify({ inputs: [[1, 2, 3, 4]], pad: 'x'.repeat(5000) }), /exceeds 4096 bytes/],
])('%s → %i with a JSON error', async (_name, status, body, message) => {
  const r = await post(body as string);
  expect(r.status).toBe(status);
  expect(r.json.error).toMatch(message as RegExp);
});

test('wrong method, route and content type', async () => {
  expect((await fetch(`${base}/predict`)).status).toBe(405);
  expect((await fetch(`${base}/nope`)).status).toBe(404);
  const r = await post('{"inputs": [[1,2,3,4]]}', { 'content-type': 'text/plain' });
  expect(r.status).toBe(415);
});

test('concurrent requests are batched and each gets its own correct answer', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => [i / 10, 1 - i / 20, (i % 7) / 3, -i / 13]);
  const results = await Promise.all(rows.map((row) => post(JSON.stringify({ inputs: [row] }))));
  results.forEach((r, i) => {
    expect(r.status).toBe(200);
    expectOutputs(r.json.outputs, expected([rows[i]]));
  });
});

test('shutdown lets in-flight requests finish and then refuses new connections', async () => {
  const s = createServer({ weights: null, maxDelayMs: 50 });
  const url = `http://127.0.0.1:${await listen(s.server, 0)}`;
  // Shut down once the server has the request: a connection still in the listen backlog, or
  // accepted with no request parsed yet, is not in flight, and closing it resets the client
  // (a fixed 10 ms wait raced with a busy machine here).
  const received = new Promise((r) => s.server.once('request', r));
  const inflight = fetch(`${url}/predict`, { method: 'POST', body: '{"inputs": [[1,2,3,4]]}', headers: { 'content-type': 'application/json' } });
  await received;
  const closed = shutdown(s.server, 5000);
  const res = await inflight;
  expect(res.status).toBe(200);
  await closed;
  await expect(fetch(`${url}/health`)).rejects.toThrow();
});

test('finite inputs whose outputs overflow float32 get 422, not 200 with null outputs', async () => {
  // A model trained on standardised features (std 0.5 here) scales 3e38 past float32's range;
  // the NaN that comes out would travel as JSON null.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensornode-serve-'));
  const file = path.join(dir, 'weights.safetensors');
  tn.save(model.stateDict(), file, { feature_std: JSON.stringify([0.5, 0.5, 0.5, 0.5]), feature_mean: JSON.stringify([0, 0, 0, 0]) });
  const s = createServer({ weights: file, maxDelayMs: 1 });
  const url = `http://127.0.0.1:${await listen(s.server, 0)}`;
  try {
    for (const inputs of [[[3e38, 3e38, 0, 0]], [[1, 2, 3, 4], [3e38, -3e38, 0, 0]]]) {
      const r = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(422);
      expect(((await r.json()) as { error: string }).error).toMatch(new RegExp(`^the model's output for inputs\\[${inputs.length - 1}\\] is not finite \\(NaN\\): the inputs overflow float32 inside the model$`));
    }
    const ok = await fetch(`${url}/predict`, { method: 'POST', body: '{"inputs": [[1, 2, 3, 4]]}', headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
  } finally {
    await shutdown(s.server, 1000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Sends `head`, then `chunk` over and over until the server closes the connection (or `max`
 * bytes went out); resolves with the status the server answered (0: none), whether it closed
 * the connection, and how much the server read from it.
 */
function flood(port: number, serverBytesRead: Map<number, number>, head: string, chunk: string, max = 64 << 20): Promise<{ status: number; closedByServer: boolean; serverRead: number }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let written = 0;
    let done = false;
    let localPort = -1;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      s.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0);
      // The server's socket closes a moment after ours reports it (-1: it never did).
      const deadline = Date.now() + 5000;
      const poll = (): void => {
        const read = serverBytesRead.get(localPort);
        if (read !== undefined || Date.now() > deadline) resolve({ status, closedByServer, serverRead: read ?? -1 });
        else setTimeout(poll, 5);
      };
      poll();
    };
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('end', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', () => {
      localPort = s.localPort!;
      s.write(head);
      const pump = (): void => {
        while (!done && written < max) {
          written += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        if (!done) finish(false);
      };
      pump();
    });
  });
}

describe('oversized bodies: 413, then the connection closes without reading the rest', () => {
  let s: ReturnType<typeof createServer>;
  let port: number;
  const serverBytesRead = new Map<number, number>();  // by the client's port
  beforeAll(async () => {
    s = createServer({ weights: null, bodyLimit: 8192 });
    s.server.on('connection', (sock) => {
      const clientPort = sock.remotePort!;  // read now: a closed socket no longer knows it
      sock.on('close', () => serverBytesRead.set(clientPort, sock.bytesRead));
    });
    port = await listen(s.server, 0);
  });
  afterAll(() => shutdown(s.server, 1000));

  test('a chunked body that grows past the limit gets 413 (it used to reset the connection)', async () => {
    const head = 'POST /predict HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n';
    for (let i = 0; i < 20; ++i) {
      const r = await flood(port, serverBytesRead, head, `400\r\n${'y'.repeat(1024)}\r\n`);
      expect(r.status).toBe(413);
      expect(r.closedByServer).toBe(true);
      expect(r.serverRead).toBeGreaterThan(0);
      expect(r.serverRead).toBeLessThan(1 << 20);
    }
  });

  test('a declared 10 GB body gets 413 and the server stops reading (it used to drain it)', async () => {
    const head = 'POST /predict HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n';
    for (let i = 0; i < 5; ++i) {
      const r = await flood(port, serverBytesRead, head, 'z'.repeat(65536));
      expect(r.status).toBe(413);
      expect(r.closedByServer).toBe(true);
      expect(r.serverRead).toBeGreaterThan(0);
      expect(r.serverRead).toBeLessThan(1 << 20);
    }
  });

  test('the 413 says why and asks the client to close', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: 'x'.repeat(9000), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.headers.get('connection')).toBe('close');
    expect(await r.json()).toEqual({ error: 'request body exceeds 8192 bytes' });
  });
});
