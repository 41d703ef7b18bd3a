// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator, so element i of a fill depends only on (seed, offset + i) and the
// CPU and CUDA backends produce bit-identical values in any thread order.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define TN_HOST_DEVICE __host__ __device__
#else
#define TN_HOST_DEVICE
#endif

namespace tn {

struct Philox4 { uint32_t v[4]; };

TN_HOST_DEVICE inline uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  return static_cast<uint32_t>(p);
}

TN_HOST_DEVICE inline Philox4 philox4x32(uint64_t counter, uint64_t seed) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = mulhilo(0xD2511F53u, c0, &hi0);
    const uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, &hi1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Philox4{{c0, c1, c2, c3}};
}

// Uniform float in [low, high) for element `index`: 24 random bits, as PyTorch's float rule.
TN_HOST_DEVICE inline float philoxUniform(uint64_t seed, uint64_t index, float low, float high) {
  const Philox4 r = philox4x32(index >> 2, seed);
  const uint32_t bits = r.v[index & 3];
  const float x = static_cast<float>(bits & 0xFFFFFFu) * (1.0f / 16777216.0f);
  return x * (high - low) + low;
}

}  // namespace tn
