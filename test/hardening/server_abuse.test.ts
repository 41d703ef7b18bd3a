// The HTTP example (examples/serve.ts) under loopback abuse, bounded in count and time: a mix of
// valid requests (answers checked against the model), malformed JSON and bodies, oversized
// bodies (declared and streamed), non-JSON content types, wrong methods and routes, raw garbage
// that is not HTTP, slow clients trickling a body, and clients that hang up mid-body — all at
// once, in waves. Every client mistake gets a 4xx (never a 500), valid requests get the right
// answer, the process stays up and its memory stays level.
import type * as http from 'http';
import * as net from 'net';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as tn from '../../lib/index';
import { createServer, listen, shutdown } from '../../examples/serve';
import { cases } from './util';
import { rssIsMeaningful } from '../helpers/sanitizer';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const WAVES = cases('ABUSE_WAVES', 3);

let server: http.Server;
let port: number;
let model: ReturnType<typeof createServer>['model'];
const internalErrors: unknown[] = [];
const realConsoleError = console.error;

beforeAll(async () => {
  console.error = (...a: unknown[]) => void internalErrors.push(a);
  ({ server, model } = createServer({ weights: null, maxRows: 64, bodyLimit: 8192, maxDelayMs: 1 }));
  port = await listen(server, 0);
});
afterAll(async () => {
  console.error = realConsoleError;
  await shutdown(server, 1000);
});

function expected(rows: number[][]): number[][] {
  return tn.noGrad(() => model.forward(tn.tensor(rows, { dtype: 'float32' }))).toArray() as number[][];
}

/** One raw HTTP exchange over a socket; resolves with the status code (0: closed without one). */
function raw(payload: (string | Buffer)[], opts: { delayMs?: number; abortAfter?: number } = {}): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(-1), 15000);  // no answer at all in 15 s: a hang
    s.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m && got.includes('\r\n\r\n')) finish(Number(m[1]));
    });
    s.on('error', () => finish(0));
    s.on('close', () => finish(0));
    s.on('connect', async () => {
      for (let i = 0; i < payload.length; ++i) {
        if (done || s.destroyed) return;
        s.write(payload[i]);
        if (opts.abortAfter !== undefined && i + 1 >= opts.abortAfter) return finish(0);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      }
    });
  });
}
const post = (body: string, headers: Record<string, string> = {}): string[] => {
  const h = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers };
  return [`POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, body];
};

interface Case { kind: string; run: () => Promise<number>; ok: (status: number) => boolean }
function wave(seed: number): { cases: Case[]; valid: Promise<void>[] } {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0), s / 4294967296);
  const cs: Case[] = [];
  const valid: Promise<void>[] = [];
  const is4xx = (st: number) => st >= 400 && st < 500;
  for (let i = 0; i < 60; ++i) {
    const rows = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => Array.from({ length: 4 }, () => Math.round((rnd() * 8 - 1) * 100) / 100));
    valid.push((async () => {
      const r = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: JSON.stringify({ inputs: rows }), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { outputs: number[][] };
      const want = expected(rows);
      body.outputs.forEach((row, a) => row.forEach((v, b) => expect(v).toBeCloseTo(want[a][b], 5)));
    })());
  }
  const malformed = ['{"inputs": [[1,2,3,4]', '{"inputs": [[1,2,3]]}', '{"inputs": [["1",2,3,4]]}', '{"inputs": [[1,2,null,4]]}', '{"inputs": [[1,2,1e999,4]]}',
    '{"inputs": [[1,2,3e38,4e38]]}', '{"inputs": []}', '[]', 'null', '"x"', '{"inputs": {"0": [1,2,3,4]}}', '{"inputs": [[1,2,3,4,5]]}', '\u0000\u0001',
    `{"inputs": ${'['.repeat(3000)}${']'.repeat(3000)}}`, JSON.stringify({ inputs: Array.from({ length: 65 }, () => [1, 2, 3, 4]) }), '{"inputs": [[1,2,3,4]], "inputs": 5}'];
  for (const body of malformed) cs.push({ kind: `malformed ${body.slice(0, 30)}`, run: () => raw(post(body)), ok: is4xx });
  cs.push({ kind: 'oversized (declared)', run: () => raw(post('x'.repeat(20000))), ok: (st) => st === 413 });
  cs.push({ kind: 'oversized (chunked stream)', run: () => raw(['POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n', ...Array.from({ length: 20 }, () => `400\r\n${'y'.repeat(1024)}\r\n`), '0\r\n\r\n']), ok: (st) => st === 413 });
  cs.push({ kind: 'lying content-length (short body, then close)', run: () => raw([...post('{"inputs": [[1,2,3,4]]}', { 'content-length': '500' })], { abortAfter: 2 }), ok: () => true });
  cs.push({ kind: 'wrong content type', run: () => raw(post('{"inputs": [[1,2,3,4]]}', { 'content-type': 'text/plain' })), ok: (st) => st === 415 });
  cs.push({ kind: 'wrong method', run: () => raw(['GET /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']), ok: (st) => st === 405 });
  cs.push({ kind: 'unknown route', run: () => raw(['GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']), ok: (st) => st === 404 });
  cs.push({ kind: 'bad content-length', run: () => raw(['POST /predict HTTP/1.1\r\nHost: x\r\ncontent-length: -5\r\n\r\n']), ok: (st) => st === 400 || st === 0 });
  cs.push({ kind: 'not HTTP', run: () => raw([Buffer.from(Array.from({ length: 200 }, () => Math.floor(rnd() * 256)))]), ok: (st) => st === 400 || st === 0 });
  cs.push({ kind: 'huge header', run: () => raw([`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`]), ok: (st) => st === 431 || st === 400 || st === 0 });
  for (let i = 0; i < 4; ++i) {
    const body = '{"inputs": [[5.1, 3.5, 1.4, 0.2]]}';
    // slow: the body trickles in over ~0.5 s; the request still gets its answer
    cs.push({ kind: 'slow client', run: () => raw([post(body)[0], ...body.split('')], { delayMs: 15 }), ok: (st) => st === 200 });
    // hang-up: half the body, then the connection closes
    cs.push({ kind: 'hang-up mid-body', run: () => raw([post(body)[0], body.slice(0, 10)], { abortAfter: 2 }), ok: () => true });
  }
  return { cases: cs, valid };
}

test(`${WAVES} waves of valid, malformed, oversized, slow and broken requests at once`, async () => {
  const seen: Record<string, number[]> = {};
  const rss: number[] = [];
  let live = -1;
  for (let w = 0; w < WAVES + 1; ++w) {
    const { cases: cs, valid } = wave(w + 1);
    const statuses = await Promise.all(cs.map((c) => c.run()));
    await Promise.all(valid);
    cs.forEach((c, i) => {
      (seen[c.kind] ??= []).push(statuses[i]);
      if (!c.ok(statuses[i])) throw new Error(`${c.kind}: status ${statuses[i]}`);
    });
    // still serving
    const h = await fetch(`http://127.0.0.1:${port}/health`);
    expect(h.status).toBe(200);
    for (let i = 0; i < 3; ++i) (gc(), await new Promise((r) => setImmediate(r)));
    if (w === 0) live = tn.memory().cpu.bytes;  // after the warm-up wave
    else rss.push(process.memoryUsage().rss);
  }
  expect(internalErrors).toEqual([]);  // no 500s: nothing reached the internal-error path
  expect(tn.memory().cpu.bytes - live).toBeLessThan(4 << 20);  // ArrayBuffer memory back near its level
  if (rssIsMeaningful) expect((rss[rss.length - 1] - rss[0]) / rss[0]).toBeLessThan(0.15);
  if (process.env.ABUSE_WAVES) process.stdout.write(`server abuse statuses: ${JSON.stringify(seen)}\n`);
}, 180000);

test('a flood past the batcher queue gets 503 with Retry-After, never a 500', async () => {
  const { server: s2 } = createServer({ weights: null, maxDelayMs: 50, maxBatch: 64 });
  const p2 = await listen(s2, 0);
  try {
    // maxQueue is 1024 requests: send more single-row requests than that at once
    const body = JSON.stringify({ inputs: [[1, 2, 3, 4]] });
    const rs = await Promise.all(Array.from({ length: 1300 }, () => fetch(`http://127.0.0.1:${p2}/predict`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after') }), () => ({ status: 0, retry: null }))));
    const statuses = new Set(rs.map((r) => r.status));
    expect([...statuses].every((st) => st === 200 || st === 503 || st === 0)).toBe(true);
    for (const r of rs) if (r.status === 503) expect(r.retry).toBe('1');
    expect(rs.filter((r) => r.status === 200).length).toBeGreaterThan(0);
  } finally {
    await shutdown(s2, 1000);
  }
  expect(internalErrors).toEqual([]);
}, 120000);
