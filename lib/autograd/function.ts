/**
 * A node of the autograd graph: what produced a tensor (`grad_fn`), the inputs it needs
 * gradients for, and how to map the output gradient to input gradients. Backward closures
 * use the same tensor ops, so gradients are computed on the tensors' device.
 */
import type { Tensor } from '../tensor';
import { isGradEnabled } from './grad_mode';

export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

export class GradFn {
  private fn: BackwardFn | null;
  /** One entry per differentiable input; null where the input needs no gradient (empty once released). */
  inputs: (Tensor | null)[];
  constructor(
    /** PyTorch's class name, e.g. 'AddmmBackward0'. */
    readonly name: string,
    inputs: (Tensor | null)[],
    fn: BackwardFn,
  ) {
    this.inputs = inputs;
    this.fn = fn;
  }

  get released(): boolean {
    return this.fn === null;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    if (!this.fn)
      throw new Error(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
          'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
          'Specify retainGraph: true if you need to backward through the graph a second time.',
      );
    return this.fn(grad);
  }

  /**
   * Drops the closure (and with it the saved tensors) and the links to the inputs, so a result
   * kept after backward (a loss pushed to a list) holds no intermediate tensors. A second
   * backward through it then reaches this node and throws PyTorch's "second time" error.
   */
  release(): void {
    this.fn = null;
    this.inputs = [];
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** True when an op on these inputs must record a node. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Attaches a GradFn to `out` when grad mode is on and an input requires grad.
 * `backward` receives the output gradient and returns one gradient per input (same order).
 */
export function record(out: Tensor, name: string, inputs: (Tensor | null)[], backward: BackwardFn): Tensor {
  if (!needsGrad(...inputs)) return out;
  out.requiresGrad = true;
  out.gradFn = new GradFn(
    name,
    inputs.map((t) => (t && t.requiresGrad ? t : null)),
    backward,
  );
  return out;
}
