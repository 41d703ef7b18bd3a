/** softmax / log-softmax over one dim (numerically stable kernels) and their gradients. */
import { record } from '../autograd/function';
import { normalizeDim } from '../shape';
import { Tensor } from '../tensor';
import { checkTensor, empty } from './common';
import { binding, describe, h } from './native';
import { activeTrace, recordStep } from '../jit/trace';

function softmaxRaw(x: Tensor, d: number, log: boolean): Tensor {
  const out = empty(x.device, 'float32', x.shape);
  if (out.numel() > 0) binding.softmax(d, log, describe(x, out), h(x), h(out));
  return out;
}

/**
 * softmax(x)_i = exp(x_i - max) / Σ exp(x_j - max) over `dim` (log-softmax when log is set).
 * @example tn.tensor([[1, 2, 3]]).float().softmax(1)  // tensor([[0.0900, 0.2447, 0.6652]])
 */
export function softmax(x: Tensor, dim: number, log: boolean): Tensor {
  const op = log ? 'log_softmax' : 'softmax';
  checkTensor(op, x);
  if (dim === undefined) throw new TypeError(`${op}: dim is required (implicit dim choice is deprecated in PyTorch)`);
  if (x.dtype !== 'float32') throw new TypeError(`${op}: "${op}_lastdim_kernel_impl" not implemented for '${x.dtype}'; convert with .float()`);
  if (x.ndim === 0) {
    normalizeDim(op, dim, 0);
    return softmax(x.reshape([1]), 0, log).reshape([]);
  }
  const d = normalizeDim(op, dim, x.ndim);
  const y = softmaxRaw(x, d, log);
  if (activeTrace()) recordStep({ kind: log ? 'logSoftmax' : 'softmax', input: x, output: y, dim: d });
  return record(y, log ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [x], (g) => {
    const out = empty(g.device, 'float32', g.shape);
    if (out.numel() > 0) binding.softmaxGrad(d, log, describe(g, y, out), h(g), h(y), h(out));
    return [out];
  });
}
