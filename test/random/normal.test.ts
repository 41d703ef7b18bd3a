import { Generator, manualSeed, fillNormal, fillUniform } from '../../lib/random';
import { logPs, sincosPs, sincosOut } from '../../lib/random/avx_mathfun';

const p4 = (a: ArrayLike<number>) => Array.from(a, (x) => x.toFixed(4));
const fmt = (rows: string[]) => rows.join(',').split(',').map((s) => s.trim());

function randn(n: number, seed?: number, gen?: Generator): Float32Array {
  if (seed !== undefined) manualSeed(seed);
  const a = new Float32Array(n);
  fillNormal(a, 0, 1, gen);
  return a;
}

/*
 * Public torch.randn printouts (found with code search), all CPU float32:
 * - kornia, CenterCrop docstring: manual_seed(0); randn(1, 1, 4, 4)
 * - a tutorial on matrix calculus: manual_seed(0); randn(10, 4) (40 elements: the last 16 redrawn)
 * - karpathy/llm.c, doc/layernorm: manual_seed(42); randn(2, 3, 4)
 * - a fake-quantization write-up: manual_seed(42); randn(2, 16)
 * - flashinfer sampling docstrings: manual_seed(42); randn(4, 5) (then .to(0))
 * - kornia, DistributionWithMapper docstring: manual_seed(0); Normal(0, 1).rsample((8,))
 * - several tutorials: manual_seed(0); randn(2, 3) and manual_seed(42); randn(3, 4) / randn(2, 3)
 */
describe('fillNormal, n >= 16 (normal_fill_AVX2: 16-blocks, tail redrawn)', () => {
  test('seed 0, randn(4, 4)', () => {
    expect(p4(randn(16, 0))).toEqual(fmt([
      '-1.1258, -1.1524, -0.2506, -0.4339', ' 0.8487,  0.6920, -0.3160, -2.1152',
      ' 0.3223, -1.2633,  0.3500,  0.3081', ' 0.1198,  1.2377,  1.1168, -0.2473']));
  });

  test('seed 0, randn(10, 4): 40 = 2 blocks + a redrawn last block of 16', () => {
    expect(p4(randn(40, 0))).toEqual(fmt([
      '-1.1258, -1.1524, -0.2506, -0.4339', ' 0.8487,  0.6920, -0.3160, -2.1152',
      ' 0.3223, -1.2633,  0.3500,  0.3081', ' 0.1198,  1.2377,  1.1168, -0.2473',
      '-1.3527, -1.6959,  0.5667,  0.7935', ' 0.5988, -1.5551, -0.3414,  1.8530',
      '-0.2159, -0.7425,  0.5627,  0.2596', '-0.1740, -0.6787,  0.9383,  0.4889',
      ' 1.2032,  0.0845, -1.2001, -0.0048', '-0.5181, -0.3067, -1.5810,  1.7066']));
  });

  test('seed 42, randn(2, 3, 4)', () => {
    expect(p4(randn(24, 42))).toEqual(fmt([
      ' 1.9269,  1.4873,  0.9007, -2.1055', ' 0.6784, -1.2345, -0.0431, -1.6047',
      ' 0.3559, -0.6866, -0.4934,  0.2415', '-1.1109,  0.0915, -2.3169, -0.2168',
      '-0.3097, -0.3957,  0.8034, -0.6216', '-0.5920, -0.0631, -0.8286,  0.3309']));
  });

  test('seed 42, randn(2, 16)', () => {
    expect(p4(randn(32, 42))).toEqual(fmt([
      ' 1.9269,  1.4873,  0.9007, -2.1055,  0.6784, -1.2345, -0.0431, -1.6047',
      '-0.7521,  1.6487, -0.3925, -1.4036, -0.7279, -0.5594, -0.7688,  0.7624',
      ' 1.6423, -0.1596, -0.4974,  0.4396, -0.7581,  1.0783,  0.8008,  1.6806',
      ' 1.2791,  1.2964,  0.6105,  1.3347, -0.2316,  0.0418, -0.2516,  0.8599']));
  });

  test('seed 42, randn(4, 5): 20 = 1 block + a redrawn last block overlapping it', () => {
    expect(p4(randn(20, 42))).toEqual(fmt([
      ' 1.9269,  1.4873,  0.9007, -2.1055, -0.7581', ' 1.0783,  0.8008,  1.6806,  0.3559, -0.6866',
      '-0.4934,  0.2415, -0.2316,  0.0418, -0.2516', ' 0.8599, -0.3097, -0.3957,  0.8034, -0.6216']));
  });

  test('draw accounting: n uniforms, plus 16 more when n % 16 != 0; the double cache is untouched', () => {
    for (const n of [16, 17, 31, 32, 100]) {
      const g = new Generator(11);
      const h = new Generator(11);
      fillNormal(new Float32Array(n), 0, 1, g);
      const used = n + (n % 16 ? 16 : 0);
      for (let i = 0; i < used; i++) h.nextUint32();
      expect(g.nextUint32()).toBe(h.nextUint32());
      expect(g.nextDoubleNormal).toBeNull();
    }
  });

  test('the first full blocks do not depend on the tail (prefix property up to the last block)', () => {
    const a = randn(48, 7);
    const b = randn(60, 7); // 3 full blocks, then the last 16 redrawn
    expect(b.subarray(0, 44)).toEqual(a.subarray(0, 44));
  });

  test('mean and std: fma(n, std, mean) per element; std = 0 gives the mean exactly', () => {
    const g = new Generator(1);
    const h = new Generator(1);
    const z = new Float32Array(64);
    fillNormal(z, 0, 1, g);
    const y = new Float32Array(64);
    fillNormal(y, 2.5, 0.5, h); // 0.5 is a power of two: y == z * 0.5 + 2.5 rounded once
    for (let i = 0; i < 64; i++) expect(y[i]).toBe(Math.fround(z[i] * 0.5 + 2.5));
    const c = new Float32Array(32);
    fillNormal(c, 0.1, 0, new Generator(2));
    expect(Array.from(new Set(c))).toEqual([Math.fround(0.1)]);
  });

  test('statistics of a large sample', () => {
    const a = new Float32Array(200000);
    fillNormal(a, 3, 2, new Generator(123));
    let s = 0;
    let s2 = 0;
    let bad = 0;
    for (const v of a) {
      if (!Number.isFinite(v)) bad++;
      s += v;
      s2 += v * v;
    }
    const mean = s / a.length;
    const sd = Math.sqrt(s2 / a.length - mean * mean);
    expect(bad).toBe(0);
    expect(Math.abs(mean - 3)).toBeLessThan(0.02);
    expect(Math.abs(sd - 2)).toBeLessThan(0.02);
  });
});

describe('fillNormal, n < 16 (scalar double Box–Muller with the cached sample)', () => {
  test('seed 0: randn(2, 3) = 1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986', () => {
    expect(p4(randn(6, 0))).toEqual(['1.5410', '-0.2934', '-2.1788', '0.5684', '-1.0845', '-1.3986']);
  });

  test('seed 0: Normal(0, 1).rsample((8,)) = 1.5410, ..., 0.4033, 0.8380', () => {
    expect(p4(randn(8, 0))).toEqual(['1.5410', '-0.2934', '-2.1788', '0.5684', '-1.0845', '-1.3986', '0.4033', '0.8380']);
  });

  test('seed 42: randn(3, 4) and randn(2, 3)', () => {
    expect(p4(randn(12, 42))).toEqual(fmt([
      ' 0.3367,  0.1288,  0.2345,  0.2303', '-1.1229, -0.1863,  2.2082, -0.6380',
      ' 0.4617,  0.2674,  0.5349,  0.8094']));
    expect(p4(randn(6, 42))).toEqual(['0.3367', '0.1288', '0.2345', '0.2303', '-1.1229', '-0.1863']);
  });

  test('the cached second sample carries across calls: randn(3) + randn(3) == randn(6)', () => {
    const six = randn(6, 5);
    manualSeed(5);
    const a = randn(3);
    const b = randn(3);
    expect([...a, ...b]).toEqual([...six]);
  });

  test('manualSeed clears the cache', () => {
    manualSeed(5);
    randn(1); // leaves a cached sample
    const again = randn(2, 5);
    expect(again).toEqual(randn(2, 5));
    expect(p4(randn(1, 0))).toEqual(['1.5410']);
  });

  test('draw accounting: 4 draws per pair (u1 then u2 as 53-bit doubles)', () => {
    const g = new Generator(3);
    const h = new Generator(3);
    fillNormal(new Float32Array(5), 0, 1, g); // 3 pairs, one sample left in the cache
    for (let i = 0; i < 12; i++) h.nextUint32();
    expect(g.nextUint32()).toBe(h.nextUint32());
  });

  test('the value is r cos(2 pi u1) with r = sqrt(-2 log1p(-u2)), cached r sin(2 pi u1)', () => {
    const g = new Generator(8);
    const h = new Generator(8);
    const a = new Float32Array(2);
    fillNormal(a, 0, 1, g);
    const u1 = h.nextDouble01();
    const u2 = h.nextDouble01();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    expect(a[0]).toBe(Math.fround(r * Math.cos(2 * Math.PI * u1)));
    expect(a[1]).toBe(Math.fround(r * Math.sin(2 * Math.PI * u1)));
  });

  test('mean / std are applied in double before rounding to float32', () => {
    const z = new Float32Array(7);
    fillNormal(z, 0, 1, new Generator(4));
    const y = new Float32Array(7);
    fillNormal(y, -1, 3, new Generator(4));
    for (let i = 0; i < 7; i++) expect(Math.abs(y[i] - (3 * z[i] - 1))).toBeLessThan(1e-5);
  });

  test('argument errors', () => {
    const a = new Float32Array(3);
    expect(() => fillNormal(a, 0, -1)).toThrow(/normal expects std >= 0.0, but found std -1/);
    expect(() => fillNormal(a, NaN, 1)).toThrow(RangeError);
    expect(() => fillNormal(a, 0, Infinity)).toThrow(RangeError);
    expect(() => fillNormal([] as unknown as Float32Array, 0, 1)).toThrow(TypeError);
  });

  test('an empty output draws nothing', () => {
    const g = new Generator(6);
    const h = new Generator(6);
    fillNormal(new Float32Array(0), 0, 1, g);
    expect(g.nextUint32()).toBe(h.nextUint32());
  });
});

describe('avx_mathfun ports', () => {
  test('logPs is an accurate float32 log on (0, 1] and returns NaN for x <= 0', () => {
    let worst = 0;
    for (let k = 1; k <= 1 << 16; k++) {
      const x = Math.fround(k / 65536);
      const err = Math.abs(logPs(x) - Math.log(x));
      worst = Math.max(worst, err / Math.max(1, Math.abs(Math.log(x))));
    }
    expect(worst).toBeLessThan(3e-7);
    expect(logPs(Math.fround(2 ** -24))).toBeCloseTo(-24 * Math.LN2, 5);
    expect(logPs(1)).toBe(0);
    expect(Number.isNaN(logPs(0))).toBe(true);
    expect(Number.isNaN(logPs(-1))).toBe(true);
  });

  test('sincosPs is an accurate float32 sin/cos on [0, 2 pi)', () => {
    let worst = 0;
    for (let k = 0; k < 1 << 16; k++) {
      const t = Math.fround((k / 65536) * 2 * Math.PI);
      sincosPs(t);
      worst = Math.max(worst, Math.abs(sincosOut.sin - Math.sin(t)), Math.abs(sincosOut.cos - Math.cos(t)));
    }
    expect(worst).toBeLessThan(2e-7);
    sincosPs(0);
    expect(sincosOut.sin).toBe(0);
    expect(sincosOut.cos).toBe(1);
    sincosPs(-1);
    expect(sincosOut.sin).toBeCloseTo(Math.sin(-1), 6);
    expect(sincosOut.cos).toBeCloseTo(Math.cos(-1), 6);
  });

  test('fillUniform and fillNormal share one stream', () => {
    manualSeed(0);
    const u = new Float32Array(3);
    fillUniform(u, 0, 1);
    const n = randn(16);
    manualSeed(0);
    const all = new Float32Array(19);
    fillUniform(all, 0, 1);
    expect(all.subarray(0, 3)).toEqual(u);
    const g = new Generator(0);
    for (let i = 0; i < 3; i++) g.nextUint32();
    expect(randn(16, undefined, g)).toEqual(n);
  });
});
