import { Generator, manualSeed, fillRandint, randperm } from '../../lib/random';
import { randpermInsideOut, RANDPERM_SMALL_N } from '../../lib/random/distributions';

function randint(low: number, high: number, n: number, seed?: number, g?: Generator): number[] {
  if (seed !== undefined) manualSeed(seed);
  const a = new Int32Array(n);
  fillRandint(a, low, high, g);
  return Array.from(a);
}

describe('fillRandint = torch.randint / random_(low, high) on CPU', () => {
  test('seed 42: randint(0, 10, (2, 3)) = [[2, 7, 6], [4, 6, 5]] (public printout)', () => {
    expect(randint(0, 10, 6, 42)).toEqual([2, 7, 6, 4, 6, 5]);
  });

  test('seed 0: ten randint(0, 17, (1,)) draws = 7, 3, 12, 16, 2, 0, 16, 10, 6, 5 (measured with torch)', () => {
    manualSeed(0);
    const got: number[] = [];
    for (let i = 0; i < 10; i++) got.push(randint(0, 17, 1)[0]);
    expect(got).toEqual([7, 3, 12, 16, 2, 0, 16, 10, 6, 5]);
    expect(randint(0, 17, 10, 0)).toEqual(got);
  });

  test('rule: low + (v mod (high - low)), one 32-bit draw per element', () => {
    const g = new Generator(99);
    const h = new Generator(99);
    const got = randint(-5, 1000003, 50, undefined, g);
    expect(got).toEqual(Array.from({ length: 50 }, () => -5 + (h.nextUint32() % 1000008)));
  });

  test('full int32 range and single-value range', () => {
    const g = new Generator(1);
    const h = new Generator(1);
    const a = randint(-2147483648, 2147483647, 20, undefined, g);
    expect(a).toEqual(Array.from({ length: 20 }, () => -2147483648 + (h.nextUint32() % 4294967295)));
    expect(randint(7, 8, 5, 3)).toEqual([7, 7, 7, 7, 7]);
  });

  test('values stay in range and cover it', () => {
    const a = randint(-3, 4, 10000, 2);
    expect(Math.min(...a)).toBe(-3);
    expect(Math.max(...a)).toBe(3);
  });

  test('argument errors', () => {
    const a = new Int32Array(2);
    expect(() => fillRandint(a, 5, 5)).toThrow(/random_ expects 'from' to be less than 'to', but got from=5 >= to=5/);
    expect(() => fillRandint(a, 0, 1.5)).toThrow(RangeError);
    expect(() => fillRandint(a, 0, 2 ** 31 + 1)).toThrow(RangeError);
    expect(() => fillRandint(a, -(2 ** 31) - 1, 0)).toThrow(RangeError);
    expect(() => fillRandint(new Float32Array(2) as unknown as Int32Array, 0, 2)).toThrow(TypeError);
    expect(() => fillRandint(a, '0' as unknown as number, 2)).toThrow(TypeError);
  });
});

describe('randperm = torch.randperm(n) on CPU', () => {
  // Public expected values of torch.randperm(10) after manual_seed(seed), from several projects
  // that check their ports against PyTorch's CPU generator.
  test.each([
    [0, [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]],
    [1, [5, 6, 1, 2, 0, 8, 9, 3, 7, 4]],
    [42, [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]],
  ])('seed %p: randperm(10)', (seed, expected) => {
    manualSeed(seed);
    expect(Array.from(randperm(10))).toEqual(expected);
  });

  test('seeds share a stream when their low 32 bits agree: 2^32 + 1 behaves as 1; 2^53 - 1', () => {
    manualSeed((1n << 32n) + 1n);
    expect(Array.from(randperm(10))).toEqual([5, 6, 1, 2, 0, 8, 9, 3, 7, 4]);
    manualSeed(2 ** 53 - 1);
    expect(Array.from(randperm(10))).toEqual([1, 4, 6, 2, 0, 5, 8, 7, 9, 3]);
  });

  test('the swap rule: z = random() % (n - i), swap out[i] and out[i + z], n - 1 draws', () => {
    const g = new Generator(17);
    const h = new Generator(17);
    const n = 25;
    const ref = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n - 1; i++) {
      const z = h.nextUint32() % (n - i);
      [ref[i], ref[i + z]] = [ref[i + z], ref[i]];
    }
    expect(Array.from(randperm(n, g))).toEqual(ref);
    expect(g.nextUint32()).toBe(h.nextUint32());
  });

  test('n = 0 and n = 1 draw nothing', () => {
    const g = new Generator(4);
    const h = new Generator(4);
    expect(Array.from(randperm(0, g))).toEqual([]);
    expect(Array.from(randperm(1, g))).toEqual([0]);
    expect(g.nextUint32()).toBe(h.nextUint32());
  });

  test('a permutation for larger n', () => {
    const p = randperm(10000, new Generator(5));
    const seen = new Uint8Array(10000);
    for (const v of p) seen[v]++;
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  test('the large-n variant (inside-out, 64-bit draws) yields a permutation with that rule', () => {
    expect(RANDPERM_SMALL_N).toBe(214748364);
    const g = new Generator(6);
    const h = new Generator(6);
    const p = randpermInsideOut(500, g);
    const ref: number[] = [];
    for (let i = 0; i < 500; i++) {
      const z = Number(h.nextUint64() % BigInt(i + 1));
      ref[i] = i;
      ref[i] = ref[z];
      ref[z] = i;
    }
    expect(Array.from(p)).toEqual(ref);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  test('argument errors', () => {
    expect(() => randperm(-1)).toThrow(/n must be non-negative/);
    expect(() => randperm(1.5)).toThrow(RangeError);
    expect(() => randperm('3' as unknown as number)).toThrow(TypeError);
  });
});
