// SIMD abstraction for the GEMM kernels: one struct per instruction set with the same static
// functions (V = a register of L floats, M = a lane mask). Included by the per-ISA translation
// units *after* their `#pragma GCC target`, inside an anonymous namespace, so each TU gets its
// own internal copy and no code built for a wide ISA can be linked into a baseline caller.
//
// Also the vectorised activations: exp by Cody–Waite reduction + Cephes' degree-6 polynomial
// (about 1 ulp, with gradual underflow down to exp(-104) = 0), sigmoid = num / (1 + exp(-|x|))
// exactly as activation.h's scalar formula, tanh by Cephes' odd polynomial below 0.625 and
// 1 - 2/(exp(2|x|) + 1) above (saturating to ±1), relu keeping NaN and mapping -0 to +0.
// NaN inputs give NaN outputs for every activation.
//
// (No include guard on purpose: each TU includes this once, inside its own target region.)

#if defined(TN_SIMD_AVX512)
struct Simd {
  using V = __m512;
  using M = __mmask16;
  using I = __m512i;
  static constexpr int L = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static M first(int n) { return n >= 16 ? M(0xFFFF) : n <= 0 ? M(0) : M((1u << n) - 1u); }
  static V loadM(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void storeM(float* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }     // a*b + c
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }   // c - a*b
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }  // b when either is NaN
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V abs(V x) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff))); }
  static V signOf(V x) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(int(0x80000000u)))); }
  static V orBits(V a, V b) { return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b))); }
  static V round(V x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V pow2i(V n) {  // 2^n for integral n in [-126, 127]
    const I e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static M gtOrNan(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NLE_UQ); }
  static M isNan(V x) { return _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q); }
  static V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }  // m ? a : b
  static float hsum(V x) { return _mm512_reduce_add_ps(x); }
  static void prefetchW(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};
#elif defined(TN_SIMD_AVX2)
struct Simd {
  using V = __m256;
  using M = __m256;
  static constexpr int L = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static M first(int n) {
    alignas(32) static const int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - n)));
  }
  static V loadM(const float* p, M m) { return _mm256_maskload_ps(p, _mm256_castps_si256(m)); }
  static void storeM(float* p, V v, M m) { _mm256_maskstore_ps(p, _mm256_castps_si256(m), v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V abs(V x) { return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  static V signOf(V x) { return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(int(0x80000000u)))); }
  static V orBits(V a, V b) { return _mm256_or_ps(a, b); }
  static V round(V x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V pow2i(V n) {
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  static M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static M gtOrNan(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NLE_UQ); }
  static M isNan(V x) { return _mm256_cmp_ps(x, x, _CMP_UNORD_Q); }
  static V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static float hsum(V x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static void prefetchW(const float* p) { _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0); }
};
#else
// Portable fallback: one float per "register"; the compiler may still auto-vectorise.
struct Simd {
  using V = float;
  using M = bool;
  static constexpr int L = 1;
  static V zero() { return 0.0f; }
  static V set1(float x) { return x; }
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static M first(int n) { return n > 0; }
  static V loadM(const float* p, M m) { return m ? *p : 0.0f; }
  static void storeM(float* p, V v, M m) {
    if (m) *p = v;
  }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static float hsum(V x) { return x; }
  static void prefetchW(const float* p) { __builtin_prefetch(p, 1, 3); }
};
#endif

using V = Simd::V;
using M = Simd::M;
constexpr int L = Simd::L;

inline V loadN(const float* p, int n) { return Simd::loadM(p, Simd::first(n)); }
inline void storeN(float* p, V v, int n) { Simd::storeM(p, v, Simd::first(n)); }

#if defined(TN_SIMD_AVX512) || defined(TN_SIMD_AVX2)
// exp(x) for x <= ~20 (callers keep it there), NaN in → NaN out.
inline V vexp(V x) {
  using S = Simd;
  x = S::max(S::set1(-104.0f), x);  // below: the result rounds to +0 (NaN stays NaN: max returns x)
  const V n = S::round(S::mul(x, S::set1(1.44269504088896341f)));
  V r = S::fnma(n, S::set1(0.693359375f), x);
  r = S::fnma(n, S::set1(-2.12194440e-4f), r);
  V p = S::set1(1.9875691500e-4f);
  p = S::fma(p, r, S::set1(1.3981999507e-3f));
  p = S::fma(p, r, S::set1(8.3334519073e-3f));
  p = S::fma(p, r, S::set1(4.1665795894e-2f));
  p = S::fma(p, r, S::set1(1.6666665459e-1f));
  p = S::fma(p, r, S::set1(5.0000001201e-1f));
  p = S::fma(p, S::mul(r, r), S::add(r, S::set1(1.0f)));
  // 2^n below the normal range: scale by 2^(n+64) (exact), then by 2^-64 (one rounding into
  // the subnormals), so tiny results round the way the scalar libm's do.
  const M tiny = S::lt(n, S::set1(-126.0f));
  const V e = S::select(tiny, S::add(n, S::set1(64.0f)), n);
  const V y = S::mul(p, S::pow2i(e));
  return S::select(tiny, S::mul(y, S::set1(5.42101086242752217e-20f)), y);
}

inline V vsigmoid(V x) {
  using S = Simd;
  const V one = S::set1(1.0f);
  const V z = vexp(S::sub(S::zero(), S::abs(x)));          // exp(-|x|) in (0, 1]
  const V num = S::select(S::ge(x, S::zero()), one, z);    // x >= 0: 1/(1+z); x < 0: z/(1+z)
  const V y = S::div(num, S::add(one, z));
  return S::select(S::isNan(x), x, y);
}

inline V vtanh(V x) {
  using S = Simd;
  const V ax = S::abs(x);
  // |x| < 0.625: x + x^3 P(x^2)
  const V z = S::mul(x, x);
  V p = S::set1(-5.70498872745e-3f);
  p = S::fma(p, z, S::set1(2.06390887954e-2f));
  p = S::fma(p, z, S::set1(-5.37397155531e-2f));
  p = S::fma(p, z, S::set1(1.33314422036e-1f));
  p = S::fma(p, z, S::set1(-3.33332819422e-1f));
  const V small = S::fma(S::mul(p, z), x, x);
  // otherwise: sign(x) (1 - 2/(exp(2|x|) + 1)); tanh(9.5) already rounds to 1
  const V e = vexp(S::min(S::set1(19.0f), S::add(ax, ax)));
  const V big = S::orBits(S::sub(S::set1(1.0f), S::div(S::set1(2.0f), S::add(e, S::set1(1.0f)))), S::signOf(x));
  const V y = S::select(S::lt(ax, S::set1(0.625f)), small, big);
  return S::select(S::isNan(x), x, y);
}

inline V vrelu(V x) { return Simd::select(Simd::gtOrNan(x, Simd::zero()), x, Simd::zero()); }

template <int ACT>
inline V vact(V x) {
  if constexpr (ACT == int(Activation::Sigmoid)) return vsigmoid(x);
  else if constexpr (ACT == int(Activation::Relu)) return vrelu(x);
  else if constexpr (ACT == int(Activation::Tanh)) return vtanh(x);
  else return x;
}
#else
template <int ACT>
inline V vact(V x) {
  return applyActivation(static_cast<Activation>(ACT), x);
}
#endif
