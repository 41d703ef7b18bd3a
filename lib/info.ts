/** `tn.info()`, `tn.cuda.*`, threads: what the runtime found and why it chose its device. */
import { addonPath, binding } from './binding';
import { cudaStatus, decideDevice, DEVICE_CODE } from './device';

export interface RuntimeInfo {
  version: string;
  device: 'cpu' | 'cuda';
  /** Why that device: the env setting, or why CUDA was or wasn't taken. */
  reason: string;
  requested: 'auto' | 'cpu' | 'cuda';
  /** Set when TENSORNODE_DEVICE asks for something that cannot be honoured. */
  error?: string;
  backends: string[];
  cpu: { name: string; threads: number };
  cuda: { compiled: boolean; usable: boolean; deviceCount: number; reason: string; deviceName: string; details: string };
  addon: string;
  node: string;
  napi: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(require('path').join(require('./binding').packageDir, 'package.json')) as { version: string };

/**
 * Diagnoses the runtime without throwing.
 * @example console.log(tn.info().reason)  // 'auto: CUDA driver not found or too old (cudaErrorInsufficientDriver)'
 */
export function info(): RuntimeInfo {
  const d = decideDevice();
  const c = cudaStatus();
  const cpu = binding.backendStatus(DEVICE_CODE.cpu);
  return {
    version: pkg.version,
    device: d.device,
    reason: d.reason,
    requested: d.requested,
    ...(d.error ? { error: d.error } : {}),
    backends: binding.compiledBackends(),
    cpu: { name: cpu.deviceName, threads: binding.getNumThreads() },
    cuda: { compiled: c.compiled, usable: c.usable, deviceCount: c.deviceCount, reason: c.reason, deviceName: c.deviceName, details: c.details },
    addon: addonPath,
    node: process.version,
    napi: process.versions.napi ?? 'unknown',
  };
}

export const cuda = {
  /** True when the addon has CUDA and a device is usable. */
  isAvailable(): boolean {
    const c = cudaStatus();
    return c.compiled && c.usable;
  },
  deviceCount(): number {
    const c = cudaStatus();
    return c.compiled && c.usable ? c.deviceCount : 0;
  },
  /** Waits for all queued device work. */
  synchronize(): void {
    if (cuda.isAvailable()) binding.synchronize(DEVICE_CODE.cuda);
  },
};

/** Threads the CPU kernels use (default: all cores, or TENSORNODE_NUM_THREADS). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer for n but received ${n}`);
  binding.setNumThreads(n);
}
export function getNumThreads(): number {
  return binding.getNumThreads();
}
