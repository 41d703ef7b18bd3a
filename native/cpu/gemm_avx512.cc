// The GEMM kernels compiled for AVX-512 (F/VL/DQ/BW + FMA): 32 zmm registers, so a 14×32 C tile
// (28 accumulators) plus two B vectors and an A broadcast; masked loads/stores for edges. The
// narrow tile (N <= 16) is 12×16: with A read in place its row offsets then fit in registers.
// Only reached through gemm::active() after the CPU reported AVX-512 support.
#include <cstdint>
#include <type_traits>

#include "activation.h"
#include "gemm.h"

#if defined(TN_GEMM_X86)
#include <immintrin.h>

#ifndef TN_AVX512_MR
#define TN_AVX512_MR 14
#define TN_AVX512_NV 2
#define TN_AVX512_NARROW_MR 12
#endif

#pragma GCC push_options
// GCC 12 flags _mm512_undefined_ps() inside the shuffle intrinsics as maybe-uninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi,bmi2,popcnt")
#define TN_SIMD_AVX512 1

namespace tn::cpu::gemm {
namespace {
#include "gemm_simd.h"
#include "gemm_pack.h"
#include "gemm_microkernel.h"

constexpr int kMR = TN_AVX512_MR, kNR = TN_AVX512_NV * L, kNarrowMR = TN_AVX512_NARROW_MR;
const Kernels kTable = {
    "avx512",
    {kMR, kNR, &Tile<kMR, TN_AVX512_NV>::run, &packA<kMR>, &packB<kNR>},
    {kNarrowMR, L, &Tile<kNarrowMR, 1>::run, &packA<kNarrowMR>, &packB<L>},
    &activateRun,
    L,
    &skinnyKernel,
};
}  // namespace
}  // namespace tn::cpu::gemm

#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace tn::cpu::gemm {
const Kernels* kernelsAvx512() { return &kTable; }
}  // namespace tn::cpu::gemm
#endif
