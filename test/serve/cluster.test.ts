// examples/serve.ts --workers 2, run as a user would (its own process, from the TypeScript
// source): two worker processes share one port, both answer, every answer equals the model's
// forward, and SIGTERM to the primary stops the workers and the primary.
import { type ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import * as tn from '../../lib/index';
import { createServer } from '../../examples/serve';

const root = path.resolve(__dirname, '../..');

/** One request on a fresh connection (no keep-alive), so the cluster can hand it to any worker. */
function request(port: number, method: string, route: string, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: route, agent: false, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts the cluster; resolves with the shared port once both workers print their address. */
function startCluster(): Promise<{ child: ChildProcess; port: number; workerPids: number[]; output: () => string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/serve.ts', '--port', '0', '--workers', '2', '--weights', 'none'], {
    cwd: root,
    env: { ...process.env, TENSORNODE_DEVICE: 'cpu' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const ports: number[] = [], pids: number[] = [];
    const onData = (d: Buffer): void => {
      out += d.toString();
      for (const m of out.matchAll(/^worker (\d+): http:\/\/127\.0\.0\.1:(\d+)/gm))
        if (!pids.includes(Number(m[1]))) (pids.push(Number(m[1])), ports.push(Number(m[2])));
      if (pids.length === 2) {
        child.stdout!.off('data', onData);
        resolve({ child, port: ports[0], workerPids: pids, output: () => out });
        if (ports[0] !== ports[1]) reject(new Error(`workers on different ports: ${ports}`));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`cluster exited early (${code}):\n${out}`)));
  });
}

test('--workers 2: both workers answer on one port, answers exact, SIGTERM stops everything', async () => {
  const { child, port, workerPids } = await startCluster();
  try {
    expect(workerPids).not.toContain(child.pid);
    // Fresh connections are dealt out round-robin by the primary: both workers must answer.
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 2; ++i) seen.add((await request(port, 'GET', '/info')).json.pid);
    expect([...seen].sort()).toEqual([...workerPids].sort());

    const { model } = createServer({ weights: null });
    const rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]];
    const want = tn.noGrad(() => model.forward(tn.tensor(rows, { dtype: 'float32' }))).toArray();
    const answers = await Promise.all(Array.from({ length: 16 }, () => request(port, 'POST', '/predict', JSON.stringify({ inputs: rows }))));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.json.outputs).toEqual(want);
    }
    const bad = await request(port, 'POST', '/predict', '{"inputs": [[1, 2]]}');
    expect(bad.status).toBe(422);  // wrong inner dimension
    expect(typeof bad.json.error).toBe('string');
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
  // The workers are gone too (signal 0 only checks that a process exists).
  for (const pid of workerPids) expect(() => process.kill(pid, 0)).toThrow();
}, 300000);  // three Node processes from TypeScript source: ~86 s under scripts/sanitize.sh
