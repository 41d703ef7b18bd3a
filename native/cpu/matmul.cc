// Batched SGEMM with optional bias + activation epilogue:
//   out[b] = act(op(A[b]) · op(B[b]) + bias),  op(X) = X or Xᵀ,  A: M×K, B: K×N, out: M×N.
// Layout: row-major with leading dimensions lda/ldb/ldc (see MatmulArgs in core/ops.h).
// Method: the Goto/BLIS scheme — B packed into KC×NR column panels, A into MR×KC row panels,
// an MR×NR register-tiled micro-kernel compiled for AVX-512, AVX2+FMA and baseline x86-64, the
// right one picked at run time (target_clones), so the binary never executes an unsupported
// instruction. Small problems skip packing.
#include <algorithm>
#include <cstring>
#include <vector>

#include "activation.h"
#include "kernels.h"
#include "parallel.h"

namespace tn::cpu {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;
constexpr int64_t KC = 256;
constexpr int64_t MC = 96;  // multiple of MR
constexpr int64_t NC = 2048;  // multiple of NR

#if defined(__x86_64__) && defined(__linux__) && !defined(__clang__)
#define TN_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TN_MULTIVERSION
#endif

typedef float v16 __attribute__((vector_size(64)));

inline float elemA(const MatmulArgs& p, const float* a, int64_t i, int64_t k) {
  return p.transA ? a[k * p.lda + i] : a[i * p.lda + k];
}
inline float elemB(const MatmulArgs& p, const float* b, int64_t k, int64_t j) {
  return p.transB ? b[j * p.ldb + k] : b[k * p.ldb + j];
}

// Packs rows [i0, i0+mc) × cols [k0, k0+kc) of op(A) into MR-row panels, zero-padding the last.
void packA(const MatmulArgs& p, const float* a, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* dst) {
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - ip);
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < MR; ++r)
        *dst++ = r < rows ? elemA(p, a, i0 + ip + r, k0 + k) : 0.0f;
    }
  }
}

// Packs rows [k0, k0+kc) × cols [j0, j0+nc) of op(B) into NR-column panels, zero-padding the last.
void packB(const MatmulArgs& p, const float* b, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
  for (int64_t jp = 0; jp < nc; jp += NR) {
    const int64_t cols = std::min<int64_t>(NR, nc - jp);
    float* panel = dst + jp * kc;
    if (!p.transB && cols == NR) {
      for (int64_t k = 0; k < kc; ++k)
        std::memcpy(panel + k * NR, b + (k0 + k) * p.ldb + j0 + jp, NR * sizeof(float));
      continue;
    }
    for (int64_t k = 0; k < kc; ++k)
      for (int64_t c = 0; c < NR; ++c)
        panel[k * NR + c] = c < cols ? elemB(p, b, k0 + k, j0 + jp + c) : 0.0f;
  }
}

// C tile (rows × cols, row stride ldc) (+)= packedA panel · packedB panel over kc.
TN_MULTIVERSION
void microKernel(int64_t kc, const float* pa, const float* pb, float* c, int64_t ldc, int64_t rows,
                 int64_t cols, bool add) {
  v16 acc[MR];
  for (int r = 0; r < MR; ++r) acc[r] = v16{} ;
  for (int64_t k = 0; k < kc; ++k) {
    v16 bv;
    std::memcpy(&bv, pb + k * NR, sizeof(bv));
    const float* av = pa + k * MR;
    for (int r = 0; r < MR; ++r) acc[r] += av[r] * bv;
  }
  for (int64_t r = 0; r < rows; ++r) {
    float* crow = c + r * ldc;
    float tmp[NR];
    std::memcpy(tmp, &acc[r], sizeof(tmp));
    if (add) {
      for (int64_t j = 0; j < cols; ++j) crow[j] += tmp[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) crow[j] = tmp[j];
    }
  }
}

void epilogueRows(const MatmulArgs& p, float* c, int64_t rows, int64_t j0, int64_t cols) {
  if (!p.bias && p.activation == Activation::None) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* crow = c + r * p.ldc;
    for (int64_t j = 0; j < cols; ++j) {
      float v = crow[j];
      if (p.bias) v += p.bias[j0 + j];
      crow[j] = applyActivation(p.activation, v);
    }
  }
}

// Direct loops for tiny problems, where packing costs more than it saves.
void smallMatmul(const MatmulArgs& p, const float* a, const float* b, float* c) {
  for (int64_t i = 0; i < p.m; ++i) {
    float* crow = c + i * p.ldc;
    for (int64_t j = 0; j < p.n; ++j) {
      float s = 0.0f;
      for (int64_t k = 0; k < p.k; ++k) s += elemA(p, a, i, k) * elemB(p, b, k, j);
      if (p.accumulate) s += crow[j];
      if (p.bias) s += p.bias[j];
      crow[j] = applyActivation(p.activation, s);
    }
  }
}

void packedMatmul(const MatmulArgs& p, const float* a, const float* b, float* c) {
  const int64_t M = p.m, N = p.n, K = p.k;
  std::vector<float> bufB(static_cast<size_t>(KC * std::min<int64_t>(NC, (N + NR - 1) / NR * NR)));
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool add = p.accumulate || pc > 0;
      const bool last = pc + kc >= K;
      const int64_t panels = (nc + NR - 1) / NR;
      parallelFor(panels, 8, [&](int64_t pb, int64_t pe) {
        for (int64_t q = pb; q < pe; ++q) {
          const int64_t cols = std::min<int64_t>(NR, nc - q * NR);
          packB(p, b, pc, kc, jc + q * NR, cols, bufB.data() + q * NR * kc);
        }
      });
      // Work items: MC row blocks × groups of NR panels, so batch-1-like shapes still spread.
      const int64_t mBlocks = (M + MC - 1) / MC;
      const int64_t panelGroup = mBlocks >= maxThreads() ? panels : std::max<int64_t>(1, panels / (2 * maxThreads()));
      const int64_t nGroups = (panels + panelGroup - 1) / panelGroup;
      parallelFor(mBlocks * nGroups, 1, [&](int64_t wb, int64_t we) {
        std::vector<float> bufA(static_cast<size_t>(MC * KC));
        int64_t packedBlock = -1;
        for (int64_t w = wb; w < we; ++w) {
          const int64_t ib = w / nGroups, g = w % nGroups;
          const int64_t ic = ib * MC, mc = std::min(MC, M - ic);
          if (packedBlock != ib) {
            packA(p, a, ic, mc, pc, kc, bufA.data());
            packedBlock = ib;
          }
          const int64_t q0 = g * panelGroup, q1 = std::min(panels, q0 + panelGroup);
          for (int64_t q = q0; q < q1; ++q) {
            const int64_t j = q * NR, cols = std::min<int64_t>(NR, nc - j);
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int64_t rows = std::min<int64_t>(MR, mc - ir);
              float* ctile = c + (ic + ir) * p.ldc + jc + j;
              microKernel(kc, bufA.data() + ir * kc, bufB.data() + q * NR * kc, ctile, p.ldc, rows, cols, add);
            }
            if (last) epilogueRows(p, c + ic * p.ldc + jc + j, mc, jc + j, cols);
          }
        }
      });
    }
  }
}

}  // namespace

void matmul(const MatmulArgs& p) {
  if (p.m == 0 || p.n == 0) return;
  for (int64_t bi = 0; bi < p.batch; ++bi) {
    const float* a = p.a + bi * p.strideA;
    const float* b = p.b + bi * p.strideB;
    float* c = p.out + bi * p.strideC;
    if (p.k == 0) {
      // Empty inner dimension: the product is all zeros (then bias and activation).
      for (int64_t i = 0; i < p.m; ++i) {
        float* crow = c + i * p.ldc;
        for (int64_t j = 0; j < p.n; ++j) {
          const float s = (p.accumulate ? crow[j] : 0.0f) + (p.bias ? p.bias[j] : 0.0f);
          crow[j] = applyActivation(p.activation, s);
        }
      }
    } else if (p.m * p.n * p.k <= 32 * 32 * 32) {
      smallMatmul(p, a, b, c);
    } else {
      packedMatmul(p, a, b, c);
    }
  }
}

}  // namespace tn::cpu
