/**
 * tn.compile(model): an explicit, guarded trace of a custom module's forward into one native plan,
 * for the off-JS-thread `forwardAsync` and the lowest per-call cost — what torch.jit.trace is to
 * PyTorch, with guards instead of silent staleness.
 *
 * Each call with a new input shape runs the module's real forward once under a trace (that run
 * is the call's answer) and keeps the plan it amounts to; later calls of that shape run the plan.
 * Plans are dropped, and the next call traces again, when the module tree, any module's plain
 * attributes, or a weight (in-place update, optimizer step, loadStateDict) changes. A forward
 * that is not one chain of linear / sigmoid / relu / tanh / softmax steps, or that writes into
 * existing memory, reads values into JS, draws random numbers or has forward hooks, throws a
 * CompileError naming why — it never gets a plan that answers differently.
 *
 * Not seen (as with torch.jit.trace): values the forward reads from outside the module tree
 * (closures, globals). Calls that record gradients, and inputs that are not contiguous CPU
 * float32 tensors, run the module's own forward.
 */
import { isGradEnabled, noGrad } from '../autograd/grad_mode';
import { type CompiledPlan, type PlanStep, createPlan } from '../jit/plan';
import type { Module } from '../nn/module';
import { Storage } from '../storage';
import { Tensor } from '../tensor';
import { TreeGuard } from './guards';
import { CompileError, traceForward } from './trace_plan';

/** Most input shapes a compiled forward keeps plans for; past it, the oldest go. */
const MAX_SHAPES = 256;

const tensorIds = new WeakMap<Tensor, number>();
let nextTensorId = 1;
function tensorId(t: Tensor): number {
  let id = tensorIds.get(t);
  if (id === undefined) tensorIds.set(t, (id = nextTensorId++));
  return id;
}

/** Plans with the same steps share one native plan (and its packed weights). */
function signature(steps: PlanStep[], inFeatures: number): string {
  const parts = steps.map((s) => (s.kind === 'linear' ? `L${tensorId(s.weight)}/${s.bias ? tensorId(s.bias) : 0}/${s.activation}` : s.kind === 'activation' ? `A${s.activation}` : s.kind));
  return `${inFeatures}:${parts.join(',')}`;
}

function plannable(x: unknown): x is Tensor {
  return x instanceof Tensor && x.device === 'cpu' && x.dtype === 'float32' && x.ndim >= 1 && x.isContiguous() && x.numel() > 0;
}

function hostValues(x: Tensor): Float32Array {
  const host = x.storage.hostArray() as Float32Array;
  return host.subarray(x.offset, x.offset + x.numel());
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; ++i) if (ua[i] !== ub[i]) return false;
  return true;
}

export class CompiledModule<M extends Module = Module> {
  private readonly guard: TreeGuard;
  private readonly byShape = new Map<string, CompiledPlan>();
  private readonly bySignature = new Map<string, CompiledPlan>();
  private params: Tensor[] = [];

  /** The module whose forward this runs. */
  readonly module: M;

  constructor(module: M) {
    this.module = module;
    this.guard = new TreeGuard(module);
  }

  /**
   * The module's forward for x, as one plan when the trace for x's shape still holds.
   * @example const fast = tn.compile(model); const y = tn.noGrad(() => fast.forward(x));
   */
  forward(x: Tensor): Tensor {
    const plan = this.planFor(x);
    if (plan === 'eager') return this.module.forward(x) as Tensor;
    if (plan instanceof Tensor) return plan;
    return new Tensor(Storage.fromHost('cpu', plan.run(hostValues(x), x.numel() / plan.inFeatures), true), this.outShape(x, plan));
  }

  /** `compiled.call(x)` is `compiled.forward(x)`, like Module.call. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /**
   * What `tn.noGrad(() => compiled.forward(x))` returns, with the plan run on the libuv pool.
   * @example const y = await tn.compile(model).forwardAsync(tn.rand(64, 4));
   */
  async forwardAsync(x: Tensor): Promise<Tensor> {
    const plan = noGrad(() => this.planFor(x));
    if (plan === 'eager') {
      const y = noGrad(() => this.module.forward(x)) as Tensor;
      if (y instanceof Tensor && y.device !== 'cpu') await y.data();
      return y;
    }
    if (plan instanceof Tensor) return plan;
    const out = await plan.runAsync(hostValues(x), x.numel() / plan.inFeatures);
    return new Tensor(Storage.fromHost('cpu', out, true), this.outShape(x, plan));
  }

  private outShape(x: Tensor, plan: CompiledPlan): number[] {
    const shape = x.shape.slice();
    shape[shape.length - 1] = plan.outFeatures;
    return shape;
  }

  private recording(x: Tensor): boolean {
    if (!isGradEnabled()) return false;
    if (x.requiresGrad) return true;
    for (const p of this.params) if (p.requiresGrad) return true;
    return false;
  }

  /**
   * A valid plan for x; or the traced run's own result (this call traced); or 'eager' when x or
   * the call cannot use a plan.
   */
  private planFor(x: Tensor): CompiledPlan | Tensor | 'eager' {
    if (!plannable(x)) return 'eager';
    if (!this.guard.holds()) {
      this.guard.take();
      this.params = this.module.parameters();
      this.byShape.clear();
      this.bySignature.clear();
    }
    if (this.recording(x)) return 'eager';
    const key = x.shape.join('x');
    const plan = this.byShape.get(key);
    if (plan !== undefined && plan.valid) return plan;
    return this.trace(x, key);
  }

  private trace(x: Tensor, key: string): Tensor {
    const name = this.module.constructor.name;
    for (const m of this.guard.modules)
      if (m._forwardHooks.size > 0)
        throw new CompileError(`tn.compile: ${name}'s forward cannot be compiled: ${m.constructor.name}${m.modulePath() ? ` (${m.modulePath()})` : ''} has forward hooks, which run on every call. Call the module itself instead.`);
    const { result, steps } = traceForward(name, (t) => this.module.forward(t), x);
    const f = x.shape[x.ndim - 1];
    const sig = signature(steps, f);
    let plan = this.bySignature.get(sig);
    if (plan === undefined || !plan.valid) {
      const made = createPlan(steps, f, 'cpu');
      if (made === null) throw new CompileError(`tn.compile: ${name}'s forward cannot be compiled: its weights are not contiguous CPU float32 matrices`);
      plan = made;
      this.bySignature.set(sig, plan);
    }
    // The plan must give this call's answer bit for bit; anything else is a bug in tensornode.
    const got = plan.run(hostValues(x), x.numel() / f);
    if (!sameBits(got, result.dataSync() as Float32Array)) throw new Error(`tn.compile: internal error: the plan for ${name} differs from its forward; please report this`);
    if (this.byShape.size >= MAX_SHAPES) this.byShape.delete(this.byShape.keys().next().value as string);
    this.byShape.set(key, plan);
    return result;
  }
}

/**
 * Compiles model's forward into guarded native plans (see CompiledModule).
 * @example const fast = tn.compile(model);
 *   const y = await fast.forwardAsync(tn.rand(32, 4));  // off the JS thread
 */
export function compile<M extends Module>(model: M): CompiledModule<M> {
  if (typeof model !== 'object' || model === null || typeof (model as { namedModules?: unknown }).namedModules !== 'function')
    throw new TypeError(`tn.compile: expected an nn.Module but received ${model === null ? 'null' : typeof model}`);
  return new CompiledModule(model);
}

export { CompileError };
