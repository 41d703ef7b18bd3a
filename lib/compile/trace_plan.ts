/**
 * One traced forward → plan steps, or the reason it cannot become a plan. The forward runs once,
 * for real, on the caller's input (its result is the caller's answer); the trace must show a
 * single chain of plannable ops from that input to the result, and nothing else that matters:
 * no write into existing memory, no read of values into JS, no random draw.
 */
import { noGrad } from '../autograd/grad_mode';
import { type PlanStep, fuseSteps } from '../jit/plan';
import { type Trace, type TraceStep, traced } from '../jit/trace';
import { defaultGenerator } from '../random/generator';
import { Tensor } from '../tensor';

/** Why a forward cannot be compiled; thrown by tn.compile's callables, never hidden. */
export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

/** Same values in the same place: the same tensor, or a contiguous view of it with the same extent. */
function sameData(a: Tensor, b: Tensor): boolean {
  return a === b || (a.storage === b.storage && a.offset === b.offset && a.isContiguous() && b.isContiguous() && a.numel() === b.numel());
}

function sameLeadingDims(a: Tensor, b: Tensor): boolean {
  if (a.ndim !== b.ndim) return false;
  for (let d = 0; d < a.ndim - 1; ++d) if (a.shape[d] !== b.shape[d]) return false;
  return true;
}

function chainSteps(steps: TraceStep[], input: Tensor, output: Tensor): PlanStep[] | string {
  let cur = input;
  const chain: PlanStep[] = [];
  for (const s of steps) {
    if (!sameData(s.input, cur) || !sameLeadingDims(s.input, input)) return `its ${s.kind} step does not take the previous step's result over the same rows`;
    if (s.kind === 'linear') chain.push({ kind: 'linear', weight: s.weight, bias: s.bias, activation: s.activation });
    else if (s.kind === 'activation') chain.push({ kind: 'activation', activation: s.activation });
    else if (s.dim !== s.input.ndim - 1) return `its ${s.kind} is not over the last dim`;
    else chain.push({ kind: s.kind });
    cur = s.output;
  }
  if (chain.length === 0) return 'it runs no linear, activation or softmax step';
  if (!sameData(output, cur) || !sameLeadingDims(output, input)) return 'its result is not the end of one chain of linear, sigmoid/relu/tanh and softmax/logSoftmax steps (other ops cannot be planned)';
  return fuseSteps(chain);
}

function describeEffect(trace: Trace): string | null {
  const e = trace.effects[0];
  if (!e) return null;
  return e.kind === 'write'
    ? `it writes into existing memory (${e.op}), which a plan would skip`
    : `it reads tensor values into JS (${e.op}), so what it computes may depend on them`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

export interface TracedForward {
  /** What the forward returned (the caller's answer for this call). */
  result: Tensor;
  /** The fused plan steps the forward amounts to. */
  steps: PlanStep[];
}

/** Runs forward(x) under a trace without grad; throws CompileError when it is no plain chain. */
export function traceForward(name: string, forward: (x: Tensor) => unknown, x: Tensor): TracedForward {
  const rngBefore = defaultGenerator.getState();
  const { result, trace } = traced(() => noGrad(() => forward(x)));
  const fail = (why: string): never => {
    throw new CompileError(`tn.compile: ${name}'s forward cannot be compiled: ${why}. Call the module itself instead.`);
  };
  const effect = describeEffect(trace);
  if (effect) fail(effect);
  if (!sameBytes(rngBefore, defaultGenerator.getState()))
    fail('it draws random numbers (e.g. Dropout in training mode: call .eval() first)');
  if (!(result instanceof Tensor)) fail('it does not return a Tensor');
  const steps = chainSteps(trace.steps, x, result as Tensor);
  if (typeof steps === 'string') fail(steps);
  return { result: result as Tensor, steps: steps as PlanStep[] };
}
