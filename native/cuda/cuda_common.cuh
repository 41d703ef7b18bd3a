// What every CUDA op file shares: the per-device context handed to each entry point (the one
// stream all work goes to), launch-geometry helpers that never produce a 0-block grid, and the
// warp/block reductions used by reduce and softmax.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "cuda_check.cuh"

namespace tn::cuda {

// Handed by CudaBackend to every op entry point.
struct CudaContext {
  cudaStream_t stream = nullptr;  // the device's one non-blocking stream; every kernel goes here
  int smCount = 1;                // multiprocessors, for grid sizing
};

constexpr int kWarpSize = 32;
constexpr int kElementwiseBlock = 256;  // threads per block of the grid-stride elementwise kernels
constexpr int kBlocksPerSmCap = 16;     // grid-stride kernels launch at most this many blocks per SM

// Blocks for `work` items at `perBlock` items per block, capped (the kernels loop over the rest).
// Callers return before launching when work == 0, so this is always >= 1.
inline unsigned int gridFor(const CudaContext& ctx, int64_t work, int64_t perBlock) {
  const int64_t want = (work + perBlock - 1) / perBlock;
  const int64_t cap = static_cast<int64_t>(std::max(ctx.smCount, 1)) * kBlocksPerSmCap;
  return static_cast<unsigned int>(std::max<int64_t>(1, std::min(want, cap)));
}

// Lane exchange for groupReduce; op files add overloads for their own structs (found by ADL).
template <class T>
__device__ __forceinline__ T shflXor(T v, int laneMask) {
  return __shfl_xor_sync(0xffffffffu, v, laneMask);
}

// Combines `v` over GROUP consecutive threads (GROUP = 1, a power of two <= 32, or the whole
// block); every thread of the group gets the result. The order of combination is fixed, so
// results are deterministic. `scratch` needs blockDim.x / 32 elements when GROUP > 32; a block-wide
// call must be reached by all threads of the block.
template <int GROUP, class T, class Op>
__device__ __forceinline__ T groupReduce(T v, Op op, T* scratch) {
  if constexpr (GROUP > 1) {
    constexpr int kWarpGroup = GROUP < kWarpSize ? GROUP : kWarpSize;
#pragma unroll
    for (int o = kWarpGroup / 2; o > 0; o >>= 1) v = op(v, shflXor(v, o));
  }
  if constexpr (GROUP > kWarpSize) {
    constexpr int kWarps = GROUP / kWarpSize;
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    __syncthreads();  // the previous call's readers are done with scratch
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = scratch[0];
#pragma unroll
    for (int w = 1; w < kWarps; ++w) v = op(v, scratch[w]);
  }
  return v;
}

}  // namespace tn::cuda
