// Operation codes and argument structs shared by every backend. Codes match lib/native-ops.ts.
#pragma once
#include <cstdint>

#include "tensor_view.h"

namespace tn {

enum class UnaryOp : int32_t {
  Neg = 0, Relu = 1, Sigmoid = 2, Tanh = 3, Exp = 4, Log = 5, Abs = 6, Sqrt = 7,
  Square = 8, Reciprocal = 9, Sign = 10, Log1p = 11,
};

// out = f(grad, saved): the backward forms training needs.
enum class UnaryGradOp : int32_t {
  SigmoidGrad = 0,  // saved = sigmoid output y:   grad * y * (1 - y)
  TanhGrad = 1,     // saved = tanh output y:      grad * (1 - y*y)
  ReluGrad = 2,     // saved = relu input x:       x > 0 ? grad : 0
};

enum class BinaryOp : int32_t {
  Add = 0, Sub = 1, Mul = 2, Div = 3, Maximum = 4, Minimum = 5, Pow = 6,
  Eq = 7, Lt = 8, Gt = 9,  // comparisons write 1 or 0 in the output dtype
};

enum class ReduceOp : int32_t { Sum = 0, Mean = 1, Max = 2, Min = 3, Argmax = 4, Argmin = 5 };

enum class Activation : int32_t { None = 0, Sigmoid = 1, Relu = 2, Tanh = 3 };

// out[b] = act(op(a[b]) · op(b[b]) + bias), op = transpose when the flag is set.
// a: [batch, M, K] (or [batch, K, M] when transA), b: [batch, K, N] (or [batch, N, K] when transB),
// out: [batch, M, N] contiguous. Batch stride 0 broadcasts an operand over the batch.
// bias (optional, data == nullptr when absent): [N] contiguous, added to every row.
// A Linear weight packed once into a backend's GEMM layout (owned by a forward plan; see
// Backend::packLinearWeight). Opaque outside the backend that made it.
struct PackedWeight {
  virtual ~PackedWeight() = default;
};

struct MatmulArgs {
  const float* a = nullptr;
  const float* b = nullptr;
  const float* bias = nullptr;
  float* out = nullptr;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t lda = 0, ldb = 0, ldc = 0;           // row strides (elements) of the stored matrices
  int64_t strideA = 0, strideB = 0, strideC = 0;  // batch strides (elements)
  bool transA = false, transB = false;
  bool accumulate = false;  // out += result instead of out = result (bias/activation not allowed then)
  Activation activation = Activation::None;
  // op(B) = Bᵀ already packed by this backend (plans); `b` still points at the weight itself.
  // A backend may ignore it; results are the same either way.
  const PackedWeight* packedB = nullptr;
};

}  // namespace tn
