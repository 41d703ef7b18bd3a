/**
 * In-place updates (`add_`, `mul_`, `copy_`, `fill_`, ...): the kernels write straight into the
 * tensor's own view. They exist for optimizers and parameter loading, so they are not recorded:
 * like PyTorch, changing a leaf that requires grad in place is refused while grad mode is on.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { expandStrides } from '../shape';
import { Tensor, type TensorOrScalar } from '../tensor';
import { checkSameDevice, checkTensor } from './common';
import { castNoGrad, checkInt32Value, scalarTensor } from './elementwise';
import { BINARY, binding, describe, h } from './native';
import { copyInto } from './views';

function checkWritable(op: string, self: Tensor, other?: Tensor): void {
  checkTensor(op, self);
  self.storage.markWritten(op);  // every in-place op passes here before it writes
  // PyTorch's refusal (the kernel layer refused too, but as "binary: output view overlaps itself").
  if (self.shape.some((s, d) => s > 1 && self.strides[d] === 0))
    throw new RangeError(`${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation. (tensor of shape [${self.shape.join(', ')}] with strides [${self.strides.join(', ')}])`);
  if (!isGradEnabled()) return;
  if (self.requiresGrad && self.isLeaf)
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  if (self.requiresGrad || other?.requiresGrad)
    throw new Error(`${op}: in-place operations are not recorded by autograd; use the out-of-place form, or wrap the update in tn.noGrad()`);
}

function operand(op: string, self: Tensor, other: TensorOrScalar): Tensor {
  if (other instanceof Tensor) {
    checkTensor(op, other, 'other');
    checkSameDevice(op, self, other);
    return castNoGrad(other, self.dtype);
  }
  if (typeof other !== 'number') throw new TypeError(`${op}: expected a Tensor or a number for other but received ${typeof other}`);
  return scalarTensor(other, self.dtype, self.device, op);
}

function binaryInPlace(op: string, kind: 'add' | 'sub' | 'mul' | 'div', self: Tensor, other: TensorOrScalar): Tensor {
  const b = operand(op, self, other);
  checkWritable(op, self, b);
  if (self.dtype === 'int32' && kind === 'div') throw new TypeError(`${op}: result type Float can't be cast to the desired output type Int`);
  if (self.numel() === 0) return self;
  const bv = { storage: b.storage, offset: b.offset, shape: self.shape, strides: expandStrides(op, b.shape, b.strides, self.shape), dtype: b.dtype };
  binding.binary(BINARY[kind], describe(self, bv, self), h(self), h(b), h(self));
  return self;
}

/** self += alpha * other */
export function add_(self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  return binaryInPlace('add_', 'add', self, alpha === 1 ? other : other instanceof Tensor ? other.mul(alpha) : other * alpha);
}
export function sub_(self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  return binaryInPlace('sub_', 'sub', self, alpha === 1 ? other : other instanceof Tensor ? other.mul(alpha) : other * alpha);
}
export const mul_ = (self: Tensor, other: TensorOrScalar): Tensor => binaryInPlace('mul_', 'mul', self, other);
export const div_ = (self: Tensor, other: TensorOrScalar): Tensor => binaryInPlace('div_', 'div', self, other);

/** Copies src (broadcast, converted to self's dtype, from any device) into self. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  checkTensor('copy_', src, 'src');
  checkWritable('copy_', self, src);
  const s = src.device === self.device ? src : src.to(self.device);
  copyInto(self, castNoGrad(s, self.dtype));
  return self;
}

export function fill_(self: Tensor, value: number): Tensor {
  checkWritable('fill_', self);
  if (typeof value !== 'number') throw new TypeError(`fill_: expected a number for value but received ${typeof value}`);
  if (self.dtype === 'int32') checkInt32Value('fill_', value);
  if (self.numel() > 0) binding.fill(describe(self), h(self), value);
  return self;
}
