/**
 * Forward tracing, a recording hook like autograd's `record()`: while a trace is active, the ops
 * a plan can express (linear with its fused activation, sigmoid/relu/tanh, softmax/log-softmax)
 * report themselves as steps, and anything that makes a forward impure or data-dependent — a
 * write into existing memory, a read of tensor values into JS — reports itself as an effect.
 * tn.compile (lib/compile) turns a trace into a plan, or refuses one with effects.
 * When no trace is active, ops pay one null check.
 */
import type { Tensor } from '../tensor';

export type TracedActivation = 'sigmoid' | 'relu' | 'tanh';

export type TraceStep =
  | { kind: 'linear'; input: Tensor; output: Tensor; weight: Tensor; bias: Tensor | null; activation: 'none' | TracedActivation }
  | { kind: 'activation'; input: Tensor; output: Tensor; activation: TracedActivation }
  | { kind: 'softmax' | 'logSoftmax'; input: Tensor; output: Tensor; dim: number };

/** What a traced forward did besides computing: the reason a plan could not replay it. */
export interface TraceEffect {
  kind: 'write' | 'read';
  /** The op that did it, e.g. 'add_' or 'item'. */
  op: string;
}

export interface Trace {
  steps: TraceStep[];
  effects: TraceEffect[];
}

let active: Trace | null = null;

/** The trace being recorded, or null (ops check this before building a step). */
export function activeTrace(): Trace | null {
  return active;
}

export function recordStep(step: TraceStep): void {
  if (active) active.steps.push(step);
}

/** Reports a write into existing memory or a read of values into JS (no-op when not tracing). */
export function recordEffect(kind: TraceEffect['kind'], op: string): void {
  if (active) active.effects.push({ kind, op });
}

/** Runs fn with a fresh trace active; returns fn's result and what the trace saw. */
export function traced<T>(fn: () => T): { result: T; trace: Trace } {
  const prev = active;
  const trace: Trace = { steps: [], effects: [] };
  active = trace;
  try {
    return { result: fn(), trace };
  } finally {
    active = prev;
  }
}
