/**
 * One-lane ports of `log256_ps` and `sincos256_ps` from ATen's avx_mathfun.h (Giovanni
 * Garberoglio's AVX port of Julien Pommier's sse_mathfun, zlib licence; Cephes polynomials),
 * which PyTorch's x86 CPU `normal_` uses for float32 tensors of 16 or more elements
 * (`normal_fill_16_AVX2` in aten/src/ATen/native/cpu/DistributionTemplates.h).
 *
 * These are float32 polynomial approximations, not libm, so reproducing `torch.randn` bit for
 * bit means evaluating them exactly as the compiled kernel does: every operation rounded to
 * float32, and every multiply that feeds an add contracted into a fused multiply-add. GCC
 * builds that translation unit with -mfma and its default -ffp-contract=fast, and the AVX
 * intrinsics are plain vector `*`/`+` to GCC, so `add(mul(a, b), c)` becomes vfmadd. Where an
 * add has two multiply operands, the first (left) one is fused:
 *   log:  y*z + e*q1   -> fma(y, z, fl(e*q1))
 *   cos:  y*z - z*0.5  -> fma(y, z, -fl(z*0.5))
 * The same choices are made by two independent public ports that state they were checked bit for
 * bit against torch wheels (one pinned to torch 2.7.1 on x86-64); our port reproduces every public
 * torch.randn printout we found (test/random/normal.test.ts).
 */

import { fmaf, floatBits, bitsFloat } from './fp';

const fr = Math.fround;

const MIN_NORM_POS = bitsFloat(0x00800000);
const SQRTHF = fr(0.707106781186547524);
const LOG_P0 = fr(7.0376836292e-2);
const LOG_P1 = fr(-1.1514610310e-1);
const LOG_P2 = fr(1.1676998740e-1);
const LOG_P3 = fr(-1.2420140846e-1);
const LOG_P4 = fr(+1.4249322787e-1);
const LOG_P5 = fr(-1.6668057665e-1);
const LOG_P6 = fr(+2.0000714765e-1);
const LOG_P7 = fr(-2.4999993993e-1);
const LOG_P8 = fr(+3.3333331174e-1);
const LOG_Q1 = fr(-2.12194440e-4);
const LOG_Q2 = fr(0.693359375);

/** `log256_ps` for one lane: natural log in float32; NaN for x <= 0. */
export function logPs(x0: number): number {
  const invalid = x0 <= 0;
  // _mm256_max_ps(x, min_norm_pos): cuts off denormals (and maps NaN to min_norm_pos, as maxps does)
  let x = x0 > MIN_NORM_POS ? x0 : MIN_NORM_POS;
  const bits = floatBits(x);
  const imm0 = (bits >>> 23) - 0x7f;
  // keep only the fractional part, exponent of 0.5: x in [0.5, 1)
  x = bitsFloat((bits & ~0x7f800000) | 0x3f000000);
  let e = fr(imm0 + 1); // cvtepi32_ps then + 1 (small integers: exact)

  const mask = x < SQRTHF;
  const tmp = mask ? x : 0;
  x = fr(x - 1);
  if (mask) e = fr(e - 1);
  x = fr(x + tmp);

  const z = fr(x * x);
  let y = LOG_P0;
  y = fmaf(y, x, LOG_P1);
  y = fmaf(y, x, LOG_P2);
  y = fmaf(y, x, LOG_P3);
  y = fmaf(y, x, LOG_P4);
  y = fmaf(y, x, LOG_P5);
  y = fmaf(y, x, LOG_P6);
  y = fmaf(y, x, LOG_P7);
  y = fmaf(y, x, LOG_P8);
  y = fr(y * x);
  y = fmaf(y, z, fr(e * LOG_Q1));
  y = fmaf(-z, 0.5, y);
  x = fr(x + y);
  x = fmaf(e, LOG_Q2, x);
  return invalid ? NaN : x;
}

const FOPI = fr(1.27323954473516); // 4 / pi
const MINUS_DP1 = fr(-0.78515625);
const MINUS_DP2 = fr(-2.4187564849853515625e-4);
const MINUS_DP3 = fr(-3.77489497744594108e-8);
const SINCOF_P0 = fr(-1.9515295891e-4);
const SINCOF_P1 = fr(8.3321608736e-3);
const SINCOF_P2 = fr(-1.6666654611e-1);
const COSCOF_P0 = fr(2.443315711809948e-5);
const COSCOF_P1 = fr(-1.388731625493765e-3);
const COSCOF_P2 = fr(4.166664568298827e-2);

/** Results of the last `sincosPs` call (avoids allocating a pair per call). */
export const sincosOut = { sin: 0, cos: 0 };

/**
 * `sincos256_ps` for one lane. Writes sin(x) and cos(x) (float32) into `sincosOut`.
 * Accurate for |x| < 8192, like the original; PyTorch only calls it with x in [0, 2*pi).
 */
export function sincosPs(x0: number): void {
  const signIn = x0 < 0 || Object.is(x0, -0);
  let x = Math.abs(x0);

  // scale by 4/pi, integer part (cvttps truncates toward zero; out of range gives INT_MIN)
  const yq = fr(x * FOPI);
  let imm2 = yq < 2147483648 ? Math.trunc(yq) | 0 : -2147483648;
  imm2 = ((imm2 + 1) | 0) & ~1;
  const y = fr(imm2);
  const imm4 = imm2;

  const swapSignSin = (imm2 & 4) !== 0;
  const polyMask = (imm2 & 2) === 0;

  // extended-precision modular arithmetic: x = ((x - y*DP1) - y*DP2) - y*DP3, each step fused
  x = fmaf(y, MINUS_DP1, x);
  x = fmaf(y, MINUS_DP2, x);
  x = fmaf(y, MINUS_DP3, x);

  const signCos = (~((imm4 - 2) | 0) & 4) !== 0;
  const signSin = signIn !== swapSignSin;

  const z = fr(x * x);

  // cosine polynomial, 0 <= x <= pi/4
  let yc = fmaf(COSCOF_P0, z, COSCOF_P1);
  yc = fmaf(yc, z, COSCOF_P2);
  yc = fr(yc * z);
  yc = fmaf(yc, z, -fr(z * 0.5));
  yc = fr(yc + 1);

  // sine polynomial
  let ys = fmaf(SINCOF_P0, z, SINCOF_P1);
  ys = fmaf(ys, z, SINCOF_P2);
  ys = fr(ys * z);
  ys = fmaf(ys, x, x);

  // select with and/andnot then add/sub: the selected value + (+0), which turns -0 into +0
  let s = (polyMask ? ys : yc) + 0;
  let c = (polyMask ? yc : ys) + 0;
  // xor with the sign bits
  if (signSin) s = -s;
  if (signCos) c = -c;
  sincosOut.sin = s;
  sincosOut.cos = c;
}
