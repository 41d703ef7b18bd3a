/** Forced garbage collection for memory tests (no --expose-gc flag needed under jest). */
import * as v8 from 'v8';
import * as vm from 'vm';
import * as tn from '../../lib/index';

v8.setFlagsFromString('--expose-gc');
export const gc = vm.runInNewContext('gc') as () => void;

/**
 * Collects until tn.memory()'s live count stops moving: FinalizationRegistry callbacks run as
 * separate tasks some time after a GC, which on a busy machine can take several turns.
 */
export async function collect(): Promise<void> {
  let prev = -1;
  for (let i = 0; i < 50; ++i) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const now = tn.memory().cpu.tensors;
    if (now === prev) return;
    prev = now;
  }
}
