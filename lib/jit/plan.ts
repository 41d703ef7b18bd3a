/**
 * Native forward plans (native/core/plan.h): a chain of steps over a [rows, features] input —
 * linear (bias and activation fused into the GEMM epilogue), sigmoid/relu/tanh, softmax or
 * log-softmax over the features — run in one native call, synchronously or on the libuv pool.
 * A plan gives bit for bit what the same ops give one by one; it never records gradients.
 *
 * Two callers build step lists: nn.Sequential from its built-in children (lib/nn/program.ts) and
 * tn.compile from a trace (lib/compile). `fuseSteps` is the one place that decides which
 * activation folds into which linear, for plans and for the op-by-op run alike.
 */
import { binding, type PlanHandle, type StorageHandle } from '../binding';
import type { Device } from '../device';
import { ACTIVATION } from '../ops/native';
import type { Storage } from '../storage';
import type { Tensor } from '../tensor';
import type { TracedActivation } from './trace';

export type PlanStep =
  | { kind: 'linear'; weight: Tensor; bias: Tensor | null; activation: 'none' | TracedActivation }
  | { kind: 'activation'; activation: TracedActivation }
  | { kind: 'softmax' | 'logSoftmax' };

/** Step kinds as native/core/plan.h numbers them (PlanStepKind). */
const STEP_KIND = { linear: 0, activation: 1, softmax: 2, logSoftmax: 3 } as const;
/** Numbers per step in the native descriptor: kind, in, out, weight index, bias index, activation. */
const STEP_FIELDS = 6;

/** Anything shaped like plan steps (callers may carry more fields, e.g. the module a step came from). */
type StepLike = { kind: 'linear'; activation: 'none' | TracedActivation } | { kind: 'activation'; activation: TracedActivation } | { kind: 'softmax' | 'logSoftmax' };

/**
 * A linear without an activation takes the activation step that follows it into its epilogue
 * (the fused step keeps the linear's other fields).
 */
export function fuseSteps<S extends StepLike>(steps: readonly S[]): S[] {
  const out: S[] = [];
  for (const s of steps) {
    const prev = out[out.length - 1];
    if (s.kind === 'activation' && prev?.kind === 'linear' && prev.activation === 'none') {
      out[out.length - 1] = { ...prev, activation: s.activation };
    } else {
      out.push(s);
    }
  }
  return out;
}

interface BoundWeight {
  tensor: Tensor;
  storage: Storage;
  version: number;
}

export class CompiledPlan {
  constructor(
    private readonly handle: PlanHandle,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly device: Device,
    /** The weight tensors, the storages they had when the plan was made, and those storages' versions. */
    private readonly weights: readonly BoundWeight[],
  ) {}

  /**
   * False once a weight moved to other memory (to(device), setData), was disposed, or was
   * written (optimizer step, copy_, loadStateDict): the plan may hold packed copies.
   */
  get valid(): boolean {
    const ws = this.weights;
    for (let i = 0; i < ws.length; ++i) {
      const w = ws[i];
      if (w.tensor.storage !== w.storage || w.storage.disposed || w.storage.version !== w.version) return false;
    }
    return true;
  }

  run(input: Float32Array, rows: number): Float32Array {
    const out = new Float32Array(rows * this.outFeatures);
    binding.runPlan(this.handle, input, rows, out);
    return out;
  }

  async runAsync(input: Float32Array, rows: number): Promise<Float32Array> {
    const out = new Float32Array(rows * this.outFeatures);
    await binding.runPlanAsync(this.handle, input, rows, out);
    return out;
  }
}

function contiguousFloatMatrix(t: Tensor, rows: number, cols: number): boolean {
  return t.dtype === 'float32' && t.isContiguous() && t.offset === 0 && t.numel() === rows * cols;
}

/**
 * A plan for `steps` (already fused) on inputs of width inFeatures, with its weights on device;
 * null when the steps do not chain at that width or a weight is not a plain float32 matrix
 * (the op-by-op run then reports whatever is wrong).
 */
export function createPlan(steps: readonly PlanStep[], inFeatures: number, device: Device): CompiledPlan | null {
  if (steps.length === 0) return null;
  const desc: number[] = [steps.length];
  const storages: StorageHandle[] = [];
  const weights: BoundWeight[] = [];
  const bind = (t: Tensor): number => {
    if (t.device !== device) throw new Error('unreachable: a plan weight on another device');
    weights.push({ tensor: t, storage: t.storage, version: t.storage.version });
    storages.push(t.storage.handle);
    return storages.length - 1;
  };
  let width = inFeatures;
  for (const s of steps) {
    if (s.kind === 'linear') {
      if (s.weight.device !== device || (s.bias && s.bias.device !== device)) return null;
      if (s.weight.ndim !== 2) return null;
      const [out, inF] = s.weight.shape;
      if (inF !== width || !contiguousFloatMatrix(s.weight, out, inF)) return null;
      if (s.bias && !(s.bias.ndim === 1 && contiguousFloatMatrix(s.bias, 1, out))) return null;
      desc.push(STEP_KIND.linear, inF, out, bind(s.weight), s.bias ? bind(s.bias) : -1, ACTIVATION[s.activation]);
      width = out;
    } else if (s.kind === 'activation') {
      desc.push(STEP_KIND.activation, width, width, -1, -1, ACTIVATION[s.activation]);
    } else {
      desc.push(STEP_KIND[s.kind], width, width, -1, -1, ACTIVATION.none);
    }
  }
  if (desc.length !== 1 + STEP_FIELDS * steps.length) throw new Error('unreachable: plan descriptor length');
  // Weights are packed once into the GEMM's layout unless some live in a caller's own array
  // (tn.fromArray), whose writes no version tracks: those plans read the weights live.
  const prepack = weights.every((w) => !w.storage.userOwned);
  return new CompiledPlan(binding.createPlan(Float64Array.from(desc), storages, prepack), inFeatures, width, device, weights);
}
