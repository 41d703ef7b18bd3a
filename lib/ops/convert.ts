/** Moving tensors between devices and dtypes, and reading values out to JS. */
import { record } from '../autograd/function';
import { binding as nativeBinding, type DeviceHandle } from '../binding';
import { BYTES_PER_ELEMENT, type DType, type HostArray, allocHost, isDType } from '../dtype';
import { type Device, parseDevice } from '../device';
import { typeError } from '../errors';
import { Storage } from '../storage';
import { Tensor, type NestedArray } from '../tensor';
import { checkTensor } from './common';
import { recordEffect } from '../jit/trace';
import { castNoGrad, scalarTensor } from './elementwise';
import { copyContiguous, rawExpand } from './views';

/** The values of x as a contiguous tensor on its own device (x itself when it already is). */
function packed(x: Tensor): Tensor {
  return x.isContiguous() ? x : copyContiguous(x);
}

/** A fresh row-major host copy of x's values. */
export function dataSync(x: Tensor, op = 'dataSync'): HostArray {
  checkTensor(op, x);
  recordEffect('read', op);
  const p = packed(x);
  const out = allocHost(x.dtype, x.numel());
  if (out.length > 0) p.storage.read(p.offset, out);
  return out;
}

/** Like dataSync, but device reads happen off the JS thread. */
export async function data(x: Tensor): Promise<HostArray> {
  checkTensor('data', x);
  recordEffect('read', 'data');
  const p = packed(x);
  const out = allocHost(x.dtype, x.numel());
  if (out.length === 0) return out;
  const host = p.storage.hostArray();
  if (host) {
    out.set(host.subarray(p.offset, p.offset + out.length));
    return out;
  }
  await nativeBinding.downloadAsync(p.storage.handle as DeviceHandle, p.offset * BYTES_PER_ELEMENT, out);
  return out;
}

export function item(x: Tensor): number {
  checkTensor('item', x);
  const n = x.numel();
  if (n !== 1) throw new RangeError(`item: a Tensor with ${n} elements cannot be converted to Scalar`);
  return dataSync(x, 'item')[0];
}

export function toArray(x: Tensor): NestedArray {
  const flat = dataSync(x, 'toArray');
  if (x.ndim === 0) return flat[0];
  let at = 0;
  const build = (d: number): NestedArray[] => {
    const n = x.shape[d];
    const row: NestedArray[] = new Array(n);
    for (let i = 0; i < n; ++i) row[i] = d === x.ndim - 1 ? flat[at++] : build(d + 1);
    return row;
  };
  return build(0);
}

function toDevice(x: Tensor, device: Device): Tensor {
  if (x.device === device) return x;
  const values = dataSync(x);
  const out = new Tensor(Storage.fromHost(device, values, true), x.shape.slice());
  const from = x.device;
  return record(out, 'ToCopyBackward0', [x], (g) => [toDevice(g, from)]);
}

function toDType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = castNoGrad(x, dtype);
  return record(out, 'ToCopyBackward0', [x], (g) => [castNoGrad(g, x.dtype)]);
}

/**
 * A copy on another device or with another dtype (the tensor itself when nothing changes).
 * @example const g = x.to('cuda'); const f = labels.to('float32');
 */
export function to(x: Tensor, target: unknown): Tensor {
  checkTensor('to', x);
  if (isDType(target)) return toDType(x, target);
  if (typeof target !== 'string') throw typeError('to', "a device ('cpu', 'cuda') or dtype ('float32', 'int32')", 'target', target);
  return toDevice(x, parseDevice('to', target));
}

/** ones with x's shape, device and dtype, never recorded (the implicit backward() seed). */
export function onesLikeNoGrad(x: Tensor): Tensor {
  return rawExpand(scalarTensor(1, x.dtype, x.device), x.shape).contiguous();
}
