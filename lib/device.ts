/**
 * The only place that decides between 'cuda' and 'cpu'.
 *   TENSORNODE_DEVICE=auto (default): cuda when the addon was built with it and a device is usable, else cpu.
 *   TENSORNODE_DEVICE=cuda: cuda, or an error saying why it cannot be used — never a silent fallback.
 *   TENSORNODE_DEVICE=cpu: cpu.
 * The decision is made on first use (so `tn.info()` can always diagnose) and then fixed.
 */
import { binding, type NativeBackendStatus } from './binding';
import { typeError } from './errors';

export type Device = 'cpu' | 'cuda';
export const DEVICE_CODE: Record<Device, number> = { cpu: 0, cuda: 1 };
export const DEVICES: readonly Device[] = ['cpu', 'cuda'];

export interface DeviceDecision {
  device: Device;
  requested: 'auto' | 'cpu' | 'cuda';
  /** Why this device: e.g. "auto: CUDA driver not found or too old (cudaErrorInsufficientDriver)". */
  reason: string;
}

let statusCache: NativeBackendStatus | null = null;
/** The CUDA backend's status as the addon reports it (probed once). */
export function cudaStatus(): NativeBackendStatus {
  if (!statusCache) statusCache = binding.backendStatus(DEVICE_CODE.cuda);
  return statusCache;
}

function cudaUnusableReason(): string | null {
  const s = cudaStatus();
  if (!s.compiled) return 'tensornode was built without CUDA (no nvcc at build time, or TENSORNODE_CUDA=OFF)';
  if (!s.usable) return s.reason || 'CUDA is not usable';
  return null;
}

function requestedDevice(): DeviceDecision['requested'] {
  const raw = (process.env.TENSORNODE_DEVICE ?? 'auto').trim().toLowerCase();
  if (raw === '' || raw === 'auto') return 'auto';
  if (raw === 'cpu') return 'cpu';
  if (raw === 'cuda' || raw === 'cuda:0' || raw === 'gpu') return 'cuda';
  throw new RangeError(`TENSORNODE_DEVICE must be auto, cpu or cuda, but is "${process.env.TENSORNODE_DEVICE}"`);
}

/** Computes the decision without throwing (for diagnostics). */
export function decideDevice(): DeviceDecision & { error?: string } {
  let requested: DeviceDecision['requested'];
  try {
    requested = requestedDevice();
  } catch (e) {
    return { device: 'cpu', requested: 'auto', reason: (e as Error).message, error: (e as Error).message };
  }
  if (requested === 'cpu') return { device: 'cpu', requested, reason: 'TENSORNODE_DEVICE=cpu' };
  const why = cudaUnusableReason();
  if (requested === 'cuda') {
    if (why) return { device: 'cpu', requested, reason: why, error: `TENSORNODE_DEVICE=cuda but CUDA cannot be used: ${why}` };
    return { device: 'cuda', requested, reason: 'TENSORNODE_DEVICE=cuda' };
  }
  if (why) return { device: 'cpu', requested, reason: `auto: ${why}` };
  return { device: 'cuda', requested, reason: `auto: CUDA device found (${cudaStatus().deviceName})` };
}

let decided: Device | null = null;
/** The default device; throws when TENSORNODE_DEVICE=cuda cannot be honoured. */
export function defaultDevice(): Device {
  if (decided) return decided;
  const d = decideDevice();
  if (d.error) throw new Error(d.error);
  decided = d.device;
  return decided;
}

/** Parses 'cpu' | 'cuda' | 'cuda:0' and checks the device can be used. */
export function parseDevice(op: string, d: unknown): Device {
  if (d === undefined || d === null) return defaultDevice();
  if (typeof d !== 'string') throw typeError(op, "a device ('cpu' or 'cuda')", 'device', d);
  const s = d.toLowerCase();
  let dev: Device;
  if (s === 'cpu') dev = 'cpu';
  else if (s === 'cuda' || s === 'cuda:0') dev = 'cuda';
  else if (/^cuda:\d+$/.test(s)) throw new RangeError(`${op}: only cuda:0 is supported, got '${d}'`);
  else throw new RangeError(`${op}: expected a device ('cpu' or 'cuda') but received "${d}"`);
  if (dev === 'cuda') {
    const why = cudaUnusableReason();
    if (why) throw new Error(`${op}: CUDA cannot be used: ${why}`);
  }
  return dev;
}

/** PyTorch's printed name of a device. */
export function deviceString(d: Device): string {
  return d === 'cuda' ? 'cuda:0' : 'cpu';
}
