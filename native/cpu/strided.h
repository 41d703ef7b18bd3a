// Walks up to three views of the same shape in row-major order, in parallel, with the
// dimensions coalesced first so that contiguous (or uniformly strided) views become one loop.
#pragma once
#include <cstdint>

#include "../core/tensor_view.h"
#include "parallel.h"

namespace tn::cpu {

template <int N>
struct StridedLoop {
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];
};

// Merges dim d into d+1 whenever every view steps through them as one flat dimension.
template <int N>
StridedLoop<N> coalesce(const TensorView* const* views) {
  StridedLoop<N> L;
  const TensorView& ref = *views[0];
  for (int d = 0; d < ref.ndim; ++d) {
    if (ref.shape[d] == 1) continue;  // size-1 dims never move the pointers
    if (L.ndim > 0) {
      const int last = L.ndim - 1;
      bool merge = true;
      for (int v = 0; v < N; ++v)
        if (L.strides[v][last] != views[v]->strides[d] * ref.shape[d]) merge = false;
      if (merge) {
        L.shape[last] *= ref.shape[d];
        for (int v = 0; v < N; ++v) L.strides[v][last] = views[v]->strides[d];
        continue;
      }
    }
    L.shape[L.ndim] = ref.shape[d];
    for (int v = 0; v < N; ++v) L.strides[v][L.ndim] = views[v]->strides[d];
    ++L.ndim;
  }
  if (L.ndim == 0) {  // a scalar or all-ones shape: one element
    L.ndim = 1;
    L.shape[0] = 1;
    for (int v = 0; v < N; ++v) L.strides[v][0] = 1;
  }
  return L;
}

// fn(offsets[N], count, innerStrides[N]) handles `count` elements along the innermost dim.
template <int N, class F>
void forEachRow(const StridedLoop<N>& L, int64_t grainElems, F&& fn) {
  const int inner = L.ndim - 1;
  const int64_t rowLen = L.shape[inner];
  int64_t rows = 1;
  for (int d = 0; d < inner; ++d) rows *= L.shape[d];
  const int64_t rowGrain = std::max<int64_t>(1, grainElems / std::max<int64_t>(rowLen, 1));
  int64_t innerStrides[N];
  for (int v = 0; v < N; ++v) innerStrides[v] = L.strides[v][inner];
  if (rows == 1) {
    // One long row: split it into chunks.
    parallelFor(rowLen, grainElems, [&](int64_t b, int64_t e) {
      int64_t off[N];
      for (int v = 0; v < N; ++v) off[v] = b * innerStrides[v];
      fn(off, e - b, innerStrides);
    });
    return;
  }
  parallelFor(rows, rowGrain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t off[N] = {0};
      int64_t rem = r;
      for (int d = inner - 1; d >= 0; --d) {
        const int64_t i = rem % L.shape[d];
        rem /= L.shape[d];
        for (int v = 0; v < N; ++v) off[v] += i * L.strides[v][d];
      }
      fn(off, rowLen, innerStrides);
    }
  });
}

constexpr int64_t kElementwiseGrain = 32768;

}  // namespace tn::cpu
