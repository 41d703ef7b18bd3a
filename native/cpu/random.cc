// Uniform fill from the Philox counter generator (core/philox.h): out[i] = U[low, high) keyed by
// (seed, offset + i), identical to the CUDA kernel for the same arguments.
#include "../core/philox.h"
#include "kernels.h"
#include "parallel.h"

namespace tn::cpu {

void uniform(const TensorView& out, uint64_t seed, uint64_t offset, float low, float high) {
  const int64_t n = out.numel();
  float* o = out.f32();
  parallelFor(n, 65536, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      o[stridedOffset(out, i)] = philoxUniform(seed, offset + static_cast<uint64_t>(i), low, high);
  });
}

}  // namespace tn::cpu
