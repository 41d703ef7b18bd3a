// A strided view of device or host memory: what every kernel receives.
// Kernels never see JS values; the addon layer builds these after checking that every
// element the view can reach lies inside its buffer (see addon/descriptors.cc).
#pragma once
#include <cstdint>

#include "dtype.h"

namespace tn {

constexpr int kMaxDims = 8;

struct TensorView {
  void* data = nullptr;  // address of the view's element 0 (offset already applied)
  DType dtype = DType::Float32;
  int ndim = 0;
  int64_t shape[kMaxDims] = {0};
  int64_t strides[kMaxDims] = {0};  // in elements; 0 marks a broadcast (expanded) dimension

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; ++i) n *= shape[i];
    return n;
  }
  bool isContiguous() const {
    int64_t expected = 1;
    for (int i = ndim - 1; i >= 0; --i) {
      if (shape[i] != 1 && strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }
  float* f32() const { return static_cast<float*>(data); }
  int32_t* i32() const { return static_cast<int32_t*>(data); }
};

// Strided index walking shared by the host kernels: element i of a row-major enumeration
// of `shape` maps to this many elements from data.
inline int64_t stridedOffset(const TensorView& v, int64_t linear) {
  int64_t off = 0;
  for (int d = v.ndim - 1; d >= 0; --d) {
    const int64_t s = v.shape[d];
    off += (linear % s) * v.strides[d];
    linear /= s;
  }
  return off;
}

}  // namespace tn
