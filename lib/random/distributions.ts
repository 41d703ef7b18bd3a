/**
 * PyTorch's CPU sampling kernels for float32 / int32 buffers, draw for draw
 * (aten/src/ATen/native/cpu/DistributionTemplates.h, aten/src/ATen/core/DistributionsHelper.h,
 * aten/src/ATen/core/TransformationHelper.h, aten/src/ATen/native/TensorFactories.cpp).
 *
 * Bit-exactness, in short (details on each function):
 * - fillUniform: bit-exact; the one build-dependent detail, whether `x*(to-from)+from` is fused,
 *   is selectable (setUniformRounding, default 'fused'); see the note on fillUniform. Ranges whose
 *   width is a power of two (rand, Linear(4, ·)) are identical either way.
 * - fillNormal, n >= 16: bit-exact with the x86-64 AVX2 kernel (`normal_fill_16_AVX2`, Cephes
 *   float32 polynomials with FMA contraction). aarch64 builds use libm log/sin/cos instead and can
 *   differ from it in the last bits.
 * - fillNormal, n < 16: the double-precision scalar Box–Muller path with the generator's cached
 *   sample; exact up to the last-bit accuracy of Math.log1p / sin / cos against glibc, which is
 *   invisible after rounding to float32 in all but astronomically rare cases.
 * - fillRandint, randperm: exact (integer arithmetic).
 */

import { Generator, defaultGenerator } from './generator';
import { fmaf, fma64 } from './fp';
import { logPs, sincosPs, sincosOut } from './avx_mathfun';

const fr = Math.fround;
const FLOAT_MAX = 3.4028234663852886e38;
const TWO_PI = 2 * Math.PI; // c10::pi<double> * 2 (exact doubling)
const TWO_PI_F = fr(2 * Math.PI); // _mm256_set1_ps(2.0f * c10::pi<double>)

function gen(g: Generator | undefined, op: string): Generator {
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${op}: expected a Generator for gen`);
  return g;
}

function checkFinite(op: string, name: string, v: number): void {
  if (typeof v !== 'number') throw new TypeError(`${op}: expected a number for ${name} but received ${typeof v}`);
  if (!Number.isFinite(v)) throw new RangeError(`${op}: expected a finite number for ${name} but received ${v}`);
}

/**
 * How `x*(to-from)+from` is rounded in fillUniform: 'fused' (one rounding, the default) or
 * 'unfused' (round the product, then the sum). See fillUniform for which PyTorch builds do which.
 */
export type UniformRounding = 'fused' | 'unfused';
let uniformRounding: UniformRounding = 'fused';

/** Selects the rounding rule of fillUniform for the whole process; returns the previous one. */
export function setUniformRounding(mode: UniformRounding): UniformRounding {
  if (mode !== 'fused' && mode !== 'unfused') {
    throw new RangeError(`setUniformRounding: expected 'fused' or 'unfused' for mode but received ${String(mode)}`);
  }
  const prev = uniformRounding;
  uniformRounding = mode;
  return prev;
}

export function getUniformRounding(): UniformRounding {
  return uniformRounding;
}

/**
 * `out.uniform_(from, to)` for a float32 tensor (also `torch.rand` = uniform_(0, 1)), one element
 * per 32-bit draw, in order:
 *
 *     from32 = fround(from), to32 = fround(to), w = fround(to32 - from32)
 *     x = (v & 0xFFFFFF) * 2^-24                       (exact float32 in [0, 1))
 *     out[i] = fma_f32(x, w, from32)                    (one rounding)
 *
 * Fused vs unfused (`setUniformRounding`): ATen writes `x * (to - from) + from` in float
 * (`uniform_real`), and whether the compiler fuses it depends on the build. Both variants print
 * the same at 4 decimals; they differ by 1 ulp on ~1/3 of the values of a non-power-of-two range
 * (e.g. Linear(2, 1) after manual_seed(0): fused [-0.005293981172144413, 0.37932288646698],
 * unfused [-0.0052939653396606445, 0.37932294607162476]). The default is 'fused':
 * - the uniform kernel lives in aten/src/ATen/native/cpu/DistributionKernels.cpp, which x86-64
 *   builds compile per CPU capability; the AVX2 / AVX-512 copies get -mfma, and GCC contracts
 *   mul+add by default in C++ (-ffp-contract=fast), so `x*w+from` becomes one vfmadd;
 * - the AVX2 normal kernel in that same translation unit reproduces torch.randn bit for bit only
 *   when its mul+add pairs are fused (two independent bit-exact ports, one pinned to torch 2.7.1);
 * - a public project's expected weights for a layer initialised U(±1/√3) after manual_seed(1)
 *   moved from the unfused
 *   values ([0.29748732, -0.25482982, -0.11192599, 0.27099025, ...]) in an older version of its test
 *   to the fused ones ([0.29748735, -0.25482982, -0.11192598, 0.27099028, ...]) in a newer one.
 * Unfused values are also common in public printouts (several for manual_seed(0) + Linear(2, 1) or
 * Linear(3, ·), one from torch 2.2.2), from builds that do not contract: older releases, the
 * ATEN_CPU_CAPABILITY=default kernel, and some macOS / Windows compilers. Select 'unfused' to match
 * those.
 */
export function fillUniform(out: Float32Array, from: number, to: number, g?: Generator): void {
  const op = 'uniform_';
  if (!(out instanceof Float32Array)) throw new TypeError(`${op}: expected a Float32Array for out`);
  checkFinite(op, 'from', from);
  checkFinite(op, 'to', to);
  const generator = gen(g, op);
  if (out.length === 0) return; // CHECK_EMPTY_AND_RETURN happens after the range checks in ATen
  if (!(from <= to)) {
    throw new RangeError(`${op} expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  if (from < -FLOAT_MAX || to > FLOAT_MAX) {
    throw new RangeError(`${op} expects to be in [${-FLOAT_MAX}, ${FLOAT_MAX}] but found from=${from} and to=${to}`);
  }
  const f = fr(from);
  const w = fr(fr(to) - f);
  if (!Number.isFinite(w)) {
    throw new RangeError(`${op} expects to-from <= std::numeric_limits<float>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`);
  }
  const n = out.length;
  if (f === 0 && w === 1) {
    for (let i = 0; i < n; i++) out[i] = generator.nextFloat01();
    return;
  }
  if (uniformRounding === 'fused') {
    for (let i = 0; i < n; i++) out[i] = fmaf(generator.nextFloat01(), w, f);
  } else {
    for (let i = 0; i < n; i++) out[i] = fr(generator.nextFloat01() * w) + f; // the store rounds the sum
  }
}

/** Box–Muller on one block of 16 uniforms in place: pairs (j, j+8), as normal_fill_16_AVX2. */
function normalFill16(data: Float32Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fr(1 - data[off + j]);
    const u2 = data[off + j + 8];
    const radius = fr(Math.sqrt(fr(-2 * logPs(u1))));
    const theta = fr(TWO_PI_F * u2);
    sincosPs(theta);
    const n1 = fr(radius * sincosOut.cos);
    const n2 = fr(radius * sincosOut.sin);
    data[off + j] = fmaf(n1, std, mean);
    data[off + j + 8] = fmaf(n2, std, mean);
  }
}

/**
 * `out.normal_(mean, std)` for a contiguous float32 tensor (and `torch.randn` = normal_(0, 1)).
 *
 * n >= 16 (ATen `normal_fill_AVX2`): first one float uniform per element for the whole buffer,
 * then Box–Muller in place on each full block of 16, pairing element j with j+8:
 *     u1 = 1 - data[j], u2 = data[j+8], r = sqrt(-2 log u1), theta = 2pi * u2,
 *     data[j] = r cos(theta) * std + mean, data[j+8] = r sin(theta) * std + mean
 * in float32 with avx_mathfun's log/sincos. When n % 16 != 0, the last 16 elements are drawn
 * again (16 fresh uniforms) and transformed as one block, overwriting the tail of the previous
 * blocks. The double-normal cache is neither read nor written on this path.
 *
 * n < 16 (`normal_distribution<double>` per element, in order): if the generator has a cached
 * sample, use it and clear the cache; otherwise draw u1 then u2 as 53-bit doubles (two 32-bit
 * draws each), r = sqrt(-2 log1p(-u2)), theta = 2pi * u1, cache r sin(theta), use r cos(theta).
 * The element is fround(fma(value, std, mean)) in double. The cache survives the call (so
 * `randn(3)` leaves one sample for the next small normal_), and `manualSeed` clears it.
 */
export function fillNormal(out: Float32Array, mean: number, std: number, g?: Generator): void {
  const op = 'normal_';
  if (!(out instanceof Float32Array)) throw new TypeError(`${op}: expected a Float32Array for out`);
  checkFinite(op, 'mean', mean);
  checkFinite(op, 'std', std);
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  const generator = gen(g, op);
  const n = out.length;
  if (n >= 16) {
    for (let i = 0; i < n; i++) out[i] = generator.nextFloat01();
    const m = fr(mean);
    const s = fr(std);
    for (let i = 0; i + 16 <= n; i += 16) normalFill16(out, i, m, s);
    if (n % 16 !== 0) {
      const off = n - 16;
      for (let i = 0; i < 16; i++) out[off + i] = generator.nextFloat01();
      normalFill16(out, off, m, s);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let v: number;
    const cached = generator.nextDoubleNormal;
    if (cached !== null) {
      v = cached;
      generator.nextDoubleNormal = null;
    } else {
      const u1 = generator.nextDouble01();
      const u2 = generator.nextDouble01();
      const r = Math.sqrt(-2 * Math.log1p(-u2));
      const theta = TWO_PI * u1;
      generator.nextDoubleNormal = r * Math.sin(theta);
      v = r * Math.cos(theta);
    }
    out[i] = std === 1 ? v + mean : fma64(v, std, mean);
  }
}

/**
 * `out.random_(low, high)` / `torch.randint(low, high, size)` on CPU: for each element in order,
 * one 32-bit draw v and out[i] = low + (v mod (high - low)). This is ATen's
 * `uniform_int_from_to_distribution` for ranges below 2^32 (always the case for int32 bounds; ATen
 * switches to a 64-bit draw only for int64/float tensors with range >= 2^32), so it reproduces
 * torch.randint with the default int64 dtype as well. Like ATen, it is slightly biased toward
 * small values when the range does not divide 2^32.
 */
export function fillRandint(out: Int32Array, low: number, high: number, g?: Generator): void {
  const op = 'randint';
  if (!(out instanceof Int32Array)) throw new TypeError(`${op}: expected an Int32Array for out`);
  for (const [name, v] of [['low', low], ['high', high]] as const) {
    if (typeof v !== 'number') throw new TypeError(`${op}: expected an integer for ${name} but received ${typeof v}`);
    if (!Number.isSafeInteger(v)) throw new RangeError(`${op}: expected an integer for ${name} but received ${v}`);
  }
  if (!(low < high)) {
    throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  }
  if (low < -2147483648 || high - 1 > 2147483647) {
    throw new RangeError(`random_ expects 'from' and 'to' - 1 to be within [-2147483648, 2147483647] for int32, but got from=${low}, to=${high}`);
  }
  const generator = gen(g, op);
  const range = high - low; // <= 2^32 - 1
  for (let i = 0; i < out.length; i++) {
    out[i] = low + (generator.nextUint32() % range);
  }
}

/** n below which ATen's randperm uses its original swap loop (`std::numeric_limits<uint32_t>::max() / 20`). */
export const RANDPERM_SMALL_N = Math.floor(4294967295 / 20); // 214748364

/**
 * `torch.randperm(n)` on CPU, matching ATen's `randperm_cpu` exactly.
 *
 * n < 214748364: start from 0..n-1; for i = 0 .. n-2, z = random() % (n - i) (one 32-bit draw),
 * swap out[i] and out[i + z]. (A Fisher–Yates shuffle run forward.)
 * Larger n: the "inside-out" variant with 64-bit draws: for i = 0 .. n-1,
 * z = random64() % (i + 1), out[i] = out[z], out[z] = i.
 */
export function randperm(n: number, g?: Generator): Int32Array {
  const op = 'randperm';
  if (typeof n !== 'number') throw new TypeError(`${op}: expected an integer for n but received ${typeof n}`);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${op}: n must be non-negative, got ${n}`);
  if (n > 2147483648) throw new RangeError(`${op}: n = ${n} is too large for int32 indices`);
  const generator = gen(g, op);
  if (n < RANDPERM_SMALL_N) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = generator.nextUint32() % (n - i);
      const save = out[i];
      out[i] = out[z + i];
      out[z + i] = save;
    }
    return out;
  }
  return randpermInsideOut(n, generator);
}

/**
 * @internal ATen's randperm for n >= 214748364 ("inside-out" Fisher–Yates with 64-bit draws):
 * for i = 0 .. n-1, z = random64() % (i + 1), out[i] = out[z], out[z] = i. Exported for tests.
 */
export function randpermInsideOut(n: number, generator: Generator): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = Number(generator.nextUint64() % BigInt(i + 1));
    out[i] = out[z];
    out[z] = i;
  }
  return out;
}
