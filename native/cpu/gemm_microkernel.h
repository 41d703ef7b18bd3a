// The GEMM kernels, written once over the Simd struct of gemm_simd.h and compiled per ISA by
// gemm_avx512.cc / gemm_avx2.cc / gemm_generic.cc (inside an anonymous namespace there):
//   Tile<MR, NV>  the register-tiled micro-kernel, MR rows × NV vectors of C in registers, with
//                 the bias + activation epilogue applied before the store;
//   packA/packB   the panel packing (gemm_pack.h);
//   dot           small-M products against a row-major Bᵀ (Linear at batch 1);
//   activate      the same vectorised activations over a contiguous run.
// (No include guard: included once per TU, after gemm_simd.h.)

// Register tile. Loads of B are full vectors when the panel is padded (or the tile is full
// width), masked otherwise; rows of A past `rows` repeat the last valid row (never stored).
template <int MR, int NV>
struct Tile {
  static constexpr int NR = NV * L;

  template <int ACT>
  static inline __attribute__((always_inline)) void epilogue(const TileArgs& t, V (&acc)[MR][NV]) {
    V bias[NV];
    for (int v = 0; v < NV; ++v) bias[v] = Simd::zero();
    if (t.last && t.bias)
      for (int v = 0; v < NV; ++v) bias[v] = loadN(t.bias + v * L, t.cols - v * L);
    // Narrow full-width rows (cols == ldc < L): the tile is one contiguous run of C, so the
    // activation runs afterwards over whole vectors instead of mostly-empty ones (or the
    // caller does it for many tiles at once: t.deferAct).
    const bool ownDefer = ACT != int(Activation::None) && t.last && !t.deferAct && t.cols == t.ldc && t.cols < L && t.rows > 1;
    const bool deferAct = t.deferAct || ownDefer;
    for (int r = 0; r < MR; ++r) {
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

  template <bool PACKED_A, bool FULL_B>
  static inline __attribute__((always_inline)) void body(const TileArgs& t) {
    V acc[MR][NV];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = Simd::zero();
    for (int r = 0; r < MR; ++r)
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
        for (int r = 0; r < MR; ++r) {
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
      int64_t off[MR];
#pragma GCC unroll 32
      for (int r = 0; r < MR; ++r) off[r] = (r < t.rows ? r : t.rows - 1) * rsA;
      for (int64_t k = 0; k < kc; ++k) {
        V bv[NV];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) bv[v] = FULL_B ? Simd::load(b + v * L) : Simd::loadM(b + v * L, bm[v]);
#pragma GCC unroll 32
        for (int r = 0; r < MR; ++r) {
          const V av = Simd::set1(a[off[r]]);
#pragma GCC unroll 8
          for (int v = 0; v < NV; ++v) acc[r][v] = Simd::fma(av, bv[v], acc[r][v]);
        }
        a += csA;
        b += rsB;
      }
    }
    switch (t.act) {
      case Activation::Sigmoid: epilogue<int(Activation::Sigmoid)>(t, acc); break;
      case Activation::Relu: epilogue<int(Activation::Relu)>(t, acc); break;
      case Activation::Tanh: epilogue<int(Activation::Tanh)>(t, acc); break;
      default: epilogue<int(Activation::None)>(t, acc); break;
    }
  }

  static void run(const TileArgs& t) {
    const bool fullB = t.paddedB || t.cols == NR;
    if (t.packedA) {
      if (fullB) body<true, true>(t);
      else body<true, false>(t);
    } else {
      if (fullB) body<false, true>(t);
      else body<false, false>(t);
    }
  }
};

// ---- dot-product kernel: C[i][j] = Σ_k a[i][k] w[j][k], both contiguous in k ----
template <int RI, int CJ>
inline void dotBlock(const DotArgs& d, int64_t i0, int64_t j0) {
  const float* ar[RI];
  const float* wr[CJ];
  for (int i = 0; i < RI; ++i) ar[i] = d.a + (i0 + i < d.m ? i0 + i : d.m - 1) * d.lda;
  for (int j = 0; j < CJ; ++j) wr[j] = d.w + (j0 + j < d.n ? j0 + j : d.n - 1) * d.ldw;
  V acc[RI][CJ];
  for (int i = 0; i < RI; ++i)
    for (int j = 0; j < CJ; ++j) acc[i][j] = Simd::zero();
  int64_t k = 0;
  for (; k + L <= d.k; k += L) {
    V av[RI];
    for (int i = 0; i < RI; ++i) av[i] = Simd::load(ar[i] + k);
    for (int j = 0; j < CJ; ++j) {
      const V wv = Simd::load(wr[j] + k);
      for (int i = 0; i < RI; ++i) acc[i][j] = Simd::fma(av[i], wv, acc[i][j]);
    }
  }
  if (k < d.k) {
    const M m = Simd::first(int(d.k - k));
    V av[RI];
    for (int i = 0; i < RI; ++i) av[i] = Simd::loadM(ar[i] + k, m);
    for (int j = 0; j < CJ; ++j) {
      const V wv = Simd::loadM(wr[j] + k, m);
      for (int i = 0; i < RI; ++i) acc[i][j] = Simd::fma(av[i], wv, acc[i][j]);
    }
  }
  const int cols = int(d.n - j0 < CJ ? d.n - j0 : CJ);
  for (int i = 0; i < RI && i0 + i < d.m; ++i) {
    float* crow = d.c + (i0 + i) * d.ldc + j0;
    for (int j0v = 0; j0v < cols; j0v += L) {
      // Gather up to L sums into a vector for the bias + activation epilogue.
      alignas(64) float s[L];
      const int n = cols - j0v < L ? cols - j0v : L;
      for (int j = 0; j < n; ++j) s[j] = Simd::hsum(acc[i][j0v + j]);
      V x = loadN(s, n);
      if (d.loadC) x = Simd::add(x, loadN(crow + j0v, n));
      if (d.bias) x = Simd::add(x, loadN(d.bias + j0 + j0v, n));
      switch (d.act) {
        case Activation::Sigmoid: x = vact<int(Activation::Sigmoid)>(x); break;
        case Activation::Relu: x = vact<int(Activation::Relu)>(x); break;
        case Activation::Tanh: x = vact<int(Activation::Tanh)>(x); break;
        default: break;
      }
      storeN(crow + j0v, x, n);
    }
  }
}

void dotKernel(const DotArgs& d) {
  if (d.m == 1) {
    for (int64_t j = 0; j < d.n; j += 8) dotBlock<1, 8>(d, 0, j);
    return;
  }
  for (int64_t i = 0; i < d.m; i += 4)
    for (int64_t j = 0; j < d.n; j += 4) dotBlock<4, 4>(d, i, j);
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
