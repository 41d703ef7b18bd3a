// Data movement: fill (out[i] = value), copy (dst[i] = src[i] with dtype conversion, any
// strides: this is what makes transposed and narrowed views contiguous), and oneHot.
#include <climits>
#include <cmath>

#include "kernels.h"
#include "strided.h"

namespace tn::cpu {

void fill(const TensorView& out, double value) {
  const TensorView* views[1] = {&out};
  const auto L = coalesce<1>(views);
  if (out.dtype == DType::Int32) {
    // NaN and values outside int32 become INT32_MIN (x86's cvttsd2si result) instead of the
    // undefined behaviour of casting them; lib/ refuses them first (PyTorch's overflow error).
    const int32_t v = (value > -2147483649.0 && value < 2147483648.0) ? static_cast<int32_t>(value) : INT32_MIN;
    int32_t* o = out.i32();
    forEachRow<1>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
      for (int64_t i = 0; i < n; ++i) o[off[0] + i * st[0]] = v;
    });
    return;
  }
  const float v = static_cast<float>(value);
  float* o = out.f32();
  forEachRow<1>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) o[off[0] + i * st[0]] = v;
  });
}

namespace {
// float → int32 truncates toward zero like PyTorch; out-of-range and NaN become INT32_MIN
// (x86's cvttss2si result) without invoking undefined behaviour.
inline int32_t toInt(float f) {
  if (!(f > -2147483904.0f && f < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(f);
}

template <class S, class D, class Conv>
void copyTyped(const TensorView& src, const TensorView& dst, Conv conv) {
  const TensorView* views[2] = {&src, &dst};
  const auto L = coalesce<2>(views);
  const S* sp = static_cast<const S*>(src.data);
  D* dp = static_cast<D*>(dst.data);
  forEachRow<2>(L, kElementwiseGrain, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) dp[off[1] + i * st[1]] = conv(sp[off[0] + i * st[0]]);
  });
}
}  // namespace

void copy(const TensorView& src, const TensorView& dst) {
  const bool sf = src.dtype == DType::Float32, df = dst.dtype == DType::Float32;
  if (sf && df) copyTyped<float, float>(src, dst, [](float v) { return v; });
  else if (!sf && !df) copyTyped<int32_t, int32_t>(src, dst, [](int32_t v) { return v; });
  else if (sf) copyTyped<float, int32_t>(src, dst, toInt);
  else copyTyped<int32_t, float>(src, dst, [](int32_t v) { return static_cast<float>(v); });
}

void oneHot(const TensorView& indices, int64_t numClasses, const TensorView& out) {
  const int64_t n = indices.numel();
  const int32_t* ip = indices.i32();
  float* o = out.f32();  // contiguous [..., numClasses]
  parallelFor(n, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int32_t c = ip[stridedOffset(indices, i)];
      float* row = o + i * numClasses;
      const bool ok = c >= 0 && c < numClasses;
      for (int64_t j = 0; j < numClasses; ++j) row[j] = ok ? (j == c ? 1.0f : 0.0f) : NAN;
    }
  });
}

}  // namespace tn::cpu
