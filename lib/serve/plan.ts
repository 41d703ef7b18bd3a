/**
 * Compiling a module's forward into a native plan (native/core/plan.h): the forward is traced
 * once on a sample batch; if every step is one a plan can express and they form one chain from
 * the input to the output, the chain becomes a native plan that runs the whole forward in one
 * call — synchronously, or on the libuv pool for forwardAsync. Otherwise there is no plan and
 * callers run the forward op by op. Plans never record gradients.
 */
import { noGrad } from '../autograd/grad_mode';
import { binding, type PlanHandle, type StorageHandle } from '../binding';
import type { Device } from '../device';
import { ACTIVATION } from '../ops/native';
import { defaultGenerator } from '../random/generator';
import { Storage } from '../storage';
import { Tensor } from '../tensor';
import { type TraceStep, traced } from './trace';

const STEP_KIND = { linear: 0, activation: 1, softmax: 2, logSoftmax: 3 } as const;

/** Same values in the same place: the same tensor, or a view of it with the same layout. */
function sameData(a: Tensor, b: Tensor): boolean {
  return a === b || (a.storage === b.storage && a.offset === b.offset && a.isContiguous() && b.isContiguous() && a.numel() === b.numel());
}

function contiguousMatrix(t: Tensor, rows: number, cols: number): boolean {
  return t.dtype === 'float32' && t.isContiguous() && t.offset === 0 && t.numel() === rows * cols;
}

export class CompiledPlan {
  constructor(
    private readonly handle: PlanHandle,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly device: Device,
    /** The weight tensors, the storages they had when traced, and those storages' versions. */
    private readonly weights: { tensor: Tensor; storage: Storage; version: number }[],
  ) {}

  /**
   * False once a weight moved to other memory (to(device), replaced storage), was disposed, or
   * was written (optimizer step, copy_, loadStateDict): the plan may hold packed copies.
   */
  get valid(): boolean {
    for (const w of this.weights)
      if (w.tensor.storage !== w.storage || w.storage.disposed || w.storage.version !== w.version) return false;
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

/** Turns a traced chain into plan steps; null when the trace is not a plain chain. */
function chainSteps(steps: TraceStep[], input: Tensor, output: Tensor, rows: number): TraceStep[] | null {
  let cur = input;
  const chain: TraceStep[] = [];
  for (const s of steps) {
    if (!sameData(s.input, cur)) return null;  // a step off the main path, or an op we cannot see
    if (s.input.ndim !== 2 || s.input.shape[0] !== rows) return null;
    if ((s.kind === 'softmax' || s.kind === 'logSoftmax') && s.dim !== 1) return null;
    chain.push(s);
    cur = s.output;
  }
  return chain.length > 0 && sameData(output, cur) && output.ndim === 2 ? chain : null;
}

/**
 * Traces `forward` on a sample of shape [2, inFeatures] on `device` and compiles it, or returns
 * null when the forward cannot be expressed as a plan.
 */
export function compilePlan(forward: (x: Tensor) => unknown, inFeatures: number, device: Device): CompiledPlan | null {
  const rows = 2;
  const sampleValues = new Float32Array(rows * inFeatures).map((_, i) => Math.sin(i + 1));
  const sample = new Tensor(Storage.fromHost(device, sampleValues), [rows, inFeatures]);
  let result: unknown;
  let steps: TraceStep[];
  // The trace must not advance the random stream: a forward that draws (Dropout in training
  // mode) is not plannable, and its op-by-op run must see the numbers PyTorch's would.
  const rngState = defaultGenerator.getState();
  try {
    ({ result, steps } = traced(() => noGrad(() => forward(sample))));
  } catch {
    return null;  // the op-by-op forward will report the error to the caller
  } finally {
    defaultGenerator.setState(rngState);
  }
  if (!(result instanceof Tensor)) return null;
  const chain = chainSteps(steps, sample, result, rows);
  if (!chain) return null;

  const desc: number[] = [0];
  const storages: StorageHandle[] = [];
  const weights: { tensor: Tensor; storage: Storage; version: number }[] = [];
  const addStorage = (t: Tensor): number => {
    weights.push({ tensor: t, storage: t.storage, version: t.storage.version });
    storages.push(t.storage.handle);
    return storages.length - 1;
  };
  let width = inFeatures;
  for (const s of chain) {
    if (s.kind === 'linear') {
      const [out, inF] = s.weight.shape;
      if (!contiguousMatrix(s.weight, out, inF) || (s.bias && !contiguousMatrix(s.bias, 1, out))) return null;
      desc.push(STEP_KIND.linear, inF, out, addStorage(s.weight), s.bias ? addStorage(s.bias) : -1, ACTIVATION[s.activation]);
      width = out;
    } else if (s.kind === 'activation') {
      // Fold into the preceding linear's epilogue when it has none.
      const prevAct = desc.length >= 7 ? desc.length - 1 : -1;
      if (prevAct > 0 && desc[prevAct - 5] === STEP_KIND.linear && desc[prevAct] === ACTIVATION.none) desc[prevAct] = ACTIVATION[s.activation];
      else desc.push(STEP_KIND.activation, width, width, -1, -1, ACTIVATION[s.activation]);
    } else {
      desc.push(STEP_KIND[s.kind], width, width, -1, -1, 0);
    }
  }
  desc[0] = (desc.length - 1) / 6;
  let plan: CompiledPlan;
  try {
    // Weights are packed once into the GEMM's layout unless some live in a caller's own array
    // (tn.fromArray), whose writes no version tracks.
    const prepack = weights.every((w) => !w.storage.userOwned);
    plan = new CompiledPlan(binding.createPlan(Float64Array.from(desc), storages, prepack), inFeatures, width, device, weights);
  } catch {
    return null;
  }
  // Belt and braces: the plan must reproduce the traced forward on the sample.
  const expected = result.dataSync();
  const got = plan.run(sampleValues, rows);
  for (let i = 0; i < got.length; ++i) {
    const e = expected[i];
    if (!(Math.abs(got[i] - e) <= 1e-5 * Math.max(1, Math.abs(e))) && !(Number.isNaN(e) && Number.isNaN(got[i]))) return null;
  }
  return plan;
}
