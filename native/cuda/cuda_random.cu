// Uniform fill from the Philox4x32-10 counter generator (core/philox.h):
//   out[i] = U[low, high) keyed by (seed, offset + i), i = row-major position in out's shape
// (out may be strided), bit-identical to native/cpu/random.cc for the same arguments.
//
// Why the scaling is done here and not inside philoxUniform: nvcc contracts x*(high-low)+low
// into one FMA (one rounding) while the portable x86-64 CPU build rounds the product first, so
// calling philoxUniform(seed, i, low, high) on the device would differ from the CPU in the last
// bit for some elements. philoxUniform(seed, i, 0, 1) is exact (fma(x, 1, 0) == x); the scaling
// then uses __fmul_rn/__fadd_rn, which are never contracted.
#include "../core/philox.h"
#include "cuda_random.cuh"
#include "cuda_strided.cuh"

namespace tn::cuda {
namespace {

struct Uniform {
  float* out;
  uint64_t seed, offset;
  float low, high;
  __device__ void operator()(int64_t i, const int64_t (&off)[1]) const {
    const float x = philoxUniform(seed, offset + static_cast<uint64_t>(i), 0.0f, 1.0f);
    out[off[0]] = __fadd_rn(__fmul_rn(x, high - low), low);
  }
};

}  // namespace

void uniform(const CudaContext& ctx, const TensorView& out, uint64_t seed, uint64_t offset, float low, float high) {
  const TensorView* views[1] = {&out};
  launchElementwise<1>(ctx, views, Uniform{out.f32(), seed, offset, low, high});
}

}  // namespace tn::cuda
