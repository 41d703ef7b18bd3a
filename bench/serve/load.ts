/**
 * Load test of examples/serve.ts on loopback: the server runs in its own process; autocannon
 * sends POST /predict (one Iris row per request) for a fixed time with a fixed number of
 * connections, with and without micro-batching, and every response body is checked against
 * the model's output computed here. Bounded in time and count; loopback only.
 *
 *   npx ts-node -T bench/serve/load.ts [--seconds 10] [--connections 64] [--json out.json]
 */
import autocannon from 'autocannon';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tn from '../../lib/index';
import { createServer } from '../../examples/serve';

const root = path.resolve(__dirname, '../..');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const seconds = arg('--seconds', 10);
const connections = arg('--connections', 64);

const row = [5.9, 3.0, 4.2, 1.5];
const body = JSON.stringify({ inputs: [row] });

function startServer(extra: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/serve.ts', '--port', '0', '--weights', 'none', ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({
        port: Number(m[1]),
        stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
      });
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

interface Result { mode: string; requestsPerSec: number; p50: number; p99: number; errors: number; wrong: number; total: number }

async function run(mode: string, extra: string[], expected: string): Promise<Result> {
  const server = await startServer(extra);
  let wrong = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: seconds,
    requests: [{
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json' },
      body,
      onResponse: (status: number, resBody: string) => {
        // Bit for bit, batched or not (the GEMM is row-invariant: test/ops/row_invariance.test.ts).
        if (status !== 200 || JSON.stringify(JSON.parse(resBody).outputs) !== expected) wrong++;
      },
    }],
  });
  await server.stop();
  return {
    mode,
    requestsPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    wrong,
    total: result.requests.total,
  };
}

async function main(): Promise<void> {
  // The reference answer, from the same model built in this process.
  const { model } = createServer({ weights: null, batch: false });
  const expected = JSON.stringify(tn.noGrad(() => model.forward(tn.tensor([row], { dtype: 'float32' }))).toArray());
  const results = [
    await run('no batching (forwardAsync per request)', ['--no-batch'], expected),
    await run('micro-batching (maxBatch 64, maxDelay 2 ms)', ['--max-batch', '64', '--max-delay-ms', '2'], expected),
  ];
  console.log(`POST /predict, 1 row per request, ${connections} connections, ${seconds} s each, loopback, device ${tn.device}`);
  console.log('| mode | requests/s | p50 ms | p99 ms | errors | answers not bit-identical to forward() | responses checked |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.mode} | ${r.requestsPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.wrong} | ${r.total} |`);
  const i = process.argv.indexOf('--json');
  if (i > 0) fs.writeFileSync(process.argv[i + 1], JSON.stringify(results, null, 2));
  if (results.some((r) => r.wrong > 0 || r.errors > 0)) process.exitCode = 1;
}

void main();
