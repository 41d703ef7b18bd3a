// The HTTP example (examples/serve.ts) on an ephemeral loopback port: correct answers, 4xx JSON
// errors for every client mistake, batching under concurrency, graceful shutdown.
import type * as http from 'http';
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
  const inflight = fetch(`${url}/predict`, { method: 'POST', body: '{"inputs": [[1,2,3,4]]}', headers: { 'content-type': 'application/json' } });
  await new Promise((r) => setTimeout(r, 10));
  const closed = shutdown(s.server, 5000);
  const res = await inflight;
  expect(res.status).toBe(200);
  await closed;
  await expect(fetch(`${url}/health`)).rejects.toThrow();
});
