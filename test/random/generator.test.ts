import {
  MT19937,
  Generator,
  defaultGenerator,
  manualSeed,
  initialSeed,
  seed,
  GENERATOR_STATE_BYTES,
  fillNormal,
  fillUniform,
} from '../../lib/random';

describe('MT19937 engine', () => {
  test('standard mt19937 reference: seed 5489, first output 3499211612, 10000th output 4123659995', () => {
    const mt = new MT19937(5489);
    expect(mt.nextUint32()).toBe(3499211612);
    let v = 0;
    for (let i = 2; i <= 10000; i++) v = mt.nextUint32();
    expect(v).toBe(4123659995);
  });

  test('default seed is 5489, like at::mt19937()', () => {
    const a = new MT19937();
    expect(a.seed).toBe(5489n);
    expect(a.nextUint32()).toBe(3499211612);
  });

  test('outputs are unsigned 32-bit integers', () => {
    const mt = new MT19937(123);
    let bad = 0;
    for (let i = 0; i < 2000; i++) {
      const v = mt.nextUint32();
      if (!(Number.isInteger(v) && v >= 0 && v < 2 ** 32)) bad++;
    }
    expect(bad).toBe(0);
  });

  test('only the low 32 bits of the seed reach the state; the full seed is kept', () => {
    const a = new MT19937(1);
    const b = new MT19937((1n << 32n) + 1n);
    expect(b.seed).toBe((1n << 32n) + 1n);
    for (let i = 0; i < 10; i++) expect(b.nextUint32()).toBe(a.nextUint32());
  });

  test('saveState / restoreState round trip across a twist boundary', () => {
    const mt = new MT19937(42);
    for (let i = 0; i < 620; i++) mt.nextUint32();
    const snap = mt.saveState();
    const ref: number[] = [];
    for (let i = 0; i < 20; i++) ref.push(mt.nextUint32());
    const other = new MT19937(7);
    other.restoreState(snap);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) got.push(other.nextUint32());
    expect(got).toEqual(ref);
    expect(other.seed).toBe(42n);
    // clone is independent
    const c = other.clone();
    expect(c.nextUint32()).toBe(other.nextUint32());
  });

  test('restoreState rejects an invalid state', () => {
    const mt = new MT19937(1);
    const s = mt.saveState();
    expect(() => mt.restoreState({ ...s, left: 0 })).toThrow(/invalid mt19937 state/);
    expect(() => mt.restoreState({ ...s, left: 625 })).toThrow(/invalid mt19937 state/);
    expect(() => mt.restoreState({ ...s, next: 625 })).toThrow(/invalid mt19937 state/);
    expect(() => mt.restoreState({ ...s, seeded: false })).toThrow(/invalid mt19937 state/);
    expect(() => mt.restoreState({ ...s, state: new Uint32Array(3) })).toThrow(/invalid mt19937 state/);
  });
});

describe('Generator seeding (torch.manual_seed semantics)', () => {
  test('manualSeed seeds the default generator and returns it', () => {
    const g = manualSeed(0);
    expect(g).toBe(defaultGenerator);
    expect(initialSeed()).toBe(0n);
    expect(g.initialSeed()).toBe(0n);
  });

  test('seed 0: state[0] = 0, the first draw twists, then tempering (matches the standard stream)', () => {
    const g = new Generator(0);
    const mt = new MT19937(0);
    for (let i = 0; i < 5; i++) expect(g.nextUint32()).toBe(mt.nextUint32());
  });

  test('a fresh Generator starts at default_rng_seed_val 67280421310721', () => {
    expect(new Generator().initialSeed()).toBe(67280421310721n);
  });

  test('negative seeds map mod 2^64; the stream follows the low 32 bits', () => {
    const g = new Generator().manualSeed(-1);
    expect(g.initialSeed()).toBe((1n << 64n) - 1n);
    const h = new Generator().manualSeed(0xffffffff);
    for (let i = 0; i < 5; i++) expect(g.nextUint32()).toBe(h.nextUint32());
    expect(new Generator().manualSeed(-(1n << 63n)).initialSeed()).toBe(1n << 63n);
  });

  test('seeds up to 2^64 - 1 are accepted, beyond are RangeErrors', () => {
    expect(new Generator().manualSeed((1n << 64n) - 1n).initialSeed()).toBe((1n << 64n) - 1n);
    expect(() => new Generator().manualSeed(1n << 64n)).toThrow(RangeError);
    expect(() => new Generator().manualSeed(-(1n << 63n) - 1n)).toThrow(RangeError);
    expect(() => new Generator().manualSeed(1.5)).toThrow(RangeError);
    expect(() => new Generator().manualSeed(NaN)).toThrow(RangeError);
    expect(() => new Generator().manualSeed('1' as unknown as number)).toThrow(TypeError);
  });

  test('a number seed above 2^53 that is an exact integer is used as is', () => {
    const g = new Generator().manualSeed(2 ** 60);
    expect(g.initialSeed()).toBe(1n << 60n);
  });

  test('seed() reseeds nondeterministically and reports the seed', () => {
    const g = new Generator(0);
    const s1 = g.seed();
    expect(typeof s1).toBe('bigint');
    expect(g.initialSeed()).toBe(s1);
    const s2 = g.seed();
    expect(s2).not.toBe(s1); // 2^-64 chance of a false failure
    const d = seed();
    expect(initialSeed()).toBe(d);
  });

  test('nextUint64 is (first draw << 32) | second draw', () => {
    const a = new Generator(7);
    const b = new Generator(7);
    const hi = BigInt(b.nextUint32());
    const lo = BigInt(b.nextUint32());
    expect(a.nextUint64()).toBe((hi << 32n) | lo);
  });

  test('float64 uniform uses random64 with a 53-bit mask (torch.rand(8, dtype=float64), seed 0)', () => {
    // Measured values of torch.rand(8, dtype=torch.float64) after manual_seed(0), from a public
    // torch-compatible RNG test suite (torch 2.x, CPU).
    const expected = [0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603,
      0.6450241201227648, 0.7911478921803037, 0.17860617520075095, 0.3511076243939284];
    const g = new Generator(0);
    expect(Array.from({ length: 8 }, () => g.nextDouble01())).toEqual(expected);
  });
});

describe('Generator state (torch.Generator.get_state layout)', () => {
  test('getState is 5056 bytes with the CPUGeneratorImplState layout', () => {
    const g = new Generator(42);
    const s = g.getState();
    expect(s.length).toBe(GENERATOR_STATE_BYTES);
    expect(s.length).toBe(5056);
    const dv = new DataView(s.buffer);
    expect(dv.getBigUint64(0, true)).toBe(42n); // the_initial_seed
    expect(dv.getInt32(8, true)).toBe(1); // left
    expect(dv.getInt32(12, true)).toBe(1); // seeded
    expect(dv.getBigUint64(16, true)).toBe(0n); // next
    expect(dv.getBigUint64(24, true)).toBe(42n); // state[0] = seed & 0xffffffff, as a 64-bit word
    expect(dv.getInt32(5040, true)).toBe(0); // normal_is_valid
    expect(s[5052]).toBe(0); // is_next_float_normal_sample_valid
  });

  test('getState / setState round trip restores the stream', () => {
    const g = new Generator(123);
    for (let i = 0; i < 1000; i++) g.nextUint32();
    const st = g.getState();
    const a = Array.from({ length: 50 }, () => g.nextUint32());
    const h = new Generator(0);
    h.setState(st);
    const b = Array.from({ length: 50 }, () => h.nextUint32());
    expect(b).toEqual(a);
    expect(h.initialSeed()).toBe(123n);
    // the same bytes come back out
    h.setState(st);
    expect(h.getState()).toEqual(st);
  });

  test('the cached normal sample travels with the state', () => {
    const g = new Generator(5);
    const x = new Float32Array(3);
    fillNormal(x, 0, 1, g); // uses 2 Box–Muller pairs and leaves one sample cached
    expect(g.nextDoubleNormal).not.toBeNull();
    const st = g.getState();
    const dv = new DataView(st.buffer);
    expect(dv.getInt32(5040, true)).toBe(1);
    expect(dv.getFloat64(5024, true)).toBe(g.nextDoubleNormal);
    const y1 = new Float32Array(4);
    fillNormal(y1, 0, 1, g);
    const h = new Generator(0);
    h.setState(st);
    const y2 = new Float32Array(4);
    fillNormal(y2, 0, 1, h);
    expect(y2).toEqual(y1);
  });

  test('clone is an independent copy', () => {
    const g = new Generator(9);
    const c = g.clone();
    const a = new Float32Array(10);
    const b = new Float32Array(10);
    fillUniform(a, 0, 1, g);
    fillUniform(b, 0, 1, c);
    expect(b).toEqual(a);
  });

  test('setState rejects wrong sizes and invalid engines', () => {
    const g = new Generator(1);
    expect(() => g.setState(new Uint8Array(10))).toThrow(/size 5056/);
    expect(() => g.setState([] as unknown as Uint8Array)).toThrow(TypeError);
    const bad = g.getState();
    new DataView(bad.buffer).setInt32(8, 0, true); // left = 0
    expect(() => g.setState(bad)).toThrow(/Invalid mt19937 state/);
    const bad2 = g.getState();
    new DataView(bad2.buffer).setInt32(12, 0, true); // seeded = 0
    expect(() => g.setState(bad2)).toThrow(/Invalid mt19937 state/);
    const bad3 = g.getState();
    new DataView(bad3.buffer).setBigUint64(16, 625n, true); // next = 625
    expect(() => g.setState(bad3)).toThrow(/Invalid mt19937 state/);
    // the generator is unchanged after a rejected state
    expect(g.initialSeed()).toBe(1n);
  });

  test('setState accepts a state whose buffer is offset (a subarray)', () => {
    const g = new Generator(77);
    const st = g.getState();
    const big = new Uint8Array(st.length + 3);
    big.set(st, 3);
    const h = new Generator(0);
    h.setState(big.subarray(3));
    expect(h.nextUint32()).toBe(g.nextUint32());
  });
});
