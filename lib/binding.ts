/**
 * The only place that loads the native addon, and the typed contract of everything it exports.
 * When loading fails, the error lists every path tried, why each failed, and the command that
 * fixes it.
 *
 * Calling convention of the op functions: `desc` is a Float64Array holding, for each tensor
 * argument in order, [dtypeCode, ndim, offset, ...shape, ...strides] (elements); the storages
 * follow as separate arguments (Float32Array/Int32Array for cpu, DeviceHandle for cuda).
 * Native code re-checks every view against its storage before any kernel runs.
 */
import * as fs from 'fs';
import * as path from 'path';

declare const deviceHandleBrand: unique symbol;
/** An opaque device allocation owned by native code (freed by deviceFree or by GC). */
export type DeviceHandle = { readonly [deviceHandleBrand]: true };
export type StorageHandle = Float32Array | Int32Array | DeviceHandle;
declare const planHandleBrand: unique symbol;
/** A compiled forward plan (native/core/plan.h). */
export type PlanHandle = { readonly [planHandleBrand]: true };

export interface NativeBackendStatus {
  name: string;
  compiled: boolean;
  usable: boolean;
  deviceCount: number;
  reason: string;
  deviceName: string;
  details: string;
}

export interface Binding {
  unary(op: number, desc: Float64Array, x: StorageHandle, out: StorageHandle): void;
  unaryGrad(op: number, desc: Float64Array, grad: StorageHandle, saved: StorageHandle, out: StorageHandle): void;
  binary(op: number, desc: Float64Array, a: StorageHandle, b: StorageHandle, out: StorageHandle): void;
  affine(desc: Float64Array, x: StorageHandle, out: StorageHandle, alpha: number, beta: number): void;
  reduce(op: number, dim: number, desc: Float64Array, x: StorageHandle, out: StorageHandle, indices: StorageHandle | null): void;
  softmax(dim: number, log: boolean, desc: Float64Array, x: StorageHandle, out: StorageHandle): void;
  softmaxGrad(dim: number, log: boolean, desc: Float64Array, grad: StorageHandle, y: StorageHandle, out: StorageHandle): void;
  fill(desc: Float64Array, out: StorageHandle, value: number): void;
  copy(desc: Float64Array, src: StorageHandle, dst: StorageHandle): void;
  oneHot(numClasses: number, desc: Float64Array, indices: StorageHandle, out: StorageHandle): void;
  uniform(desc: Float64Array, out: StorageHandle, seedHi: number, seedLo: number, offset: number, low: number, high: number): void;
  /** desc: a [B,M,K], b [B,K,N], out [B,M,N] contiguous, then bias [N] when given. */
  matmul(desc: Float64Array, a: StorageHandle, b: StorageHandle, bias: StorageHandle | null, out: StorageHandle,
    activation: number, accumulate: boolean): void;

  deviceAlloc(device: number, bytes: number): DeviceHandle;
  deviceFree(handle: DeviceHandle): void;
  upload(handle: DeviceHandle, byteOffset: number, host: ArrayBufferView): void;
  download(handle: DeviceHandle, byteOffset: number, host: ArrayBufferView): void;
  /** Reads off the JS thread; keeps handle and host alive until it settles. */
  downloadAsync(handle: DeviceHandle, byteOffset: number, host: ArrayBufferView): Promise<void>;
  deviceStats(device: number): { liveBytes: number; liveBuffers: number };
  synchronize(device: number): void;

  /** desc: [steps, then per step kind, inFeatures, outFeatures, weightIndex, biasIndex, activation]. */
  createPlan(desc: Float64Array, storages: StorageHandle[], prepack: boolean): PlanHandle;
  runPlan(plan: PlanHandle, input: Float32Array, rows: number, output: Float32Array): void;
  runPlanAsync(plan: PlanHandle, input: Float32Array, rows: number, output: Float32Array): Promise<void>;

  backendStatus(device: number): NativeBackendStatus;
  compiledBackends(): string[];
  setNumThreads(n: number): void;
  getNumThreads(): number;
  abiVersion: number;
}

const ADDON_FILE = 'tensornode.node';

/** The package root: the nearest folder above this file with our package.json (lib/ or dist/lib/). */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; ++i) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'tensornode') return dir;
      } catch {
        /* keep walking */
      }
    }
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..');
}

export const packageDir = packageRoot();

function load(): { binding: Binding; file: string } {
  const candidates: string[] = [];
  if (process.env.TENSORNODE_ADDON_PATH) candidates.push(path.resolve(process.env.TENSORNODE_ADDON_PATH));
  candidates.push(path.join(packageDir, 'build', 'Release', ADDON_FILE), path.join(packageDir, 'build', 'Debug', ADDON_FILE));
  const failures: string[] = [];
  for (const file of candidates) {
    if (!fs.existsSync(file)) {
      failures.push(`  ${file}: not found`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return { binding: require(file) as Binding, file };
    } catch (e) {
      failures.push(`  ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    'tensornode: could not load the native addon. Tried:\n' +
      failures.join('\n') +
      `\nTo build it, run in ${packageDir}:\n  npm run build:native\n` +
      '(needs cmake and g++; without cmake: npm run build:gyp). From a project that depends on tensornode: npm rebuild tensornode',
  );
}

const loaded = load();
export const binding: Binding = loaded.binding;
export const addonPath: string = loaded.file;
