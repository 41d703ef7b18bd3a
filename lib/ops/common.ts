/** Helpers every op module uses: output allocation and argument checks. */
import type { DType } from '../dtype';
import { type Device, deviceString } from '../device';
import { typeError } from '../errors';
import { numelOf } from '../shape';
import { Storage } from '../storage';
import { Tensor } from '../tensor';

/** A new contiguous tensor (uninitialised on device; zeros on cpu). */
export function empty(device: Device, dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(Storage.allocate(device, dtype, numelOf(shape)), shape.slice());
}

export function checkTensor(op: string, x: unknown, name = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw typeError(op, 'a Tensor', name, x);
  if (x.storage.disposed) throw new Error(`${op}: ${name} was disposed`);
  return x;
}

export function checkSameDevice(op: string, a: Tensor, b: Tensor): void {
  if (a.device !== b.device)
    throw new Error(
      `${op}: Expected all tensors to be on the same device, but found at least two devices, ${deviceString(a.device)} and ${deviceString(b.device)}!`,
    );
}

export function checkFloat(op: string, x: Tensor, name = 'input'): void {
  if (x.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 tensor for ${name} but received ${x.dtype}`);
}

export function checkNumber(op: string, v: unknown, name: string): number {
  if (typeof v !== 'number') throw typeError(op, 'a number', name, v);
  return v;
}

export function checkInt(op: string, v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(op, 'an integer', name, v);
  return v;
}
