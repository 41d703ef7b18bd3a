/**
 * Module.forwardAsync: what `tn.noGrad(() => m.forward(...args))` returns, computed off the JS
 * thread where that cannot change the answer — a described module (program.ts: built-in stacks
 * without hooks) on a CPU float32 input runs as one native plan on the libuv pool. Everything
 * else runs its own forward on the JS thread; a device result is awaited off the thread.
 */
import { noGrad } from '../autograd/grad_mode';
import { Tensor } from '../tensor';
import type { Module } from './module';
import { wholeRun } from './program';

export async function forwardAsync(m: Module, args: unknown[]): Promise<unknown> {
  if (args.length === 1) {
    const x = args[0];
    const run = wholeRun(m);
    const plan = run && x instanceof Tensor ? run.planFor(x, true) : null;
    if (run && plan) return run.runAsync(x as Tensor, plan);
  }
  const y = noGrad(() => m.forward(...args));
  if (y instanceof Tensor && y.device !== 'cpu') await y.data();  // device work finishes off the JS thread
  return y;
}
