// The GEMM kernels compiled for AVX2 + FMA: 16 ymm registers, so a 6×16 C tile (12
// accumulators) plus two B vectors and an A broadcast. Only reached through gemm::active()
// after the CPU reported AVX2 and FMA.
#include <cstdint>
#include <type_traits>

#include "activation.h"
#include "gemm.h"

#if defined(TN_GEMM_X86)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi,bmi2,popcnt")
#define TN_SIMD_AVX2 1

namespace tn::cpu::gemm {
namespace {
#include "gemm_simd.h"
#include "gemm_pack.h"
#include "gemm_microkernel.h"

const Kernels kTable = {
    "avx2",
    {6, 16, &Tile<6, 2>::run, &packA<6>, &packB<16>},
    {12, 8, &Tile<12, 1>::run, &packA<12>, &packB<8>},
    &activateRun,
    L,
    &skinnyKernel,
};
}  // namespace
}  // namespace tn::cpu::gemm

#pragma GCC pop_options

namespace tn::cpu::gemm {
const Kernels* kernelsAvx2() { return &kTable; }
}  // namespace tn::cpu::gemm
#endif
