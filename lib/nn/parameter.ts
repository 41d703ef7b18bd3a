/**
 * nn.Parameter: a Tensor that a Module registers as learnable state. It requires grad by default
 * and prints as PyTorch's `Parameter containing:\n` + the tensor repr.
 *
 * A Parameter keeps its identity when the module moves between devices or loads weights:
 * `setData(t)` (PyTorch's `param.data = t`) swaps the storage underneath, so optimizers that hold
 * the Parameter object stay valid.
 */
import { typeError } from '../errors';
import { Tensor } from '../tensor';

/** The fields of a Tensor that describe where its values live (readonly to everyone else). */
interface Placement {
  storage: Tensor['storage'];
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export class Parameter extends Tensor {
  /**
   * Wraps `data`'s values (shared, not copied) as a leaf that requires grad.
   * @example const w = new nn.Parameter(tn.randn(3, 4));
   *   w.requiresGrad  // true
   */
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw typeError('Parameter', 'a Tensor', 'data', data);
    if (typeof requiresGrad !== 'boolean') throw typeError('Parameter', 'a boolean', 'requiresGrad', requiresGrad);
    super(data.storage, data.shape.slice(), data.strides.slice(), data.offset);
    if (requiresGrad) this.requiresGrad_(true);
  }

  /**
   * Replaces the values in place, like PyTorch's `param.data = t`: the Parameter object stays the
   * same, its storage, shape and device become t's (shared with t). Not recorded by autograd.
   * @example p.setData(p.detach().to('cuda'));
   */
  setData(t: Tensor): void {
    if (!(t instanceof Tensor)) throw typeError('Parameter.setData', 'a Tensor', 'data', t);
    if (this.requiresGrad && t.dtype !== 'float32')
      throw new TypeError('Parameter.setData: only Tensors of floating point dtype can require gradients');
    const self = this as unknown as Placement;
    self.storage = t.storage;
    self.shape = t.shape.slice();
    self.strides = t.strides.slice();
    self.offset = t.offset;
  }

  toString(): string {
    return 'Parameter containing:\n' + super.toString();
  }
}
