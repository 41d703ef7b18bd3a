// The raw binding (lib/binding.ts) called with every kind of wrong argument: too few arguments,
// wrong types, descriptors that lie about shapes/strides/offsets, too-short, detached and
// past-the-end typed arrays, foreign handles. Every call must throw a JS error (never crash,
// never touch memory outside its arrays); valid calls still work. Random descriptors run against
// storages fenced by canaries, so a write outside a view that stays inside the ArrayBuffer (which
// ASan cannot see) is caught too. Runs under the sanitizer build in `npm run test:sanitize`.
import * as fc from 'fast-check';
import { binding } from '../../lib/binding';
import { cases, errorClass, seed, thrown } from './util';

type Kind =
  | { k: 'int'; lo: number; hi: number }
  | { k: 'num' }
  | { k: 'bool' }
  | { k: 'desc' }
  | { k: 'storage' }
  | { k: 'storageOrNull' }
  | { k: 'handle' }
  | { k: 'plan' }
  | { k: 'storageList' }
  | { k: 'host' }
  | { k: 'f32' };

interface Spec {
  name: keyof typeof binding;
  args: () => unknown[];  // a valid call
  kinds: Kind[];
}

const F = (n: number, v = 0.5): Float32Array => new Float32Array(n).fill(v);
const I = (n: number, v = 1): Int32Array => new Int32Array(n).fill(v);
/** [dtype, ndim, offset, ...shape, ...contiguous strides] for each (dtype, shape). */
function desc(...views: [number, number[]][]): Float64Array {
  const out: number[] = [];
  for (const [dt, shape] of views) {
    const st: number[] = [];
    let s = 1;
    for (let i = shape.length - 1; i >= 0; --i) {
      st[i] = s;
      s *= shape[i];
    }
    out.push(dt, shape.length, 0, ...shape, ...st);
  }
  return Float64Array.from(out);
}
const int = (lo: number, hi: number): Kind => ({ k: 'int', lo, hi });
const cpuHandle = (bytes = 64): unknown => binding.deviceAlloc(0, bytes);
const planDesc = Float64Array.from([1, 0, 4, 3, 0, 1, 0]);
const makePlan = (): unknown => binding.createPlan(planDesc, [F(12), F(3)], true);

const SPECS: Spec[] = [
  { name: 'unary', args: () => [2, desc([0, [4]], [0, [4]]), F(4), F(4)], kinds: [int(0, 11), { k: 'desc' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'unaryGrad', args: () => [0, desc([0, [4]], [0, [4]], [0, [4]]), F(4), F(4), F(4)], kinds: [int(0, 2), { k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'binary', args: () => [0, desc([0, [2, 3]], [0, [2, 3]], [0, [2, 3]]), F(6), F(6), F(6)], kinds: [int(0, 9), { k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'affine', args: () => [desc([0, [4]], [0, [4]]), F(4), F(4), 2, 1], kinds: [{ k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'num' }, { k: 'num' }] },
  { name: 'reduce', args: () => [2, 1, desc([0, [2, 3]], [0, [2]], [1, [2]]), F(6), F(2), I(2)], kinds: [int(0, 5), int(0, 7), { k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'storageOrNull' }] },
  { name: 'softmax', args: () => [1, false, desc([0, [2, 3]], [0, [2, 3]]), F(6), F(6)], kinds: [int(0, 7), { k: 'bool' }, { k: 'desc' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'softmaxGrad', args: () => [1, true, desc([0, [2, 3]], [0, [2, 3]], [0, [2, 3]]), F(6), F(6), F(6)], kinds: [int(0, 7), { k: 'bool' }, { k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'fill', args: () => [desc([0, [5]]), F(5), 3], kinds: [{ k: 'desc' }, { k: 'storage' }, { k: 'num' }] },
  { name: 'copy', args: () => [desc([0, [5]], [1, [5]]), F(5), I(5)], kinds: [{ k: 'desc' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'oneHot', args: () => [3, desc([1, [2]], [0, [2, 3]]), I(2), F(6)], kinds: [int(0, 2 ** 40), { k: 'desc' }, { k: 'storage' }, { k: 'storage' }] },
  { name: 'uniform', args: () => [desc([0, [8]]), F(8), 0, 42, 0, -1, 1], kinds: [{ k: 'desc' }, { k: 'storage' }, int(0, 2 ** 32 - 1), int(0, 2 ** 32 - 1), int(0, 2 ** 53 - 1), { k: 'num' }, { k: 'num' }] },
  { name: 'matmul', args: () => [desc([0, [1, 2, 3]], [0, [1, 3, 4]], [0, [1, 2, 4]], [0, [4]]), F(6), F(12), F(4), F(8), 1, false], kinds: [{ k: 'desc' }, { k: 'storage' }, { k: 'storage' }, { k: 'storageOrNull' }, { k: 'storage' }, int(0, 3), { k: 'bool' }] },
  { name: 'deviceAlloc', args: () => [0, 16], kinds: [int(0, 1), int(0, 2 ** 46)] },
  { name: 'deviceFree', args: () => [cpuHandle()], kinds: [{ k: 'handle' }] },
  { name: 'upload', args: () => [cpuHandle(), 8, F(4)], kinds: [{ k: 'handle' }, int(0, 2 ** 46), { k: 'host' }] },
  { name: 'download', args: () => [cpuHandle(), 8, F(4)], kinds: [{ k: 'handle' }, int(0, 2 ** 46), { k: 'host' }] },
  { name: 'deviceStats', args: () => [0], kinds: [int(0, 1)] },
  { name: 'synchronize', args: () => [0], kinds: [int(0, 1)] },
  { name: 'createPlan', args: () => [planDesc, [F(12), F(3)], true], kinds: [{ k: 'desc' }, { k: 'storageList' }, { k: 'bool' }] },
  { name: 'runPlan', args: () => [makePlan(), F(8), 2, F(6)], kinds: [{ k: 'plan' }, { k: 'f32' }, int(0, 2 ** 40), { k: 'f32' }] },
  { name: 'backendStatus', args: () => [0], kinds: [int(0, 1)] },
  { name: 'setNumThreads', args: () => [binding.getNumThreads()], kinds: [int(1, 1024)] },
  { name: 'compiledBackends', args: () => [], kinds: [] },
  { name: 'getNumThreads', args: () => [], kinds: [] },
];
// Async entry points: the same checks, as rejections or synchronous throws.
const ASYNC_SPECS: Spec[] = [
  { name: 'downloadAsync', args: () => [cpuHandle(), 8, F(4)], kinds: [{ k: 'handle' }, int(0, 2 ** 46), { k: 'host' }] },
  { name: 'runPlanAsync', args: () => [makePlan(), F(8), 2, F(6)], kinds: [{ k: 'plan' }, { k: 'f32' }, int(0, 2 ** 40), { k: 'f32' }] },
];

function detached<T extends ArrayBufferView>(a: T): T {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}
/** A Float32Array whose view ends exactly at its buffer's end (a 1-element window at the end). */
const atEnd = (): Float32Array => new Float32Array(new ArrayBuffer(64), 60, 1);

/** Values that are wrong for an argument of this kind (each must make the call throw). */
function wrongValues(kind: Kind): [string, () => unknown][] {
  const common: [string, () => unknown][] = [
    ['undefined', () => undefined], ['a string', () => '1'], ['an object', () => ({ length: 4 })], ['a symbol', () => Symbol('x')],
    ['a bigint', () => 1n], ['a function', () => () => 1],
  ];
  switch (kind.k) {
    case 'int':
      return [...common, ['null', () => null], ['true', () => true], ['1.5', () => kind.lo + 1.5], ['NaN', () => NaN], ['Infinity', () => Infinity],
        ['-Infinity', () => -Infinity], ['below range', () => kind.lo - 1], ['above range', () => kind.hi + 1], ['2^64', () => 2 ** 64], ['a typed array', () => F(1)]];
    case 'num':
      return [...common, ['null', () => null], ['true', () => true], ['a typed array', () => F(1)]];
    case 'bool':
      return [...common, ['null', () => null], ['1', () => 1], ['0', () => 0]];
    case 'desc':
      return [...common, ['null', () => null], ['an array', () => [0, 1, 0, 4, 1]], ['a Float32Array', () => F(40)], ['an empty Float64Array', () => new Float64Array(0)],
        ['a detached Float64Array', () => detached(new Float64Array(40))], ['a Float64Array of NaN', () => new Float64Array(40).fill(NaN)],
        ['a Float64Array of -1', () => new Float64Array(40).fill(-1)], ['a Float64Array of 1.5', () => new Float64Array(40).fill(1.5)],
        ['a Float64Array of 2^60', () => new Float64Array(40).fill(2 ** 60)], ['a cut-short descriptor', () => Float64Array.from([0, 2, 0, 3])]];
    case 'storage':
    case 'storageOrNull': {
      const bad: [string, () => unknown][] = [...common, ['an array', () => [1, 2, 3, 4]], ['a Float64Array', () => new Float64Array(64)],
        ['a Uint8Array', () => new Uint8Array(256)], ['a DataView', () => new DataView(new ArrayBuffer(256))], ['an ArrayBuffer', () => new ArrayBuffer(256)],
        ['a detached Float32Array', () => detached(F(64))], ['a one-element Float32Array', () => F(1)], ['a window at the buffer end', atEnd],
        ['a plan handle', makePlan]];
      // (an optional storage takes null or undefined as "none")
      return kind.k === 'storage' ? [...bad, ['null', () => null]] : bad.filter(([label]) => label !== 'undefined');
    }
    case 'handle':
      return [...common, ['null', () => null], ['a typed array', () => F(16)], ['a plan handle', makePlan]];
    case 'plan':
      return [...common, ['null', () => null], ['a typed array', () => F(16)], ['a device handle', () => cpuHandle()]];
    case 'storageList':
      return [...common, ['null', () => null], ['a typed array', () => F(16)], ['a list of strings', () => ['a', 'b']], ['a list with a detached array', () => [detached(F(12)), F(3)]],
        ['a list of short arrays', () => [F(2), F(1)]], ['a list of Int32Arrays', () => [I(12), I(3)]]];
    case 'host':
      return [...common, ['null', () => null], ['an array', () => [1, 2, 3, 4]], ['an ArrayBuffer', () => new ArrayBuffer(16)], ['too long', () => F(64)]];
    case 'f32':
      return [...common, ['null', () => null], ['an Int32Array', () => I(8)], ['a Float64Array', () => new Float64Array(8)], ['a detached Float32Array', () => detached(F(8))], ['too short', () => F(1)]];
  }
}

function call(name: keyof typeof binding, args: unknown[]): unknown {
  return (binding[name] as unknown as (...a: unknown[]) => unknown)(...args);
}

function expectJsError(e: unknown, what: string): void {
  if (e === null) throw new Error(`${what}: did not throw`);
  if (!(e !== null && typeof e === 'object' && typeof (e as Error).message === 'string' && /Error$/.test(errorClass(e) ?? '')))
    throw new Error(`${what}: threw something that is not an Error: ${String(e)}`);
}

describe.each(SPECS)('$name', ({ name, args, kinds }) => {
  test('a valid call works', () => {
    expect(thrown(() => call(name, args()))).toBeNull();
  });

  test('too few arguments: a TypeError', () => {
    for (let n = 0; n < kinds.length; ++n) {
      const e = thrown(() => call(name, args().slice(0, n)));
      expectJsError(e, `${name} with ${n} of ${kinds.length} arguments`);
      expect(errorClass(e)).toBe('TypeError');
    }
  });

  test('extra arguments are ignored', () => {
    expect(thrown(() => call(name, [...args(), 1, 'x', null]))).toBeNull();
  });

  if (kinds.length > 0)
    test('every wrong value in every position throws', () => {
      let checked = 0;
      kinds.forEach((kind, i) => {
        for (const [label, value] of wrongValues(kind)) {
          const a = args();
          a[i] = value();
          expectJsError(thrown(() => call(name, a)), `${name} argument ${i} (${kind.k}) = ${label}`);
          ++checked;
        }
      });
      expect(checked).toBeGreaterThan(kinds.length * 5);
    });
});

describe.each(ASYNC_SPECS)('$name (async)', ({ name, args, kinds }) => {
  test('a valid call resolves', async () => {
    await expect(call(name, args())).resolves.toBeUndefined();
  });

  test('every wrong value in every position throws or rejects', async () => {
    for (let n = 0; n < kinds.length; ++n) expectJsError(thrown(() => call(name, args().slice(0, n))), `${name} with ${n} arguments`);
    for (const [i, kind] of kinds.entries()) {
      for (const [label, value] of wrongValues(kind)) {
        const a = args();
        a[i] = value();
        let e: unknown = null;
        try {
          await call(name, a);
        } catch (err) {
          e = err;
        }
        expectJsError(e, `${name} argument ${i} (${kind.k}) = ${label}`);
      }
    }
  });
});

describe('memory that goes away while async work runs', () => {
  test('runPlanAsync: output or input detached (and collected) in flight → rejects; weights detached → throws', async () => {
    const W = F(4 * 512), B = F(512);
    const plan = binding.createPlan(Float64Array.from([1, 0, 4, 512, 0, 1, 0]), [W, B], false);
    const input = F(4 * 256, 1), out = F(512 * 256);
    const p = binding.runPlanAsync(plan, input, 256, out);
    detached(out);
    detached(input);
    await expect(p).rejects.toThrow(/output array was detached/);
    // A second run with fresh arrays still works (the plan is intact).
    const out2 = F(512);
    await binding.runPlanAsync(plan, F(4, 1), 1, out2);
    expect(out2[0]).toBeCloseTo(4 * 0.5 + 0.5, 5);
    detached(W);
    expect(() => binding.runPlan(plan, F(4), 1, F(512))).toThrow(/weight's memory was freed, detached or replaced/);
    expect(() => binding.runPlanAsync(plan, F(4), 1, F(512))).toThrow(/weight's memory/);  // checked before queueing
  });

  test('downloadAsync: host array detached in flight → rejects; deviceFree in flight waits for the read', async () => {
    const h = binding.deviceAlloc(0, 1 << 20);
    binding.upload(h, 0, F(1 << 18, 7));
    const host = F(1 << 18);
    const p = binding.downloadAsync(h, 0, host);
    detached(host);
    await expect(p).rejects.toThrow(/host array was detached/);
    const before = binding.deviceStats(0).liveBuffers;
    const host2 = F(1 << 18);
    const p2 = binding.downloadAsync(h, 0, host2);
    binding.deviceFree(h);  // deferred until the read settles
    await p2;
    expect(host2[12345]).toBe(7);
    expect(binding.deviceStats(0).liveBuffers).toBe(before - 1);
    expect(() => binding.download(h, 0, F(4))).toThrow();
  });
});

describe('random descriptors against fenced storages', () => {
  const CANARY = 12345.5;
  /** n elements inside a larger buffer with `pad` canaries on each side. */
  function fenced(n: number, pad: number, int32: boolean): { view: Float32Array | Int32Array; whole: Float32Array | Int32Array; pad: number } {
    const whole = int32 ? new Int32Array(n + 2 * pad).fill(CANARY | 0) : new Float32Array(n + 2 * pad).fill(CANARY);
    const view = whole.subarray(pad, pad + n);
    view.fill(1);
    return { view, whole, pad };
  }
  function intact(f: ReturnType<typeof fenced>): boolean {
    const c = f.whole instanceof Int32Array ? CANARY | 0 : CANARY;
    for (let i = 0; i < f.pad; ++i) if (f.whole[i] !== c || f.whole[f.whole.length - 1 - i] !== c) return false;
    return true;
  }

  const dim = fc.integer({ min: 0, max: 5 });
  const viewArb = fc.record({
    dtype: fc.constantFrom(0, 1, 0, 2, -1, 0.5),
    shape: fc.array(dim, { maxLength: 4 }),
    strides: fc.array(fc.oneof(fc.integer({ min: -2, max: 7 }), fc.constantFrom(2 ** 53, 2 ** 62, NaN, 0.5)), { maxLength: 4 }),
    offset: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-1, 2 ** 53, 2 ** 63, Infinity)),
    ndimLie: fc.integer({ min: -1, max: 1 }),
  });
  const storageArb = fc.record({ n: fc.integer({ min: 0, max: 48 }), int32: fc.boolean() });

  test('op calls with random views either throw or stay inside their storages', () => {
    const runs = cases('NATIVE_ARGS_RUNS', 300);
    const ops: { name: string; n: number; call: (d: Float64Array, s: (Float32Array | Int32Array)[]) => void }[] = [
      { name: 'unary', n: 2, call: (d, s) => binding.unary(3, d, s[0], s[1]) },
      { name: 'binary', n: 3, call: (d, s) => binding.binary(0, d, s[0], s[1], s[2]) },
      { name: 'copy', n: 2, call: (d, s) => binding.copy(d, s[0], s[1]) },
      { name: 'fill', n: 1, call: (d, s) => binding.fill(d, s[0], 2) },
      { name: 'reduce', n: 3, call: (d, s) => binding.reduce(2, 0, d, s[0], s[1], s[2]) },
      { name: 'softmax', n: 2, call: (d, s) => binding.softmax(0, true, d, s[0], s[1]) },
      { name: 'softmaxGrad', n: 3, call: (d, s) => binding.softmaxGrad(0, false, d, s[0], s[1], s[2]) },
      { name: 'oneHot', n: 2, call: (d, s) => binding.oneHot(3, d, s[0], s[1]) },
      { name: 'matmul', n: 4, call: (d, s) => binding.matmul(d, s[0], s[1], s[3], s[2], 2, false) },
      { name: 'uniform', n: 1, call: (d, s) => binding.uniform(d, s[0], 1, 2, 3, 0, 1) },
    ];
    let threw = 0, ran = 0;
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.array(viewArb, { minLength: 1, maxLength: 4 }), fc.array(storageArb, { minLength: 4, maxLength: 4 }), (op, views, stores) => {
        const d: number[] = [];
        for (const v of views) {
          const nd = v.shape.length;
          d.push(v.dtype, nd + v.ndimLie, v.offset, ...v.shape, ...Array.from({ length: nd }, (_, i) => v.strides[i] ?? 1));
        }
        const fences = stores.map((s) => fenced(s.n, 8, s.int32));
        const e = thrown(() => op.call(Float64Array.from(d), fences.map((f) => f.view)));
        if (e !== null) {
          expectJsError(e, op.name);
          ++threw;
        } else ++ran;
        for (const f of fences) if (!intact(f)) throw new Error(`${op.name} wrote outside its storage: desc ${JSON.stringify(d)}`);
      }),
      { numRuns: runs, seed: seed() },
    );
    expect(threw + ran).toBe(runs);
    expect(threw).toBeGreaterThan(0);
  });
});
