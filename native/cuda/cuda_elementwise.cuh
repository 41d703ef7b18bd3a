// Elementwise ops on the device; semantics of native/cpu/elementwise.cc.
#pragma once
#include "../core/ops.h"
#include "../core/tensor_view.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void unary(const CudaContext& ctx, UnaryOp op, const TensorView& x, const TensorView& out);
void unaryGrad(const CudaContext& ctx, UnaryGradOp op, const TensorView& grad, const TensorView& saved,
               const TensorView& out);
void binary(const CudaContext& ctx, BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out);
void affine(const CudaContext& ctx, const TensorView& x, double alpha, double beta, const TensorView& out);

}  // namespace tn::cuda
