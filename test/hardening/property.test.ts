// Property tests (fast-check, seeded: HARDENING_SEED reproduces a failure, which fast-check
// prints shrunk). Random shapes (0-4 dims, sizes 0-5), dtypes, broadcasting pairs and views
// (contiguous, permuted, narrowed, expanded) on every usable device go through the public ops;
// results must equal a float64 reference computed here with plain index math, invalid inputs
// must throw a TypeError or RangeError whose message starts with the op's name, and nothing may
// crash. npm test runs a few hundred cases (PROPERTY_RUNS=400 split over the properties);
// `npm run test:property-nightly` runs PROPERTY_RUNS=12000.
import * as fc from 'fast-check';
import * as tn from '../../lib/index';
import { devicesUnderTest } from '../helpers/devices';
import { cases, seed } from './util';

const TOTAL = cases('PROPERTY_RUNS', 400);
const DEVICES = devicesUnderTest().filter((d) => d.run).map((d) => d.device);
/** This property's share of the run budget. */
const runs = (weight: number): number => Math.max(5, Math.round((TOTAL * weight) / 100));
const fcOpts = (weight: number) => ({ numRuns: runs(weight), seed: seed() + weight, endOnFailure: true });
export const counts: Record<string, number> = {};
const count = (name: string): void => void (counts[name] = (counts[name] ?? 0) + 1);

// ---- index math (independent of lib/) ----
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}
function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; ++d) o = o * shape[d] + idx[d];
  return o;
}
function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; ++i) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}
/** Values of `ref` (row-major over `shape`) broadcast to `target`. */
function bcast(ref: Float64Array, shape: readonly number[], target: readonly number[]): Float64Array {
  const out = new Float64Array(numel(target));
  const lead = target.length - shape.length;
  for (let i = 0; i < out.length; ++i) {
    const idx = unravel(i, target).slice(lead).map((v, d) => (shape[d] === 1 ? 0 : v));
    out[i] = ref[ravel(idx, shape)];
  }
  return out;
}

// ---- random tensors with their float64 twins ----
type ViewKind = 'contiguous' | 'permuted' | 'narrowed' | 'expanded';
interface Made { t: tn.Tensor; ref: Float64Array; kind: ViewKind }
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e-30];

function values(n: number, rnd: () => number, dtype: tn.DType, specials: boolean): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    if (dtype === 'int32') v[i] = Math.floor(rnd() * 200) - 100;
    else if (specials && rnd() < 0.06) v[i] = SPECIALS[Math.floor(rnd() * SPECIALS.length)];
    else v[i] = Math.fround((rnd() * 4 - 2) || 0.5);
  }
  return v;
}
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tensor of `shape` built as `kind` of view, with the values it shows (row-major) as float64. */
function make(shape: number[], kind: ViewKind, dtype: tn.DType, device: tn.Device, s: number, specials = false): Made {
  const rnd = mulberry(s);
  const nd = shape.length;
  const host = (v: Float64Array) => (dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v));
  if (kind === 'permuted' && nd >= 2) {
    const p = shape.map((_, i) => i);
    for (let i = nd - 1; i > 0; --i) {
      const j = Math.floor(rnd() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    const baseShape = new Array<number>(nd);
    p.forEach((src, j) => (baseShape[src] = shape[j]));  // view.shape[j] = base.shape[p[j]]
    const base = values(numel(baseShape), rnd, dtype, specials);
    const t = tn.tensor(host(base), { shape: baseShape, dtype, device }).permute(p);
    const ref = new Float64Array(numel(shape));
    for (let i = 0; i < ref.length; ++i) {
      const idx = unravel(i, shape);
      const bidx = new Array<number>(nd);
      p.forEach((src, j) => (bidx[src] = idx[j]));
      ref[i] = base[ravel(bidx, baseShape)];
    }
    return { t, ref, kind };
  }
  if (kind === 'narrowed' && nd >= 1) {
    const d = Math.floor(rnd() * nd);
    const baseShape = shape.slice();
    baseShape[d] += 3;
    const base = values(numel(baseShape), rnd, dtype, specials);
    const t = tn.tensor(host(base), { shape: baseShape, dtype, device }).narrow(d, 1, shape[d]);
    const ref = new Float64Array(numel(shape));
    for (let i = 0; i < ref.length; ++i) {
      const idx = unravel(i, shape);
      idx[d] += 1;
      ref[i] = base[ravel(idx, baseShape)];
    }
    return { t, ref, kind };
  }
  if (kind === 'expanded' && nd >= 1) {
    const drop = Math.floor(rnd() * (nd + 1)) === 0 ? 1 : 0;  // sometimes one fewer leading dim
    const baseShape = shape.slice(drop).map((s2) => (rnd() < 0.5 ? 1 : s2));
    const base = values(numel(baseShape), rnd, dtype, specials);
    const t = tn.tensor(host(base), { shape: baseShape, dtype, device }).expand(shape);
    return { t, ref: bcast(base, baseShape, shape), kind };
  }
  const v = values(numel(shape), rnd, dtype, specials);
  return { t: tn.tensor(host(v), { shape, dtype, device }), ref: v, kind: 'contiguous' };
}

// ---- comparison ----
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; ++i) {
    const a = actual[i], e = Math.fround(expected[i]);
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    throw new Error(`${what}: element ${i} is ${a}, the float64 reference is ${expected[i]}`);
  }
}
function sameShape(t: tn.Tensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
    throw new Error(`${what}: shape [${t.shape}] but expected [${shape}]`);
}

// ---- arbitraries ----
const dimSize = fc.integer({ min: 0, max: 5 });
const shapeArb = (minDims = 0, maxDims = 4) => fc.array(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: dimSize }), { minLength: minDims, maxLength: maxDims });
const kindArb = fc.constantFrom<ViewKind>('contiguous', 'permuted', 'narrowed', 'expanded');
const deviceArb = fc.constantFrom(...DEVICES);
const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });
/** Two shapes that broadcast: b is a with dims set to 1 and/or leading dims dropped (either side). */
const broadcastPairArb = fc.tuple(shapeArb(), fc.array(fc.boolean(), { maxLength: 4 }), fc.integer({ min: 0, max: 2 }), fc.boolean()).map(([a, ones, drop, swap]) => {
  const b = a.slice(Math.min(drop, a.length)).map((s, i) => (ones[i] ? 1 : s));
  return swap ? [b, a] : [a, b];
});

const UNARY: Record<string, (x: number) => number> = {
  neg: (x) => -x, relu: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)), sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh,
  exp: Math.exp, log: Math.log, abs: Math.abs, sqrt: Math.sqrt, square: (x) => x * x, reciprocal: (x) => 1 / x,
  sign: (x) => (Number.isNaN(x) ? NaN : Math.sign(x) + 0), log1p: Math.log1p,
};
const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  eq: (a, b) => +(a === b), lt: (a, b) => +(a < b), gt: (a, b) => +(a > b),
};
const INT_BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => (a + b) | 0, sub: (a, b) => (a - b) | 0, mul: (a, b) => Math.imul(a, b),
  maximum: Math.max, minimum: Math.min, eq: (a, b) => +(a === b), lt: (a, b) => +(a < b), gt: (a, b) => +(a > b),
};
const call = (t: tn.Tensor, name: string, ...args: unknown[]): tn.Tensor =>
  (t as unknown as Record<string, (...a: unknown[]) => tn.Tensor>)[name](...args);

afterAll(() => {
  if (process.env.PROPERTY_RUNS) process.stdout.write(`property cases by op (seed ${seed()}): ${JSON.stringify(counts)}\n`);
});

describe(`valid inputs match the float64 reference (devices: ${DEVICES.join(', ')})`, () => {
  test('unary ops on every view kind, specials (NaN, ±Inf, ±0, huge, tiny) included', () => {
    fc.assert(fc.property(shapeArb(), kindArb, deviceArb, seedArb, fc.constantFrom(...Object.keys(UNARY)), (shape, kind, device, s, op) => {
      const x = make(shape, kind, 'float32', device, s, true);
      const y = call(x.t, op);
      sameShape(y, shape, op);
      close(y.dataSync(), Array.from(x.ref, UNARY[op]), 3e-6, 1e-6, `${op} on a ${kind} [${shape}] ${device} tensor`);
      count(op);
    }), fcOpts(20));
  });

  test('binary ops with broadcasting, float32 and int32', () => {
    fc.assert(fc.property(broadcastPairArb, kindArb, kindArb, deviceArb, seedArb, fc.boolean(), fc.constantFrom(...Object.keys(BINARY)), ([sa, sb], ka, kb, device, s, int, op) => {
      const table = int && op in INT_BINARY ? INT_BINARY : BINARY;
      const dtype: tn.DType = table === INT_BINARY ? 'int32' : 'float32';
      const a = make(sa, ka, dtype, device, s, dtype === 'float32'), b = make(sb, kb, dtype, device, s + 1, dtype === 'float32');
      const out = broadcast(sa, sb)!;
      const y = call(a.t, op, b.t);
      sameShape(y, out, op);
      const ra = bcast(a.ref, sa, out), rb = bcast(b.ref, sb, out);
      close(y.dataSync(), Array.from(ra, (v, i) => table[op](v, rb[i])), 2e-6, 1e-6, `${dtype} ${op} of ${ka} [${sa}] and ${kb} [${sb}] on ${device}`);
      if (dtype === 'int32' && !['eq', 'lt', 'gt'].includes(op) && y.dtype !== 'int32') throw new Error(`${op}: int32 operands gave ${y.dtype}`);
      count(`${op}/${dtype}`);
    }), fcOpts(20));
  });

  test('reductions: sum, mean, max/min with indices, argmax over one dim and over everything, keepdim', () => {
    fc.assert(fc.property(shapeArb(1), kindArb, deviceArb, seedArb, fc.nat(), fc.boolean(), fc.constantFrom('sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'sumAll', 'meanAll'), (shape, kind, device, s, dimSeed, keepdim, op) => {
      const x = make(shape, kind, 'float32', device, s);
      const d = dimSeed % shape.length;
      if ((op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin') && shape[d] === 0) {
        expect(() => call(x.t, op, d)).toThrow(RangeError);
        count(`${op}/empty`);
        return;
      }
      if (op === 'sumAll' || op === 'meanAll') {
        const y = op === 'sumAll' ? x.t.sum() : x.t.mean();
        const sum = x.ref.reduce((a, b) => a + b, 0);
        close(y.dataSync(), [op === 'sumAll' ? sum : sum / x.ref.length], 1e-5, 1e-5, `${op} of [${shape}]`);
        count(op);
        return;
      }
      const outShape = shape.filter((_, i) => i !== d);
      const ref = new Float64Array(numel(outShape)), idx = new Float64Array(numel(outShape));
      for (let o = 0; o < ref.length; ++o) {
        const oi = unravel(o, outShape);
        let acc = op === 'max' || op === 'argmax' ? -Infinity : op === 'min' || op === 'argmin' ? Infinity : 0, at = 0;
        for (let j = 0; j < shape[d]; ++j) {
          const v = x.ref[ravel([...oi.slice(0, d), j, ...oi.slice(d)], shape)];
          if (op === 'sum' || op === 'mean') acc += v;
          else if ((op === 'max' || op === 'argmax') ? v > acc : v < acc) { acc = v; at = j; }
        }
        ref[o] = op === 'mean' ? acc / shape[d] : acc;
        idx[o] = at;
      }
      const keptShape = shape.map((s2, i) => (i === d ? 1 : s2));
      let y: tn.Tensor, yi: tn.Tensor | null = null;
      if (op === 'max' || op === 'min') ({ values: y, indices: yi } = call(x.t, op, d, keepdim) as unknown as tn.ValuesIndices);
      else y = call(x.t, op, d, keepdim);
      sameShape(y, keepdim ? keptShape : outShape, op);
      if (op === 'argmax' || op === 'argmin') close(y.dataSync(), idx, 0, 0, `${op}(${d}) of [${shape}]`);
      else close(y.dataSync(), ref, 1e-5, 1e-5, `${op}(${d}) of ${kind} [${shape}]`);
      if (yi) close(yi.dataSync(), idx, 0, 0, `${op}(${d}) indices of [${shape}]`);
      count(op);
    }), fcOpts(15));
  });

  test('softmax and logSoftmax over any dim', () => {
    fc.assert(fc.property(shapeArb(1), kindArb, deviceArb, seedArb, fc.nat(), fc.boolean(), (shape, kind, device, s, dimSeed, log) => {
      const x = make(shape, kind, 'float32', device, s);
      const d = dimSeed % shape.length;
      const y = log ? x.t.logSoftmax(d) : x.t.softmax(d);
      const ref = new Float64Array(x.ref.length);
      for (let i = 0; i < ref.length; ++i) {
        const idx = unravel(i, shape);
        let m = -Infinity;
        const row: number[] = [];
        for (let j = 0; j < shape[d]; ++j) row.push(x.ref[ravel([...idx.slice(0, d), j, ...idx.slice(d + 1)], shape)]);
        for (const v of row) m = Math.max(m, v);
        const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
        ref[i] = log ? x.ref[i] - lse : Math.exp(x.ref[i] - lse);
      }
      close(y.dataSync(), ref, 1e-5, 1e-6, `${log ? 'logSoftmax' : 'softmax'}(${d}) of ${kind} [${shape}]`);
      count(log ? 'logSoftmax' : 'softmax');
    }), fcOpts(10));
  });

  test('matmul: 1-D, 2-D and batched operands with broadcast batch dims, any view kind', () => {
    const mm = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.array(fc.boolean(), { maxLength: 2 }), dimSize, dimSize, dimSize);
    fc.assert(fc.property(mm, kindArb, kindArb, deviceArb, seedArb, ([ra, rb, batch, ones, M, K, N], ka, kb, device, s) => {
      const aBatch = ra === 2 ? batch : [], bBatch = rb === 2 ? batch.map((b, i) => (ones[i] ? 1 : b)) : [];
      const sa = ra === 1 && batch.length === 0 ? [K] : [...aBatch, M, K];
      const sb = rb === 1 && batch.length === 0 ? [K] : [...bBatch, K, N];
      const a = make(sa, ka, 'float32', device, s), b = make(sb, kb, 'float32', device, s + 7);
      const y = a.t.matmul(b.t);
      // reference: promote vectors, broadcast batches, plain triple loop
      const A = sa.length === 1 ? [1, sa[0]] : sa, B = sb.length === 1 ? [sb[0], 1] : sb;
      const bt = broadcast(A.slice(0, -2), B.slice(0, -2))!;
      const Ab = bcast(a.ref, A, [...bt, A.at(-2)!, A.at(-1)!]), Bb = bcast(b.ref, B, [...bt, B.at(-2)!, B.at(-1)!]);
      const m = A.at(-2)!, k = A.at(-1)!, n = B.at(-1)!;
      const ref = new Float64Array(numel(bt) * m * n);
      for (let q = 0; q < numel(bt); ++q)
        for (let i = 0; i < m; ++i)
          for (let j = 0; j < n; ++j) {
            let acc = 0;
            for (let l = 0; l < k; ++l) acc += Ab[q * m * k + i * k + l] * Bb[q * k * n + l * n + j];
            ref[q * m * n + i * n + j] = acc;
          }
      const shape = [...bt, ...(sa.length === 1 ? [] : [m]), ...(sb.length === 1 ? [] : [n])];
      sameShape(y, shape, 'matmul');
      close(y.dataSync(), ref, 1e-5, 1e-5, `matmul of ${ka} [${sa}] and ${kb} [${sb}] on ${device}`);
      count('matmul');
    }), fcOpts(15));
  });

  test('view ops and copies keep every value in place: reshape, flatten, transpose, contiguous, clone, int/float casts, to(device)', () => {
    fc.assert(fc.property(shapeArb(), kindArb, deviceArb, seedArb, fc.constantFrom('reshape', 'flatten', 'transpose', 'contiguous', 'clone', 'int', 'unsqueeze', 'to'), (shape, kind, device, s, op) => {
      const x = make(shape, kind, 'float32', device, s);
      let y: tn.Tensor, ref = x.ref, want: number[];
      switch (op) {
        case 'reshape': y = x.t.reshape(-1); want = [x.ref.length]; break;
        case 'flatten': y = x.t.flatten(); want = [Math.max(1, x.ref.length) === 1 && shape.length === 0 ? 1 : x.ref.length]; break;
        case 'transpose': {
          if (shape.length < 2) { y = x.t.contiguous(); want = shape; break; }
          y = x.t.transpose(0, -1).contiguous();
          want = [shape.at(-1)!, ...shape.slice(1, -1), shape[0]];
          ref = new Float64Array(x.ref.length);
          for (let i = 0; i < ref.length; ++i) {
            const idx = unravel(i, want);
            [idx[0], idx[idx.length - 1]] = [idx[idx.length - 1], idx[0]];
            ref[i] = x.ref[ravel(idx, shape)];
          }
          break;
        }
        case 'int': y = x.t.int(); want = shape; ref = x.ref.map((v) => Math.trunc(v)); break;
        case 'unsqueeze': y = x.t.unsqueeze(0); want = [1, ...shape]; break;
        case 'to': y = x.t.to(DEVICES[(DEVICES.indexOf(device) + 1) % DEVICES.length]); want = shape; break;
        default: y = call(x.t, op); want = shape;
      }
      sameShape(y, want, op);
      close(y.dataSync(), ref, 0, 0, `${op} of a ${kind} [${shape}] tensor`);
      count(op);
    }), fcOpts(10));
  });
});

describe('invalid inputs throw a TypeError/RangeError that names the op (and the shapes)', () => {
  test('shapes that do not broadcast', () => {
    const bad = fc.tuple(shapeArb(1), fc.nat(), fc.integer({ min: 2, max: 4 })).map(([a, k, extra]) => {
      const d = k % a.length;
      if (a[d] <= 1) a[d] = 2;
      const b = a.slice();
      b[d] = a[d] + extra;  // neither equal nor 1 on either side
      return [a, b, d] as const;
    });
    fc.assert(fc.property(bad, deviceArb, fc.constantFrom('add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'lt', 'gt'), ([a, b], device, op) => {
      const x = tn.zeros(a, { device }), y = tn.ones(b, { device });
      let e: unknown = null;
      try { call(x, op, y); } catch (err) { e = err; }
      if (!(e instanceof RangeError)) throw new Error(`${op}([${a}], [${b}]) did not throw a RangeError: ${String(e)}`);
      if (!e.message.startsWith(`${op}: `) || !/size of tensor a \(\d+\) must match the size of tensor b \(\d+\)/.test(e.message))
        throw new Error(`${op} message does not name the op and sizes: ${e.message}`);
      count(`${op}/mismatch`);
    }), fcOpts(5));
  });

  test('matmul / linear with inner dims that differ', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), deviceArb, (m, k, n, extra, lin, device) => {
      const a = tn.ones([m, k], { device }), b = tn.ones([k + extra, n], { device });
      let e: unknown = null;
      try { lin ? tn.nn.functional.linear(a, tn.ones([n, k + extra], { device })) : a.matmul(b); } catch (err) { e = err; }
      const op = lin ? 'linear' : 'matmul';
      if (!(e instanceof RangeError) || !e.message.startsWith(`${op}: mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k + extra}x${n})`))
        throw new Error(`${op} [${m},${k}]·[${k + extra},${n}]: ${String(e)}`);
      count(`${op}/mismatch`);
    }), fcOpts(5));
  });

  test('dims out of range, non-integer dims and sizes, wrong argument types', () => {
    // [op, call, values the op legitimately accepts]
    const isNum = (v: unknown) => typeof v === 'number';
    const calls: [string, (x: tn.Tensor, v: unknown) => unknown, ((v: unknown) => boolean)?][] = [
      ['sum', (x, v) => x.sum(v as number), (v) => v === null], ['mean', (x, v) => x.mean(v as number), (v) => v === null], ['softmax', (x, v) => x.softmax(v as number)],
      ['transpose', (x, v) => x.transpose(v as number, 0)], ['narrow', (x, v) => x.narrow(v as number, 0, 1)],
      ['select', (x, v) => x.select(0, v as number)], ['reshape', (x, v) => x.reshape(v as number)], ['view', (x, v) => x.view(v as number)],
      ['expand', (x, v) => x.expand(v as number), (v) => Number.isSafeInteger(v) && (v as number) >= 0], ['unsqueeze', (x, v) => x.unsqueeze(v as number)], ['argmax', (x, v) => x.argmax(v as number), (v) => v === null],
      ['add', (x, v) => x.add(v as number), isNum], ['mul', (x, v) => x.mul(v as number), isNum], ['matmul', (x, v) => x.matmul(v as tn.Tensor)],
      ['zeros', (_x, v) => tn.zeros(v as number), (v) => (Number.isSafeInteger(v) && (v as number) >= 0) || (typeof v === 'object' && v !== null && !Array.isArray(v))], ['full', (_x, v) => tn.full(v as number[], 1)],
      ['tensor', (_x, v) => tn.tensor(v as number[]), isNum],
    ];
    const bad = fc.oneof(fc.constantFrom(99, -99, 2.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 31)), fc.constantFrom<unknown>('1', null, {}, [1, 'a'], true, Symbol('s'), 10n));
    fc.assert(fc.property(shapeArb(1, 3).filter((s) => numel(s) > 0 && s[0] > 0), fc.constantFrom(...calls), bad, deviceArb, (shape, [op, f, accepts], v, device) => {
      const x = tn.ones(shape, { device });
      let e: unknown = null;
      try { f(x, v); } catch (err) { e = err; }
      if (e === null) {
        if (accepts?.(v)) return;  // a value this op legitimately takes
        throw new Error(`${op}(${String(v)}) on [${shape}] did not throw`);
      }
      if (!(e instanceof TypeError || e instanceof RangeError)) throw new Error(`${op}(${String(v)}): ${String(e)} is not a TypeError/RangeError`);
      if (!(e.message.startsWith(`${op}`) || e.message.startsWith(`${op}()`))) throw new Error(`${op}(${String(v)}): message does not start with the op: ${e.message}`);
      count(`${op}/bad-arg`);
    }), fcOpts(5));
  });
});
