/**
 * Module.loadStateDict, as torch/nn/modules/module.py's `load_state_dict` and
 * `_load_from_state_dict`: walk the module tree, match `prefix + name` keys against parameters and
 * persistent buffers, collect missing keys, unexpected keys and size mismatches, and report them all
 * in one error with PyTorch's wording:
 *
 *   Error(s) in loading state_dict for NeuralNetwork:
 *   \tMissing key(s) in state_dict: "deep_nn.0.weight", "deep_nn.0.bias". <- note the trailing space
 *   \tUnexpected key(s) in state_dict: "x". 
 *   \tsize mismatch for deep_nn.2.weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([6, 5]).
 *
 * Unlike PyTorch, values are copied only when nothing is reported, so a failed load leaves the
 * model as it was.
 */
import { noGrad } from '../autograd/grad_mode';
import { describe } from '../errors';
import { copyInto } from '../ops/views';
import { Tensor } from '../tensor';
import type { Module } from './module';
import { formatSize } from './repr';

/** What loadStateDict returns: keys of the model the state dict lacked, and keys it had extra. */
export class IncompatibleKeys {
  constructor(
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
  ) {}

  /** PyTorch's `_IncompatibleKeys` repr. */
  toString(): string {
    if (this.missingKeys.length === 0 && this.unexpectedKeys.length === 0) return '<All keys matched successfully>';
    const list = (keys: string[]): string => `[${keys.map((k) => `'${k}'`).join(', ')}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missingKeys)}, unexpected_keys=${list(this.unexpectedKeys)})`;
  }
}

/** The one error loadStateDict throws; its fields list what was wrong. */
export class StateDictError extends Error {
  constructor(
    message: string,
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
    readonly errorMsgs: string[],
  ) {
    super(message);
    this.name = 'StateDictError';
  }
}

function entriesOf(sd: unknown): Map<string, unknown> {
  if (sd instanceof Map) return new Map(sd as Map<string, unknown>);
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd) || sd instanceof Tensor)
    throw new TypeError(`Expected state_dict to be dict-like, got ${describe(sd)}.`);
  return new Map(Object.entries(sd as Record<string, unknown>));
}

export function loadStateDictInto(root: Module, sd: Record<string, Tensor> | Map<string, Tensor>, strict: boolean): IncompatibleKeys {
  if (typeof strict !== 'boolean') throw new TypeError(`loadStateDict: expected a boolean for strict but received ${describe(strict)}`);
  const state = entriesOf(sd);
  const missingKeys: string[] = [];
  const unexpectedKeys: string[] = [];
  const errorMsgs: string[] = [];
  const copies: [Tensor, Tensor][] = [];

  const load = (m: Module, prefix: string): void => {
    const local = new Map<string, Tensor>();
    for (const [k, p] of m._parameters) if (p) local.set(k, p);
    for (const [k, b] of m._buffers) if (b && !m._nonPersistentBuffers.has(k)) local.set(k, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!state.has(key)) {
        missingKeys.push(key);
        continue;
      }
      const raw = state.get(key);
      if (!(raw instanceof Tensor)) {
        errorMsgs.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${describe(raw)}`);
        continue;
      }
      let input: Tensor = raw;
      // PyTorch's backward compatibility: a 1-element vector loads into a 0-d parameter.
      if (param.ndim === 0 && input.ndim === 1 && input.shape[0] > 0) input = input.detach().select(0, 0);
      if (input.ndim !== param.ndim || input.shape.some((s, i) => s !== param.shape[i])) {
        errorMsgs.push(`size mismatch for ${key}: copying a param with shape ${formatSize(input.shape)} from checkpoint, the shape in current model is ${formatSize(param.shape)}.`);
        continue;
      }
      if (input.isDisposed) {
        errorMsgs.push(`While copying the parameter named "${key}", the tensor in the checkpoint was disposed`);
        continue;
      }
      copies.push([param, input]);
    }
    for (const key of state.keys()) {
      if (!key.startsWith(prefix)) continue;
      const first = key.slice(prefix.length).split('.', 1)[0];
      if (!m._modules.has(first) && !local.has(first)) unexpectedKeys.push(key);
    }
    for (const [name, child] of m._modules) if (child) load(child, `${prefix}${name}.`);
  };
  load(root, '');

  if (strict) {
    if (unexpectedKeys.length > 0) errorMsgs.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (missingKeys.length > 0) errorMsgs.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
  }
  if (errorMsgs.length > 0) {
    throw new StateDictError(
      `Error(s) in loading state_dict for ${root.constructor.name}:\n\t${errorMsgs.join('\n\t')}`,
      missingKeys, unexpectedKeys, errorMsgs,
    );
  }
  noGrad(() => {
    for (const [dst, src] of copies) {
      let s = src.detach();
      if (s.device !== dst.device) s = s.to(dst.device);
      if (s.dtype !== dst.dtype) s = s.to(dst.dtype);
      copyInto(dst, s);
    }
  });
  return new IncompatibleKeys(missingKeys, unexpectedKeys);
}
