/**
 * Binary cross entropy, on probabilities and on logits, with PyTorch's formulas and gradients
 * (aten/src/ATen/native/Loss.cpp):
 *
 *   binaryCrossEntropy            ℓ = w·((y − 1)·max(log1p(−x), −100) − y·max(log x, −100))
 *                                 ∂ℓ/∂x = w·(x − y) / max((1 − x)·x, 1e-12)
 *   binaryCrossEntropyWithLogits  ℓ = w·((1 − y)·x + L·softplus(−x)),  L = (posWeight − 1)·y + 1
 *                                 softplus(−x) = max(−x, 0) + log1p(exp(−|x|)) (never overflows)
 *                                 ∂ℓ/∂x = w·((1 − y) − L·sigmoid(−x)),  ∂ℓ/∂y = w·(−x + (posWeight − 1)·softplus(−x))
 *
 * The elementwise loss is one recorded node with these closed-form gradients (finite at x = 0, 1
 * and for extreme logits, where the composite ops' gradients would not be); the reduction after
 * it is ordinary ops.
 */
import { record } from '../autograd/function';
import { noGrad } from '../autograd/grad_mode';
import { ShapeError, shapeStr } from '../errors';
import { checkSameDevice, checkTensor } from '../ops/common';
import { sumTo } from '../ops/views';
import { Tensor } from '../tensor';
import { type ReductionOptions, checkFloatInput, checkOptions, checkReduction, named, reduce } from './functional';

export interface BCEOptions extends ReductionOptions {
  /** A rescaling weight broadcast against the input (e.g. one per element or per column). */
  weight?: Tensor | null;
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** A weight of positive examples, broadcast against the input (e.g. [C] for C classes). */
  posWeight?: Tensor | null;
}

function checkSameSize(op: string, input: Tensor, target: Tensor): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i]))
    throw new ShapeError(op, `Target size (torch.Size(${shapeStr(target.shape)})) must be the same as input size (torch.Size(${shapeStr(input.shape)}))`);
}

function optionalTensor(op: string, name: string, v: unknown, input: Tensor): Tensor | null {
  if (v === undefined || v === null) return null;
  const t = checkFloatInput(op, v, name);
  checkSameDevice(op, input, t);
  return t;
}

/** Gradient for an input of `shape` from a broadcast elementwise gradient (null when not needed). */
function gradFor(x: Tensor, g: () => Tensor): Tensor | null {
  return x.requiresGrad ? sumTo(g(), x.shape) : null;
}

/**
 * Binary cross entropy between probabilities `input` (in [0, 1]) and targets of the same shape.
 * Logs are clamped at −100, so x = 0 or 1 gives a finite loss, as in PyTorch.
 * @example tn.losses.binaryCrossEntropy(probs, labels.float())
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: BCEOptions): Tensor {
  const op = 'binaryCrossEntropy';
  const o = checkOptions(op, options, ['reduction', 'weight']);
  const reduction = checkReduction(op, o.reduction);
  checkFloatInput(op, input);
  checkFloatInput(op, target, 'target');
  checkSameDevice(op, input, target);
  checkSameSize(op, input, target);
  const weight = optionalTensor(op, 'weight', o.weight, input);
  if (input.device === 'cpu')
    for (const v of input.dataSync()) if (!(v >= 0 && v <= 1)) throw new RangeError(`${op}: all elements of input should be between 0 and 1`);

  const loss = noGrad(() => {
    const logX = input.log().clamp(-100, null);
    const log1mX = input.neg().log1p().clamp(-100, null);
    const l = target.sub(1).mul(log1mX).sub(target.mul(logX));
    return weight ? l.mul(weight) : l;
  });
  const out = record(loss, 'BinaryCrossEntropyBackward0', [input, target, weight], (g) => {
    const w = (t: Tensor) => (weight ? t.mul(weight) : t);
    return [
      gradFor(input, () => {
        const denom = input.neg().add(1).mul(input).clamp(1e-12, null);
        return w(input.sub(target).div(denom)).mul(g);
      }),
      gradFor(target, () => w(input.neg().log1p().clamp(-100, null).sub(input.log().clamp(-100, null))).mul(g)),
      null,
    ];
  });
  return named(reduce(out, reduction), 'BinaryCrossEntropyBackward0');
}

/**
 * Binary cross entropy on logits: sigmoid and BCE in one numerically stable formula (finite for
 * any logit), with optional per-class `posWeight`.
 * @example tn.losses.binaryCrossEntropyWithLogits(logits, labels.float())
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options?: BCEWithLogitsOptions): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const o = checkOptions(op, options, ['reduction', 'weight', 'posWeight']);
  const reduction = checkReduction(op, o.reduction);
  checkFloatInput(op, input);
  checkTensor(op, target, 'target');
  checkFloatInput(op, target, 'target');
  checkSameDevice(op, input, target);
  checkSameSize(op, input, target);
  const weight = optionalTensor(op, 'weight', o.weight, input);
  const posWeight = optionalTensor(op, 'posWeight', o.posWeight, input);

  // softplus(−x) = max(−x, 0) + log1p(exp(−|x|))
  const softplusNeg = (x: Tensor) => x.neg().relu().add(x.abs().neg().exp().log1p());
  const logWeight = (y: Tensor) => (posWeight ? posWeight.sub(1).mul(y).add(1) : null);
  const loss = noGrad(() => {
    const L = logWeight(target);
    const sp = softplusNeg(input);
    const l = target.neg().add(1).mul(input).add(L ? L.mul(sp) : sp);
    return weight ? l.mul(weight) : l;
  });
  const out = record(loss, 'BinaryCrossEntropyWithLogitsBackward0', [input, target, weight, posWeight], (g) => {
    const w = (t: Tensor) => (weight ? t.mul(weight) : t);
    return [
      gradFor(input, () => {
        const L = logWeight(target);
        const sigNeg = input.neg().sigmoid();
        return w(target.neg().add(1).sub(L ? L.mul(sigNeg) : sigNeg)).mul(g);
      }),
      gradFor(target, () => {
        const t = posWeight ? input.neg().add(posWeight.sub(1).mul(softplusNeg(input))) : input.neg();
        return w(t).mul(g);
      }),
      null,
      null,
    ];
  });
  return named(reduce(out, reduction), 'BinaryCrossEntropyWithLogitsBackward0');
}
