// Data movement on the device; semantics of native/cpu/copy_fill.cc.
#pragma once
#include <cstdint>

#include "../core/tensor_view.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void fill(const CudaContext& ctx, const TensorView& out, double value);
void copy(const CudaContext& ctx, const TensorView& src, const TensorView& dst);
void oneHot(const CudaContext& ctx, const TensorView& indices, int64_t numClasses, const TensorView& out);

}  // namespace tn::cuda
