// Device versions of native/cpu/activation.h, used by the elementwise kernels and the matmul
// epilogue. Same formulas: sigmoid through exp(-|x|) so neither branch overflows (saturating to
// exactly 0 / 1), relu passing NaN through, tanh from the math library.
#pragma once
#include <cuda_runtime.h>

#include "../core/ops.h"

namespace tn::cuda {

__device__ __forceinline__ float sigmoidf(float x) {
  if (x >= 0.0f) {
    const float z = expf(-x);
    return 1.0f / (1.0f + z);
  }
  const float z = expf(x);
  return z / (1.0f + z);
}

__device__ __forceinline__ float reluf(float x) { return x > 0.0f ? x : (x != x ? x : 0.0f); }

__device__ __forceinline__ float applyActivation(Activation act, float v) {
  switch (act) {
    case Activation::Sigmoid: return sigmoidf(v);
    case Activation::Relu: return reluf(v);
    case Activation::Tanh: return tanhf(v);
    default: return v;
  }
}

}  // namespace tn::cuda
