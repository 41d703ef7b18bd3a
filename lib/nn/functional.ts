/**
 * nn.functional: the layers' math as plain functions (torch.nn.functional), on the tensor ops.
 * @example
 *   import { functional as F } from 'tensornode/nn';
 *   const y = F.relu(F.linear(x, w, b));
 */
import { rangeError, typeError } from '../errors';
import { linear as linearOp } from '../ops/matmul';
import { checkTensor } from '../ops/common';
import { rand } from '../ops/creation';
import { Tensor } from '../tensor';

/**
 * y = x·Wᵀ + b for x [*, in], W [out, in], b [out].
 * @example F.linear(tn.ones(2, 4), tn.ones(3, 4), tn.zeros(3))  // [[4, 4, 4], [4, 4, 4]]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearOp(input, weight, bias);
}

/** 1 / (1 + exp(-x)) elementwise. */
export function sigmoid(input: Tensor): Tensor {
  return checkTensor('sigmoid', input).sigmoid();
}

/** max(x, 0) elementwise. `inplace` is accepted for PyTorch parity; the result is a new tensor. */
export function relu(input: Tensor, inplace = false): Tensor { // eslint-disable-line @typescript-eslint/no-unused-vars
  return checkTensor('relu', input).relu();
}

export function tanh(input: Tensor): Tensor {
  return checkTensor('tanh', input).tanh();
}

/** exp(x_i) / Σ_j exp(x_j) along dim. */
export function softmax(input: Tensor, dim: number): Tensor {
  return checkTensor('softmax', input).softmax(dim);
}

/** log(softmax(x)) along dim, computed stably. */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return checkTensor('log_softmax', input).logSoftmax(dim);
}

/** Flattens dims startDim..endDim into one. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  return checkTensor('flatten', input).flatten(startDim, endDim);
}

export function checkDropoutP(op: string, p: unknown): number {
  if (typeof p !== 'number') throw typeError(op, 'a number', 'p', p);
  if (!(p >= 0 && p <= 1)) throw rangeError(op, 'a probability between 0 and 1', 'p', p);
  return p;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1-p) when training; the input
 * itself otherwise. The mask comes from tn.rand (the default generator), keeping `rand >= p`.
 * @example F.dropout(x, 0.2, model.training)
 */
export function dropout(input: Tensor, p = 0.5, training = true, inplace = false): Tensor { // eslint-disable-line @typescript-eslint/no-unused-vars
  checkTensor('dropout', input);
  checkDropoutP('dropout', p);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const keep = rand(input.shape.slice(), { device: input.device }).lt(p).neg().add(1); // 1 where rand >= p
  return input.mul(keep.div(1 - p)); // ATen: noise = bernoulli(1 - p) / (1 - p); input * noise
}

// Losses, as torch.nn.functional has them (implemented in lib/losses).
export { mseLoss, nllLoss, crossEntropy, binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../losses';
