// Reductions over one dimension: out[o] = R_{j < x.shape[dim]} x[o with j inserted at dim].
// Sum/Mean accumulate in double (float32 inputs) or int64 (int32 inputs, wrapped back).
// Max/Min/Argmax/Argmin propagate NaN as PyTorch does (NaN wins; its first position is taken).
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace tn::cpu {
namespace {

struct ReduceGeometry {
  TensorView rest;  // x without `dim`, used to enumerate output positions
  int64_t len = 0, step = 0;
};

ReduceGeometry geometry(const TensorView& x, int dim) {
  ReduceGeometry g;
  g.rest.data = x.data;
  g.rest.dtype = x.dtype;
  for (int d = 0; d < x.ndim; ++d) {
    if (d == dim) continue;
    g.rest.shape[g.rest.ndim] = x.shape[d];
    g.rest.strides[g.rest.ndim] = x.strides[d];
    ++g.rest.ndim;
  }
  g.len = x.shape[dim];
  g.step = x.strides[dim];
  return g;
}

template <class T, class Acc>
void sumMean(const ReduceGeometry& g, const TensorView& out, bool mean) {
  const T* xp = static_cast<const T*>(g.rest.data);
  T* o = static_cast<T*>(out.data);
  const int64_t n = g.rest.numel();
  parallelFor(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(g.len, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* base = xp + stridedOffset(g.rest, i);
      Acc s = 0;
      for (int64_t j = 0; j < g.len; ++j) s += static_cast<Acc>(base[j * g.step]);
      if (mean) s = g.len == 0 ? static_cast<Acc>(NAN) : s / static_cast<Acc>(g.len);
      o[stridedOffset(out, i)] = static_cast<T>(s);
    }
  });
}

template <class T>
bool isNan(T v) { return v != v; }

// Writes the extreme value to vals (may be null) and its position to pos (may be null).
template <class T>
void extreme(const ReduceGeometry& g, bool wantMax, T* vals, const TensorView* valView, int32_t* pos,
             const TensorView* posView) {
  const T* xp = static_cast<const T*>(g.rest.data);
  const int64_t n = g.rest.numel();
  parallelFor(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(g.len, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* base = xp + stridedOffset(g.rest, i);
      T best = base[0];
      int64_t at = 0;
      if (!isNan(best)) {
        for (int64_t j = 1; j < g.len; ++j) {
          const T v = base[j * g.step];
          if (isNan(v)) { best = v; at = j; break; }
          if (wantMax ? v > best : v < best) { best = v; at = j; }
        }
      }
      if (vals) vals[stridedOffset(*valView, i)] = best;
      if (pos) pos[stridedOffset(*posView, i)] = static_cast<int32_t>(at);
    }
  });
}

}  // namespace

void reduce(ReduceOp op, const TensorView& x, int dim, const TensorView& out, const TensorView* idx) {
  const ReduceGeometry g = geometry(x, dim);
  const bool isInt = x.dtype == DType::Int32;
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      if (isInt) sumMean<int32_t, int64_t>(g, out, op == ReduceOp::Mean);
      else sumMean<float, double>(g, out, op == ReduceOp::Mean);
      return;
    case ReduceOp::Max:
    case ReduceOp::Min: {
      const bool mx = op == ReduceOp::Max;
      int32_t* pos = idx ? idx->i32() : nullptr;
      if (isInt) extreme<int32_t>(g, mx, out.i32(), &out, pos, idx);
      else extreme<float>(g, mx, out.f32(), &out, pos, idx);
      return;
    }
    case ReduceOp::Argmax:
    case ReduceOp::Argmin: {
      const bool mx = op == ReduceOp::Argmax;
      if (isInt) extreme<int32_t>(g, mx, nullptr, nullptr, out.i32(), &out);
      else extreme<float>(g, mx, nullptr, nullptr, out.i32(), &out);
      return;
    }
  }
}

}  // namespace tn::cpu
