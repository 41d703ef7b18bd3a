/**
 * Matrix products on the one batched GEMM kernel (which reads transposed operands through
 * their strides, so no transpose is ever copied):
 *   matmul: torch.matmul's rules (1-D dot, matrix-vector, batched with broadcasting);
 *   linear: y = x·Wᵀ + b, with an optional fused activation when no gradient is recorded.
 */
import { record } from '../autograd/function';
import { isGradEnabled } from '../autograd/grad_mode';
import { ShapeError, shapeStr } from '../errors';
import { broadcastShapes, numelOf, viewStrides } from '../shape';
import { Tensor } from '../tensor';
import { checkSameDevice, checkTensor, empty } from './common';
import { ACTIVATION, type ActivationName, DESC_BUFFER, type View, binding, descBegin, descMatrix, descVector, describe, h } from './native';
import { Storage } from '../storage';
import { copyContiguous, rawExpand, rawReshape, sumTo } from './views';
import { activeTrace, recordStep } from '../jit/trace';

function checkFloatPair(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== 'float32' || b.dtype !== 'float32')
    throw new TypeError(`${op}: expected float32 tensors but received ${a.dtype} and ${b.dtype}; convert with .float()`);
}

/** A matrix operand the kernel can read: unit stride along one of its last two dims. */
function kernelReadable(x: Tensor): Tensor {
  const n = x.ndim;
  const r = x.shape[n - 2], c = x.shape[n - 1];
  const sr = x.strides[n - 2], sc = x.strides[n - 1];
  return sc === 1 || c === 1 || sr === 1 || r === 1 ? x : copyContiguous(x);
}

/** Views x ([...batch, R, C], batch already broadcast) as [B, R, C]; copies only if it must. */
function as3d(x: Tensor, batch: number): View {
  const t = kernelReadable(x);
  const target = [batch, t.shape[t.ndim - 2], t.shape[t.ndim - 1]];
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides) return { storage: t.storage, offset: t.offset, shape: target, strides, dtype: t.dtype };
  const c = copyContiguous(t);
  return { storage: c.storage, offset: 0, shape: target, strides: [target[1] * target[2], target[2], 1], dtype: c.dtype };
}

/** The GEMM call: out[B, M, N] = a[B, M, K] · b[B, K, N] (+ bias, activation). No autograd. */
export function gemm(a: View, b: View, bias: Tensor | null, activation: ActivationName, device: Tensor['device']): Tensor {
  const out = empty(device, 'float32', [a.shape[0], a.shape[1], b.shape[2]]);
  if (out.numel() === 0) return out;
  const desc = bias ? describe(a, b, out, bias) : describe(a, b, out);
  binding.matmul(desc, a.storage.handle, b.storage.handle, bias ? h(bias) : null, h(out), ACTIVATION[activation], false);
  return out;
}

function mismatch(a: readonly number[], b: readonly number[]): ShapeError {
  return new ShapeError('matmul', `mat1 and mat2 shapes cannot be multiplied (${a.join('x')} and ${b.join('x')})`);
}

/**
 * The grad_fn torch.matmul's result shows (printed in tensor reprs), following the path
 * PyTorch's _matmul_impl takes: dot, mv, mm, unsqueeze·mm·squeeze_ for 1-D·2-D, and an
 * `_unsafe_view` of the folded mm / batched bmm for N-D operands — except the transposed fold
 * (a 2-D left operand that requires grad times an N-D one), which ends in `.mT().contiguous()`.
 * (Every N-D case used to be labelled BmmBackward0 and 1-D·2-D MmBackward0.)
 */
function matmulGradName(a: Tensor, b: Tensor, M: number, N: number): string {
  if (a.ndim === 1 && b.ndim === 1) return 'DotBackward0';
  if (a.ndim === 2 && b.ndim === 1) return 'MvBackward0';
  if (a.ndim === 1 && b.ndim === 2) return 'SqueezeBackward4';
  if (a.ndim === 2 && b.ndim === 2) return 'MmBackward0';
  // A [1, M, K] left operand of a 3-D product with a different batch is squeezed to 2-D first.
  const a2d = a.ndim === 2 || (a.ndim === 3 && b.ndim === 3 && a.shape[0] === 1 && b.shape[0] !== 1);
  if (a2d && a.requiresGrad && b.ndim >= 3) return M === 1 || N === 1 ? 'TransposeBackward0' : 'CloneBackward0';
  return 'UnsafeViewBackward0';
}

/**
 * torch.matmul: 1-D·1-D → scalar, 2-D·1-D → vector, 1-D·2-D → vector, N-D batched with
 * broadcast batch dims.
 * @example tn.randn(10, 3, 4).matmul(tn.randn(4, 5)).shape  // [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a);
  checkTensor('matmul', b, 'other');
  checkSameDevice('matmul', a, b);
  checkFloatPair('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError('matmul', `both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  if (a.ndim === 1 && b.ndim === 1 && a.shape[0] !== b.shape[0])
    throw new ShapeError('matmul', `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  if (a.ndim === 2 && b.ndim === 1 && a.shape[1] !== b.shape[0])
    throw new ShapeError('matmul', `size mismatch, got input (${a.shape[0]}), mat (${a.shape.join('x')}), vec (${b.shape[0]})`);
  // Promote vectors to matrices: [K] as a row (left) or a column (right).
  const a2 = a.ndim === 1 ? new Tensor(a.storage, [1, a.shape[0]], [0, a.strides[0]], a.offset) : a;
  const b2 = b.ndim === 1 ? new Tensor(b.storage, [b.shape[0], 1], [b.strides[0], 0], b.offset) : b;
  const M = a2.shape[a2.ndim - 2], K = a2.shape[a2.ndim - 1];
  const K2 = b2.shape[b2.ndim - 2], N = b2.shape[b2.ndim - 1];
  if (K !== K2) {
    // PyTorch's words for each path torch.matmul takes (it used to print the N-D shapes as
    // "3x2x4 and 5x6", which names no matrix PyTorch would report):
    if (a.ndim >= 3 && b.ndim <= 2) {
      // N-D · matrix/vector: PyTorch folds the batch into the rows, then mm / mv.
      const rows = numelOf(a.shape.slice(0, -1));
      if (b.ndim === 1) throw new ShapeError('matmul', `size mismatch, got input (${rows}), mat (${rows}x${K}), vec (${K2})`);
      throw mismatch([rows, K], b.shape);
    }
    if (a.ndim <= 2 && b.ndim <= 2) throw mismatch(a2.shape, b2.shape);
    // Batched: batch dims broadcast first (their error wins), then bmm on [B, M, K]·[B, K2, N].
    const B = numelOf(broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2)));
    throw new ShapeError('matmul', `Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${B}, ${K2}].`);
  }
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const B = numelOf(batch);
  const av = as3d(rawExpand(a2, [...batch, M, K]), B);
  const bv = as3d(rawExpand(b2, [...batch, K, N]), B);
  const raw = gemm(av, bv, null, 'none', a.device);
  const shape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
  const out = new Tensor(raw.storage, shape);
  return record(out, matmulGradName(a, b, M, N), [a, b], (g) => {
    const g4 = g.reshape([...batch, M, N]);
    return [
      a.requiresGrad ? sumTo(g4.matmul(b2.transpose(-1, -2)), a2.shape).reshape(a.shape.slice()) : null,
      b.requiresGrad ? sumTo(a2.transpose(-1, -2).matmul(g4), b2.shape).reshape(b.shape.slice()) : null,
    ];
  });
}

/** Matrix product of two 2-D tensors (torch.mm). */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor('mm', a);
  checkTensor('mm', b, 'mat2');
  if (a.ndim !== 2) throw new ShapeError('mm', `self must be a matrix`);
  if (b.ndim !== 2) throw new ShapeError('mm', `mat2 must be a matrix`);
  return matmul(a, b);
}

/**
 * y = x·Wᵀ + b for x [*, in], W [out, in], b [out] (nn.Linear's math, PyTorch's layout).
 * `activation` is fused into the GEMM epilogue when no gradient is recorded; with autograd the
 * activation runs as its own op so its gradient is recorded.
 * @example tn.nn.functional.linear(tn.ones(2, 4), tn.ones(3, 4), tn.zeros(3))  // [[4,4,4],[4,4,4]]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: ActivationName = 'none'): Tensor {
  // The forward path of every Linear layer: checks and one kernel call, with no View objects,
  // closures or shape arrays beyond the output's own unless autograd records the op.
  checkTensor('linear', x);
  checkTensor('linear', weight, 'weight');
  checkSameDevice('linear', x, weight);
  checkFloatPair('linear', x, weight);
  const xShape = x.shape, nd = xShape.length;
  if (weight.ndim !== 2) throw new ShapeError('linear', `weight must be 2-D, got shape ${shapeStr(weight.shape)}`);
  if (nd === 0) throw new ShapeError('linear', 'both arguments to linear need to be at least 1D, but they are 0D and 2D');
  const inF = weight.shape[1], outF = weight.shape[0];
  let rows = 1;
  for (let d = 0; d < nd - 1; ++d) rows *= xShape[d];
  const xin = xShape[nd - 1];
  if (xin !== inF) throw new ShapeError('linear', `mat1 and mat2 shapes cannot be multiplied (${rows}x${xin} and ${inF}x${outF})`);
  if (bias) {
    checkTensor('linear', bias, 'bias');
    checkSameDevice('linear', x, bias);
    if (bias.dtype !== 'float32') throw new TypeError(`linear: expected a float32 tensor for bias but received ${bias.dtype}`);
    if (bias.ndim !== 1 || bias.shape[0] !== outF)
      throw new ShapeError('linear', `bias must have shape [${outF}], got ${shapeStr(bias.shape)}`);
  }
  const grad = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias !== null && bias.requiresGrad));
  const fuse = activation !== 'none' && !grad;
  const x2 = nd === 2 ? x : rawReshape(x, [rows, inF]);
  const outShape = nd === 2 ? [rows, outF] : nd === 1 ? [outF] : [...xShape.slice(0, -1), outF];
  let y = new Tensor(Storage.allocate(x.device, 'float32', rows * outF), outShape);
  if (rows * outF > 0) {
    // A = x [rows, inF]; B = Wᵀ [inF, outF] read through W's strides (never copied).
    const xa = kernelReadable(x2), wT = kernelReadable(weight);
    const b = bias && bias.strides[0] !== 1 && outF > 1 ? copyContiguous(bias) : bias;
    descBegin();
    descMatrix(xa.offset, rows, inF, xa.strides[0], xa.strides[1]);
    descMatrix(wT.offset, inF, outF, wT.strides[1], wT.strides[0]);
    descMatrix(0, rows, outF, outF, 1);
    if (b) descVector(b.offset, outF, 1);
    binding.matmul(DESC_BUFFER, xa.storage.handle, wT.storage.handle, b ? b.storage.handle : null, y.storage.handle,
      ACTIVATION[fuse ? activation : 'none'], false);
  }
  if (grad) {
    const name = nd === 2 ? (bias ? 'AddmmBackward0' : 'MmBackward0') : nd === 1 ? (bias ? 'AddBackward0' : 'SqueezeBackward4') : bias ? 'ViewBackward0' : 'UnsafeViewBackward0';
    y = record(y, name, [x, weight, bias], (g) => {
      const g2 = g.reshape([rows, outF]);
      return [
        x.requiresGrad ? g2.matmul(weight).reshape(x.shape.slice()) : null,
        weight.requiresGrad ? g2.t().matmul(x2) : null,
        bias && bias.requiresGrad ? g2.sum(0) : null,
      ];
    });
  }
  if (fuse || activation === 'none') {
    if (activeTrace()) recordStep({ kind: 'linear', input: x, output: y, weight, bias, activation: fuse ? activation : 'none' });
    return y;
  }
  return activation === 'sigmoid' ? y.sigmoid() : activation === 'relu' ? y.relu() : y.tanh();
}
