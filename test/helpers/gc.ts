/** Forced garbage collection for memory tests (no --expose-gc flag needed under jest). */
import * as v8 from 'v8';
import * as vm from 'vm';

v8.setFlagsFromString('--expose-gc');
export const gc = vm.runInNewContext('gc') as () => void;

/**
 * Collects garbage a few times with turns of the event loop between (ArrayBuffer memory is
 * released by V8's sweeper, which may finish after gc() returns).
 */
export async function collect(): Promise<void> {
  for (let i = 0; i < 4; ++i) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}
