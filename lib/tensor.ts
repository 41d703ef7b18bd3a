/**
 * Tensor: a strided view of a Storage on one device, with autograd metadata.
 * Methods are thin: the work (validation, kernels, gradient recording) lives in ops/.
 */
import { inspect } from 'util';

import { GradFn } from './autograd/function';
import { runBackward } from './autograd/engine';
import type { DType, HostArray } from './dtype';
import { type Device, deviceString } from './device';
import { ShapeError, describe, shapeStr } from './errors';
import { formatTensor } from './format/tensor_format';
import { contiguousStrides, isContiguous as stridesContiguous, numelOf, sameShape } from './shape';
import { Storage } from './storage';
import * as C from './ops/convert';
import * as E from './ops/elementwise';
import * as I from './ops/inplace';
import * as M from './ops/matmul';
import * as R from './ops/reduce';
import * as S from './ops/softmax';
import * as V from './ops/views';

export type Scalar = number;
export type TensorOrScalar = Tensor | number;
export type NestedArray = number | NestedArray[];

export class Tensor {
  /** Whether autograd records ops on this tensor. */
  requiresGrad = false;
  private _grad: Tensor | null = null;
  /** The node that produced this tensor (null for leaves). */
  gradFn: GradFn | null = null;
  /** Set by retainGrad(): a non-leaf that keeps its .grad. */
  retainsGrad = false;

  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
  ) {}

  /**
   * The accumulated gradient (leaves only, or after retainGrad()). Assigning checks it as
   * PyTorch does: a Tensor (or null) of this tensor's dtype, device and shape, so a mismatched
   * gradient is refused here rather than broadcast by an optimizer step later.
   * @example w.grad = tn.zeros(w.shape);  // w.grad = tn.ones(2) on a [2, 2] w throws
   */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g === null || g === undefined) {
      this._grad = null;
      return;
    }
    if (!(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or null but got ${describe(g)}`);
    if (g === this) throw new Error("can't assign Variable as its own grad");
    if (g.dtype !== this.dtype) throw new TypeError(`assigned grad has data of a different type (grad is ${g.dtype}, tensor is ${this.dtype})`);
    if (g.device !== this.device) throw new Error(`assigned grad has data located on a different device (grad is on ${deviceString(g.device)}, tensor is on ${deviceString(this.device)})`);
    if (!sameShape(g.shape, this.shape))
      throw new RangeError(`assigned grad has data of a different size (grad has shape ${shapeStr(g.shape)}, tensor has shape ${shapeStr(this.shape)})`);
    this._grad = g;
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get device(): Device {
    return this.storage.device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** PyTorch's `grad_fn`. */
  get grad_fn(): GradFn | null {
    return this.gradFn;
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[V.dimIndex('size', dim, this.ndim)];
  }
  numel(): number {
    return numelOf(this.shape);
  }
  dim(): number {
    return this.shape.length;
  }
  isContiguous(): boolean {
    return stridesContiguous(this.shape, this.strides);
  }
  stride(): number[] {
    return this.strides.slice();
  }

  // ---- elementwise (NumPy broadcasting; numbers act as scalars) ----
  add(other: TensorOrScalar, alpha?: number): Tensor { return E.add(this, other, alpha); }
  sub(other: TensorOrScalar, alpha?: number): Tensor { return E.sub(this, other, alpha); }
  mul(other: TensorOrScalar): Tensor { return E.mul(this, other); }
  div(other: TensorOrScalar): Tensor { return E.div(this, other); }
  pow(exponent: TensorOrScalar): Tensor { return E.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return E.maximum(this, other); }
  minimum(other: Tensor): Tensor { return E.minimum(this, other); }
  eq(other: TensorOrScalar): Tensor { return E.compare('eq', this, other); }
  lt(other: TensorOrScalar): Tensor { return E.compare('lt', this, other); }
  gt(other: TensorOrScalar): Tensor { return E.compare('gt', this, other); }
  neg(): Tensor { return E.unary('neg', this); }
  relu(): Tensor { return E.unary('relu', this); }
  sigmoid(): Tensor { return E.unary('sigmoid', this); }
  tanh(): Tensor { return E.unary('tanh', this); }
  exp(): Tensor { return E.unary('exp', this); }
  log(): Tensor { return E.unary('log', this); }
  log1p(): Tensor { return E.unary('log1p', this); }
  abs(): Tensor { return E.unary('abs', this); }
  sqrt(): Tensor { return E.unary('sqrt', this); }
  square(): Tensor { return E.unary('square', this); }
  reciprocal(): Tensor { return E.unary('reciprocal', this); }
  sign(): Tensor { return E.unary('sign', this); }
  clamp(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min ?? null, max ?? null); }

  // ---- in place (not recorded by autograd; for optimizers and loading) ----
  add_(other: TensorOrScalar, alpha?: number): this { I.add_(this, other, alpha); return this; }
  sub_(other: TensorOrScalar, alpha?: number): this { I.sub_(this, other, alpha); return this; }
  mul_(other: TensorOrScalar): this { I.mul_(this, other); return this; }
  div_(other: TensorOrScalar): this { I.div_(this, other); return this; }
  copy_(src: Tensor): this { I.copy_(this, src); return this; }
  fill_(value: number): this { I.fill_(this, value); return this; }
  zero_(): this { I.fill_(this, 0); return this; }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return M.matmul(this, other); }
  mm(other: Tensor): Tensor { return M.mm(this, other); }

  // ---- shape and views ----
  reshape(...shape: (number | readonly number[])[]): Tensor { return V.reshape(this, V.flatSizes(shape)); }
  view(...shape: (number | readonly number[])[]): Tensor { return V.view(this, V.flatSizes(shape)); }
  transpose(dim0: number, dim1: number): Tensor { return V.transpose(this, dim0, dim1); }
  t(): Tensor { return V.t(this); }
  get T(): Tensor { return V.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  permute(...dims: (number | readonly number[])[]): Tensor { return V.permute(this, V.flatSizes(dims)); }
  flatten(startDim = 0, endDim = -1): Tensor { return V.flatten(this, startDim, endDim); }
  unsqueeze(dim: number): Tensor { return V.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return V.squeeze(this, dim); }
  expand(...shape: (number | readonly number[])[]): Tensor { return V.expand(this, V.flatSizes(shape)); }
  narrow(dim: number, start: number, length: number): Tensor { return V.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return V.select(this, dim, index); }
  /** Python's `t[start:end]` along dim 0 (negative indices count from the end; bounds clamp). */
  slice(start?: number | null, end?: number | null, dim = 0): Tensor { return V.slice(this, start, end, dim); }
  contiguous(): Tensor { return V.contiguous(this); }
  clone(): Tensor { return V.clone(this); }
  /** A tensor sharing this one's storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this.storage, this.shape, this.strides, this.offset); }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.extreme('max', this, dim, keepdim); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices { return R.extreme('min', this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return R.argExtreme('argmax', this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return R.argExtreme('argmin', this, dim, keepdim); }
  softmax(dim: number): Tensor { return S.softmax(this, dim, false); }
  logSoftmax(dim: number): Tensor { return S.softmax(this, dim, true); }

  // ---- devices, dtypes, data out ----
  to(target: Device | 'cuda:0' | DType): Tensor { return C.to(this, target); }
  cpu(): Tensor { return C.to(this, 'cpu'); }
  cuda(): Tensor { return C.to(this, 'cuda'); }
  float(): Tensor { return C.to(this, 'float32'); }
  int(): Tensor { return C.to(this, 'int32'); }
  /** The value of a one-element tensor. */
  item(): number { return C.item(this); }
  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray { return C.toArray(this); }
  /** A fresh row-major copy of the values (waits for the device). */
  dataSync(): HostArray { return C.dataSync(this); }
  /** The values, read without blocking the event loop on device tensors. */
  data(): Promise<HostArray> { return C.data(this); }

  // ---- autograd ----
  /** Computes gradients of this tensor w.r.t. graph leaves (scalar outputs need no argument). */
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad)
      throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
    let g = gradient ?? null;
    if (!g) {
      if (this.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
      g = C.onesLikeNoGrad(this);
    } else if (g.shape.length !== this.shape.length || g.shape.some((s, i) => s !== this.shape[i])) {
      throw new ShapeError('backward', `Mismatch in shape: grad_output[0] has a shape of torch.Size(${shapeStr(g.shape)}) and output[0] has a shape of torch.Size(${shapeStr(this.shape)}).`);
    }
    runBackward(this, g, options.retainGraph ?? false);
  }
  /** Sets requiresGrad in place (leaves only, like PyTorch's requires_grad_). */
  requiresGrad_(on = true): this {
    if (!this.isLeaf && !on) throw new Error("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    if (on && this.dtype !== 'float32') throw new TypeError('only Tensors of floating point dtype can require gradients');
    this.requiresGrad = on;
    return this;
  }
  retainGrad(): this {
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  // ---- lifetime and printing ----
  /** Frees the storage now (every view of it becomes unusable). GC frees it otherwise. */
  dispose(): void {
    this.storage.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this.storage.disposed;
  }

  toString(): string {
    if (this.storage.disposed) return 'tensor(<disposed>)';
    const values = this.numel() > 0 ? C.dataSync(this) : new Float32Array(0);
    return formatTensor(values, this.shape, {
      device: deviceString(this.device),
      dtype: this.dtype,
      requiresGrad: this.requiresGrad && this.gradFn === null,
      gradFn: this.gradFn?.name,
    });
  }
  [inspect.custom](): string {
    return this.toString();
  }
}
