// Batched SGEMM with a fused bias + activation epilogue — the driver:
//   out[b] = act(op(A[b]) · op(B[b]) + bias),  op(X) = X or Xᵀ,  A: M×K, B: K×N, out: M×N.
// Layout: row-major with leading dimensions lda/ldb/ldc (MatmulArgs in core/ops.h); each
// transpose combination is just a pair of element strides (gemm.h), never a copy.
//
// Method (Goto/BLIS): B is packed into kc×NR column panels shared by the team, A into MR×kc
// row panels per thread, and an MR×NR register-tiled micro-kernel (gemm_microkernel.h)
// accumulates one C tile with bias and activation applied in registers before the store.
// The micro-kernel is compiled for AVX-512, AVX2+FMA and portable C++ and picked once at run
// time from the CPU's feature bits (gemm::active), so the binary runs on any x86-64.
// Small problems skip what they do not need:
//   * K = 0: bias/activation only;
//   * M <= 4 with B stored as Bᵀ (Linear weights, batch 1): dot products along K, no packing;
//   * M <= MR with B row-major: the micro-kernel reads A and B in place, no packing;
//   * tiny K with A row-major: A read in place, only B (small) packed;
//   * narrow outputs (N <= one vector): a taller one-vector tile.
// Threads come from parallel.h's process-wide budget; the team splits rows of C when there
// are enough, columns otherwise, and independent small batch items across threads.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "activation.h"
#include "gemm.h"
#include "kernels.h"
#include "parallel.h"

namespace tn::cpu {
namespace gemm {

const Kernels& active() {
  static const Kernels* chosen = [] {
    const char* force = std::getenv("TENSORNODE_GEMM_ISA");
    const std::string want = force ? force : "";
#if defined(TN_GEMM_X86)
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
    const bool has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (want == "generic") return kernelsGeneric();
    if (want == "avx2") return has2 ? kernelsAvx2() : kernelsGeneric();
    if (has512) return kernelsAvx512();
    if (has2) return kernelsAvx2();
#endif
    return kernelsGeneric();
  }();
  return *chosen;
}

}  // namespace gemm

namespace {
using gemm::DotArgs;
using gemm::Kernels;
using gemm::TileArgs;
using gemm::TileKernel;

// Blocking (floats). KC × NR of packed B stays in L1 while MC × KC of packed A streams from L2;
// KC × NC of packed B lives in L2/L3 and is shared by the team.
#ifdef TN_GEMM_TUNING
const int64_t KC = std::getenv("KC") ? std::atoi(std::getenv("KC")) : 256;
const int64_t MC_TARGET = std::getenv("MC") ? std::atoi(std::getenv("MC")) : 224;
const int64_t NC = std::getenv("NC") ? std::atoi(std::getenv("NC")) : 4096;
#else
constexpr int64_t KC = 256;
constexpr int64_t MC_TARGET = 224;
constexpr int64_t NC = 4096;
#endif
// Below this many flops a product runs on one thread (a team fork/join costs ~1-3 µs).
constexpr double kFlopsPerThread = 1 << 19;

struct Problem {
  int64_t m, n, k;
  const float* a;
  int64_t rsA, csA;  // op(A)[i][k] = a[i*rsA + k*csA]
  const float* b;
  int64_t rsB, csB;  // op(B)[k][j] = b[k*rsB + j*csB]
  float* c;
  int64_t ldc;
  const float* bias;
  Activation act;
  bool accumulate;
};

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }
inline void split(int64_t n, int t, int nt, int64_t& b, int64_t& e) {
  b = n * t / nt;
  e = n * (t + 1) / nt;
}

// One 64-byte aligned, grow-only scratch area per calling thread (no allocation per call once
// warm). Allocated before any team starts, so a failure throws on the caller's thread.
float* workspace(size_t floats) {
  struct Buf {
    float* p = nullptr;
    size_t cap = 0;
    ~Buf() { std::free(p); }
  };
  thread_local Buf buf;
  if (floats > buf.cap) {
    std::free(buf.p);
    buf.p = nullptr;
    buf.cap = 0;
    const size_t cap = (floats + 4095) & ~size_t(4095);
    void* p = std::aligned_alloc(64, cap * sizeof(float));
    if (!p) throw std::bad_alloc();
    buf.p = static_cast<float*>(p);
    buf.cap = cap;
  }
  return buf.p;
}

int threadsFor(double flops) {
  const int t = static_cast<int>(std::min<double>(maxThreads(), std::max(1.0, flops / kFlopsPerThread)));
  return std::max(1, t);
}

enum class Path { Empty, Dot, Direct, Packed };

struct Plan {
  Path path = Path::Packed;
  const TileKernel* tile = nullptr;
  bool directA = false;  // packed path: A read in place
  int64_t mc = 0, kcMax = 0, ncMax = 0;
  size_t bFloats = 0, aFloats = 0;  // workspace: shared B block, A block per thread
  size_t workspace(int threads) const { return bFloats + aFloats * threads; }
};

Plan plan(const Kernels& ks, const Problem& P) {
  Plan pl;
  if (P.k == 0) {
    pl.path = Path::Empty;
    return pl;
  }
  pl.tile = P.n <= ks.narrow.nr ? &ks.narrow : &ks.wide;
  const int MR = pl.tile->mr, NR = pl.tile->nr;
  if (P.m <= 4 && P.rsB == 1 && P.csB != 1 && P.csA == 1) {
    pl.path = Path::Dot;
    return pl;
  }
  if (P.m <= MR && (P.csB == 1 || P.n == 1)) {
    pl.path = Path::Direct;
    return pl;
  }
  pl.path = Path::Packed;
  pl.kcMax = std::min(KC, P.k);
  pl.ncMax = std::min(NC, roundUp(P.n, NR));
  pl.directA = P.csA == 1 && P.k <= KC && P.rsA <= 64;
  pl.mc = std::max<int64_t>(MR, MC_TARGET / MR * MR);
  pl.bFloats = static_cast<size_t>(roundUp(pl.kcMax * pl.ncMax, 16));
  pl.aFloats = pl.directA ? 0 : static_cast<size_t>(roundUp(std::min(pl.mc, roundUp(P.m, MR)) * pl.kcMax, 16));
  return pl;
}

// ---- K = 0: C = act(C_or_0 + bias) ----
void emptyProduct(const Kernels& ks, const Problem& P) {
  for (int64_t i = 0; i < P.m; ++i) {
    float* crow = P.c + i * P.ldc;
    for (int64_t j = 0; j < P.n; ++j) crow[j] = (P.accumulate ? crow[j] : 0.0f) + (P.bias ? P.bias[j] : 0.0f);
    ks.activate(crow, P.n, P.act);
  }
}

// ---- M <= 4, B stored as Bᵀ: dot products, columns split over the team ----
void dotProduct(const Kernels& ks, const Problem& P, int threads) {
  auto run = [&](int64_t j0, int64_t j1) {
    DotArgs d;
    d.m = P.m; d.n = j1 - j0; d.k = P.k;
    d.a = P.a; d.lda = P.rsA;
    d.w = P.b + j0 * P.csB; d.ldw = P.csB;
    d.c = P.c + j0; d.ldc = P.ldc;
    d.loadC = P.accumulate;
    d.bias = P.bias ? P.bias + j0 : nullptr;
    d.act = P.act;
    ks.dot(d);
  };
  if (threads <= 1) return run(0, P.n);
  const int64_t chunks = ceilDiv(P.n, 16);
  parallelFor(chunks, 1, [&](int64_t b, int64_t e) { run(b * 16, std::min(P.n, e * 16)); });
}

inline void fillTile(TileArgs& t, const Problem& P, int64_t i, int64_t j, int rows, int cols) {
  t.c = P.c + i * P.ldc + j;
  t.ldc = P.ldc;
  t.rows = rows;
  t.cols = cols;
  t.bias = P.bias ? P.bias + j : nullptr;
  t.act = P.act;
}

// ---- M <= MR, B row-major: the micro-kernel reads A and B in place ----
void directProduct(const TileKernel& T, const Problem& P, int threads) {
  const int NR = T.nr;
  const int64_t panels = ceilDiv(P.n, NR);
  auto run = [&](int64_t q0, int64_t q1) {
    TileArgs t;
    t.kc = P.k;
    t.a = P.a; t.rsA = P.rsA; t.csA = P.csA; t.packedA = false;
    t.rsB = P.rsB; t.paddedB = false;
    t.loadC = P.accumulate;
    t.last = true;
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t j = q * NR;
      t.b = P.b + j * P.csB;
      fillTile(t, P, 0, j, static_cast<int>(P.m), static_cast<int>(std::min<int64_t>(NR, P.n - j)));
      T.run(t);
    }
  };
  if (threads <= 1) return run(0, panels);
  parallelFor(panels, 1, run);
}

// ---- the packed Goto/BLIS product ----
void packedProduct(const Plan& pl, const Problem& P, int want, float* ws) {
  const TileKernel& T = *pl.tile;
  const int MR = T.mr, NR = T.nr;
  const int64_t M = P.m, N = P.n, K = P.k;
  float* bufB = ws;
  parallelTeam(want, [&](int tid, int nt) {
    float* bufA = ws + pl.bFloats + pl.aFloats * tid;
    TileArgs t;
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = std::min(NC, N - jc);
      const int64_t panels = ceilDiv(nc, NR);
      const int64_t mTiles = ceilDiv(M, MR);
      // Split rows when they balance at least as well as columns: B is then packed once for all.
      const bool byRows = nt == 1 || ceilDiv(mTiles, nt) * panels <= ceilDiv(panels, nt) * mTiles;
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = std::min(KC, K - pc);
        // Pack this K×N block of B, each thread a share of the panels.
        if (nt > 1 && (jc > 0 || pc > 0)) teamBarrier();  // everyone is done with the previous block
        int64_t q0, q1;
        split(panels, tid, nt, q0, q1);
        for (int64_t q = q0; q < q1; ++q) {
          const int64_t j = jc + q * NR;
          T.packB(P.b + pc * P.rsB + j * P.csB, P.rsB, P.csB, kc, static_cast<int>(std::min<int64_t>(NR, N - j)),
                  bufB + q * NR * kc);
        }
        if (nt > 1) teamBarrier();
        // This thread's rows and columns of C.
        int64_t i0 = 0, i1 = M, p0 = 0, p1 = panels;
        if (byRows) {
          int64_t t0, t1;
          split(mTiles, tid, nt, t0, t1);
          i0 = t0 * MR;
          i1 = std::min(M, t1 * MR);
        } else {
          split(panels, tid, nt, p0, p1);
        }
        t.kc = kc;
        t.rsB = NR;
        t.paddedB = true;
        t.loadC = P.accumulate || pc > 0;
        t.last = pc + kc >= K;
        for (int64_t ic = i0; ic < i1; ic += pl.mc) {
          const int64_t mc = std::min(pl.mc, i1 - ic);
          if (!pl.directA)
            for (int64_t ir = 0; ir < mc; ir += MR)
              T.packA(P.a + (ic + ir) * P.rsA + pc * P.csA, P.rsA, P.csA, static_cast<int>(std::min<int64_t>(MR, mc - ir)),
                      kc, bufA + ir * kc);
          for (int64_t q = p0; q < p1; ++q) {
            const int64_t j = q * NR;
            const int cols = static_cast<int>(std::min<int64_t>(NR, nc - j));
            t.b = bufB + q * NR * kc;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              if (pl.directA) {
                t.a = P.a + (ic + ir) * P.rsA;
                t.rsA = P.rsA;
                t.csA = P.csA;
                t.packedA = false;
              } else {
                t.a = bufA + ir * kc;
                t.packedA = true;
              }
              fillTile(t, P, ic + ir, jc + j, static_cast<int>(std::min<int64_t>(MR, mc - ir)), cols);
              T.run(t);
            }
          }
        }
      }
    }
  });
}

void runProblem(const Kernels& ks, const Plan& pl, const Problem& P, int threads, float* ws) {
  switch (pl.path) {
    case Path::Empty: return emptyProduct(ks, P);
    case Path::Dot: return dotProduct(ks, P, threads);
    case Path::Direct: return directProduct(*pl.tile, P, threads);
    case Path::Packed: return packedProduct(pl, P, threads, ws);
  }
}

}  // namespace

void matmul(const MatmulArgs& p) {
  if (p.m == 0 || p.n == 0 || p.batch == 0) return;
  const Kernels& ks = gemm::active();
  Problem P;
  P.m = p.m; P.n = p.n; P.k = p.k;
  P.rsA = p.transA ? 1 : p.lda;
  P.csA = p.transA ? p.lda : 1;
  P.rsB = p.transB ? 1 : p.ldb;
  P.csB = p.transB ? p.ldb : 1;
  P.ldc = p.ldc;
  P.bias = p.bias;
  P.act = p.activation;
  P.accumulate = p.accumulate;
  int64_t batch = p.batch;
  // A shared B with A and C stacked row after row is one tall product.
  if (batch > 1 && p.strideB == 0 && !p.transA && p.strideA == p.m * p.lda && p.strideC == p.m * p.ldc) {
    P.m *= batch;
    batch = 1;
  }
  const Plan pl = plan(ks, P);
  const double flops = 2.0 * double(P.m) * double(P.n) * double(std::max<int64_t>(P.k, 1));
  // Memory-bound paths (Dot/Direct) stream B once: count its bytes too.
  const double work = pl.path == Path::Packed ? flops : flops + 8.0 * double(P.n) * double(P.k);
  const int itemThreads = threadsFor(work);
  if (batch > 1 && itemThreads < maxThreads()) {
    // Small independent items: one per thread.
    const int team = static_cast<int>(std::min<int64_t>(batch, maxThreads()));
    const size_t per = pl.workspace(1);
    float* ws = per ? workspace(per * team) : nullptr;
    parallelTeam(static_cast<int>(std::min<double>(team, threadsFor(work * double(batch)))), [&](int tid, int nt) {
      int64_t b0, b1;
      split(batch, tid, nt, b0, b1);
      Problem Q = P;
      for (int64_t bi = b0; bi < b1; ++bi) {
        Q.a = p.a + bi * p.strideA;
        Q.b = p.b + bi * p.strideB;
        Q.c = p.out + bi * p.strideC;
        runProblem(ks, pl, Q, 1, ws ? ws + per * tid : nullptr);
      }
    });
    return;
  }
  const size_t wsFloats = pl.workspace(itemThreads);
  float* ws = wsFloats ? workspace(wsFloats) : nullptr;
  for (int64_t bi = 0; bi < batch; ++bi) {
    P.a = p.a + bi * p.strideA;
    P.b = p.b + bi * p.strideB;
    P.c = p.out + bi * p.strideC;
    runProblem(ks, pl, P, itemThreads, ws);
  }
}

}  // namespace tn::cpu
