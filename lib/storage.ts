/**
 * Storage: the memory behind tensors. Host storages are JS typed arrays (zero-copy to JS);
 * device storages are native handles. `DEVICE_MEMORY` is the per-device table the rest of the
 * code goes through, so no op branches on the device.
 */
import { binding, type DeviceHandle, type StorageHandle } from './binding';
import { BYTES_PER_ELEMENT, type DType, type HostArray, allocHost } from './dtype';
import { DEVICE_CODE, type Device } from './device';
import { recordEffect } from './jit/trace';

interface DeviceMemory {
  allocate(dtype: DType, n: number): StorageHandle;
  /** Copies host values into the storage at element offset. */
  write(handle: StorageHandle, elemOffset: number, src: HostArray): void;
  /** Copies length elements at element offset into dst (waits for pending device work). */
  read(handle: StorageHandle, elemOffset: number, dst: HostArray): void;
  free(handle: StorageHandle): void;
}

const hostMemory: DeviceMemory = {
  allocate: (dtype, n) => allocHost(dtype, n),
  write: (h, off, src) => (h as HostArray).set(src, off),
  read: (h, off, dst) => dst.set((h as HostArray).subarray(off, off + dst.length)),
  free: () => {
    /* garbage-collected */
  },
};

const cudaMemory: DeviceMemory = {
  allocate: (_dtype, n) => binding.deviceAlloc(DEVICE_CODE.cuda, n * BYTES_PER_ELEMENT),
  write: (h, off, src) => binding.upload(h as DeviceHandle, off * BYTES_PER_ELEMENT, src),
  read: (h, off, dst) => binding.download(h as DeviceHandle, off * BYTES_PER_ELEMENT, dst),
  free: (h) => binding.deviceFree(h as DeviceHandle),
};

const DEVICE_MEMORY: Record<Device, DeviceMemory> = { cpu: hostMemory, cuda: cudaMemory };

export class Storage {
  private disposedFlag = false;
  /**
   * Bumped by every write through tensornode into existing memory (in-place ops, copies into a
   * view, write()): plans that keep packed copies of weights compare it (lib/jit/plan.ts).
   */
  version = 0;
  /**
   * The memory is a caller's own typed array (tn.fromArray shares it), which the caller can
   * change behind our back: nothing derived from its contents may be cached.
   */
  userOwned = false;
  constructor(
    readonly device: Device,
    readonly dtype: DType,
    readonly length: number,
    private handleRef: StorageHandle,
  ) {}

  static allocate(device: Device, dtype: DType, n: number): Storage {
    return new Storage(device, dtype, n, DEVICE_MEMORY[device].allocate(dtype, n));
  }

  /** Copies host values into a new storage on device (a host storage shares `src` when share is set). */
  static fromHost(device: Device, src: HostArray, share = false): Storage {
    const dtype: DType = src instanceof Float32Array ? 'float32' : 'int32';
    if (device === 'cpu' && share) return new Storage('cpu', dtype, src.length, src);
    const s = Storage.allocate(device, dtype, src.length);
    DEVICE_MEMORY[device].write(s.handle, 0, src);
    return s;
  }

  get handle(): StorageHandle {
    if (this.disposedFlag) throw new Error('tensor was disposed; it can no longer be used');
    return this.handleRef;
  }
  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Records a write into this memory by `op` (before it happens). */
  markWritten(op: string): void {
    this.version++;
    recordEffect('write', op);
  }

  write(elemOffset: number, src: HostArray): void {
    this.markWritten('write');
    DEVICE_MEMORY[this.device].write(this.handle, elemOffset, src);
  }

  read(elemOffset: number, dst: HostArray): void {
    DEVICE_MEMORY[this.device].read(this.handle, elemOffset, dst);
  }

  /** The host array itself for cpu storages (zero-copy), null for device storages. */
  hostArray(): HostArray | null {
    return this.device === 'cpu' ? (this.handle as HostArray) : null;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    DEVICE_MEMORY[this.device].free(this.handleRef);
    this.handleRef = EMPTY;
  }
}
const EMPTY = new Float32Array(0);

export interface MemoryReport {
  /**
   * CPU tensors are ordinary JS typed arrays, freed by the garbage collector like any other, so
   * nothing counts them one by one (a per-tensor count needs a finalization callback per tensor,
   * and those run only when the event loop turns: a synchronous loop would pile them up).
   * `bytes` is V8's total of ArrayBuffer memory in this thread — tensors' and any other code's.
   */
  cpu: { bytes: number };
  /** Device allocations that are live (not yet freed by dispose() or GC), counted natively. */
  cuda: { tensors: number; bytes: number };
}

/**
 * Memory held per device: CPU as V8's ArrayBuffer total, CUDA as live device allocations.
 * @example tn.memory().cuda.bytes  // bytes of live CUDA tensors
 */
export function memory(): MemoryReport {
  const stats = binding.deviceStats(DEVICE_CODE.cuda);
  return {
    cpu: { bytes: process.memoryUsage().arrayBuffers },
    cuda: { tensors: stats.liveBuffers, bytes: stats.liveBytes },
  };
}
