// Reductions over one dimension, the CUDA twin of native/cpu/reduce.cc:
//   out[o] = R_{j < len} x[o with j inserted at dim],   len = x.shape[dim]
// out (and indices) have x's shape without `dim`; every view may be strided.
//   Sum/Mean  accumulate in double for float32 and in int64 for int32 (wrapped back to int32), so
//             results match the CPU's sequential double sum up to the final float rounding;
//             Mean of an empty dim is NaN.
//   Max/Min/Argmax/Argmin  NaN wins and its first position is taken; among equal values the first
//             position wins (the combine below is associative and commutative, so any tree
//             order gives the CPU's answer). Positions are written as int32.
// Work split: a row (one output) per thread for short rows, or when neighbouring outputs read
// neighbouring addresses; a warp per row up to kWarpPerRowMaxLen; a block per row beyond that.
#include <cmath>
#include <type_traits>

#include "cuda_reduce.cuh"
#include "cuda_strided.cuh"

namespace tn::cuda {
namespace {

constexpr int kReduceBlock = 256;
constexpr int64_t kThreadPerRowMaxLen = 16;
constexpr int64_t kWarpPerRowMaxLen = 4096;
constexpr int64_t kManyRows = 4096;  // enough outputs to fill the GPU with one thread each

template <class T>
__device__ __forceinline__ bool isNan(T v) { return v != v; }

struct AddOp {
  template <class T>
  __device__ T operator()(T a, T b) const { return a + b; }
};

// The best element seen so far; pos < 0 means none (a lane that saw no element).
template <class T>
struct Best {
  T val;
  int64_t pos;
};

template <class T>
__device__ __forceinline__ Best<T> shflXor(Best<T> v, int laneMask) {
  return Best<T>{__shfl_xor_sync(0xffffffffu, v.val, laneMask), __shfl_xor_sync(0xffffffffu, v.pos, laneMask)};
}

template <class T, bool MAX>
struct PickBest {
  __device__ Best<T> operator()(Best<T> a, Best<T> b) const {
    if (a.pos < 0) return b;
    if (b.pos < 0) return a;
    const bool an = isNan(a.val), bn = isNan(b.val);
    if (an || bn) {
      if (an && bn) return a.pos <= b.pos ? a : b;
      return an ? a : b;
    }
    if (MAX ? a.val > b.val : a.val < b.val) return a;
    if (MAX ? b.val > a.val : b.val < a.val) return b;
    return a.pos <= b.pos ? a : b;
  }
};

// Views in `rest`: 0 = x (without dim), 1 = out, 2 = indices (or out again when absent).
// All threads of a group share `row`, so every shuffle / __syncthreads in groupReduce is reached
// by the whole group (the whole block when GROUP == kReduceBlock).
template <class T, class Acc, int GROUP>
static __global__ void __launch_bounds__(kReduceBlock)
    sumKernel(const __grid_constant__ StridedIter<3> rest, int64_t rows, int64_t len, int64_t step, const T* __restrict__ x,
              T* __restrict__ out, bool mean) {
  __shared__ Acc scratch[kReduceBlock / kWarpSize];
  constexpr int kRowsPerBlock = kReduceBlock / GROUP;
  const int lane = threadIdx.x % GROUP;
  const int64_t rowStep = static_cast<int64_t>(gridDim.x) * kRowsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / GROUP; row < rows;
       row += rowStep) {
    int64_t off[3];
    rowOffsets(rest, row, off);
    const T* base = x + off[0];
    Acc s = 0;
    for (int64_t j = lane; j < len; j += GROUP) s += static_cast<Acc>(base[j * step]);
    s = groupReduce<GROUP>(s, AddOp{}, scratch);
    if (lane == 0) {
      if (mean) {
        if constexpr (std::is_floating_point<Acc>::value) s = len == 0 ? static_cast<Acc>(NAN) : s / static_cast<Acc>(len);
        else s = len == 0 ? 0 : s / static_cast<Acc>(len);  // int mean is refused above the backend
      }
      out[off[1]] = static_cast<T>(s);
    }
  }
}

// vals / pos may be null (Argmax writes only positions; Max without indices only values).
template <class T, bool MAX, int GROUP>
static __global__ void __launch_bounds__(kReduceBlock)
    extremeKernel(const __grid_constant__ StridedIter<3> rest, int64_t rows, int64_t len, int64_t step, const T* __restrict__ x,
                  T* __restrict__ vals, int32_t* __restrict__ pos) {
  __shared__ Best<T> scratch[kReduceBlock / kWarpSize];
  constexpr int kRowsPerBlock = kReduceBlock / GROUP;
  const int lane = threadIdx.x % GROUP;
  const int64_t rowStep = static_cast<int64_t>(gridDim.x) * kRowsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / GROUP; row < rows;
       row += rowStep) {
    int64_t off[3];
    rowOffsets(rest, row, off);
    const T* base = x + off[0];
    Best<T> best{T(), -1};
    for (int64_t j = lane; j < len; j += GROUP) {
      const T v = base[j * step];
      if (best.pos < 0 || isNan(v) || (MAX ? v > best.val : v < best.val)) best = Best<T>{v, j};
      if (isNan(v)) break;  // a later NaN or value cannot beat the first NaN this lane saw
    }
    best = groupReduce<GROUP>(best, PickBest<T, MAX>{}, scratch);
    if (lane == 0) {
      if (vals) vals[off[1]] = best.val;
      if (pos) pos[off[2]] = static_cast<int32_t>(best.pos);
    }
  }
}

struct ReduceGeometry {
  StridedIter<3> rest;
  int64_t rows = 0, len = 0, step = 0;
  int group = 1;
};

template <class T, class Acc>
static void launchSum(const CudaContext& ctx, const ReduceGeometry& g, const T* x, T* out, bool mean) {
  const unsigned int grid = gridFor(ctx, g.rows, kReduceBlock / g.group);
  if (g.group == 1) sumKernel<T, Acc, 1><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, out, mean);
  else if (g.group == kWarpSize) sumKernel<T, Acc, kWarpSize><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, out, mean);
  else sumKernel<T, Acc, kReduceBlock><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, out, mean);
  CUDA_CHECK_LAUNCH();
}

template <class T, bool MAX>
static void launchExtreme(const CudaContext& ctx, const ReduceGeometry& g, const T* x, T* vals, int32_t* pos) {
  const unsigned int grid = gridFor(ctx, g.rows, kReduceBlock / g.group);
  if (g.group == 1) extremeKernel<T, MAX, 1><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, vals, pos);
  else if (g.group == kWarpSize) extremeKernel<T, MAX, kWarpSize><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, vals, pos);
  else extremeKernel<T, MAX, kReduceBlock><<<grid, kReduceBlock, 0, ctx.stream>>>(g.rest, g.rows, g.len, g.step, x, vals, pos);
  CUDA_CHECK_LAUNCH();
}

template <class T>
static void launchExtremeDir(const CudaContext& ctx, const ReduceGeometry& g, bool wantMax, const T* x, T* vals,
                             int32_t* pos) {
  if (wantMax) launchExtreme<T, true>(ctx, g, x, vals, pos);
  else launchExtreme<T, false>(ctx, g, x, vals, pos);
}

}  // namespace

void reduce(const CudaContext& ctx, ReduceOp op, const TensorView& x, int dim, const TensorView& out,
            const TensorView* indices) {
  if (dim < 0 || dim >= x.ndim) throw ArgumentError("reduce: dim out of range");
  if (out.ndim != x.ndim - 1) throw ArgumentError("reduce: out must have x's shape without dim");
  const bool isInt = x.dtype == DType::Int32;
  const bool argOp = op == ReduceOp::Argmax || op == ReduceOp::Argmin;
  const bool sumOp = op == ReduceOp::Sum || op == ReduceOp::Mean;
  if (!sumOp && x.shape[dim] == 0)
    throw ArgumentError("reduce: cannot take max/min/argmax/argmin over an empty dimension");
  if (out.dtype != (argOp ? DType::Int32 : x.dtype))
    throw ArgumentError("reduce: out must be int32 for argmax/argmin and x's dtype otherwise");
  if (indices && (indices->dtype != DType::Int32 || indices->ndim != out.ndim))
    throw ArgumentError("reduce: indices must be int32 with out's shape");

  ReduceGeometry g;
  TensorView restX;
  restX.dtype = x.dtype;
  for (int d = 0; d < x.ndim; ++d) {
    if (d == dim) continue;
    restX.shape[restX.ndim] = x.shape[d];
    restX.strides[restX.ndim] = x.strides[d];
    ++restX.ndim;
  }
  // Argmax/Argmin write positions into out: slot 2 (positions) then takes out's strides.
  const TensorView* views[3] = {&restX, &out, (indices && !argOp) ? indices : &out};
  g.rest = coalesce<3>(views);
  g.rows = restX.numel();
  g.len = x.shape[dim];
  g.step = x.strides[dim];
  if (g.rows <= 0) return;  // no outputs: launch nothing

  const bool neighboursAdjacent = g.rest.strides[0][g.rest.ndim - 1] == 1;
  if (g.len <= kThreadPerRowMaxLen || (g.step != 1 && neighboursAdjacent && g.rows >= kManyRows)) g.group = 1;
  else if (g.len <= kWarpPerRowMaxLen || g.rows >= kManyRows) g.group = kWarpSize;
  else g.group = kReduceBlock;

  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      if (isInt) launchSum<int32_t, int64_t>(ctx, g, x.i32(), out.i32(), op == ReduceOp::Mean);
      else launchSum<float, double>(ctx, g, x.f32(), out.f32(), op == ReduceOp::Mean);
      return;
    case ReduceOp::Max:
    case ReduceOp::Min: {
      int32_t* pos = indices ? indices->i32() : nullptr;
      if (isInt) launchExtremeDir<int32_t>(ctx, g, op == ReduceOp::Max, x.i32(), out.i32(), pos);
      else launchExtremeDir<float>(ctx, g, op == ReduceOp::Max, x.f32(), out.f32(), pos);
      return;
    }
    case ReduceOp::Argmax:
    case ReduceOp::Argmin:
      if (isInt) launchExtremeDir<int32_t>(ctx, g, op == ReduceOp::Argmax, x.i32(), nullptr, out.i32());
      else launchExtremeDir<float>(ctx, g, op == ReduceOp::Argmax, x.f32(), nullptr, out.i32());
      return;
  }
}

}  // namespace tn::cuda
