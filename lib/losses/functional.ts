/**
 * Loss functions as torch.nn.functional has them, built from differentiable tensor ops so they
 * run (and backpropagate) on any device:
 *
 *   mseLoss       (x − y)²
 *   nllLoss       −w[y]·logp[y] per sample (int32 class indices); 'mean' divides by Σ w[y]
 *   crossEntropy  nllLoss(logSoftmax(x)) for class indices, −Σ_c w_c·y_c·logSoftmax(x)_c for
 *                 class-probability targets of the input's shape
 *
 * The class dim is 1 (0 for an unbatched 1-D input), as in PyTorch; extra dims (N, C, d1, ...) work.
 * Reductions: 'mean' (default), 'sum', 'none'.
 */
import { record } from '../autograd/function';
import { noGrad } from '../autograd/grad_mode';
import { castNoGrad } from '../ops/elementwise';
import { checkSameDevice, checkTensor } from '../ops/common';
import { oneHot } from '../ops/reduce';
import { ShapeError, shapeStr, typeError } from '../errors';
import { checkOptions as checkOptionKeys } from '../options';
import { Tensor } from '../tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export interface ReductionOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

export interface NLLOptions extends ReductionOptions {
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes nothing (default -100, like PyTorch). */
  ignoreIndex?: number;
}

/** PyTorch's deprecated `reduce` / `size_average` arguments: `reduction` replaces both. */
const LEGACY_OPTIONS = { reduce: 'reduction', size_average: 'reduction', sizeAverage: 'reduction' };

/** Checks a loss's options object: only `allowed` keys, with a did-you-mean otherwise. */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  return checkOptionKeys(op, options, allowed, { aliases: LEGACY_OPTIONS });
}

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction === undefined) return 'mean';
  if (reduction === 'mean' || reduction === 'sum' || reduction === 'none') return reduction;
  if (typeof reduction !== 'string') throw typeError(op, "'mean', 'sum' or 'none'", 'reduction', reduction);
  throw new RangeError(`${op}: ${reduction} is not a valid value for reduction`);
}


/**
 * t itself, but with grad_fn named as PyTorch names the loss's node (`NllLossBackward0`, ...), so
 * printed losses read the same; gradients pass through unchanged.
 */
export function named(t: Tensor, name: string): Tensor {
  if (!t.requiresGrad || !t.gradFn) return t;
  const out = new Tensor(t.storage, t.shape, t.strides, t.offset);
  return record(out, name, [t], (g) => [g]);
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? loss.mean() : reduction === 'sum' ? loss.sum() : loss;
}

export function checkFloatInput(op: string, x: unknown, name = 'input'): Tensor {
  const t = checkTensor(op, x, name);
  if (t.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 tensor for ${name} but received ${t.dtype}`);
  return t;
}

const warned = new Set<string>();
/** Python's UserWarning, shown once per message. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, 'UserWarning');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Mean squared error, elementwise (x − y)². A target of another shape is broadcast, with
 * PyTorch's warning.
 * @example tn.losses.mseLoss(pred, target)  // a 0-d tensor
 */
export function mseLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const op = 'mseLoss';
  const o = checkOptions(op, options, ['reduction']);
  const reduction = checkReduction(op, o.reduction);
  checkFloatInput(op, input);
  checkTensor(op, target, 'target');
  checkSameDevice(op, input, target);
  if (!sameShape(input.shape, target.shape))
    warnOnce(`Using a target size (torch.Size(${shapeStr(target.shape)})) that is different to the input size (torch.Size(${shapeStr(input.shape)})). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`);
  const diff = input.sub(target.dtype === 'float32' ? target : castNoGrad(target, 'float32'));
  return named(reduce(diff.mul(diff), reduction), 'MseLossBackward0');
}

/** Moves dim 1 (the class dim) last: [N, C, d1, ...] → [N, d1, ..., C]. */
function classLast(x: Tensor): Tensor {
  if (x.ndim <= 2) return x;
  const perm = [0, ...x.shape.slice(2).map((_, i) => i + 2), 1];
  return x.permute(perm);
}

function checkWeight(op: string, weight: unknown, classes: number, like: Tensor): Tensor | null {
  if (weight === undefined || weight === null) return null;
  const w = checkFloatInput(op, weight, 'weight');
  if (w.ndim !== 1 || w.shape[0] !== classes)
    throw new ShapeError(op, `weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${shapeStr(w.shape)}`);
  checkSameDevice(op, like, w);
  return w;
}

/** Checks the class-index target against input [N, C, d...] (or [C]); returns C and the class dim. */
function checkIndexTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): number {
  if (input.ndim === 0) throw new ShapeError(op, 'input tensor should be 1D or more, but got a 0-d tensor');
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (input.ndim === 2 && (target.ndim !== 1 || target.shape[0] !== input.shape[0])) {
    if (target.ndim === 1) throw new ShapeError(op, `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
    throw new ShapeError(op, `0D or 1D target tensor expected, multi-target not supported (input ${shapeStr(input.shape)}, target ${shapeStr(target.shape)})`);
  }
  if (!sameShape(target.shape, expected)) throw new ShapeError(op, `Expected target size ${shapeStr(expected)}, got ${shapeStr(target.shape)}`);
  if (target.device === 'cpu') {
    // Device targets are not read back (that would wait for the device): out-of-range classes
    // there give NaN losses instead (oneHot marks such rows).
    for (const t of target.dataSync()) if (t !== ignoreIndex && (t < 0 || t >= classes)) throw new RangeError(`${op}: Target ${t} is out of bounds.`);
  }
  return classes;
}

/**
 * Negative log likelihood of int32 class indices under log-probabilities `input`
 * ([N, C], [C] or [N, C, d1, ...]); the usual pairing is `nllLoss(x.logSoftmax(1), y)`.
 * @example tn.losses.nllLoss(logp, tn.tensor([0, 2, 1]))
 */
export function nllLoss(input: Tensor, target: Tensor, options?: NLLOptions): Tensor {
  return nll('nllLoss', input, target, checkOptions('nllLoss', options, ['reduction', 'weight', 'ignoreIndex']));
}

function nll(op: string, input: Tensor, target: Tensor, o: Record<string, unknown>): Tensor {
  const reduction = checkReduction(op, o.reduction);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) throw typeError(op, 'an integer', 'ignoreIndex', ignoreIndex);
  checkFloatInput(op, input);
  checkTensor(op, target, 'target');
  if (target.dtype !== 'int32')
    throw new TypeError(`${op}: expected int32 class indices for target but received ${target.dtype} (class probabilities need the input's shape ${shapeStr(input.shape)})`);
  checkSameDevice(op, input, target);
  const classes = checkIndexTarget(op, input, target, ignoreIndex);
  const weight = checkWeight(op, o.weight, classes, input);

  // A mask of the targets that count; ignored ones become class 0 with weight 0.
  const ignored = target.device === 'cpu' && !target.dataSync().includes(ignoreIndex) ? null : castNoGrad(target.eq(ignoreIndex), 'int32');
  const safe = ignored ? target.mul(ignored.neg().add(1)) : target;
  let hot = oneHot(safe, classes);  // [N, d..., C]
  if (ignored) hot = hot.mul(castNoGrad(ignored.neg().add(1), 'float32').unsqueeze(-1));
  const w = weight ? hot.mul(weight) : hot;  // w[y] at the target class, 0 elsewhere
  const logp = classLast(input);
  const losses = classes > 0 ? pickTarget(logp, hot, w, ignored) : w.mul(logp).sum(-1).neg();  // [N, d...]
  let out: Tensor;
  if (reduction !== 'mean') out = reduce(losses, reduction);
  else if (!weight && !ignored) out = losses.mean();
  else out = losses.sum().div(w.sum());
  return named(out, 'NllLossBackward0');
}

/**
 * −w[y]·logp[y] at every position ([N, d...] from logp [N, d..., C]), read like PyTorch's gather:
 * the other classes never enter the value. (It used to be Σ_c w_c·logp_c with w one-hot, so a −∞
 * log-probability of a non-target class, e.g. crossEntropy with a −Infinity logit or nllLoss of
 * log(0), made the loss 0·−∞ = NaN where PyTorch's is finite.) logp + log(hot) is logp[y] at the
 * target and −∞ elsewhere, so its max over the classes is logp[y]; ignored positions (hot all 0)
 * take 0. NaN or +∞ in another class of an nllLoss input still propagates (no select kernel).
 * The gradient is PyTorch's: −w[y]·g at the target class, 0 elsewhere.
 */
function pickTarget(logp: Tensor, hot: Tensor, w: Tensor, ignored: Tensor | null): Tensor {
  const value = noGrad(() => {
    let picked = logp.add(hot.log()).max(-1).values;
    if (ignored) picked = picked.maximum(castNoGrad(ignored, 'float32').log());
    return picked.mul(w.sum(-1)).neg();
  });
  return record(value, 'GatherBackward0', [logp], (g) => [w.mul(g.unsqueeze(-1)).neg()]);
}

export interface CrossEntropyOptions extends NLLOptions {}

/**
 * Cross entropy of logits `input` ([N, C], [C] or [N, C, d1, ...]) against int32 class indices
 * (shape [N, d...]) or class probabilities (float32, the input's shape): log-softmax over the class
 * dim, then NLL. Extreme logits stay finite (log-softmax is computed stably).
 * @example tn.losses.crossEntropy(logits, tn.tensor([2, 0, 1]))
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  const o = checkOptions(op, options, ['reduction', 'weight', 'ignoreIndex']);
  checkFloatInput(op, input);
  checkTensor(op, target, 'target');
  if (input.ndim === 0) throw new ShapeError(op, 'input tensor should be 1D or more, but got a 0-d tensor');
  const classDim = input.ndim === 1 ? 0 : 1;
  const logp = input.logSoftmax(classDim);
  if (target.dtype === 'int32') return nll(op, logp, target, o);
  // Class probabilities.
  const reduction = checkReduction(op, o.reduction);
  const indexShape = input.shape.filter((_, i) => i !== classDim);
  if (!sameShape(input.shape, target.shape) && sameShape(target.shape, indexShape))
    throw new TypeError(`${op}: expected int32 class indices for target but received ${target.dtype} (convert with .int(), or pass class probabilities of the input's shape ${shapeStr(input.shape)})`);
  if (!sameShape(input.shape, target.shape))
    throw new ShapeError(op, `Expected target size ${shapeStr(input.shape)} for class probabilities (or int32 class indices of shape ${shapeStr(input.shape.filter((_, i) => i !== classDim))}), got ${shapeStr(target.shape)}`);
  checkSameDevice(op, input, target);
  const weight = checkWeight(op, o.weight, input.shape[classDim], input);
  let terms = classLast(logp).mul(classLast(target));
  if (weight) terms = terms.mul(weight);
  const losses = terms.sum(-1).neg();
  return reduce(losses, reduction);
}
