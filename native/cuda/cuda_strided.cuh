// Strided indexing for device code, and the one launcher every elementwise-shaped op uses.
//
// N views of the same shape (strides may differ; 0 = broadcast) are coalesced on the host the
// way native/cpu/strided.h does it (size-1 dims dropped, dims merged where every view steps
// through them as one), then passed BY VALUE to the kernel (kMaxDims = 8, so no device
// allocation per launch). Element `linear` of the row-major enumeration lives at
// offsets()[v] elements from view v's data. Indices are 64-bit; the division chain runs in
// 32-bit when the element count allows it (64-bit division is a long software sequence).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "../core/tensor_view.h"
#include "cuda_check.cuh"
#include "cuda_common.cuh"

namespace tn::cuda {

template <int N>
struct StridedIter {
  int ndim = 1;
  int64_t shape[kMaxDims] = {1};
  int64_t strides[N][kMaxDims] = {};

  bool contiguous() const {
    if (ndim != 1) return false;
    for (int v = 0; v < N; ++v)
      if (strides[v][0] != 1) return false;
    return true;
  }

  // I: the integer type the divisions run in (uint32_t when numel < 2^31, else int64_t).
  // The dims are walked with compile-time indices so the struct stays in the parameter bank.
  template <class I>
  __device__ __forceinline__ void offsets(int64_t linear, int64_t (&off)[N]) const {
    I rem = static_cast<I>(linear);
#pragma unroll
    for (int v = 0; v < N; ++v) off[v] = 0;
#pragma unroll
    for (int d = kMaxDims - 1; d > 0; --d) {
      if (d < ndim) {
        const I s = static_cast<I>(shape[d]);
        const I q = rem / s;
        const int64_t i = static_cast<int64_t>(rem - q * s);
#pragma unroll
        for (int v = 0; v < N; ++v) off[v] += i * strides[v][d];
        rem = q;
      }
    }
#pragma unroll
    for (int v = 0; v < N; ++v) off[v] += static_cast<int64_t>(rem) * strides[v][0];
  }
};

// The same walk as StridedIter::offsets, in 64-bit and not unrolled: for kernels that compute
// offsets once per row (reductions, softmax, oneHot), where a compact loop beats eight inlined
// 64-bit division sequences. `it` must be a __grid_constant__ kernel parameter (or other
// addressable memory), since the dims are indexed at run time.
template <int N>
__device__ __forceinline__ void rowOffsets(const StridedIter<N>& it, int64_t linear, int64_t (&off)[N]) {
#pragma unroll
  for (int v = 0; v < N; ++v) off[v] = 0;
#pragma unroll 1
  for (int d = it.ndim - 1; d > 0; --d) {
    const int64_t s = it.shape[d];
    const int64_t q = linear / s;
    const int64_t i = linear - q * s;
#pragma unroll
    for (int v = 0; v < N; ++v) off[v] += i * it.strides[v][d];
    linear = q;
  }
#pragma unroll
  for (int v = 0; v < N; ++v) off[v] += linear * it.strides[v][0];
}

// Host: the coalesced iteration space of `views` (all of views[0]'s shape).
template <int N>
inline StridedIter<N> coalesce(const TensorView* const* views) {
  StridedIter<N> it;
  it.ndim = 0;
  const TensorView& ref = *views[0];
  for (int d = 0; d < ref.ndim; ++d) {
    if (ref.shape[d] == 1) continue;  // size-1 dims never move the pointers
    if (it.ndim > 0) {
      const int last = it.ndim - 1;
      bool merge = true;
      for (int v = 0; v < N; ++v)
        if (it.strides[v][last] != views[v]->strides[d] * ref.shape[d]) merge = false;
      if (merge) {
        it.shape[last] *= ref.shape[d];
        for (int v = 0; v < N; ++v) it.strides[v][last] = views[v]->strides[d];
        continue;
      }
    }
    it.shape[it.ndim] = ref.shape[d];
    for (int v = 0; v < N; ++v) it.strides[v][it.ndim] = views[v]->strides[d];
    ++it.ndim;
  }
  if (it.ndim == 0) {  // a scalar or all-ones shape: one element
    it.ndim = 1;
    it.shape[0] = 1;
    for (int v = 0; v < N; ++v) it.strides[v][0] = 1;
  }
  return it;
}

// f(linear, off) handles one element; off[v] is its offset in view v.
template <int N, class F>
static __global__ void __launch_bounds__(kElementwiseBlock) contiguousKernel(int64_t n, F f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[N];
#pragma unroll
    for (int v = 0; v < N; ++v) off[v] = i;
    f(i, off);
  }
}

template <int N, class I, class F>
static __global__ void __launch_bounds__(kElementwiseBlock) stridedKernel(StridedIter<N> it, int64_t n, F f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[N];
    it.template offsets<I>(i, off);
    f(i, off);
  }
}

// Runs f over every element of views[0]'s shape (the other views have the same shape).
// Launches nothing for an empty shape.
template <int N, class F>
static void launchElementwise(const CudaContext& ctx, const TensorView* const* views, const F& f) {
  const int64_t n = views[0]->numel();
  if (n <= 0) return;
  const StridedIter<N> it = coalesce<N>(views);
  const unsigned int grid = gridFor(ctx, n, kElementwiseBlock);
  if (it.contiguous()) {
    contiguousKernel<N><<<grid, kElementwiseBlock, 0, ctx.stream>>>(n, f);
  } else if (n <= INT32_MAX) {
    stridedKernel<N, uint32_t><<<grid, kElementwiseBlock, 0, ctx.stream>>>(it, n, f);
  } else {
    stridedKernel<N, int64_t><<<grid, kElementwiseBlock, 0, ctx.stream>>>(it, n, f);
  }
  CUDA_CHECK_LAUNCH();
}

}  // namespace tn::cuda
