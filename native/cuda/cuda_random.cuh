// Random fills on the device; semantics of native/cpu/random.cc.
#pragma once
#include <cstdint>

#include "../core/tensor_view.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void uniform(const CudaContext& ctx, const TensorView& out, uint64_t seed, uint64_t offset, float low, float high);

}  // namespace tn::cuda
