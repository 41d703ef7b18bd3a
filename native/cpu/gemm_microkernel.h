// The GEMM kernels, written once over the Simd struct of gemm_simd.h and compiled per ISA by
// gemm_avx512.cc / gemm_avx2.cc / gemm_generic.cc (inside an anonymous namespace there):
//   Tile<MR, NV>  the register-tiled micro-kernel, MR rows × NV vectors of C in registers, with
//                 the bias + activation epilogue applied before the store;
//   packA/packB   the panel packing (gemm_pack.h);
//   activate      the same vectorised activations over a contiguous run.
// (No include guard: included once per TU, after gemm_simd.h.)

// x[i] (L vectors) ← the L×L transpose of x.
inline void transposeL(V (&x)[L]) {
#if defined(TN_SIMD_AVX512)
  transpose16(x);
#elif defined(TN_SIMD_AVX2)
  transpose8(x);
#else
  (void)x;  // L = 1
#endif
}

// Register tile. Loads of B are full vectors when the panel is padded (or the tile is full
// width), masked otherwise; rows of A past `rows` repeat the last valid row (never stored).
// A tile with few valid rows (small M, the bottom edge) runs an R-row body, R the first of
// 1, 2, 4, 8, MR that covers them, so a 1-row product does not pay for MR rows of FMAs; each
// element's arithmetic is the same in every body.
template <int MR, int NV>
struct Tile {
  static constexpr int NR = NV * L;

  template <int ACT, int R>
  static inline __attribute__((always_inline)) void epilogue(const TileArgs& t, V (&acc)[R][NV]) {
    V bias[NV];
    for (int v = 0; v < NV; ++v) bias[v] = Simd::zero();
    if (t.last && t.bias)
      for (int v = 0; v < NV; ++v) bias[v] = loadN(t.bias + v * L, t.cols - v * L);
    // Narrow full-width rows (cols == ldc < L): the tile is one contiguous run of C, so the
    // activation runs afterwards over whole vectors instead of mostly-empty ones (or the
    // caller does it for many tiles at once: t.deferAct).
    const bool ownDefer = ACT != int(Activation::None) && t.last && !t.deferAct && t.cols == t.ldc && t.cols < L && t.rows > 1;
    const bool deferAct = t.deferAct || ownDefer;
    for (int r = 0; r < R; ++r) {
      if (r >= t.rows) break;
      float* crow = t.c + r * t.ldc;
      if (t.cols == NR) {
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) {
          V x = acc[r][v];
          if (t.loadC) x = Simd::add(x, Simd::load(crow + v * L));
          if (t.last) {
            x = Simd::add(x, bias[v]);
            if (!t.deferAct) x = vact<ACT>(x);
          }
          Simd::store(crow + v * L, x);
        }
      } else {
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) {
          const int n = t.cols - v * L;
          if (n <= 0) break;
          const M m = Simd::first(n);
          V x = acc[r][v];
          if (t.loadC) x = Simd::add(x, Simd::loadM(crow + v * L, m));
          if (t.last) {
            x = Simd::add(x, bias[v]);
            if (!deferAct) x = vact<ACT>(x);
          }
          Simd::storeM(crow + v * L, x, m);
        }
      }
    }
    if (ownDefer) {
      const int64_t total = int64_t(t.rows) * t.cols;
      float* p = t.c;
      int64_t i = 0;
      for (; i + L <= total; i += L) Simd::store(p + i, vact<ACT>(Simd::load(p + i)));
      if (i < total) {
        const M m = Simd::first(int(total - i));
        Simd::storeM(p + i, vact<ACT>(Simd::loadM(p + i, m)), m);
      }
    }
  }

  // The epilogue for the tile's activation (a run-time value; the epilogue is compiled per kind).
  template <int R>
  static inline __attribute__((always_inline)) void finish(const TileArgs& t, V (&acc)[R][NV]) {
    switch (t.act) {
      case Activation::Sigmoid: epilogue<int(Activation::Sigmoid)>(t, acc); break;
      case Activation::Relu: epilogue<int(Activation::Relu)>(t, acc); break;
      case Activation::Tanh: epilogue<int(Activation::Tanh)>(t, acc); break;
      default: epilogue<int(Activation::None)>(t, acc); break;
    }
  }

  // R rows of C (R <= MR); a packed A panel keeps its MR-row stride.
  template <int R, bool PACKED_A, bool FULL_B>
  static inline __attribute__((always_inline)) void body(const TileArgs& t) {
    V acc[R][NV];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = Simd::zero();
    for (int r = 0; r < R; ++r)
      if (r < t.rows) Simd::prefetchW(t.c + r * t.ldc);
    const int64_t kc = t.kc, rsB = t.rsB;
    const float* b = t.b;
    M bm[NV];
    if (!FULL_B)
      for (int v = 0; v < NV; ++v) bm[v] = Simd::first(t.cols - v * L);
    if constexpr (PACKED_A) {
      const float* a = t.a;
#pragma GCC unroll 2
      for (int64_t k = 0; k < kc; ++k) {
        V bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = FULL_B ? Simd::load(b + v * L) : Simd::loadM(b + v * L, bm[v]);
        for (int r = 0; r < R; ++r) {
          const V av = Simd::set1(a[r]);
          for (int v = 0; v < NV; ++v) acc[r][v] = Simd::fma(av, bv[v], acc[r][v]);
        }
        a += MR;
        b += rsB;
      }
    } else {
      // A read in place: row offsets (rows past `rows` repeat the last valid row). Fully
      // unrolled, or GCC keeps acc[][] in memory here.
      const float* a = t.a;
      const int64_t rsA = t.rsA, csA = t.csA;
      int64_t off[R];
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) off[r] = (r < t.rows ? r : t.rows - 1) * rsA;
      for (int64_t k = 0; k < kc; ++k) {
        V bv[NV];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) bv[v] = FULL_B ? Simd::load(b + v * L) : Simd::loadM(b + v * L, bm[v]);
#pragma GCC unroll 32
        for (int r = 0; r < R; ++r) {
          const V av = Simd::set1(a[off[r]]);
#pragma GCC unroll 8
          for (int v = 0; v < NV; ++v) acc[r][v] = Simd::fma(av, bv[v], acc[r][v]);
        }
        a += csA;
        b += rsB;
      }
    }
    finish(t, acc);
  }

  // B stored as Bᵀ, read in place: for each run of L consecutive k, the L columns of one B
  // vector are L contiguous runs of a weight row; a register transpose turns them into L
  // vectors, one per k, so no packed copy of B is written and read back. The FMA chain of each
  // element is the same as in body(): k in order.
  template <int R>
  static inline __attribute__((always_inline)) void bodyTransB(const TileArgs& t) {
    V acc[R][NV];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = Simd::zero();
    const int64_t kc = t.kc, rsA = t.rsA, csA = t.csA;
    int64_t off[R];
    for (int r = 0; r < R; ++r) off[r] = (r < t.rows ? r : t.rows - 1) * rsA;
    // Columns past `cols` read the last valid one (their lanes are never stored).
    const float* w[NR];
    for (int c = 0; c < NR; ++c) w[c] = t.b + (c < t.cols ? c : t.cols - 1) * t.ldbT;
    const float* a = t.a;
    int64_t k = 0;
    for (; k + L <= kc; k += L) {
      // Not unrolled: one vector's L transposed values stay in registers at a time.
#pragma GCC unroll 1
      for (int v = 0; v < NV; ++v) {
        V x[L];
#pragma GCC unroll 16
        for (int s = 0; s < L; ++s) x[s] = Simd::load(w[v * L + s] + k);
        transposeL(x);
#pragma GCC unroll 16
        for (int i = 0; i < L; ++i)
#pragma GCC unroll 16
          for (int r = 0; r < R; ++r) acc[r][v] = Simd::fma(Simd::set1(a[off[r] + (k + i) * csA]), x[i], acc[r][v]);
      }
    }
    for (; k < kc; ++k) {
      for (int v = 0; v < NV; ++v) {
        alignas(64) float col[L];
        for (int s = 0; s < L; ++s) col[s] = w[v * L + s][k];
        const V bv = Simd::load(col);
        for (int r = 0; r < R; ++r) acc[r][v] = Simd::fma(Simd::set1(a[off[r] + k * csA]), bv, acc[r][v]);
      }
    }
    finish(t, acc);
  }

  template <int R>
  static void runRows(const TileArgs& t) {
    if (t.transB) return bodyTransB<R>(t);
    const bool fullB = t.paddedB || t.cols == NR;
    if (t.packedA) {
      if (fullB) body<R, true, true>(t);
      else body<R, true, false>(t);
    } else {
      if (fullB) body<R, false, true>(t);
      else body<R, false, false>(t);
    }
  }

  static void run(const TileArgs& t) {
    if (MR > 1 && t.rows <= 1) return runRows<1>(t);
    if (MR > 2 && t.rows <= 2) return runRows<(MR > 2 ? 2 : MR)>(t);
    if (MR > 4 && t.rows <= 4) return runRows<(MR > 4 ? 4 : MR)>(t);
    if (MR > 8 && t.rows <= 8) return runRows<(MR > 8 ? 8 : MR)>(t);
    runRows<MR>(t);
  }
};

// ---- skinny products: K, N <= L, L rows of C per vector ----
// For a tall A with a few columns (the lecture MLP: K, N = 3..6) the tile kernel's vectors run
// along N and are mostly empty. Here a vector holds L rows instead: L rows of A go through the
// L×L register transpose into K vectors (one per k), each output column is one FMA chain over k
// against B's broadcast values, and the N result vectors are transposed back into L rows of C.
// Per element the arithmetic is the tile kernel's — acc = 0, FMA over k in order, + bias (+0
// when there is none), activation — so the result does not depend on which path ran.
template <int ACT>
void skinnyAct(const SkinnyArgs& s) {
  const int K = int(s.k), N = int(s.n);
  for (int64_t i0 = 0; i0 < s.m; i0 += L) {
    const int rows = s.m - i0 < L ? int(s.m - i0) : L;
    V x[L];
#pragma GCC unroll 16
    for (int r = 0; r < L; ++r) x[r] = r < rows ? loadN(s.a + (i0 + r) * s.lda, K) : Simd::zero();
    transposeL(x);  // x[k]: column k of the L rows
    V y[L];
#pragma GCC unroll 16
    for (int j = 0; j < L; ++j) {
      if (j >= N) {
        y[j] = Simd::zero();
        continue;
      }
      V acc = Simd::zero();
#pragma GCC unroll 16
      for (int k = 0; k < L; ++k)
        if (k < K) acc = Simd::fma(x[k], Simd::set1(s.b[k * s.rsB + j * s.csB]), acc);
      acc = Simd::add(acc, Simd::set1(s.bias ? s.bias[j] : 0.0f));
      y[j] = vact<ACT>(acc);
    }
    transposeL(y);  // y[r]: row r's N outputs
#pragma GCC unroll 16
    for (int r = 0; r < L; ++r)
      if (r < rows) storeN(s.c + (i0 + r) * s.ldc, y[r], N);
  }
}

void skinnyKernel(const SkinnyArgs& s) {
  switch (s.act) {
    case Activation::Sigmoid: return skinnyAct<int(Activation::Sigmoid)>(s);
    case Activation::Relu: return skinnyAct<int(Activation::Relu)>(s);
    case Activation::Tanh: return skinnyAct<int(Activation::Tanh)>(s);
    default: return skinnyAct<int(Activation::None)>(s);
  }
}

void activateRun(float* x, int64_t n, Activation act) {
  auto run = [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    int64_t i = 0;
    for (; i + L <= n; i += L) Simd::store(x + i, vact<ACT>(Simd::load(x + i)));
    if (i < n) {
      const M m = Simd::first(int(n - i));
      Simd::storeM(x + i, vact<ACT>(Simd::loadM(x + i, m)), m);
    }
  };
  switch (act) {
    case Activation::Sigmoid: run(std::integral_constant<int, int(Activation::Sigmoid)>{}); break;
    case Activation::Relu: run(std::integral_constant<int, int(Activation::Relu)>{}); break;
    case Activation::Tanh: run(std::integral_constant<int, int(Activation::Tanh)>{}); break;
    default: break;
  }
}
