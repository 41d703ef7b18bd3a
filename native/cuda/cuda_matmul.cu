// Batched SGEMM with optional bias + activation epilogue, the CUDA twin of native/cpu/matmul.cc:
//   out[b] = act(op(A[b]) · op(B[b]) + bias)        (or out[b] += op(A[b]) · op(B[b]) when accumulate)
//   op(A)(i,k) = transA ? a[k*lda + i] : a[i*lda + k]    A[b] = a + b*strideA  (strideA 0 = broadcast)
//   op(B)(k,j) = transB ? b[j*ldb + k] : b[k*ldb + j]    out[b](i,j) = out[b*strideC + i*ldc + j]
// M×K times K×N; K == 0 gives act(bias) (or leaves out unchanged when accumulating), as the CPU.
//
// Kernels:
//  - sgemmTiled: a BM×BN block tile per 256-thread block, BK-deep slices of A and B staged in
//    double-buffered shared memory (the next slice is fetched into registers while the current one
//    is multiplied, so global latency hides behind the FMAs; one __syncthreads per slice), and a
//    TM×TN register micro-tile per thread fed by float4 shared-memory reads. Global loads are
//    float4 when the operand is 16-byte aligned with ld and batch stride multiples of 4, and
//    fall back to guarded scalar loads (zero-filled past the edges) otherwise. The epilogue
//    stages C through shared memory for coalesced, guarded stores. All four
//    transpose combinations are template instances. Two shapes: 128×128×8 with 8×8 per thread
//    for large problems, 64×64×16 with 4×4 per thread when 128-tiles would not fill the GPU.
//  - sgemmWarpPerOutput: one warp per output element reducing over K with shuffles, for tiny
//    outputs (batch-1 MLP layers) and for GEMV-like x·Wᵀ with a handful of rows.
// Index products are 64-bit throughout; grids larger than 65535 in y (row tiles) or z (batch)
// are split into several launches.
#include <cstdint>

#include "cuda_activation.cuh"
#include "cuda_matmul.cuh"

namespace tn::cuda {
namespace {

constexpr int kGemmThreads = 256;
constexpr int kGemmMinBlocksPerSm = 2;      // caps registers at 128/thread so two 128x128 blocks share an SM
constexpr int kSmemPad = 4;                 // floats appended to each shared row: fewer bank conflicts, rows stay 16-byte aligned
constexpr int kSmallThreads = 256;          // 8 warps = 8 outputs per block
constexpr int64_t kSmallMaxOutputs = 4096;  // batch*M*N up to this goes to the warp-per-output kernel
constexpr int64_t kGemvMaxRows = 4;         // ... and so does x·Wᵀ (transB) with batch*M up to this
constexpr int64_t kMaxGridYZ = 65535;

struct GemmParams {
  MatmulArgs p;
  bool vecA = false, vecB = false;  // float4 global loads are aligned for this operand
  int64_t rowTileBase = 0;                        // first row tile / batch of this launch
  int64_t batchBase = 0;
};

__device__ __forceinline__ float finish(const MatmulArgs& p, float sum, float old, int64_t j) {
  float v = sum;
  if (p.accumulate) v += old;
  if (p.bias) v += p.bias[j];
  return applyActivation(p.activation, v);
}

// Elements (r, c..c+3) of a row-major rows×cols matrix with leading dimension ld, zero where
// outside it. Only in-range elements are dereferenced.
__device__ __forceinline__ float4 loadQuad(const float* __restrict__ base, int64_t ld, int64_t r, int64_t c,
                                           int64_t rows, int64_t cols, bool vec) {
  float4 q = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
  if (r < rows) {
    const float* src = base + r * ld + c;
    if (vec && c + 3 < cols) {
      q = *reinterpret_cast<const float4*>(src);
    } else {
      if (c < cols) q.x = src[0];
      if (c + 1 < cols) q.y = src[1];
      if (c + 2 < cols) q.z = src[2];
      if (c + 3 < cols) q.w = src[3];
    }
  }
  return q;
}

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
static __global__ void __launch_bounds__(kGemmThreads, kGemmMinBlocksPerSm) sgemmTiled(const GemmParams g) {
  constexpr int kThreadsX = BN / TN, kThreadsY = BM / TM;
  static_assert(kThreadsX * kThreadsY == kGemmThreads, "one thread per micro-tile");
  static_assert(TM % 4 == 0 && TN % 4 == 0 && BK % 4 == 0, "fragments and loads move float4s");
  constexpr int kQuadsA = BM * BK / 4 / kGemmThreads;  // float4 loads per thread per slice
  constexpr int kQuadsB = BN * BK / 4 / kGemmThreads;
  static_assert(kQuadsA >= 1 && kQuadsA * 4 * kGemmThreads == BM * BK, "A slice splits evenly");
  static_assert(kQuadsB >= 1 && kQuadsB * 4 * kGemmThreads == BN * BK, "B slice splits evenly");
  constexpr int kLdA = BM + kSmemPad, kLdB = BN + kSmemPad;
  // A thread's micro-tile is TM/4 groups of 4 rows, kSpanM apart (and likewise columns), so a
  // warp's float4 fragment reads hit consecutive shared addresses.
  constexpr int kSpanM = kThreadsY * 4, kSpanN = kThreadsX * 4;

  // The epilogue stages the C tile through shared memory kEpiRows rows at a time: each thread
  // owns kEpiRowsPerThread of its rows per round.
  constexpr int kMainFloats = 2 * BK * kLdA + 2 * BK * kLdB;
  // As many rows per thread and round as fit in the main loop's shared memory.
  constexpr int kEpiRowsPerThread = kThreadsY * 4 * BN <= kMainFloats ? 4 : (kThreadsY * 2 * BN <= kMainFloats ? 2 : 1);
  constexpr int kEpiRows = kThreadsY * kEpiRowsPerThread;
  constexpr int kSmemFloats = kMainFloats > kEpiRows * BN ? kMainFloats : kEpiRows * BN;
  static_assert(4 % kEpiRowsPerThread == 0, "rounds split a thread's groups of 4 rows");

  // Shared tiles are k-major: As[buf][k][m], Bs[buf][k][n]; the epilogue reuses the space.
  __shared__ __align__(16) float smem[kSmemFloats];
  float (*As)[BK][kLdA] = reinterpret_cast<float (*)[BK][kLdA]>(smem);
  float (*Bs)[BK][kLdB] = reinterpret_cast<float (*)[BK][kLdB]>(smem + 2 * BK * kLdA);
  float* epi = smem;  // [kEpiRows][BN]

  const MatmulArgs& p = g.p;
  const int64_t M = p.m, N = p.n, K = p.k;
  const int64_t batch = g.batchBase + blockIdx.z;
  const int64_t row0 = (g.rowTileBase + blockIdx.y) * BM;
  const int64_t col0 = static_cast<int64_t>(blockIdx.x) * BN;
  const float* __restrict__ A = p.a + batch * p.strideA;
  const float* __restrict__ B = p.b + batch * p.strideB;
  const int t = threadIdx.x;
  const int tx = t % kThreadsX, ty = t / kThreadsX;

  // Global -> registers for the slice starting at k0. Stored A is M×K (TA: K×M), stored B is K×N
  // (TB: N×K); each quad is 4 neighbours along the stored row.
  auto loadA = [&](int64_t k0, float4 (&r)[kQuadsA]) {
#pragma unroll
    for (int q = 0; q < kQuadsA; ++q) {
      const int idx = t + q * kGemmThreads;
      if constexpr (!TA) {
        const int tm = idx / (BK / 4), tk = (idx % (BK / 4)) * 4;
        r[q] = loadQuad(A, p.lda, row0 + tm, k0 + tk, M, K, g.vecA);
      } else {
        const int tk = idx / (BM / 4), tm = (idx % (BM / 4)) * 4;
        r[q] = loadQuad(A, p.lda, k0 + tk, row0 + tm, K, M, g.vecA);
      }
    }
  };
  auto loadB = [&](int64_t k0, float4 (&r)[kQuadsB]) {
#pragma unroll
    for (int q = 0; q < kQuadsB; ++q) {
      const int idx = t + q * kGemmThreads;
      if constexpr (!TB) {
        const int tk = idx / (BN / 4), tn = (idx % (BN / 4)) * 4;
        r[q] = loadQuad(B, p.ldb, k0 + tk, col0 + tn, K, N, g.vecB);
      } else {
        const int tn = idx / (BK / 4), tk = (idx % (BK / 4)) * 4;
        r[q] = loadQuad(B, p.ldb, col0 + tn, k0 + tk, N, K, g.vecB);
      }
    }
  };
  // Registers -> shared buffer `buf`: a quad along k is scattered down a column, a quad along
  // m / n is one float4 store.
  auto storeA = [&](int buf, const float4 (&r)[kQuadsA]) {
#pragma unroll
    for (int q = 0; q < kQuadsA; ++q) {
      const int idx = t + q * kGemmThreads;
      if constexpr (!TA) {
        const int tm = idx / (BK / 4), tk = (idx % (BK / 4)) * 4;
        As[buf][tk + 0][tm] = r[q].x;
        As[buf][tk + 1][tm] = r[q].y;
        As[buf][tk + 2][tm] = r[q].z;
        As[buf][tk + 3][tm] = r[q].w;
      } else {
        const int tk = idx / (BM / 4), tm = (idx % (BM / 4)) * 4;
        *reinterpret_cast<float4*>(&As[buf][tk][tm]) = r[q];
      }
    }
  };
  auto storeB = [&](int buf, const float4 (&r)[kQuadsB]) {
#pragma unroll
    for (int q = 0; q < kQuadsB; ++q) {
      const int idx = t + q * kGemmThreads;
      if constexpr (!TB) {
        const int tk = idx / (BN / 4), tn = (idx % (BN / 4)) * 4;
        *reinterpret_cast<float4*>(&Bs[buf][tk][tn]) = r[q];
      } else {
        const int tn = idx / (BK / 4), tk = (idx % (BK / 4)) * 4;
        Bs[buf][tk + 0][tn] = r[q].x;
        Bs[buf][tk + 1][tn] = r[q].y;
        Bs[buf][tk + 2][tn] = r[q].z;
        Bs[buf][tk + 3][tn] = r[q].w;
      }
    }
  };

  float acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;

  float4 ra[kQuadsA], rb[kQuadsB];
  const int64_t slices = (K + BK - 1) / BK;  // 0 when K == 0: straight to the epilogue
  if (slices > 0) {
    loadA(0, ra);
    loadB(0, rb);
    storeA(0, ra);
    storeB(0, rb);
    __syncthreads();
  }
  // Buffer `cur` holds slice s. While it is multiplied, slice s+1 travels global -> registers,
  // then registers -> buffer cur^1. That buffer was last read during slice s-1, and every thread
  // finished those reads before the __syncthreads that ended iteration s-1, so one barrier per
  // slice suffices; the barrier at the end of iteration s publishes buffer cur^1 for slice s+1.
  for (int64_t s = 0; s < slices; ++s) {
    const int cur = static_cast<int>(s & 1);
    const bool more = s + 1 < slices;
    if (more) {
      loadA((s + 1) * BK, ra);
      loadB((s + 1) * BK, rb);
    }
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      float fa[TM], fb[TN];
#pragma unroll
      for (int gi = 0; gi < TM / 4; ++gi) {
        const float4 v = *reinterpret_cast<const float4*>(&As[cur][kk][gi * kSpanM + ty * 4]);
        fa[gi * 4 + 0] = v.x;
        fa[gi * 4 + 1] = v.y;
        fa[gi * 4 + 2] = v.z;
        fa[gi * 4 + 3] = v.w;
      }
#pragma unroll
      for (int gj = 0; gj < TN / 4; ++gj) {
        const float4 v = *reinterpret_cast<const float4*>(&Bs[cur][kk][gj * kSpanN + tx * 4]);
        fb[gj * 4 + 0] = v.x;
        fb[gj * 4 + 1] = v.y;
        fb[gj * 4 + 2] = v.z;
        fb[gj * 4 + 3] = v.w;
      }
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(fa[i], fb[j], acc[i][j]);
    }
    if (more) {
      storeA(cur ^ 1, ra);
      storeB(cur ^ 1, rb);
    }
    __syncthreads();
  }

  // Epilogue in rounds: the unrolled part only moves registers into shared memory, then one
  // (not unrolled) loop applies accumulate/bias/activation with coalesced global reads and
  // writes. Keeping finish() out of the unrolled code keeps one copy of the activation code
  // instead of one per accumulator (that had made each kernel ~450 KB of SASS).
  // acc[gi*4 + r][gj*4 + c] is tile element (gi*kSpanM + ty*4 + r, gj*kSpanN + tx*4 + c). Round
  // (gi, rb) holds rows gi*kSpanM + ty'*4 + rb*kEpiRowsPerThread + rr at epi row ty'*kEpiRowsPerThread + rr.
  // The barrier that ended the main loop (or none, when K == 0 and smem was never used) lets the
  // first round overwrite the A/B tiles.
  float* __restrict__ C = p.out + batch * p.strideC;
#pragma unroll
  for (int gi = 0; gi < TM / 4; ++gi) {
#pragma unroll
    for (int rb = 0; rb < 4 / kEpiRowsPerThread; ++rb) {
#pragma unroll
      for (int rr = 0; rr < kEpiRowsPerThread; ++rr) {
        const int r = rb * kEpiRowsPerThread + rr;
#pragma unroll
        for (int gj = 0; gj < TN / 4; ++gj) {
          *reinterpret_cast<float4*>(&epi[(ty * kEpiRowsPerThread + rr) * BN + gj * kSpanN + tx * 4]) =
              make_float4(acc[gi * 4 + r][gj * 4 + 0], acc[gi * 4 + r][gj * 4 + 1], acc[gi * 4 + r][gj * 4 + 2],
                          acc[gi * 4 + r][gj * 4 + 3]);
        }
      }
      __syncthreads();
#pragma unroll 1
      for (int e = t; e < kEpiRows * BN; e += kGemmThreads) {
        const int er = e / BN, ec = e % BN;
        const int64_t i = row0 + gi * kSpanM + (er / kEpiRowsPerThread) * 4 + rb * kEpiRowsPerThread + er % kEpiRowsPerThread;
        const int64_t j = col0 + ec;
        if (i < M && j < N) {
          float* c = C + i * p.ldc + j;
          *c = finish(p, epi[e], p.accumulate ? *c : 0.0f, j);
        }
      }
      __syncthreads();  // the round's reads are done before the next round overwrites epi
    }
  }
}

// One warp per output element (batch, i, j), lanes striding over K. Every lane of a warp has
// the same `o`, so the early return and the shuffles are warp-uniform.
static __global__ void __launch_bounds__(kSmallThreads) sgemmWarpPerOutput(const MatmulArgs p, int64_t outputs) {
  const int lane = threadIdx.x % kWarpSize;
  const int64_t o = static_cast<int64_t>(blockIdx.x) * (kSmallThreads / kWarpSize) + threadIdx.x / kWarpSize;
  if (o >= outputs) return;
  const int64_t j = o % p.n, rest = o / p.n;
  const int64_t i = rest % p.m, batch = rest / p.m;
  const float* __restrict__ A = p.a + batch * p.strideA;
  const float* __restrict__ B = p.b + batch * p.strideB;
  float s = 0.0f;
  for (int64_t k = lane; k < p.k; k += kWarpSize) {
    const float av = p.transA ? A[k * p.lda + i] : A[i * p.lda + k];
    const float bv = p.transB ? B[j * p.ldb + k] : B[k * p.ldb + j];
    s = fmaf(av, bv, s);
  }
#pragma unroll
  for (int m = kWarpSize / 2; m > 0; m >>= 1) s += __shfl_xor_sync(0xffffffffu, s, m);
  if (lane == 0) {
    float* c = p.out + batch * p.strideC + i * p.ldc + j;
    *c = finish(p, s, p.accumulate ? *c : 0.0f, j);
  }
}

inline bool aligned16(const void* ptr) { return (reinterpret_cast<uintptr_t>(ptr) & 15u) == 0; }

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
static void launchTiledAs(const CudaContext& ctx, GemmParams g) {
  const int64_t colTiles = (g.p.n + BN - 1) / BN, rowTiles = (g.p.m + BM - 1) / BM;
  if (colTiles > INT32_MAX) throw ArgumentError("matmul: N too large for one grid");
  for (int64_t b0 = 0; b0 < g.p.batch; b0 += kMaxGridYZ) {
    for (int64_t r0 = 0; r0 < rowTiles; r0 += kMaxGridYZ) {
      g.batchBase = b0;
      g.rowTileBase = r0;
      const dim3 grid(static_cast<unsigned int>(colTiles), static_cast<unsigned int>(std::min(rowTiles - r0, kMaxGridYZ)),
                      static_cast<unsigned int>(std::min(g.p.batch - b0, kMaxGridYZ)));
      sgemmTiled<BM, BN, BK, TM, TN, TA, TB><<<grid, kGemmThreads, 0, ctx.stream>>>(g);
      CUDA_CHECK_LAUNCH();
    }
  }
}

template <int BM, int BN, int BK, int TM, int TN>
static void launchTiled(const CudaContext& ctx, const GemmParams& g) {
  if (!g.p.transA && !g.p.transB) launchTiledAs<BM, BN, BK, TM, TN, false, false>(ctx, g);
  else if (!g.p.transA && g.p.transB) launchTiledAs<BM, BN, BK, TM, TN, false, true>(ctx, g);
  else if (g.p.transA && !g.p.transB) launchTiledAs<BM, BN, BK, TM, TN, true, false>(ctx, g);
  else launchTiledAs<BM, BN, BK, TM, TN, true, true>(ctx, g);
}

// Picks the kernel for a checked, non-empty problem with `outputs` = batch*M*N elements.
static void launchMatmul(const CudaContext& ctx, const MatmulArgs& p, int64_t outputs) {
  if (outputs <= kSmallMaxOutputs || (p.transB && p.batch * p.m <= kGemvMaxRows)) {
    const int64_t warpsPerBlock = kSmallThreads / kWarpSize;
    const int64_t blocks = (outputs + warpsPerBlock - 1) / warpsPerBlock;
    if (blocks > INT32_MAX) throw ArgumentError("matmul: too many outputs for one grid");
    sgemmWarpPerOutput<<<static_cast<unsigned int>(blocks), kSmallThreads, 0, ctx.stream>>>(p, outputs);
    CUDA_CHECK_LAUNCH();
    return;
  }
  GemmParams g;
  g.p = p;
  g.vecA = aligned16(p.a) && p.lda % 4 == 0 && (p.batch == 1 || p.strideA % 4 == 0);
  g.vecB = aligned16(p.b) && p.ldb % 4 == 0 && (p.batch == 1 || p.strideB % 4 == 0);
  const int64_t bigTiles = ((p.m + 127) / 128) * ((p.n + 127) / 128) * p.batch;
  if (bigTiles >= ctx.smCount) launchTiled<128, 128, 8, 8, 8>(ctx, g);
  else launchTiled<64, 64, 16, 4, 4>(ctx, g);
}

}  // namespace

void matmul(const CudaContext& ctx, const MatmulArgs& p) {
  if (p.batch < 0 || p.m < 0 || p.n < 0 || p.k < 0) throw ArgumentError("matmul: negative size");
  if (p.batch == 0 || p.m == 0 || p.n == 0) return;  // empty output: launch nothing
  if (!p.out || (p.k > 0 && (!p.a || !p.b))) throw ArgumentError("matmul: missing operand");
  int64_t outputs = 0;
  if (__builtin_mul_overflow(p.batch, p.m, &outputs) || __builtin_mul_overflow(outputs, p.n, &outputs))
    throw ArgumentError("matmul: output size overflows");
  // A shared B with A and C stacked row after row is one tall product (as the CPU driver does):
  // fewer, fuller tiles than a grid over the batch.
  MatmulArgs folded = p;
  if (p.batch > 1 && p.strideB == 0 && !p.transA && p.strideA == p.m * p.lda && p.strideC == p.m * p.ldc) {
    folded.m = p.batch * p.m;  // <= outputs: no overflow
    folded.batch = 1;
  }
  launchMatmul(ctx, folded, outputs);
}

}  // namespace tn::cuda
