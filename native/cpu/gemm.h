// Internal interface between the SGEMM driver (matmul.cc) and its per-ISA kernels
// (gemm_avx512.cc, gemm_avx2.cc, gemm_generic.cc, all instantiating gemm_microkernel.h).
//
// Every matrix is addressed through two element strides, so one code path serves each
// transpose combination without copies:
//   op(A)[i][k] = a[i*rsA + k*csA]     op(B)[k][j] = b[k*rsB + j*csB]     C[i][j] = c[i*ldc + j]
// Packed operands (Goto/BLIS):
//   A micro-panel: MR rows × kc, k-major:  pa[k*MR + r]   (rows past the edge are zero)
//   B micro-panel: kc × NR cols, k-major:  pb[k*NR + c]   (cols past the edge are zero)
#pragma once
#include <cstdint>

#include "../core/ops.h"

namespace tn::cpu::gemm {

// One register tile: C[rows×cols] (+)= op(A)[rows×kc] · op(B)[kc×cols], then (when `last`)
// + bias and the activation, applied in registers before the store.
struct TileArgs {
  int64_t kc = 0;
  const float* a = nullptr;  // packed panel (rsA = 1, csA = MR) or the matrix itself
  int64_t rsA = 1, csA = 1;
  const float* b = nullptr;  // k-th row of the B panel at b + k*rsB, columns contiguous
  int64_t rsB = 0;
  // b is op(B) stored as Bᵀ and read in place: column j's k-th value at b[j*ldbT + k] (the
  // Linear weight [N, K]; direct path only, A read in place).
  bool transB = false;
  int64_t ldbT = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  int rows = 0, cols = 0;    // valid part of the MR×NR tile
  bool packedA = false;      // a is an MR-row packed panel
  bool paddedB = false;      // b rows hold NR valid floats (packed, zero-padded): full-width loads
  bool loadC = false;        // add the current C (accumulate, or a later K block)
  bool last = false;         // final K block: bias + activation + store
  const float* bias = nullptr;  // bias of column 0 of this tile (nullptr: none)
  Activation act = Activation::None;
  bool deferAct = false;     // `last` adds the bias only; the caller applies `act` afterwards
};

// Skinny products (K and N at most one vector's lanes, A row-major): rows in vector lanes.
//   C[i][j] = act(Σ_k a[i*lda + k] · b[k*rsB + j*csB] + bias[j])
struct SkinnyArgs {
  int64_t m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t rsB = 0, csB = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  const float* bias = nullptr;
  Activation act = Activation::None;
};

struct TileKernel {
  int mr = 0, nr = 0;
  void (*run)(const TileArgs&) = nullptr;
  // Packs op(A) rows [0, rows) × k [0, kc) (from a, strides rsA/csA) into one MR panel.
  void (*packA)(const float* a, int64_t rsA, int64_t csA, int rows, int64_t kc, float* dst) = nullptr;
  // Packs op(B) k [0, kc) × cols [0, cols) (from b, strides rsB/csB) into ceil(cols/NR)
  // consecutive NR panels.
  void (*packB)(const float* b, int64_t rsB, int64_t csB, int64_t kc, int cols, float* dst) = nullptr;
};

struct Kernels {
  const char* isa = "generic";
  TileKernel wide;    // the main tile
  TileKernel narrow;  // for N <= narrow.nr (one vector wide, more rows)

  // x[i] = act(x[i]) over a contiguous run (vectorised; same formulas as the epilogue).
  void (*activate)(float* x, int64_t n, Activation act) = nullptr;
  // K, N <= skinnyMax (the vector width): see SkinnyArgs.
  int skinnyMax = 0;
  void (*skinny)(const SkinnyArgs&) = nullptr;
};

const Kernels* kernelsGeneric();
// The SIMD kernels use GCC's `#pragma GCC target` regions (clang builds get the portable ones).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TN_GEMM_X86 1
const Kernels* kernelsAvx2();
const Kernels* kernelsAvx512();
#endif

// The kernels for this CPU (chosen once) and a way to force a weaker set (tests, benchmarks):
// TENSORNODE_GEMM_ISA=avx512|avx2|generic in the environment at load time.
const Kernels& active();

}  // namespace tn::cpu::gemm
