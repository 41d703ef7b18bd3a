// Softmax and log-softmax over dimension `dim` of strided float32 views, the CUDA twin of
// native/cpu/softmax.cc (same formulas and the same float/double mix, so results agree with
// the CPU up to the last bits of exp):
//   mx = max_j x_j (NaN wins)        s = sum_j exp(double(x_j) - mx)   (in double)
//   softmax      y_j = float(exp(double(x_j) - mx) / s)
//   log-softmax  y_j = float(double(x_j - mx) - log(s))
// Backward (y = the forward output):
//   softmax      dx_j = float(y_j * (g_j - sum_k g_k * y_k))
//   log-softmax  dx_j = float(g_j - exp(y_j) * sum_k g_k)
// A row is handled by one thread (short rows), one warp (up to kWarpRowMaxLen) or one block,
// reducing with warp shuffles (+ shared memory across warps); rows enumerate every other dim.
#include <cmath>

#include "cuda_softmax.cuh"
#include "cuda_strided.cuh"

namespace tn::cuda {
namespace {

constexpr int kSoftmaxBlock = 256;
// Min blocks 1 in the launch bounds: with the default, ptxas 13.0 held these kernels to 48
// registers on sm_90 and spilled 16 bytes; with 1 they take 54-66 registers and do not spill.
constexpr int kSoftmaxMinBlocks = 1;
constexpr int64_t kThreadRowMaxLen = 8;
constexpr int64_t kWarpRowMaxLen = 1024;

struct MaxNanOp {
  __device__ float operator()(float a, float b) const { return (a != a || b != b) ? NAN : fmaxf(a, b); }
};

struct AddOp {
  __device__ double operator()(double a, double b) const { return a + b; }
};

// rest views: 0 = x, 1 = out (both without dim). All threads of a group share `row`, so the
// collectives in groupReduce are reached by the whole group.
template <int GROUP>
static __global__ void __launch_bounds__(kSoftmaxBlock, kSoftmaxMinBlocks)
    softmaxKernel(const __grid_constant__ StridedIter<2> rest, int64_t rows, int64_t len, int64_t xs, int64_t os, const float* __restrict__ x,
                  float* __restrict__ out, bool log) {
  __shared__ float scratchF[kSoftmaxBlock / kWarpSize];
  __shared__ double scratchD[kSoftmaxBlock / kWarpSize];
  constexpr int kRowsPerBlock = kSoftmaxBlock / GROUP;
  const int lane = threadIdx.x % GROUP;
  const int64_t rowStep = static_cast<int64_t>(gridDim.x) * kRowsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / GROUP; row < rows;
       row += rowStep) {
    int64_t off[2];
    rowOffsets(rest, row, off);
    const float* xp = x + off[0];
    float* op = out + off[1];
    float mx = -INFINITY;
    for (int64_t j = lane; j < len; j += GROUP) {
      const float v = xp[j * xs];
      if (v != v) { mx = v; break; }
      if (v > mx) mx = v;
    }
    mx = groupReduce<GROUP>(mx, MaxNanOp{}, scratchF);
    double sum = 0.0;
    for (int64_t j = lane; j < len; j += GROUP) sum += exp(static_cast<double>(xp[j * xs]) - mx);
    sum = groupReduce<GROUP>(sum, AddOp{}, scratchD);
    if (log) {
      const double lse = ::log(sum);
      for (int64_t j = lane; j < len; j += GROUP)
        op[j * os] = static_cast<float>(static_cast<double>(xp[j * xs] - mx) - lse);
    } else {
      const double inv = 1.0 / sum;
      for (int64_t j = lane; j < len; j += GROUP)
        op[j * os] = static_cast<float>(exp(static_cast<double>(xp[j * xs]) - mx) * inv);
    }
  }
}

// rest views: 0 = grad, 1 = y, 2 = out.
template <int GROUP>
static __global__ void __launch_bounds__(kSoftmaxBlock, kSoftmaxMinBlocks)
    softmaxGradKernel(const __grid_constant__ StridedIter<3> rest, int64_t rows, int64_t len, int64_t gs, int64_t ys, int64_t os,
                      const float* __restrict__ g, const float* __restrict__ y, float* __restrict__ out, bool log) {
  __shared__ double scratch[kSoftmaxBlock / kWarpSize];
  constexpr int kRowsPerBlock = kSoftmaxBlock / GROUP;
  const int lane = threadIdx.x % GROUP;
  const int64_t rowStep = static_cast<int64_t>(gridDim.x) * kRowsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / GROUP; row < rows;
       row += rowStep) {
    int64_t off[3];
    rowOffsets(rest, row, off);
    const float* gp = g + off[0];
    const float* yp = y + off[1];
    float* op = out + off[2];
    double s = 0.0;
    if (log) {
      for (int64_t j = lane; j < len; j += GROUP) s += gp[j * gs];
    } else {
      // __dmul_rn: round the product before adding, as the CPU does (no FMA contraction).
      for (int64_t j = lane; j < len; j += GROUP) s += __dmul_rn(gp[j * gs], yp[j * ys]);
    }
    s = groupReduce<GROUP>(s, AddOp{}, scratch);
    if (log) {
      for (int64_t j = lane; j < len; j += GROUP)
        op[j * os] = static_cast<float>(gp[j * gs] - __dmul_rn(exp(static_cast<double>(yp[j * ys])), s));
    } else {
      for (int64_t j = lane; j < len; j += GROUP) op[j * os] = static_cast<float>(yp[j * ys] * (gp[j * gs] - s));
    }
  }
}

// x's view without `dim` (the rows), and its length and stride along dim.
static TensorView withoutDim(const TensorView& v, int dim) {
  TensorView r;
  r.data = v.data;
  r.dtype = v.dtype;
  for (int d = 0; d < v.ndim; ++d) {
    if (d == dim) continue;
    r.shape[r.ndim] = v.shape[d];
    r.strides[r.ndim] = v.strides[d];
    ++r.ndim;
  }
  return r;
}

static int pickGroup(int64_t len) {
  if (len <= kThreadRowMaxLen) return 1;
  if (len <= kWarpRowMaxLen) return kWarpSize;
  return kSoftmaxBlock;
}

}  // namespace

void softmax(const CudaContext& ctx, const TensorView& x, int dim, bool log, const TensorView& out) {
  if (dim < 0 || dim >= x.ndim || out.ndim != x.ndim) throw ArgumentError("softmax: dim out of range");
  const TensorView xr = withoutDim(x, dim), orr = withoutDim(out, dim);
  const int64_t rows = xr.numel(), len = x.shape[dim];
  if (rows <= 0 || len <= 0) return;  // nothing to write
  const TensorView* views[2] = {&xr, &orr};
  const StridedIter<2> rest = coalesce<2>(views);
  const int64_t xs = x.strides[dim], os = out.strides[dim];
  const int group = pickGroup(len);
  const unsigned int grid = gridFor(ctx, rows, kSoftmaxBlock / group);
  if (group == 1)
    softmaxKernel<1><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, xs, os, x.f32(), out.f32(), log);
  else if (group == kWarpSize)
    softmaxKernel<kWarpSize><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, xs, os, x.f32(), out.f32(), log);
  else
    softmaxKernel<kSoftmaxBlock><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, xs, os, x.f32(), out.f32(), log);
  CUDA_CHECK_LAUNCH();
}

void softmaxGrad(const CudaContext& ctx, const TensorView& grad, const TensorView& y, int dim, bool log,
                 const TensorView& out) {
  if (dim < 0 || dim >= grad.ndim || y.ndim != grad.ndim || out.ndim != grad.ndim)
    throw ArgumentError("softmaxGrad: dim out of range");
  const TensorView gr = withoutDim(grad, dim), yr = withoutDim(y, dim), orr = withoutDim(out, dim);
  const int64_t rows = gr.numel(), len = grad.shape[dim];
  if (rows <= 0 || len <= 0) return;
  const TensorView* views[3] = {&gr, &yr, &orr};
  const StridedIter<3> rest = coalesce<3>(views);
  const int64_t gs = grad.strides[dim], ys = y.strides[dim], os = out.strides[dim];
  const int group = pickGroup(len);
  const unsigned int grid = gridFor(ctx, rows, kSoftmaxBlock / group);
  if (group == 1)
    softmaxGradKernel<1><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, gs, ys, os, grad.f32(), y.f32(), out.f32(), log);
  else if (group == kWarpSize)
    softmaxGradKernel<kWarpSize><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, gs, ys, os, grad.f32(), y.f32(), out.f32(), log);
  else
    softmaxGradKernel<kSoftmaxBlock><<<grid, kSoftmaxBlock, 0, ctx.stream>>>(rest, rows, len, gs, ys, os, grad.f32(), y.f32(), out.f32(), log);
  CUDA_CHECK_LAUNCH();
}

}  // namespace tn::cuda
