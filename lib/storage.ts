/**
 * Storage: the memory behind tensors. Host storages are JS typed arrays (zero-copy to JS);
 * device storages are native handles. `DEVICE_MEMORY` is the per-device table the rest of the
 * code goes through, so no op branches on the device.
 */
import { binding, type DeviceHandle, type StorageHandle } from './binding';
import { BYTES_PER_ELEMENT, type DType, type HostArray, allocHost } from './dtype';
import { DEVICE_CODE, type Device } from './device';

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

interface Live {
  tensors: number;
  bytes: number;
}
const live: Record<Device, Live> = { cpu: { tensors: 0, bytes: 0 }, cuda: { tensors: 0, bytes: 0 } };

/** What the GC backstop needs to count a storage out; shared with the storage so that
 * dispose() and finalization never both count it. */
interface LiveCell {
  device: Device;
  bytes: number;
  counted: boolean;
}

// Backstop for storages nobody disposed: counts them out when GC collects them (the native
// handle's own finalizer frees device memory). Registered without an unregister token, which
// costs V8 noticeably less per tensor; dispose() clears the cell's flag instead.
const collected = new FinalizationRegistry<LiveCell>((cell) => {
  if (!cell.counted) return;
  cell.counted = false;
  live[cell.device].tensors -= 1;
  live[cell.device].bytes -= cell.bytes;
});

export class Storage {
  private disposedFlag = false;
  /**
   * Bumped by every write through tensornode into existing memory (in-place ops, write()).
   * Plans that keep packed copies of weights compare it (lib/serve/plan.ts).
   */
  version = 0;
  /**
   * The memory is a caller's own typed array (tn.fromArray shares it), which the caller can
   * change behind our back: nothing derived from its contents may be cached.
   */
  userOwned = false;
  private readonly cell: LiveCell;
  constructor(
    readonly device: Device,
    readonly dtype: DType,
    readonly length: number,
    private handleRef: StorageHandle,
  ) {
    const bytes = length * BYTES_PER_ELEMENT;
    live[device].tensors += 1;
    live[device].bytes += bytes;
    this.cell = { device, bytes, counted: true };
    collected.register(this, this.cell);
  }

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

  write(elemOffset: number, src: HostArray): void {
    this.version++;
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
    if (this.cell.counted) {
      this.cell.counted = false;
      live[this.device].tensors -= 1;
      live[this.device].bytes -= this.cell.bytes;
    }
    DEVICE_MEMORY[this.device].free(this.handleRef);
    this.handleRef = EMPTY;
  }
}
const EMPTY = new Float32Array(0);

export interface MemoryReport {
  cpu: Live;
  cuda: Live & { nativeBytes: number };
}

/** Live storages and their bytes per device (tensors that share storage count once). */
export function memory(): MemoryReport {
  return {
    cpu: { ...live.cpu },
    cuda: { ...live.cuda, nativeBytes: binding.deviceStats(DEVICE_CODE.cuda).liveBytes },
  };
}
