// Panel packing for the GEMM (see gemm.h for the packed layouts), compiled per ISA like
// gemm_microkernel.h. The cases that read memory in order copy whole vectors; the transposing
// cases (A stored row-major, or B stored as Bᵀ) go through 8×8 / 16×16 register transposes
// where the ISA has them.
// (No include guard: included once per TU, after gemm_simd.h.)

#if defined(TN_SIMD_AVX512)
// 16×16 transpose: rows r of `in` become columns.
inline void transpose16(V (&x)[16]) {
  V t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(x[i], x[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(x[i], x[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    x[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    x[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    x[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    x[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  // Now x[4q + s] holds, in each 128-bit lane l, rows 4q..4q+3 at column 4l + s.
  for (int i = 0; i < 4; ++i) {
    // combine row groups (0,1) and (2,3) per lane pair
    t[i] = _mm512_shuffle_f32x4(x[i], x[4 + i], 0x88);
    t[4 + i] = _mm512_shuffle_f32x4(x[i], x[4 + i], 0xDD);
    t[8 + i] = _mm512_shuffle_f32x4(x[8 + i], x[12 + i], 0x88);
    t[12 + i] = _mm512_shuffle_f32x4(x[8 + i], x[12 + i], 0xDD);
  }
  for (int i = 0; i < 4; ++i) {
    x[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    x[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xDD);
    x[4 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0x88);
    x[12 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0xDD);
  }
}
#define TN_HAVE_TRANSPOSE 1
#elif defined(TN_SIMD_AVX2)
inline void transpose8(V (&x)[8]) {
  V t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(x[i], x[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(x[i], x[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    x[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    x[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    x[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    x[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm256_permute2f128_ps(x[i], x[4 + i], 0x20);
    t[4 + i] = _mm256_permute2f128_ps(x[i], x[4 + i], 0x31);
  }
  for (int i = 0; i < 8; ++i) x[i] = t[i];
}
#define TN_HAVE_TRANSPOSE 1
#endif

// Copies a transposed block: `nsrc` source lines (line s at src + s*ld, contiguous along the
// line) of `len` elements become `len` destination rows of width W (dst[e*W + s]); lines
// nsrc..W-1 of each destination row are zero.
template <int W>
inline void packTransposed(const float* src, int64_t ld, int nsrc, int64_t len, float* dst) {
#if defined(TN_HAVE_TRANSPOSE)
  int64_t e = 0;
  for (; e + L <= len; e += L) {
    for (int s0 = 0; s0 < W; s0 += L) {
      V x[L];
      const int ns = nsrc - s0;
      for (int s = 0; s < L; ++s) x[s] = s < ns ? Simd::load(src + (s0 + s) * ld + e) : Simd::zero();
#if defined(TN_SIMD_AVX512)
      transpose16(x);
#else
      transpose8(x);
#endif
      const int w = W - s0 < L ? W - s0 : L;
      for (int i = 0; i < L; ++i) {
        if (w == L) Simd::store(dst + (e + i) * W + s0, x[i]);
        else storeN(dst + (e + i) * W + s0, x[i], w);
      }
    }
  }
  for (; e < len; ++e)
    for (int s = 0; s < W; ++s) dst[e * W + s] = s < nsrc ? src[s * ld + e] : 0.0f;
#else
  for (int64_t e = 0; e < len; ++e)
    for (int s = 0; s < W; ++s) dst[e * W + s] = s < nsrc ? src[s * ld + e] : 0.0f;
#endif
}

// op(A) rows [0, rows) × [0, kc) → pa[k*MR + r].
template <int MR>
void packA(const float* a, int64_t rsA, int64_t csA, int rows, int64_t kc, float* dst) {
  if (csA == 1 && rows > 1) {  // rows contiguous along k: transpose
    packTransposed<MR>(a, rsA, rows, kc, dst);
    return;
  }
  // rows contiguous (rsA == 1), or a single row: each k is a short copy
  if (rsA == 1) {
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = a + k * csA;
      for (int r0 = 0; r0 < MR; r0 += L) storeN(dst + k * MR + r0, loadN(src + r0, rows - r0), MR - r0);
    }
    return;
  }
  for (int64_t k = 0; k < kc; ++k)
    for (int r = 0; r < MR; ++r) dst[k * MR + r] = r < rows ? a[r * rsA + k * csA] : 0.0f;
}

// op(B) [0, kc) × cols [0, cols) → consecutive NR-wide panels, panel p at dst + p*NR*kc holding
// pb[k*NR + c] for columns p*NR + c (zero past `cols`).
template <int NR>
void packB(const float* b, int64_t rsB, int64_t csB, int64_t kc, int cols, float* dst) {
  const int panels = (cols + NR - 1) / NR;
  if (csB == 1 || cols == 1) {  // rows of B contiguous: read each row once, left to right
    const int64_t step = int64_t(NR) * kc;
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = b + k * rsB;
      float* d = dst + k * NR;
      for (int p = 0; p < panels; ++p, src += NR, d += step) {
        const int left = cols - p * NR;
        if (left >= NR)
          for (int c = 0; c < NR; c += L) Simd::store(d + c, Simd::load(src + c));
        else
          for (int c = 0; c < NR; c += L) Simd::store(d + c, loadN(src + c, left - c));
      }
    }
    return;
  }
  for (int p = 0; p < panels; ++p) {
    const int n = cols - p * NR < NR ? cols - p * NR : NR;
    const float* src = b + int64_t(p) * NR * csB;
    float* d = dst + int64_t(p) * NR * kc;
    if (rsB == 1) {  // Bᵀ row-major (Linear weights): transpose
      packTransposed<NR>(src, csB, n, kc, d);
    } else {
      for (int64_t k = 0; k < kc; ++k)
        for (int c = 0; c < NR; ++c) d[k * NR + c] = c < n ? src[k * rsB + c * csB] : 0.0f;
    }
  }
}
