/**
 * Whole-module forwards through compiled plans (plan.ts):
 *  - forwardAsync(module, x): the forward on the libuv pool, off the JS thread;
 *  - planForward(module, x): the synchronous fast path nn.Module uses for inference
 *    (no grad, either mode), crossing into native code once per call.
 * A plan is compiled per (module, input width, device) and reused while the module's structure
 * (registry.structure.version) and its weights' storages are unchanged. Modules whose forward
 * cannot be expressed as a plan run op by op.
 */
import { isGradEnabled, noGrad } from '../autograd/grad_mode';
import type { Device } from '../device';
import { typeError } from '../errors';
import { structure } from '../nn/registry';
import { Storage } from '../storage';
import { Tensor } from '../tensor';
import { type CompiledPlan, compilePlan } from './plan';
import { activeTrace } from './trace';

export interface PlannableModule {
  forward(x: Tensor): unknown;
  parameters(): Tensor[];
}

interface Entry {
  version: number;
  /** Plans by input width (null: this width's forward is not plannable). */
  byWidth: Map<number, CompiledPlan | null>;
}
const cache = new WeakMap<object, Entry>();

function moduleDevice(m: PlannableModule, fallback: Device): Device {
  const p = m.parameters();
  return p.length > 0 ? p[0].device : fallback;
}

/**
 * The cached plan for this module and input width, compiling it on first use; null if none.
 * This runs on every inference call, so a hit is two map lookups and a validity check.
 */
export function planFor(m: PlannableModule, inFeatures: number, fallbackDevice: Device = 'cpu'): CompiledPlan | null {
  let entry = cache.get(m);
  if (!entry || entry.version !== structure.version) {
    entry = { version: structure.version, byWidth: new Map() };
    cache.set(m, entry);
  }
  const hit = entry.byWidth.get(inFeatures);
  if (hit !== undefined && (hit === null || hit.valid)) return hit;
  const plan = compilePlan((x) => m.forward(x), inFeatures, moduleDevice(m, fallbackDevice));
  entry.byWidth.set(inFeatures, plan);
  return plan;
}

/** x's values as one contiguous host Float32Array (no copy for contiguous cpu tensors). */
function hostValues(x: Tensor): Float32Array | null {
  const host = x.storage.hostArray();
  if (!host || !x.isContiguous()) return null;
  const n = x.numel();
  return x.offset === 0 && host.length === n ? (host as Float32Array) : (host.subarray(x.offset, x.offset + n) as Float32Array);
}

function outputTensor(out: Float32Array, x: Tensor, outFeatures: number): Tensor {
  const t = new Tensor(Storage.fromHost('cpu', out, true), [...x.shape.slice(0, -1), outFeatures]);
  return x.device === 'cpu' ? t : t.to(x.device);
}

/**
 * The synchronous fast path: a Tensor when the module's forward ran as one native plan call,
 * or null when the caller should run the forward op by op.
 */
export function planForward(m: PlannableModule, x: unknown): Tensor | null {
  if (isGradEnabled() || activeTrace() || !(x instanceof Tensor) || x.dtype !== 'float32' || x.device !== 'cpu' || x.ndim < 1) return null;
  const f = x.shape[x.ndim - 1];
  if (f === 0) return null;
  const host = hostValues(x);
  if (!host) return null;
  const plan = planFor(m, f, x.device);
  if (!plan || plan.device !== 'cpu') return null;
  return outputTensor(plan.run(host, x.numel() / f), x, plan.outFeatures);
}

/**
 * Runs m's forward without blocking the event loop where it can: as a compiled plan on the
 * libuv pool, else op by op (device kernels are asynchronous; the final read waits off-thread).
 * Never records gradients, like forward under tn.noGrad.
 */
export async function forwardAsync(m: PlannableModule, x: Tensor): Promise<Tensor> {
  if (!(x instanceof Tensor)) throw typeError('forwardAsync', 'a Tensor', 'input', x);
  if (x.storage.disposed) throw new Error('forwardAsync: input was disposed');
  const f = x.ndim >= 1 ? x.shape[x.ndim - 1] : 0;
  const plan = x.dtype === 'float32' && f > 0 ? planFor(m, f, x.device) : null;
  if (plan) {
    const host = hostValues(x) ?? ((await x.data()) as Float32Array);
    const out = await plan.runAsync(host, x.numel() / f);
    return outputTensor(out, x, plan.outFeatures);
  }
  const y = noGrad(() => m.forward(x));
  if (!(y instanceof Tensor)) throw new TypeError('forwardAsync: forward did not return a Tensor');
  await y.data();  // device work finishes before the promise settles
  return y;
}
