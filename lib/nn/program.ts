/**
 * How built-in containers run their children without ever changing what a forward computes.
 *
 * A module whose forward is a built-in one (Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax,
 * Identity, Dropout when it draws nothing, Sequential of such) and that has no forward hooks is
 * *described*: its forward is known to be a list of plan steps. Any other module — a subclass
 * that overrides forward, a forward assigned on the instance, a module with hooks, a user's
 * own class — is *opaque* and always runs its own forward.
 *
 * A Sequential's program is its children cut into segments: each opaque child alone, and each
 * stretch of described children as one StepRun. A StepRun executes as one native plan when the
 * result cannot differ from the ops (CPU float32 input, nothing to record for autograd: the plan
 * gives bit for bit what the ops give), and op by op otherwise, with the same labelled errors
 * the children's own forwards would raise.
 *
 * Programs hold for one moduleTreeVersion (members, instance forwards, hooks, modes); plain
 * attributes a step depends on (Softmax.dim, Dropout.p) are re-checked on every call, as is each
 * built-in class's prototype forward, so patching one is seen at once.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { type CompiledPlan, type PlanStep, createPlan, fuseSteps } from '../jit/plan';
import { type TracedActivation, activeTrace } from '../jit/trace';
import { linear } from '../ops/matmul';
import { checkTensor } from '../ops/common';
import { Storage } from '../storage';
import { Tensor } from '../tensor';
import type { Module } from './module';
import { labelError } from './module_error';
import { forwardImpl, moduleTreeVersion } from './registry';

type AnyFn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A plan step together with the module whose forward it stands for (errors name that module). */
export type ProgramStep =
  | { kind: 'linear'; module: Module; weight: Tensor; bias: Tensor | null; activation: 'none' | TracedActivation }
  | { kind: 'activation'; module: Module; activation: TracedActivation }
  | { kind: 'softmax' | 'logSoftmax'; module: Module; dim: number };

/** A plain attribute a description read, with the value it read. */
type Guard = readonly [module: Module, key: string, value: unknown];

export interface Description {
  steps: ProgramStep[];
  guards: Guard[];
}

type Describer = (m: Module) => Description | null;

/** Built-in forwards → how to describe a module using them. */
const DESCRIBERS = new Map<AnyFn, Describer>();
/** The classes whose prototype forward a description relies on, and those functions (same order). */
const BUILTIN_CLASSES: { prototype: { forward: AnyFn } }[] = [];
const BUILTIN_FORWARDS: AnyFn[] = [];

/**
 * Declares that cls's forward computes what `describe` says (called once per built-in class).
 * @internal
 */
export function describeForward(cls: { prototype: { forward: AnyFn } }, describe: Describer): void {
  DESCRIBERS.set(cls.prototype.forward, describe);
  BUILTIN_CLASSES.push(cls);
  BUILTIN_FORWARDS.push(cls.prototype.forward);
}

type Children = (m: Module) => readonly (Module | null)[];
/** Built-in container forwards (Sequential's) → the children their programs run. */
const CONTAINERS = new Map<AnyFn, Children>();

/**
 * Declares that cls's forward runs `children(m)` one after another: such a module is described
 * when all its children are, and its forward runs the program (programOf).
 * @internal
 */
export function describeContainer(cls: { prototype: { forward: AnyFn } }, children: Children): void {
  describeForward(cls, (m) => describeAll(children(m)));
  CONTAINERS.set(cls.prototype.forward, children);
}

/** m's forward as plan steps, or null when m is opaque (see the file comment). */
export function describeModule(m: Module): Description | null {
  if (m._forwardHooks.size > 0) return null;
  const describe = DESCRIBERS.get(forwardImpl(m));
  return describe ? describe(m) : null;
}

/** The descriptions of several modules one after another, or null if any is opaque. */
export function describeAll(mods: readonly (Module | null)[]): Description | null {
  const out: Description = { steps: [], guards: [] };
  for (const m of mods) {
    const d = m ? describeModule(m) : null;
    if (!d) return null;
    out.steps.push(...d.steps);
    out.guards.push(...d.guards);
  }
  return out;
}

/** True while no built-in class has had its prototype forward replaced since it was described. */
function builtinsIntact(): boolean {
  for (let i = 0; i < BUILTIN_CLASSES.length; ++i) if (BUILTIN_CLASSES[i].prototype.forward !== BUILTIN_FORWARDS[i]) return false;
  return true;
}

function runStepOp(s: ProgramStep, x: Tensor): Tensor {
  switch (s.kind) {
    // What nn.functional (the modules' forwards) does, with the same checks and errors.
    case 'linear':
      return linear(x, s.weight, s.bias, s.activation);
    case 'activation':
      checkTensor(s.activation, x);
      return s.activation === 'sigmoid' ? x.sigmoid() : s.activation === 'relu' ? x.relu() : x.tanh();
    case 'softmax':
      return checkTensor('softmax', x).softmax(s.dim);
    case 'logSoftmax':
      return checkTensor('log_softmax', x).logSoftmax(s.dim);
  }
}

/** Plans per input layout: last-dim width × 16 + ndim (inputs of rank ≥ 16 run op by op). */
const layoutKey = (x: Tensor): number => (x.ndim < 16 ? x.shape[x.ndim - 1] * 16 + x.ndim : -1);

/** Consecutive described modules, run as one plan or op by op. */
export class StepRun {
  readonly steps: ProgramStep[];
  private readonly guards: Guard[];
  private readonly weights: Tensor[];
  private readonly plans = new Map<number, CompiledPlan | null>();

  constructor(d: Description) {
    this.steps = fuseSteps(d.steps);
    this.guards = d.guards;
    this.weights = [];
    for (const s of this.steps) if (s.kind === 'linear') this.weights.push(...(s.bias ? [s.weight, s.bias] : [s.weight]));
  }

  /** True when running the steps on x records gradients (grad mode on and something requires grad). */
  private records(x: Tensor): boolean {
    if (!isGradEnabled()) return false;
    if (x.requiresGrad) return true;
    const ws = this.weights;
    for (let i = 0; i < ws.length; ++i) if (ws[i].requiresGrad) return true;
    return false;
  }

  /** True while every attribute the description read still has the value it read. */
  holds(): boolean {
    const g = this.guards;
    for (let i = 0; i < g.length; ++i) if ((g[i][0] as unknown as Record<string, unknown>)[g[i][1]] !== g[i][2]) return false;
    return builtinsIntact();
  }

  /**
   * The plan for x when running it cannot differ from the ops: x a contiguous CPU float32
   * tensor, and (unless `noRecording`) no gradient to record. Null means: run the ops.
   */
  planFor(x: unknown, noRecording: boolean): CompiledPlan | null {
    if (!(x instanceof Tensor) || x.device !== 'cpu' || x.dtype !== 'float32' || x.ndim < 1 || !x.isContiguous()) return null;
    // Checked first: a training loop changes the weights every step, and must not rebuild plans.
    if (!noRecording && this.records(x)) return null;
    if (activeTrace()) return null;  // tn.compile is tracing: it must see the ops themselves
    const key = layoutKey(x);
    if (key < 0) return null;
    let plan = this.plans.get(key);
    if (plan === undefined || (plan !== null && !plan.valid)) {
      plan = this.makePlan(x);
      this.plans.set(key, plan);
    }
    return plan === null || x.numel() === 0 ? null : plan;
  }

  private makePlan(x: Tensor): CompiledPlan | null {
    const nd = x.ndim;
    const planSteps: PlanStep[] = [];
    for (const s of this.steps) {
      switch (s.kind) {
        case 'linear':
          planSteps.push({ kind: 'linear', weight: s.weight, bias: s.bias, activation: s.activation });
          break;
        case 'activation':
          planSteps.push({ kind: 'activation', activation: s.activation });
          break;
        default:
          // The plan normalises over the features, i.e. the last dim; other dims run as ops.
          if (s.dim !== -1 && s.dim !== nd - 1) return null;
          planSteps.push({ kind: s.kind });
      }
    }
    return createPlan(planSteps, x.shape[nd - 1], 'cpu');
  }

  /** The steps op by op, each error labelled with the module it came from. */
  runOps(x: Tensor): Tensor {
    let y = x;
    for (const s of this.steps) {
      try {
        y = runStepOp(s, y);
      } catch (e) {
        throw labelError(e, s.module.constructor.name, () => s.module.modulePath());
      }
    }
    return y;
  }

  run(x: Tensor): Tensor {
    const plan = this.planFor(x, false);
    if (plan === null) return this.runOps(x);
    return new Tensor(Storage.fromHost('cpu', plan.run(hostValues(x), x.numel() / plan.inFeatures), true), outputShape(x, plan));
  }

  async runAsync(x: Tensor, plan: CompiledPlan): Promise<Tensor> {
    const out = await plan.runAsync(hostValues(x), x.numel() / plan.inFeatures);
    return new Tensor(Storage.fromHost('cpu', out, true), outputShape(x, plan));
  }
}

/** x's values as a Float32Array (x is a contiguous CPU float32 tensor: no copy). */
function hostValues(x: Tensor): Float32Array {
  const host = x.storage.hostArray() as Float32Array;
  const n = x.numel();
  return x.offset === 0 && host.length === n ? host : host.subarray(x.offset, x.offset + n);
}

function outputShape(x: Tensor, plan: CompiledPlan): number[] {
  const shape = x.shape.slice();
  shape[shape.length - 1] = plan.outFeatures;
  return shape;
}

export type Segment = { kind: 'module'; module: Module | null; index: number } | { kind: 'steps'; run: StepRun };

interface Program {
  version: number;
  segments: Segment[];
}

const PROGRAMS = new WeakMap<Module, Program>();

/** Cuts children into opaque modules and runs of described ones. */
function buildSegments(children: readonly (Module | null)[]): Segment[] {
  const segments: Segment[] = [];
  let pending: Description | null = null;
  const flush = (): void => {
    if (pending && pending.steps.length > 0) segments.push({ kind: 'steps', run: new StepRun(pending) });
    pending = null;
  };
  children.forEach((m, index) => {
    const d = m ? describeModule(m) : null;
    if (d) {
      pending ??= { steps: [], guards: [] };
      pending.steps.push(...d.steps);
      pending.guards.push(...d.guards);
    } else {
      flush();
      segments.push({ kind: 'module', module: m, index });
    }
  });
  flush();
  return segments;
}

/** owner's program over `children`, cached while the module tree is unchanged and its guards hold. */
export function programOf(owner: Module, children: Children): Segment[] {
  let p = PROGRAMS.get(owner);
  if (p === undefined || p.version !== moduleTreeVersion.value || !segmentsHold(p.segments)) {
    p = { version: moduleTreeVersion.value, segments: buildSegments(children(owner)) };
    PROGRAMS.set(owner, p);
  }
  return p.segments;
}

function segmentsHold(segments: Segment[]): boolean {
  for (let i = 0; i < segments.length; ++i) {
    const s = segments[i];
    if (s.kind === 'steps' && !s.run.holds()) return false;
  }
  return true;
}

const WHOLE_RUNS = new WeakMap<Module, { version: number; run: StepRun | null }>();

/**
 * m's whole forward as one StepRun when m is described (forwardAsync's off-thread path), else
 * null. A Sequential made only of described children reuses its program's run and plans.
 */
export function wholeRun(m: Module): StepRun | null {
  if (m._forwardHooks.size > 0) return null;
  const children = CONTAINERS.get(forwardImpl(m));
  if (children) {
    const segs = programOf(m, children);
    return segs.length === 1 && segs[0].kind === 'steps' ? segs[0].run : null;
  }
  let w = WHOLE_RUNS.get(m);
  if (w === undefined || w.version !== moduleTreeVersion.value || (w.run !== null && !w.run.holds())) {
    const d = describeModule(m);
    w = { version: moduleTreeVersion.value, run: d && d.steps.length > 0 ? new StepRun(d) : null };
    WHOLE_RUNS.set(m, w);
  }
  return w.run;
}
