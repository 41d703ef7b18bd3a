// Reductions over one dimension on the device; semantics of native/cpu/reduce.cc.
#pragma once
#include "../core/ops.h"
#include "../core/tensor_view.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void reduce(const CudaContext& ctx, ReduceOp op, const TensorView& x, int dim, const TensorView& out,
            const TensorView* indices);

}  // namespace tn::cuda
