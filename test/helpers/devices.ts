/**
 * Runs one test body for every backend. Backends that cannot run here (CUDA without a GPU) are
 * registered with describe.skip, so jest reports their cases as skipped, not passed.
 * TENSORNODE_DEVICE=cuda makes the CUDA cases mandatory: then an unusable CUDA fails loudly.
 */
import * as tn from '../../lib/index';

export type TestDevice = 'cpu' | 'cuda';

export function cudaUsable(): boolean {
  return tn.cuda.isAvailable();
}

export function devicesUnderTest(): { device: TestDevice; run: boolean }[] {
  const forceCuda = (process.env.TENSORNODE_DEVICE ?? '').toLowerCase() === 'cuda';
  return [
    { device: 'cpu', run: true },
    { device: 'cuda', run: forceCuda || cudaUsable() },
  ];
}

/** describe() once per device: `forEachDevice('add', (device) => { test(...) })`. */
export function forEachDevice(name: string, body: (device: TestDevice) => void): void {
  for (const { device, run } of devicesUnderTest()) {
    (run ? describe : describe.skip)(`${name} [${device}]`, () => body(device));
  }
}
