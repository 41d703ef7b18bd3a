// Device choice at load (design §1): auto takes CUDA only when usable, `cuda` fails loudly
// with the reason, `cpu` always works. Each case runs in a child process, since the decision
// is made once per process.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tn from '../../lib/index';

const root = path.resolve(__dirname, '../..');

function runWith(env: Record<string, string>, code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cudaUsable = tn.cuda.isAvailable();

test('info() explains the device decision', () => {
  const i = tn.info();
  expect(i.backends).toContain('cpu');
  expect(['cpu', 'cuda']).toContain(i.device);
  expect(i.reason.length).toBeGreaterThan(0);
  if (!cudaUsable) {
    expect(i.device).toBe('cpu');
    expect(tn.cuda.deviceCount()).toBe(0);
    // Either not compiled in, or compiled with the driver's reason (no driver on CI machines).
    expect(i.reason).toMatch(/^auto: (tensornode was built without CUDA|CUDA driver not found|no CUDA device|no kernel image)/);
  }
});

test('TENSORNODE_DEVICE=cpu works everywhere', () => {
  const r = runWith({ TENSORNODE_DEVICE: 'cpu' }, "const tn=require('./lib/index'); console.log(tn.device, String(tn.ones(2).add(1)))");
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('cpu tensor([2., 2.])');
});

(cudaUsable ? test.skip : test)('TENSORNODE_DEVICE=cuda without a usable GPU throws the reason', () => {
  const r = runWith({ TENSORNODE_DEVICE: 'cuda' }, "const tn=require('./lib/index'); try { tn.ones(2); console.log('no error'); } catch (e) { console.log(e.message); }");
  expect(r.stdout).toMatch(/^TENSORNODE_DEVICE=cuda but CUDA cannot be used: /);
  expect(r.stdout).toMatch(/built without CUDA|cudaErrorInsufficientDriver|cudaErrorNoDevice|no kernel image/);
});

(cudaUsable ? test.skip : test)("explicit device 'cuda' throws the reason instead of falling back", () => {
  expect(() => tn.zeros(2, { device: 'cuda' })).toThrow(/CUDA cannot be used: /);
});

test('TENSORNODE_DEVICE with a bad value is refused with the accepted values', () => {
  const r = runWith({ TENSORNODE_DEVICE: 'tpu' }, "const tn=require('./lib/index'); try { tn.ones(2); } catch (e) { console.log(e.message); }");
  expect(r.stdout.trim()).toBe('TENSORNODE_DEVICE must be auto, cpu or cuda, but is "tpu"');
});

test('the CLI prints the diagnosis', () => {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/main.ts', 'info'], { cwd: root, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^tensornode \d+\.\d+\.\d+/);
  expect(r.stdout).toMatch(/device: +(cpu|cuda) +\(/);
});

test('setNumThreads validates and applies', () => {
  const before = tn.getNumThreads();
  tn.setNumThreads(1);
  expect(tn.getNumThreads()).toBe(1);
  tn.setNumThreads(before);
  expect(() => tn.setNumThreads(0)).toThrow(RangeError);
});
