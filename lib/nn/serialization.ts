/**
 * Saving and loading state dicts as safetensors files, byte-compatible with
 * `safetensors.torch.save_file(model.state_dict(), path)` / `load_file(path)` (lib/io/safetensors.ts
 * does the format), so weights trained in PyTorch load unchanged and the reverse.
 *
 * `load` returns a plain object keyed by tensor name, in file order (which is sorted by dtype, then
 * name, not the model's order); loadStateDict matches by name, so that does not matter.
 * @example
 *   nn.save(model.stateDict(), 'model.safetensors');
 *   model.loadStateDict(nn.load('model.safetensors', { device: 'cuda' }));
 */
import { type Device, parseDevice } from '../device';
import { describe, typeError } from '../errors';
import { type RawTensor, decodeSafetensors, encodeSafetensors, loadFile, loadFileSync, saveFile, saveFileSync } from '../io/safetensors';
import { fromArray } from '../ops/creation';
import { Tensor } from '../tensor';

export interface LoadOptions {
  /** Where the loaded tensors go (default 'cpu', like safetensors' load_file). */
  device?: Device | 'cuda:0';
}

function toRaw(op: string, stateDict: Record<string, Tensor> | Map<string, Tensor>): Record<string, RawTensor> {
  if (stateDict === null || typeof stateDict !== 'object' || stateDict instanceof Tensor || Array.isArray(stateDict))
    throw typeError(op, 'a state dict (an object or Map of Tensors)', 'stateDict', stateDict);
  const entries = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
  const raw: Record<string, RawTensor> = {};
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor for "${name}" but received ${describe(t)}`);
    if (t.isDisposed) throw new Error(`${op}: the tensor "${name}" was disposed`);
    // defineProperty keeps a name like "__proto__" an ordinary key.
    Object.defineProperty(raw, name, { value: { dtype: t.dtype, shape: t.shape.slice(), data: t.dataSync() }, enumerable: true, writable: true, configurable: true });
  }
  return raw;
}

function fromRaw(op: string, tensors: Record<string, RawTensor>, options: LoadOptions): Record<string, Tensor> {
  if (options === null || typeof options !== 'object') throw typeError(op, 'an options object', 'options', options);
  const device = parseDevice(op, options.device ?? 'cpu');
  const out: Record<string, Tensor> = {};
  for (const [name, r] of Object.entries(tensors)) {
    const cpu = fromArray(r.data, r.shape.slice());
    Object.defineProperty(out, name, { value: device === 'cpu' ? cpu : cpu.to(device), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The safetensors bytes of a state dict (what save writes).
 * @example const bytes = nn.saveToBuffer(model.stateDict());
 */
export function saveToBuffer(stateDict: Record<string, Tensor> | Map<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(toRaw('saveToBuffer', stateDict), metadata);
}

/** Tensors from safetensors bytes; errors name the tensor at fault. */
export function loadFromBuffer(bytes: Uint8Array, options: LoadOptions = {}): Record<string, Tensor> {
  return fromRaw('loadFromBuffer', decodeSafetensors(bytes).tensors, options);
}

/**
 * Writes a state dict to a safetensors file (same bytes as safetensors.torch.save_file).
 * @example nn.save(model.stateDict(), 'lecture.safetensors');
 */
export function save(stateDict: Record<string, Tensor> | Map<string, Tensor>, path: string, metadata?: Record<string, string>): void {
  if (typeof path !== 'string') throw typeError('save', 'a file path', 'path', path);
  saveFileSync(toRaw('save', stateDict), path, metadata);
}

/**
 * Reads a safetensors file into tensors on `device` (default 'cpu').
 * @example model.loadStateDict(nn.load('lecture.safetensors'));
 */
export function load(path: string, options: LoadOptions = {}): Record<string, Tensor> {
  if (typeof path !== 'string') throw typeError('load', 'a file path', 'path', path);
  return fromRaw('load', loadFileSync(path).tensors, options);
}

/** save without blocking the event loop on the file write. */
export async function saveAsync(stateDict: Record<string, Tensor> | Map<string, Tensor>, path: string, metadata?: Record<string, string>): Promise<void> {
  if (typeof path !== 'string') throw typeError('saveAsync', 'a file path', 'path', path);
  await saveFile(toRaw('saveAsync', stateDict), path, metadata);
}

/** load without blocking the event loop on the file read. */
export async function loadAsync(path: string, options: LoadOptions = {}): Promise<Record<string, Tensor>> {
  if (typeof path !== 'string') throw typeError('loadAsync', 'a file path', 'path', path);
  return fromRaw('loadAsync', (await loadFile(path)).tensors, options);
}
