// The GEMM kernels in portable C++ (any CPU; the fallback below AVX2 and on non-x86 hosts):
// a 4×4 scalar register tile, the scalar activations of activation.h.
#include <cstdint>
#include <type_traits>

#include "activation.h"
#include "gemm.h"

namespace tn::cpu::gemm {
namespace {
#include "gemm_simd.h"
#include "gemm_pack.h"
#include "gemm_microkernel.h"

const Kernels kTable = {
    "generic",
    {4, 4, &Tile<4, 4>::run, &packA<4>, &packB<4>},
    {8, 1, &Tile<8, 1>::run, &packA<8>, &packB<1>},
    &activateRun,
    L,
    &skinnyKernel,
};
}  // namespace

const Kernels* kernelsGeneric() { return &kTable; }
}  // namespace tn::cpu::gemm
