// Softmax and log-softmax over one dimension, numerically stable (the row maximum is
// subtracted before exp), and their backward forms:
//   softmax:      dx = y * (g - sum(g * y))
//   log-softmax:  dx = g - exp(y) * sum(g)
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace tn::cpu {
namespace {

// Output positions enumerate every dim except `dim`; returns the view without it.
TensorView without(const TensorView& v, int dim) {
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

}  // namespace

void softmax(const TensorView& x, int dim, bool log, const TensorView& out) {
  const TensorView xr = without(x, dim), orr = without(out, dim);
  const int64_t len = x.shape[dim], xs = x.strides[dim], os = out.strides[dim];
  const int64_t rows = xr.numel();
  parallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xp = x.f32() + stridedOffset(xr, r);
      float* op = out.f32() + stridedOffset(orr, r);
      // The row maximum, with NaN winning; an all -inf row then gives NaN as in PyTorch.
      float mx = -INFINITY;
      for (int64_t j = 0; j < len; ++j) {
        const float v = xp[j * xs];
        if (std::isnan(v)) { mx = v; break; }
        if (v > mx) mx = v;
      }
      double sum = 0.0;
      for (int64_t j = 0; j < len; ++j) sum += std::exp(static_cast<double>(xp[j * xs]) - mx);
      if (log) {
        const double lse = std::log(sum);
        for (int64_t j = 0; j < len; ++j) op[j * os] = static_cast<float>(xp[j * xs] - mx - lse);
      } else {
        const double inv = 1.0 / sum;
        for (int64_t j = 0; j < len; ++j) op[j * os] = static_cast<float>(std::exp(static_cast<double>(xp[j * xs]) - mx) * inv);
      }
    }
  });
}

void softmaxGrad(const TensorView& g, const TensorView& y, int dim, bool log, const TensorView& out) {
  const TensorView gr = without(g, dim), yr = without(y, dim), orr = without(out, dim);
  const int64_t len = g.shape[dim], gs = g.strides[dim], ys = y.strides[dim], os = out.strides[dim];
  const int64_t rows = gr.numel();
  parallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* gp = g.f32() + stridedOffset(gr, r);
      const float* yp = y.f32() + stridedOffset(yr, r);
      float* op = out.f32() + stridedOffset(orr, r);
      double s = 0.0;
      if (log) {
        for (int64_t j = 0; j < len; ++j) s += gp[j * gs];
        for (int64_t j = 0; j < len; ++j) op[j * os] = static_cast<float>(gp[j * gs] - std::exp(static_cast<double>(yp[j * ys])) * s);
      } else {
        for (int64_t j = 0; j < len; ++j) s += static_cast<double>(gp[j * gs]) * yp[j * ys];
        for (int64_t j = 0; j < len; ++j) op[j * os] = static_cast<float>(yp[j * ys] * (gp[j * gs] - s));
      }
    }
  });
}

}  // namespace tn::cpu
