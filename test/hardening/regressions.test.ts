// Regression tests for the bugs the hardening work (sanitizers, fuzzers, property tests) found.
// Each names the symptom it pins down; test/HARDENING.md lists them with the fixes.
import * as tn from '../../lib/index';
import { binding } from '../../lib/binding';
import { expectThrows } from './util';

const f32 = (rows: number[][] | number[]): tn.Tensor => tn.tensor(rows as number[][], { dtype: 'float32' });

describe('int32 scalars that int32 cannot hold (C++ UB in the fill kernel; garbage INT32_MIN results)', () => {
  test.each([
    ['full', () => tn.full([2], 3e10)],
    ['full', () => tn.full([2], NaN, { dtype: 'int32' })],
    ['full', () => tn.full([2], -Infinity, { dtype: 'int32' })],
    ['add', () => tn.tensor([1, 2]).add(2 ** 31)],
    ['sub', () => tn.tensor([1, 2]).sub(-(2 ** 31) - 1)],
    ['mul', () => tn.tensor([1, 2]).mul(-(2 ** 40))],
    ['clamp', () => tn.tensor([1, 2]).clamp(0, 1e12)],
    ['maximum', () => tn.tensor([1, 2]).maximum(3e10 as unknown as tn.Tensor)],
    ['fill_', () => tn.zeros(2, { dtype: 'int32' }).fill_(Infinity)],
    ['add_', () => tn.zeros(2, { dtype: 'int32' }).add_(2 ** 32)],
  ])('%s refuses with a RangeError naming the op', (op, f) => {
    expect(f).toThrow(RangeError);
    expect(f).toThrow(new RegExp(`^${op}: value .* cannot be converted to type int32 without overflow`));
  });

  test('values int32 holds still work, at both ends', () => {
    expect(tn.full([2], 2147483647).toArray()).toEqual([2147483647, 2147483647]);
    expect(tn.full([1], -2147483648).toArray()).toEqual([-2147483648]);
    expect(tn.tensor([1, 2]).add(2147483646).toArray()).toEqual([2147483647, -2147483648]);  // wraps like PyTorch
    expect(tn.tensor([5, -5]).clamp(-2147483648, 2147483647).toArray()).toEqual([5, -5]);
    expect(tn.full([1], 2.7, { dtype: 'int32' }).toArray()).toEqual([2]);  // truncates like torch.full
    expect(tn.tensor([1, 2]).add(1e10 + 0.5).dtype).toBe('float32');     // a fraction promotes, as before
  });

  test('the raw fill kernel itself no longer invokes UB: out-of-range values give INT32_MIN', () => {
    const out = new Int32Array(3);
    for (const v of [NaN, Infinity, -1e300, 2 ** 31])
      binding.fill(Float64Array.from([1, 1, 0, 3, 1]), out, v), expect(Array.from(out)).toEqual([-2147483648, -2147483648, -2147483648]);
    binding.fill(Float64Array.from([1, 1, 0, 3, 1]), out, -7.9);
    expect(Array.from(out)).toEqual([-7, -7, -7]);
  });

  test('raw affine on int32 refuses alpha/beta that are not int32 values (int64 overflow / bad cast)', () => {
    const x = new Int32Array([1, 2]), out = new Int32Array(2);
    const d = Float64Array.from([1, 1, 0, 2, 1, 1, 1, 0, 2, 1]);
    for (const [a, b] of [[2 ** 40, 0], [NaN, 0], [1, Infinity], [1.5, 0], [1, -(2 ** 31) - 1]])
      expectThrows(() => binding.affine(d, x, out, a, b), 'RangeError', /^affine: alpha and beta must be int32 values/);
    binding.affine(d, x, out, 3, -1);
    expect(Array.from(out)).toEqual([2, 5]);
  });
});

describe('NLL / cross entropy read the target class only (0·−∞ = NaN where PyTorch is finite)', () => {
  test('a −Infinity logit of another class: crossEntropy stays finite (PyTorch: log 2)', () => {
    const loss = tn.nn.functional.crossEntropy(f32([[0, -Infinity, 0]]), tn.tensor([0]));
    expect(loss.item()).toBeCloseTo(Math.LN2, 6);
  });

  test('nllLoss of log(probabilities) with a zero probability elsewhere is finite', () => {
    const logp = f32([[0.5, 0, 0.5], [0, 1, 0]]).log();  // −∞ at the zero probabilities
    const loss = tn.nn.functional.nllLoss(logp, tn.tensor([0, 1]));
    expect(loss.item()).toBeCloseTo(Math.LN2 / 2, 6);
    const none = tn.nn.functional.nllLoss(logp, tn.tensor([0, 1]), { reduction: 'none' });
    expect(Array.from(none.dataSync()).map((v) => Math.abs(v))).toEqual([expect.closeTo(Math.LN2, 6), 0]);
  });

  test('a −∞ log-probability at the target is +Infinity, as in PyTorch; weights and ignoreIndex still apply', () => {
    expect(tn.nn.functional.crossEntropy(f32([[-Infinity, 0, 0]]), tn.tensor([0])).item()).toBe(Infinity);
    const x = f32([[0, -Infinity, 1], [2, 0, -Infinity], [-Infinity, 5, 5]]);
    const w = f32([1, 2, 3]);
    const y = tn.tensor([2, 0, -100]);
    const loss = tn.nn.functional.crossEntropy(x, y, { weight: w });
    // float64 reference: −Σ w[y]·logp[y] / Σ w[y] over the counted rows
    const lse = (r: number[]) => { const m = Math.max(...r); return m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0)); };
    const l0 = -(1 - lse([0, -Infinity, 1])) * 3, l1 = -(2 - lse([2, 0, -Infinity])) * 1;
    expect(loss.item()).toBeCloseTo((l0 + l1) / 4, 5);
  });

  test('gradients are PyTorch\'s: softmax − onehot, also next to a −∞ logit', () => {
    const x = f32([[0, -Infinity, 0], [1, 2, 3]]).requiresGrad_();
    tn.nn.functional.crossEntropy(x, tn.tensor([0, 2])).backward();
    const g = Array.from(x.grad!.dataSync());
    const e = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const want = [(0.5 - 1) / 2, 0, 0.5 / 2, Math.exp(1) / e / 2, Math.exp(2) / e / 2, (Math.exp(3) / e - 1) / 2];
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
});

test('in-place ops on an expanded (self-overlapping) tensor: PyTorch\'s message naming the op, not the kernel\'s', () => {
  const e = tn.zeros(1).expand(3);
  for (const [op, f] of [['add_', () => e.add_(1)], ['mul_', () => e.mul_(2)], ['fill_', () => e.fill_(1)], ['copy_', () => e.copy_(tn.ones(3))]] as const) {
    expect(f).toThrow(RangeError);
    expect(f).toThrow(new RegExp(`^${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location`));
  }
});

test('expand with a non-number size is a TypeError (was a RangeError)', () => {
  expect(() => tn.zeros(1).expand('a' as unknown as number)).toThrow(TypeError);
  expect(() => tn.zeros(1).expand(-2)).toThrow(RangeError);
});

test('expand refuses sizes beyond 2^53 - 1 (found by the property tests: expand(2^53) made a view)', () => {
  expect(() => tn.ones(1).expand(2 ** 53)).toThrow(/^expand: expected non-negative sizes/);
  expect(tn.ones(1, 1).expand(2 ** 20, 2 ** 20).shape).toEqual([2 ** 20, 2 ** 20]);  // a view: nothing allocated
  expect(() => tn.ones(1, 1, 1).expand(2 ** 20, 2 ** 20, 2 ** 20)).toThrow(/^expand: size .* has too many elements/);
});

test('safetensors: a tensor name or metadata with a lone surrogate is refused, as safetensors and our encoder do (found by the fuzzer)', async () => {
  const { decodeSafetensors } = await import('../../lib/io/safetensors');
  const file = (json: string, data: number[]): Uint8Array => {
    const h = new TextEncoder().encode(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  };
  expect(() => decodeSafetensors(file('{"\\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [1]))).toThrow(/^safetensors file <buffer>: the name .* is not valid Unicode/);
  expect(() => decodeSafetensors(file('{"__metadata__":{"k":"\\udc00"}}', []))).toThrow(/__metadata__ entry "k" is not valid Unicode/);
  expect(Object.keys(decodeSafetensors(file('{"\\ud83d\\ude00":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [1])).tensors)).toEqual(['\u{1F600}']);
});

test('batcher: a request whose input is disposed while it waits fails alone, not its whole batch (found by the concurrency test)', async () => {
  const m = new tn.nn.Sequential(new tn.nn.Linear(3, 2)).eval();
  const infer = tn.serve.batcher(m, { maxBatchSize: 8, maxDelayMs: 5 });
  const xs = [tn.rand(3), tn.rand(3), tn.rand(3)];
  const want = xs.map((x) => Array.from(tn.noGrad(() => m.forward(x)).dataSync()));
  const ps = xs.map((x) => infer(x));
  xs[1].dispose();
  const settled = await Promise.allSettled(ps);
  expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/infer: the input was disposed before its batch ran/);
  for (const i of [0, 2]) {
    const got = Array.from((settled[i] as PromiseFulfilledResult<tn.Tensor>).value.dataSync());
    got.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 6));
  }
});
