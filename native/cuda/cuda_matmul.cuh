// Batched SGEMM with bias + activation epilogue on the device; semantics of native/cpu/matmul.cc.
#pragma once
#include "../core/ops.h"
#include "cuda_common.cuh"

namespace tn::cuda {

void matmul(const CudaContext& ctx, const MatmulArgs& args);

}  // namespace tn::cuda
