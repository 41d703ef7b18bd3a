// Batched SGEMM with a fused bias + activation epilogue — the driver:
//   out[b] = act(op(A[b]) · op(B[b]) + bias),  op(X) = X or Xᵀ,  A: M×K, B: K×N, out: M×N.
// Layout: row-major with leading dimensions lda/ldb/ldc (MatmulArgs in core/ops.h); each
// transpose combination is just a pair of element strides (gemm.h), never a copy.
//
// Method (Goto/BLIS): B is packed into kc×NR column panels shared by the team, A into MR×kc
// row panels per work item, and an MR×NR register-tiled micro-kernel (gemm_microkernel.h)
// accumulates one C tile with bias and activation applied in registers before the store.
// The micro-kernel is compiled for AVX-512, AVX2+FMA and portable C++ and picked once at run
// time from the CPU's feature bits (gemm::active), so the binary runs on any x86-64.
// Small problems skip what they do not need:
//   * K = 0: bias/activation only;
//   * K, N within one vector and M tall (the lecture MLP at large batch): rows in vector lanes,
//     through register transposes, instead of mostly empty column vectors;
//   * M <= MR (one row tile): the micro-kernel reads A and B in place, no packing; B stored
//     as Bᵀ (Linear weights) goes through register transposes;
//   * short rows of a row-major A (K <= KC, lda <= 64): A read in place;
//   * B of at most kPrivateBFloats: every thread packs it for itself, no coordination;
//   * narrow outputs (N <= one vector): a one-vector tile, activation over whole rows at once.
// Row invariance: every path computes C[i][j] in the same order — one FMA chain over k inside
// each KC block, the blocks added to C in turn, then bias, then the activation — so a row's
// result does not depend on how many other rows share the call (a micro-batched request gets
// bit for bit what it gets alone: test/ops/row_invariance.test.ts). That is why there is no
// dot-product path for small M: summing along K in vector lanes changes the rounding.
// Threads come from parallel.h's process-wide budget. Work is split into items (row chunks of
// C, or groups of column panels when M is short; whole batch items for small batched
// products), dealt out in contiguous shares that idle threads steal from (Shares), so no thread
// ever waits for another that has not started; shared B panels are packed by the first thread
// that needs them, and a K block starts when every item of the previous one has completed.
#include <algorithm>
#include <atomic>
#include <memory>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

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
using gemm::Kernels;
using gemm::TileArgs;
using gemm::TileKernel;

// Blocking (floats). KC × NR of packed B stays in L1 while MC × KC of packed A streams from L2;
// KC × NC of packed B lives in L2/L3 and is shared by the team.
constexpr int64_t KC = 256;
constexpr int64_t MC_TARGET = 224;
constexpr int64_t NC = 4096;
// Below this many flops a product runs on one thread (a team fork/join costs ~1-3 µs).
constexpr double kFlopsPerThread = 1 << 19;

// B blocks up to this many floats are packed by every thread for itself (no team barrier).
constexpr int64_t kPrivateBFloats = 8 * 1024;

// Work items [0, n) dealt out as contiguous shares to `slots` threads. A thread drains its own
// share from the front, then steals from the back of the others', so when a helper starts
// late (the machine is busy) the threads that are running do its share, while on an idle
// machine every thread keeps its own contiguous run. Items are claimed with one CAS each.
class Shares {
 public:
  static constexpr int kMaxSlots = 64;
  Shares() = default;
  Shares(int64_t n, int slots) { init(n, slots); }
  void init(int64_t n, int slots) {
    slots_ = std::max(1, std::min(slots, kMaxSlots));
    for (int s = 0; s < slots_; ++s)
      slot_[s].v.store(pack(n * s / slots_, n * (s + 1) / slots_), std::memory_order_relaxed);
  }
  template <class F>
  void run(int tid, F&& fn) {
    int64_t i;
    if (tid < slots_)
      while (take(slot_[tid], true, i)) fn(i);
    for (int d = 1; d < slots_; ++d)
      while (take(slot_[(tid + d) % slots_], false, i)) fn(i);
  }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> v{0};
  };
  static uint64_t pack(int64_t b, int64_t e) { return (static_cast<uint64_t>(e) << 32) | static_cast<uint64_t>(b); }
  static bool take(Slot& s, bool front, int64_t& item) {
    uint64_t cur = s.v.load(std::memory_order_acquire);
    while (true) {
      const int64_t b = static_cast<int64_t>(cur & 0xffffffffu), e = static_cast<int64_t>(cur >> 32);
      if (b >= e) return false;
      const uint64_t next = front ? pack(b + 1, e) : pack(b, e - 1);
      if (s.v.compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
        item = front ? b : e - 1;
        return true;
      }
    }
  }
  Slot slot_[kMaxSlots];
  int slots_ = 1;
};

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

int threadsFor(double work) {
  const int t = static_cast<int>(std::min<double>(teamLimit(), std::max(1.0, work / kFlopsPerThread)));
  return std::max(1, std::min(t, Shares::kMaxSlots));
}

enum class Path { Empty, Skinny, Direct, Packed, Prepacked };

struct Plan {
  Path path = Path::Packed;
  const TileKernel* tile = nullptr;
  bool directA = false;   // packed path: A read in place (row-major, short rows, one K block)
  bool privateB = false;  // packed path: B small enough for every thread to pack all of it
  int64_t ncPad = 0;      // N rounded up to NR (privateB)
  int64_t kcMax = 0, ncMax = 0;
  size_t bFloats = 0;  // shared B block (not privateB)
  const float* prepacked = nullptr;  // Prepacked: all of op(B), every K block, packed by packLinearWeight
  size_t perThread = 0;  // per thread: private B (privateB) + the A buffer
  size_t workspace(int threads) const { return bFloats + perThread * static_cast<size_t>(threads); }
};

// A buffer per thread: row items hold up to MC rows; the column split packs all M rows, used
// only while M < 4 threads' worth of row tiles.
inline int64_t aRowsMax(int64_t m, int mr, int threads) {
  return std::max<int64_t>(roundUp(std::min<int64_t>(m, MC_TARGET), mr), std::min(roundUp(m, mr), int64_t(4) * threads * mr));
}

// A Linear weight [n, k] packed once (plans own these): for each K block pc, the privateB layout
// — ncPad × kc floats of NR-wide panels at data + pc·ncPad — for the tile its N selects.
struct CpuPackedWeight final : PackedWeight {
  const Kernels* ks = nullptr;
  const TileKernel* tile = nullptr;
  int64_t n = 0, k = 0, ncPad = 0;
  float* data = nullptr;
  ~CpuPackedWeight() override { std::free(data); }
};

// The packed weight when it fits this product (op(B) = the weight as packed), else nullptr.
const CpuPackedWeight* usablePacked(const Kernels& ks, const MatmulArgs& p, const Problem& P) {
  const auto* w = dynamic_cast<const CpuPackedWeight*>(p.packedB);
  if (!w || w->ks != &ks || p.batch != 1 || !p.transB || w->n != P.n || w->k != P.k || P.rsB != 1 || P.csB != P.k) return nullptr;
  return w;
}

Plan plan(const Kernels& ks, const Problem& P, int threads, const CpuPackedWeight* packedB = nullptr) {
  Plan pl;
  if (P.k == 0) {
    pl.path = Path::Empty;
    return pl;
  }
  // Tall and skinny (K, N within one vector, A row-major): rows in vector lanes. Below a few
  // vectors of rows the other paths are as fast; either way each element gets the same
  // arithmetic (row invariance).
  if (ks.skinny && !P.accumulate && P.csA == 1 && P.k <= ks.skinnyMax && P.n <= ks.skinnyMax &&
      P.m >= 4 * int64_t(ks.skinnyMax)) {
    pl.path = Path::Skinny;
    return pl;
  }
  if (packedB) {
    // Every size reads the packed panels: no packing, no transposes (the 1-row case included).
    pl.path = Path::Prepacked;
    pl.tile = packedB->tile;
    pl.prepacked = packedB->data;
    pl.ncPad = packedB->ncPad;
    pl.kcMax = std::min(KC, P.k);
    pl.directA = P.csA == 1 && P.k <= KC && P.rsA <= 64;
    pl.perThread = pl.directA ? 0 : static_cast<size_t>(roundUp(aRowsMax(P.m, pl.tile->mr, threads) * pl.kcMax, 16));
    return pl;
  }
  pl.tile = P.n <= ks.narrow.nr ? &ks.narrow : &ks.wide;
  const int MR = pl.tile->mr, NR = pl.tile->nr;
  // One row tile: packing B would be pure overhead (each packed value is used once), so the
  // tile reads B in place, row-major or (the Linear weight) as Bᵀ through register transposes.
  if (P.m <= MR && (P.csB == 1 || P.n == 1 || P.rsB == 1)) {
    pl.path = Path::Direct;
    return pl;
  }
  pl.path = Path::Packed;
  pl.kcMax = std::min(KC, P.k);
  pl.ncMax = std::min(NC, roundUp(P.n, NR));
  pl.ncPad = roundUp(P.n, NR);
  pl.directA = P.csA == 1 && P.k <= KC && P.rsA <= 64;
  pl.privateB = P.n <= NC && P.k * pl.ncPad <= kPrivateBFloats;
  const size_t aFloats = pl.directA ? 0 : static_cast<size_t>(roundUp(aRowsMax(P.m, MR, threads) * pl.kcMax, 16));
  if (pl.privateB) {
    pl.perThread = static_cast<size_t>(roundUp(P.k * pl.ncPad, 16)) + aFloats;
  } else {
    pl.bFloats = static_cast<size_t>(roundUp(pl.kcMax * pl.ncMax, 16));
    pl.perThread = aFloats;
  }
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

// Runs fn(item) for items [0, n) on a team of up to `want` threads (contiguous shares, stolen
// from the back when a thread runs out).
template <class F>
void teamFor(int want, int64_t n, F&& fn) {
  if (want <= 1 || n <= 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  want = static_cast<int>(std::min<int64_t>(want, n));
  Shares sh(n, want);
  parallelTeam(want, [&](int tid, int) { sh.run(tid, fn); });
}

inline void fillTile(TileArgs& t, const Problem& P, int64_t i, int64_t j, int rows, int cols) {
  t.c = P.c + i * P.ldc + j;
  t.ldc = P.ldc;
  t.rows = rows;
  t.cols = cols;
  t.bias = P.bias ? P.bias + j : nullptr;
  t.act = P.act;
}

// ---- tall and skinny: row chunks of C over the team ----
void skinnyProduct(const Kernels& ks, const Problem& P, int threads) {
  constexpr int64_t kRowsPerItem = 2048;
  auto rows = [&](int64_t i0, int64_t i1) {
    gemm::SkinnyArgs s;
    s.m = i1 - i0; s.n = P.n; s.k = P.k;
    s.a = P.a + i0 * P.rsA; s.lda = P.rsA;
    s.b = P.b; s.rsB = P.rsB; s.csB = P.csB;
    s.c = P.c + i0 * P.ldc; s.ldc = P.ldc;
    s.bias = P.bias;
    s.act = P.act;
    ks.skinny(s);
  };
  teamFor(threads, ceilDiv(P.m, kRowsPerItem), [&](int64_t q) { rows(q * kRowsPerItem, std::min(P.m, (q + 1) * kRowsPerItem)); });
}

// ---- M <= MR: the micro-kernel reads A and B (row-major, or Bᵀ) in place ----
// K runs in KC blocks as in the packed path (row invariance, above).
//
// Bᵀ whose row pitch is a multiple of 4 KiB (K = 1024, 2048, ...) is first staged: the panel's
// NR weight rows × kc are copied into a stack buffer with a padded pitch, and the transposing
// tile reads that. Read in place, the tile walks NR rows at once that all map to the same L1
// set: measured 2x slower than the staged copy at 1×1024×1024 (and at K = 1000, where nothing
// aliases, the copy made it 1.4x slower, so other pitches are read in place).
constexpr int64_t kStageMaxNR = 32;       // widest tile (AVX-512: 2 × 16)
constexpr int64_t kStagePitch = KC + 16;  // floats; 1088 bytes, never a multiple of 4 KiB
constexpr int64_t kStageMinK = 64;        // shorter rows: read in place

// rows × kc floats (row pitch ld) → dst (pitch kStagePitch), four rows at a time so that four
// memory streams are in flight (one row at a time leaves the loads latency-bound).
inline void stageRows(const float* src, int64_t ld, int rows, int64_t kc, float* dst) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float* s0 = src + r * ld;
    float* d0 = dst + r * kStagePitch;
    int64_t k = 0;
    for (; k + 16 <= kc; k += 16)
      for (int q = 0; q < 4; ++q) std::memcpy(d0 + q * kStagePitch + k, s0 + q * ld + k, 64);
    for (; k < kc; ++k)
      for (int q = 0; q < 4; ++q) d0[q * kStagePitch + k] = s0[q * ld + k];
  }
  for (; r < rows; ++r) std::memcpy(dst + r * kStagePitch, src + r * ld, sizeof(float) * kc);
}

void directProduct(const TileKernel& T, const Problem& P, int threads) {
  const int NR = T.nr;
  TileArgs base;
  base.a = P.a; base.rsA = P.rsA; base.csA = P.csA; base.packedA = false;
  base.rsB = P.rsB; base.paddedB = false;
  const bool transB = P.csB != 1 && P.n != 1;  // then rsB == 1: B stored as Bᵀ
  // Staging costs a copy; it pays only where the pitch aliases (a multiple of 4 KiB).
  const bool stage = transB && P.k >= kStageMinK && NR <= kStageMaxNR && (P.csB * int64_t(sizeof(float))) % 4096 == 0;
  auto panel = [&](int64_t q) {
    alignas(64) float staged[stage ? kStageMaxNR * kStagePitch : 1];
    TileArgs t = base;
    const int64_t j = q * NR;
    fillTile(t, P, 0, j, static_cast<int>(P.m), static_cast<int>(std::min<int64_t>(NR, P.n - j)));
    t.transB = transB;
    for (int64_t pc = 0; pc < P.k; pc += KC) {
      t.kc = std::min(KC, P.k - pc);
      t.a = P.a + pc * P.csA;
      t.b = P.b + pc * P.rsB + j * P.csB;
      t.ldbT = P.csB;
      if (stage) {
        stageRows(t.b, P.csB, t.cols, t.kc, staged);
        t.b = staged;
        t.ldbT = kStagePitch;
      }
      t.loadC = P.accumulate || pc > 0;
      t.last = pc + t.kc >= P.k;
      T.run(t);
    }
  };
  teamFor(threads, ceilDiv(P.n, NR), panel);
}

// Row items of a packed product: a multiple of the team size (at least 4 per thread) with tile
// boundaries spread evenly, so that each thread's contiguous share holds the same number of
// tiles; at most MC rows each.
struct RowSplit {
  int64_t mTiles, items;
  int mr;
  RowSplit(int64_t m, int mrIn, int want) : mTiles(ceilDiv(m, mrIn)), items(1), mr(mrIn) {
    const int64_t perThread = std::max<int64_t>(4, ceilDiv(mTiles, int64_t(want) * (MC_TARGET / mr)));
    items = std::max<int64_t>(1, std::min<int64_t>(mTiles, int64_t(want) * perThread));
  }
  // Rows [i0, i1) of item `item` (of `items`), for a product of m rows.
  void rows(int64_t item, int64_t m, int64_t& i0, int64_t& i1) const {
    i0 = (item * mTiles / items) * mr;
    i1 = std::min(m, ((item + 1) * mTiles / items) * mr);
  }
};

// ---- the packed Goto/BLIS product ----
//
// Work items are contiguous row chunks of C (or, when M is short, groups of column panels),
// dealt out by Shares. When all of B is small (privateB) every thread packs it for itself and
// there is no barrier at all; otherwise the team packs each KC × NC block of B together,
// with a barrier before and after.
struct PackedCtx {
  const Kernels& ks;
  const Plan& pl;
  const Problem& P;
  const TileKernel& T;
  int64_t mTiles;
  int64_t rowItems;
};

// C rows [i0, i1) × the panels [q0, q1) of one B block (packed at bufB) over K block pc.
// Narrow outputs covering whole rows get their activation over the item's contiguous block.
void rowsTimesPanels(const PackedCtx& x, int64_t i0, int64_t i1, int64_t jc, int64_t nc, int64_t q0, int64_t q1,
                     int64_t pc, int64_t kc, const float* bufB, const float* bufA) {
  const Plan& pl = x.pl;
  const Problem& P = x.P;
  const int MR = x.T.mr, NR = x.T.nr;
  TileArgs t;
  t.kc = kc;
  t.rsB = NR;
  t.paddedB = true;
  t.loadC = P.accumulate || pc > 0;
  t.last = pc + kc >= P.k;
  t.packedA = !pl.directA;
  t.rsA = P.rsA;
  t.csA = P.csA;
  const bool blockAct = t.last && P.act != Activation::None && P.n < 16 && P.ldc == P.n && jc == 0 && q0 == 0 &&
                        q1 * NR >= P.n && i1 - i0 > MR;
  t.deferAct = blockAct;
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t j = q * NR;
    const int cols = static_cast<int>(std::min<int64_t>(NR, nc - j));
    t.b = bufB + q * NR * kc;
    for (int64_t i = i0; i < i1; i += MR) {
      t.a = pl.directA ? P.a + i * P.rsA : bufA + (i - i0) * kc;
      fillTile(t, P, i, jc + j, static_cast<int>(std::min<int64_t>(MR, i1 - i)), cols);
      x.T.run(t);
    }
  }
  if (blockAct) x.ks.activate(P.c + i0 * P.ldc, (i1 - i0) * P.n, P.act);
}

void packRows(const PackedCtx& x, int64_t i0, int64_t i1, int64_t pc, int64_t kc, float* bufA) {
  if (x.pl.directA) return;
  const int MR = x.T.mr;
  for (int64_t i = i0; i < i1; i += MR)
    x.T.packA(x.P.a + i * x.P.rsA + pc * x.P.csA, x.P.rsA, x.P.csA, static_cast<int>(std::min<int64_t>(MR, i1 - i)), kc,
              bufA + (i - i0) * kc);
}

// Panels [q0, q1) of the B block that starts at column jc, K block pc.
void packPanels(const PackedCtx& x, int64_t jc, int64_t q0, int64_t q1, int64_t pc, int64_t kc, float* bufB) {
  const int NR = x.T.nr;
  const int64_t j = jc + q0 * NR;
  const int64_t cols = std::min<int64_t>((q1 - q0) * NR, x.P.n - j);
  x.T.packB(x.P.b + pc * x.P.rsB + j * x.P.csB, x.P.rsB, x.P.csB, kc, static_cast<int>(cols), bufB + q0 * NR * kc);
}

// Spin-wait step: pause, then yield the CPU (the thread being waited for may be preempted).
inline void relax(int spin) {
  if (spin < 256) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  } else {
    std::this_thread::yield();
  }
}

inline void waitFor(const std::atomic<int64_t>& counter, int64_t target) {
  for (int spin = 0; counter.load(std::memory_order_acquire) < target; ++spin) relax(spin);
}

// Packing state of a shared B panel.
constexpr uint8_t kUnpacked = 0, kPacking = 1, kReady = 2;

void packedProduct(const Kernels& ks, const Plan& pl, const Problem& P, int want, float* ws) {
  const TileKernel& T = *pl.tile;
  const int MR = T.mr, NR = T.nr;
  const int64_t M = P.m, N = P.n, K = P.k;
  const RowSplit split(M, MR, want);
  const int64_t mTiles = split.mTiles, rowItems = split.items;
  const PackedCtx x{ks, pl, P, T, mTiles, rowItems};
  auto itemRows = [&](int64_t item, int64_t& i0, int64_t& i1) { split.rows(item, M, i0, i1); };

  if (pl.privateB) {
    // Each thread packs all of B (every K block) for itself, then takes row items; no barrier.
    const int64_t panels = pl.ncPad / NR;
    Shares sh(rowItems, std::max(1, std::min<int>(want, static_cast<int>(rowItems))));
    parallelTeam(static_cast<int>(std::min<int64_t>(want, rowItems)), [&](int tid, int) {
      float* bufB = ws + pl.perThread * tid;
      float* bufA = bufB + roundUp(K * pl.ncPad, 16);
      bool packed = false;
      sh.run(tid, [&](int64_t item) {
        if (!packed) {
          for (int64_t pc = 0; pc < K; pc += KC)
            packPanels(x, 0, 0, panels, pc, std::min(KC, K - pc), bufB + pc * pl.ncPad);
          packed = true;
        }
        int64_t i0, i1;
        itemRows(item, i0, i1);
        for (int64_t pc = 0; pc < K; pc += KC) {
          const int64_t kc = std::min(KC, K - pc);
          packRows(x, i0, i1, pc, kc, bufA);
          rowsTimesPanels(x, i0, i1, 0, N, 0, panels, pc, kc, bufB + pc * pl.ncPad, bufA);
        }
      });
    });
    return;
  }

  // Shared B blocks, packed panel by panel by whichever thread first needs the panel (right
  // before its first use, as OpenBLAS does), so there is no packing phase to wait for. Rows split
  // when there are enough row tiles, column panels (each packed by the item that owns it)
  // otherwise. A K block starts once every item of the previous one has completed: a wait for
  // work in progress only, never for a thread that has not started (its share gets stolen).
  const int64_t blocksN = ceilDiv(N, NC), blocksK = ceilDiv(K, KC), blocks = blocksN * blocksK;
  const int64_t panelsMax = ceilDiv(std::min(NC, N), NR);
  const bool byRows = mTiles >= int64_t(4) * want;
  std::unique_ptr<Shares[]> workSh(new Shares[blocks]);
  std::unique_ptr<int64_t[]> items(new int64_t[blocks]);
  std::unique_ptr<std::atomic<int64_t>[]> done(new std::atomic<int64_t>[blocks]());
  std::unique_ptr<std::atomic<uint8_t>[]> state(new std::atomic<uint8_t>[byRows ? blocks * panelsMax : 1]());
  // Column items: up to 4 per thread, panel boundaries spread evenly.
  auto colItems = [&](int64_t panels) { return std::min<int64_t>(panels, int64_t(4) * want); };
  for (int64_t jb = 0, blk = 0; jb < blocksN; ++jb) {
    const int64_t panels = ceilDiv(std::min(NC, N - jb * NC), NR);
    for (int64_t kb = 0; kb < blocksK; ++kb, ++blk) {
      items[blk] = byRows ? rowItems : colItems(panels);
      workSh[blk].init(items[blk], want);
    }
  }
  float* bufB = ws;
  parallelTeam(want, [&](int tid, int) {
    float* bufA = ws + pl.bFloats + pl.perThread * tid;
    int64_t blk = 0;
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = std::min(NC, N - jc);
      const int64_t panels = ceilDiv(nc, NR);
      const int64_t groups = colItems(panels);
      for (int64_t pc = 0; pc < K; pc += KC, ++blk) {
        const int64_t kc = std::min(KC, K - pc);
        if (blk > 0) waitFor(done[blk - 1], items[blk - 1]);
        if (byRows) {
          std::atomic<uint8_t>* st = state.get() + blk * panelsMax;
          workSh[blk].run(tid, [&](int64_t item) {
            int64_t i0, i1;
        itemRows(item, i0, i1);
            packRows(x, i0, i1, pc, kc, bufA);
            // Panels packed by another thread right now are done after the others.
            int64_t later[64];
            int64_t nLater = 0;
            for (int64_t q = 0; q < panels; ++q) {
              uint8_t s = st[q].load(std::memory_order_acquire);
              if (s == kUnpacked && st[q].compare_exchange_strong(s, kPacking, std::memory_order_acq_rel)) {
                packPanels(x, jc, q, q + 1, pc, kc, bufB);
                st[q].store(kReady, std::memory_order_release);
                s = kReady;
              }
              if (s != kReady && nLater < 64) {
                later[nLater++] = q;
                continue;
              }
              for (int spin = 0; st[q].load(std::memory_order_acquire) != kReady; ++spin) relax(spin);
              rowsTimesPanels(x, i0, i1, jc, nc, q, q + 1, pc, kc, bufB, bufA);
            }
            for (int64_t l = 0; l < nLater; ++l) {
              const int64_t q = later[l];
              for (int spin = 0; st[q].load(std::memory_order_acquire) != kReady; ++spin) relax(spin);
              rowsTimesPanels(x, i0, i1, jc, nc, q, q + 1, pc, kc, bufB, bufA);
            }
            done[blk].fetch_add(1, std::memory_order_acq_rel);
          });
        } else {
          bool packed = false;  // all M rows, packed on this thread's first item of the block
          workSh[blk].run(tid, [&](int64_t g) {
            if (!packed) {
              packRows(x, 0, M, pc, kc, bufA);
              packed = true;
            }
            const int64_t q0 = g * panels / groups, q1 = (g + 1) * panels / groups;
            packPanels(x, jc, q0, q1, pc, kc, bufB);
            rowsTimesPanels(x, 0, M, jc, nc, q0, q1, pc, kc, bufB, bufA);
            done[blk].fetch_add(1, std::memory_order_acq_rel);
          });
        }
      }
    }
  });
}

// ---- B packed in advance (plan-owned weights) ----
// Row items when there are enough row tiles, else groups of column panels (a 1-row product
// still splits over the team); each item packs its rows of A when A is not read in place.
void prepackedProduct(const Kernels& ks, const Plan& pl, const Problem& P, int want, float* ws) {
  const TileKernel& T = *pl.tile;
  const int MR = T.mr, NR = T.nr;
  const int64_t M = P.m, N = P.n, K = P.k;
  const RowSplit split(M, MR, want);
  const int64_t panels = pl.ncPad / NR;
  const bool byRows = split.mTiles >= int64_t(2) * want;
  const int64_t items = byRows ? split.items : std::max<int64_t>(1, std::min<int64_t>(panels, int64_t(4) * want));
  const PackedCtx x{ks, pl, P, T, split.mTiles, split.items};
  const int team = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(want, items)));
  auto runItem = [&](int tid, int64_t item) {
    float* bufA = ws ? ws + pl.perThread * tid : nullptr;
    int64_t i0 = 0, i1 = M, q0 = 0, q1 = panels;
    if (byRows) {
      split.rows(item, M, i0, i1);
    } else {
      q0 = item * panels / items;
      q1 = (item + 1) * panels / items;
    }
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      packRows(x, i0, i1, pc, kc, bufA);
      rowsTimesPanels(x, i0, i1, 0, N, q0, q1, pc, kc, pl.prepacked + pc * pl.ncPad, bufA);
    }
  };
  if (team == 1) {  // the latency path (batch-1 inference): no team, no shares
    for (int64_t item = 0; item < items; ++item) runItem(0, item);
    return;
  }
  Shares sh(items, team);
  parallelTeam(team, [&](int tid, int) { sh.run(tid, [&](int64_t item) { runItem(tid, item); }); });
}

void runProblem(const Kernels& ks, const Plan& pl, const Problem& P, int threads, float* ws) {
  switch (pl.path) {
    case Path::Empty: return emptyProduct(ks, P);
    case Path::Skinny: return skinnyProduct(ks, P, threads);
    case Path::Direct: return directProduct(*pl.tile, P, threads);
    case Path::Packed: return packedProduct(ks, pl, P, threads, ws);
    case Path::Prepacked: return prepackedProduct(ks, pl, P, threads, ws);
  }
}

}  // namespace

std::shared_ptr<PackedWeight> packLinearWeight(const float* w, int64_t n, int64_t k) {
  if (!w || n <= 0 || k <= 0 || n > (int64_t(1) << 30) || k > (int64_t(1) << 30)) return nullptr;
  const Kernels& ks = gemm::active();
  auto pw = std::make_shared<CpuPackedWeight>();
  pw->ks = &ks;
  pw->tile = n <= ks.narrow.nr ? &ks.narrow : &ks.wide;
  pw->n = n;
  pw->k = k;
  pw->ncPad = roundUp(n, pw->tile->nr);
  int64_t floats;
  if (__builtin_mul_overflow(k, pw->ncPad, &floats) || floats > (int64_t(1) << 40)) return nullptr;
  const size_t bytes = static_cast<size_t>(roundUp(floats, 16)) * sizeof(float);
  pw->data = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!pw->data) throw std::bad_alloc();
  // op(B)[kk][j] = w[j*k + kk]: rsB = 1, csB = k (as packPanels reads a Bᵀ operand).
  for (int64_t pc = 0; pc < k; pc += KC)
    pw->tile->packB(w + pc, 1, k, std::min(KC, k - pc), static_cast<int>(n), pw->data + pc * pw->ncPad);
  return pw;
}

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
  // Work estimate: flops, plus the bytes a streaming product moves and the activations it applies.
  const double flops = 2.0 * double(P.m) * double(P.n) * double(std::max<int64_t>(P.k, 1));
  const double work = flops + 8.0 * double(P.n) * double(P.k) + (P.act != Activation::None ? 32.0 : 4.0) * double(P.m) * double(P.n);
  const int itemThreads = threadsFor(work);
  if (batch > 1 && itemThreads < teamLimit()) {
    // Small independent items: whole items per thread.
    const int team = static_cast<int>(std::min<double>({double(batch), double(teamLimit()), double(threadsFor(work * double(batch)))}));
    const Plan pl = plan(ks, P, 1);
    const size_t per = pl.workspace(1);
    float* ws = per ? workspace(per * team) : nullptr;
    Shares sh(batch, team);
    parallelTeam(team, [&](int tid, int) {
      Problem Q = P;
      sh.run(tid, [&](int64_t bi) {
        Q.a = p.a + bi * p.strideA;
        Q.b = p.b + bi * p.strideB;
        Q.c = p.out + bi * p.strideC;
        runProblem(ks, pl, Q, 1, ws ? ws + per * tid : nullptr);
      });
    });
    return;
  }
  const Plan pl = plan(ks, P, itemThreads, usablePacked(ks, p, P));
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
