/**
 * Forward tracing for plans: while a trace is active, the ops a plan can express (linear with
 * its fused activation, sigmoid/relu/tanh, softmax/log-softmax over the last dim) report
 * themselves here. plan.ts then checks that they form one chain from the input to the output.
 * When no trace is active, ops pay one null check.
 */
import type { Tensor } from '../tensor';

export type TraceStep =
  | { kind: 'linear'; input: Tensor; output: Tensor; weight: Tensor; bias: Tensor | null; activation: 'none' | 'sigmoid' | 'relu' | 'tanh' }
  | { kind: 'activation'; input: Tensor; output: Tensor; activation: 'sigmoid' | 'relu' | 'tanh' }
  | { kind: 'softmax' | 'logSoftmax'; input: Tensor; output: Tensor; dim: number };

export interface Trace {
  steps: TraceStep[];
}

let active: Trace | null = null;

/** The trace being recorded, or null (ops check this). */
export function activeTrace(): Trace | null {
  return active;
}

export function recordStep(step: TraceStep): void {
  if (active) active.steps.push(step);
}

/** Runs fn with a fresh trace active; returns fn's result and the steps seen. */
export function traced<T>(fn: () => T): { result: T; steps: TraceStep[] } {
  const prev = active;
  const trace: Trace = { steps: [] };
  active = trace;
  try {
    return { result: fn(), steps: trace.steps };
  } finally {
    active = prev;
  }
}
