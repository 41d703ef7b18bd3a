// Memory stays flat in plain synchronous loops (no dispose, no await, no --expose-gc): lecture
// forwards under tn.noGrad and Adam training steps, run by bench/memory/sync_loops.js in a child
// process against the transpiled package. A per-tensor finalization record, a plan rebuilt per
// training step, or a graph kept alive would grow RSS by hundreds of MB at these counts.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { compiledPackage } from '../helpers/compiled';
import { rssIsMeaningful } from '../helpers/sanitizer';

interface LoopResult {
  n: number;
  afterWarmupMiB: number;
  maxMiB: number;
  growthPct: number;
}

(rssIsMeaningful ? test : test.skip)('1M forwards and 40k training steps keep RSS flat', () => {
  const script = path.resolve(__dirname, '../../bench/memory/sync_loops.js');
  const pkg = path.join(compiledPackage(), 'lib', 'index.js');
  const r = spawnSync(process.execPath, [script, '--forwards', '1000000', '--steps', '40000', '--json', '--pkg', pkg], { encoding: 'utf8', timeout: 170000 });
  if (r.status !== 0) throw new Error(`sync_loops.js exited ${r.status} (${r.signal}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { forwards: LoopResult; trainingSteps: LoopResult };
  // Forwards allocate no JS heap that survives; training steps let V8 size its old space (a few
  // MB), so their bound is looser — a leak of 500 bytes a step would still exceed it.
  expect(out.forwards.growthPct).toBeLessThan(15);
  expect(out.trainingSteps.growthPct).toBeLessThan(30);
}, 180000);
