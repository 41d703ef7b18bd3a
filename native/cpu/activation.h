// Scalar activations shared by the elementwise kernels and the matmul epilogue.
// sigmoid uses exp(-|x|) so that neither branch overflows (PyTorch saturates to exactly 0 / 1).
#pragma once
#include <cmath>

#include "../core/ops.h"

namespace tn::cpu {

inline float sigmoidf(float x) {
  if (x >= 0.0f) {
    const float z = std::exp(-x);
    return 1.0f / (1.0f + z);
  }
  const float z = std::exp(x);
  return z / (1.0f + z);
}

inline float applyActivation(Activation act, float v) {
  switch (act) {
    case Activation::Sigmoid: return sigmoidf(v);
    case Activation::Relu: return v > 0.0f ? v : (v != v ? v : 0.0f);  // NaN passes through, as PyTorch
    case Activation::Tanh: return std::tanh(v);
    default: return v;
  }
}

}  // namespace tn::cpu
