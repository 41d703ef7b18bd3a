/**
 * Runs `require(modulePath).main()` in a child process whose CPU kernels are forced to one
 * instruction set (TENSORNODE_GEMM_ISA=avx2|generic, read once at load); returns its stdout and
 * stderr. The test files that check the other ISAs' GEMM paths share this.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

export function runWithIsa(modulePath: string, isa: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `require(${JSON.stringify(modulePath)}).main()`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TENSORNODE_GEMM_ISA: isa, TENSORNODE_DEVICE: 'cpu' },
    timeout: 120000,
  });
  return { stdout: r.stdout, stderr: r.stderr };
}
