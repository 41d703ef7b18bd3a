// Softmax / log-softmax and their backward forms on the device; semantics of native/cpu/softmax.cc.
#pragma once
#include "../core/tensor_view.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void softmax(const CudaContext& ctx, const TensorView& x, int dim, bool log, const TensorView& out);
void softmaxGrad(const CudaContext& ctx, const TensorView& grad, const TensorView& y, int dim, bool log,
                 const TensorView& out);

}  // namespace tn::cuda
