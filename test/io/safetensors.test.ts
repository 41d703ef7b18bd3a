import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  encodeSafetensors,
  decodeSafetensors,
  saveFile,
  saveFileSync,
  loadFile,
  loadFileSync,
  RawTensor,
} from '../../lib/io';

const te = new TextEncoder();

const f32 = (shape: number[], values?: number[]): RawTensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from(values ?? Array.from({ length: n }, (_, i) => i * 0.25 - 1)) };
};
const i32 = (shape: number[], values?: number[]): RawTensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'int32', shape, data: Int32Array.from(values ?? Array.from({ length: n }, (_, i) => i * 7 - 3)) };
};

/** A hand-made safetensors file: header text (padded with spaces to 8 unless told), then data. */
function rawFile(header: string | object, data: ArrayLike<number> = [], opts: { n?: bigint; pad?: boolean } = {}): Uint8Array {
  let h = te.encode(typeof header === 'string' ? header : JSON.stringify(header));
  if (opts.pad !== false) {
    const padded = new Uint8Array(h.length + ((8 - (h.length % 8)) % 8)).fill(0x20);
    padded.set(h);
    h = padded;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.n ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}

/** Little-endian bytes of values written with a DataView setter. */
function le(size: number, values: (number | bigint)[], set: (dv: DataView, off: number, v: never) => void): number[] {
  const b = new Uint8Array(size * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => set(dv, i * size, v as never));
  return Array.from(b);
}

function headerOf(file: Uint8Array): { n: number; text: string } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { n, text: new TextDecoder().decode(file.subarray(8, 8 + n)) };
}

function expectError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Error);
  const msg = (err as Error).message;
  for (const p of parts) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

describe('encodeSafetensors: the lecture golden (pytorch-formats.md d4)', () => {
  // state_dict order of the lecture model: weight before bias in each layer
  const sd: Record<string, RawTensor> = {
    '0.weight': f32([5, 4]),
    '0.bias': f32([5]),
    '2.weight': f32([6, 5]),
    '2.bias': f32([6]),
    '4.weight': f32([3, 6]),
    '4.bias': f32([3]),
  };
  const golden =
    '{"0.bias":{"dtype":"F32","shape":[5],"data_offsets":[0,20]},"0.weight":{"dtype":"F32","shape":[5,4],"data_offsets":[20,100]},' +
    '"2.bias":{"dtype":"F32","shape":[6],"data_offsets":[100,124]},"2.weight":{"dtype":"F32","shape":[6,5],"data_offsets":[124,244]},' +
    '"4.bias":{"dtype":"F32","shape":[3],"data_offsets":[244,256]},"4.weight":{"dtype":"F32","shape":[3,6],"data_offsets":[256,328]}}';

  test('exact header, N = 384 with 3 spaces of padding, 720 bytes in all', () => {
    const file = encodeSafetensors(sd);
    expect(golden.length).toBe(381);
    expect(Array.from(file.subarray(0, 8))).toEqual([0x80, 0x01, 0, 0, 0, 0, 0, 0]);
    const { n, text } = headerOf(file);
    expect(n).toBe(384);
    expect(text).toBe(golden + '   ');
    expect(file.length).toBe(720);
  });

  test('data in file order: bias before weight, little-endian float32', () => {
    const file = encodeSafetensors(sd);
    const data = new DataView(file.buffer, 8 + 384);
    const order = ['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight'];
    let off = 0;
    for (const k of order) {
      const t = sd[k].data;
      for (let i = 0; i < t.length; i++) expect(data.getFloat32(off + 4 * i, true)).toBe(t[i]);
      off += 4 * t.length;
    }
    expect(off).toBe(328);
    // 1.0f is 00 00 80 3f on disk whatever the host
    const one = encodeSafetensors({ x: f32([1], [1]) });
    expect(Array.from(one.subarray(one.length - 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  test('decoding gives the same tensors, keyed by name, in file order', () => {
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(sd));
    expect(metadata).toBeNull();
    expect(Object.keys(tensors)).toEqual(['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);
    for (const k of Object.keys(sd)) expect(tensors[k]).toEqual(sd[k]);
  });
});

describe('encodeSafetensors: ordering, metadata, names', () => {
  test('dtype alignment descending (F32 before I32), then name ascending', () => {
    const file = encodeSafetensors({ b_int: i32([2]), c: f32([1]), a_int: i32([3]), a: f32([2]) });
    const { text } = headerOf(file);
    expect(text.trimEnd()).toBe(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"c":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
        '"a_int":{"dtype":"I32","shape":[3],"data_offsets":[12,24]},"b_int":{"dtype":"I32","shape":[2],"data_offsets":[24,32]}}',
    );
  });

  test('names compare as UTF-8 bytes (Rust String order), not UTF-16 units', () => {
    // UTF-16 order would be é < 😀 < Ａ; UTF-8 order is é (c3) < Ａ (ef) < 😀 (f0)
    const file = encodeSafetensors({ '\u{1F600}': f32([1]), '\uFF21': f32([1]), '\u00E9': f32([1]), Z: f32([1]) });
    expect(Object.keys(decodeSafetensors(file).tensors)).toEqual(['Z', '\u00E9', '\uFF21', '\u{1F600}']);
  });

  test('__metadata__ comes first, values as given', () => {
    const file = encodeSafetensors({ w: f32([2]) }, { format: 'pt', note: 'a "quoted"\nline' });
    const { text } = headerOf(file);
    expect(text.startsWith('{"__metadata__":{"format":"pt","note":"a \\"quoted\\"\\nline"},"w":')).toBe(true);
    expect(decodeSafetensors(file).metadata).toEqual({ format: 'pt', note: 'a "quoted"\nline' });
    expect(headerOf(encodeSafetensors({}, {})).text.trimEnd()).toBe('{"__metadata__":{}}');
  });

  test('names with quotes, backslashes, control characters and non-ASCII are escaped like serde_json', () => {
    const name = 'a"b\\c\n\t\u0001é/';
    const file = encodeSafetensors({ [name]: i32([1], [5]) });
    const { text } = headerOf(file);
    expect(text.startsWith('{"a\\"b\\\\c\\n\\t\\u0001é/":')).toBe(true);
    expect(decodeSafetensors(file).tensors[name].data).toEqual(Int32Array.from([5]));
  });

  test('the header stays padded to a multiple of 8 for every length', () => {
    for (let len = 1; len <= 16; len++) {
      const file = encodeSafetensors({ ['x'.repeat(len)]: f32([1]) });
      const { n, text } = headerOf(file);
      expect(n % 8).toBe(0);
      expect(text.length - text.trimEnd().length).toBeLessThan(8);
      expect(file.length).toBe(8 + n + 4);
    }
  });

  test('encoder argument errors', () => {
    expect(() => encodeSafetensors({ x: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(/3 elements but data has 2/);
    expect(() => encodeSafetensors({ x: { dtype: 'float32', shape: [-1], data: new Float32Array(0) } })).toThrow(RangeError);
    expect(() => encodeSafetensors({ x: { dtype: 'int32', shape: [1], data: new Float32Array(1) } })).toThrow(TypeError);
    expect(() => encodeSafetensors({ x: { dtype: 'float64', shape: [1], data: new Float32Array(1) } as unknown as RawTensor })).toThrow(TypeError);
    expect(() => encodeSafetensors({ __metadata__: f32([1]) })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ ['\uD800']: f32([1]) })).toThrow(/not valid Unicode/);
    expect(() => encodeSafetensors({}, { a: 1 as unknown as string })).toThrow(TypeError);
    expect(() => encodeSafetensors(null as unknown as Record<string, RawTensor>)).toThrow(TypeError);
  });
});

describe('round trips', () => {
  test('float32 and int32, including empty and rank-0 tensors', () => {
    const input: Record<string, RawTensor> = {
      scalar: f32([], [3.5]),
      iscalar: i32([], [-7]),
      empty: f32([0]),
      empty2d: i32([2, 0]),
      empty3d: f32([0, 3, 4]),
      m: f32([2, 3], [1, -2, 3.25, Math.fround(0.1), -0, Infinity]),
      ints: i32([4], [-2147483648, 2147483647, 0, -1]),
      nan: f32([1], [NaN]),
    };
    const file = encodeSafetensors(input, { format: 'pt' });
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(input).sort());
    for (const k of Object.keys(input)) {
      expect(tensors[k].dtype).toBe(input[k].dtype);
      expect(tensors[k].shape).toEqual(input[k].shape);
      expect(Array.from(tensors[k].data)).toEqual(Array.from(input[k].data));
    }
    expect(Object.is(tensors.m.data[4], -0)).toBe(true);
    const { text } = headerOf(file);
    expect(text).toContain('"scalar":{"dtype":"F32","shape":[],"data_offsets":');
    expect(text).toContain('"empty2d":{"dtype":"I32","shape":[2,0],"data_offsets":[');
  });

  test('decoded arrays are fresh copies, correct from an unaligned buffer', () => {
    const file = encodeSafetensors({ a: f32([3], [1.5, -2, 7]), b: i32([2], [9, -9]) });
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const view = shifted.subarray(1); // byteOffset 1: nothing is 4-byte aligned
    const { tensors } = decodeSafetensors(view);
    expect(Array.from(tensors.a.data)).toEqual([1.5, -2, 7]);
    expect(Array.from(tensors.b.data)).toEqual([9, -9]);
    expect(tensors.a.data.buffer).not.toBe(shifted.buffer);
    // a header whose length is not a multiple of 4 puts the data at an odd file offset
    const odd = rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', le(4, [0.5, -3], (dv, o, v: number) => dv.setFloat32(o, v, true)), { pad: false });
    expect((8 + headerOf(odd).n) % 4).not.toBe(0);
    expect(Array.from(decodeSafetensors(odd).tensors.a.data)).toEqual([0.5, -3]);
  });

  test('a tensor named __proto__ is an ordinary key', () => {
    const file = encodeSafetensors({ ['__proto__']: f32([1], [2]) } as Record<string, RawTensor>);
    const { tensors } = decodeSafetensors(file);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Array.from(tensors['__proto__'].data)).toEqual([2]);
  });

  test('saveFile / loadFile and the sync versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tn-st-'));
    try {
      const sd = { w: f32([2, 2]), i: i32([3]) };
      const p1 = join(dir, 'a.safetensors');
      await saveFile(sd, p1, { format: 'pt' });
      const r1 = await loadFile(p1);
      expect(r1.tensors.w).toEqual(sd.w);
      expect(r1.tensors.i).toEqual(sd.i);
      expect(r1.metadata).toEqual({ format: 'pt' });
      const p2 = join(dir, 'b.safetensors');
      saveFileSync(sd, p2);
      expect(readFileSync(p2)).toEqual(Buffer.from(encodeSafetensors(sd)));
      expect(loadFileSync(p2).tensors.w).toEqual(sd.w);
      // errors name the file
      const bad = join(dir, 'model.safetensors');
      writeFileSync(bad, rawFile('{"0.weight":{"dtype":"F32","shape":[5,4],"data_offsets":[0,79]}}', new Array(79).fill(0)));
      expect(() => loadFileSync(bad)).toThrow(`safetensors file ${bad}: tensor "0.weight": data_offsets [0, 79] hold 79 bytes but shape [5, 4] of F32 needs 80`);
      await expect(loadFile(bad)).rejects.toThrow(`safetensors file ${bad}: tensor "0.weight"`);
      const missing = join(dir, 'missing.safetensors');
      await expect(loadFile(missing)).rejects.toThrow(`safetensors file ${missing}: cannot be read`);
      expect(() => loadFileSync(missing)).toThrow(`safetensors file ${missing}: cannot be read`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decodeSafetensors: other dtypes (hand-made files)', () => {
  const one = (dtype: string, shape: number[], bytes: number[]) =>
    decodeSafetensors(rawFile({ t: { dtype, shape, data_offsets: [0, bytes.length] } }, bytes)).tensors.t;

  test('F16 -> float32 exactly (normals, subnormals, zeros, infinities, NaN)', () => {
    const halves = [0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x7e00];
    const t = one('F16', [2, 5], le(2, halves, (dv, o, v: number) => dv.setUint16(o, v, true)));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 5]);
    const v = Array.from(t.data);
    expect(v.slice(0, 9)).toEqual([1, -2, 0.333251953125, 65504, 2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity]);
    expect(Object.is(v[6], -0)).toBe(true);
    expect(Number.isNaN(v[9])).toBe(true);
  });

  test('BF16 -> float32 exactly', () => {
    const t = one('BF16', [4], le(2, [0x3f80, 0xc049, 0x7f80, 0x0001], (dv, o, v: number) => dv.setUint16(o, v, true)));
    expect(Array.from(t.data)).toEqual([1, -3.140625, Infinity, 2 ** -133]);
  });

  test('F64 -> float32 rounded to nearest', () => {
    const t = one('F64', [3], le(8, [0.1, -1e300, 2.5], (dv, o, v: number) => dv.setFloat64(o, v, true)));
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([Math.fround(0.1), -Infinity, 2.5]);
  });

  test('I64 -> int32, in range', () => {
    const t = one('I64', [2, 2], le(8, [0n, -1n, 2147483647n, -2147483648n], (dv, o, v: bigint) => dv.setBigInt64(o, v, true)));
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([0, -1, 2147483647, -2147483648]);
  });

  test('I64 / U64 / U32 values outside int32 are errors naming the tensor and element', () => {
    const f = rawFile({ labels: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, le(8, [1n, 2147483648n], (dv, o, v: bigint) => dv.setBigInt64(o, v, true)));
    expectError(() => decodeSafetensors(f, 'x.safetensors'), 'safetensors file x.safetensors: tensor "labels": element 1 = 2147483648 of I64 does not fit in int32');
    const g = rawFile({ u: { dtype: 'U64', shape: [1], data_offsets: [0, 8] } }, le(8, [1n << 40n], (dv, o, v: bigint) => dv.setBigUint64(o, v, true)));
    expectError(() => decodeSafetensors(g), 'tensor "u"', 'does not fit in int32');
    const h = rawFile({ u32: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, le(4, [0x80000000], (dv, o, v: number) => dv.setUint32(o, v, true)));
    expectError(() => decodeSafetensors(h), 'tensor "u32"', 'element 0 = 2147483648 of U32');
    const k = rawFile({ neg: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, le(8, [-2147483649n], (dv, o, v: bigint) => dv.setBigInt64(o, v, true)));
    expectError(() => decodeSafetensors(k), 'tensor "neg"', '-2147483649');
  });

  test('U64, U32, I32, I16, U16, I8, U8, BOOL -> int32', () => {
    expect(Array.from(one('U64', [2], le(8, [0n, 2147483647n], (dv, o, v: bigint) => dv.setBigUint64(o, v, true))).data)).toEqual([0, 2147483647]);
    expect(Array.from(one('U32', [2], le(4, [7, 2147483647], (dv, o, v: number) => dv.setUint32(o, v, true))).data)).toEqual([7, 2147483647]);
    expect(Array.from(one('I32', [2], le(4, [-5, 6], (dv, o, v: number) => dv.setInt32(o, v, true))).data)).toEqual([-5, 6]);
    expect(Array.from(one('I16', [3], le(2, [-32768, 32767, -1], (dv, o, v: number) => dv.setInt16(o, v, true))).data)).toEqual([-32768, 32767, -1]);
    expect(Array.from(one('U16', [2], le(2, [65535, 1], (dv, o, v: number) => dv.setUint16(o, v, true))).data)).toEqual([65535, 1]);
    expect(Array.from(one('I8', [3], [0x80, 0x7f, 0xff]).data)).toEqual([-128, 127, -1]);
    expect(Array.from(one('U8', [3], [0, 200, 255]).data)).toEqual([0, 200, 255]);
    const b = one('BOOL', [4], [0, 1, 1, 0]);
    expect(b.dtype).toBe('int32');
    expect(Array.from(b.data)).toEqual([0, 1, 1, 0]);
  });

  test('mixed dtypes in one file, with metadata, keys in header order', () => {
    const header = {
      __metadata__: { format: 'pt' },
      'w.f64': { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      'idx.i64': { dtype: 'I64', shape: [1], data_offsets: [8, 16] },
      'h.f16': { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
      'm.u8': { dtype: 'U8', shape: [2], data_offsets: [20, 22] },
    };
    const data = [
      ...le(8, [0.5], (dv, o, v: number) => dv.setFloat64(o, v, true)),
      ...le(8, [42n], (dv, o, v: bigint) => dv.setBigInt64(o, v, true)),
      ...le(2, [0x3c00, 0x4000], (dv, o, v: number) => dv.setUint16(o, v, true)),
      3, 4,
    ];
    const { tensors, metadata } = decodeSafetensors(rawFile(header, data));
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors)).toEqual(['w.f64', 'idx.i64', 'h.f16', 'm.u8']);
    expect(Array.from(tensors['w.f64'].data)).toEqual([0.5]);
    expect(Array.from(tensors['idx.i64'].data)).toEqual([42]);
    expect(Array.from(tensors['h.f16'].data)).toEqual([1, 2]);
    expect(Array.from(tensors['m.u8'].data)).toEqual([3, 4]);
  });

  test('entries may be listed in any order in the header; offsets decide the layout', () => {
    const header = {
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    };
    const { tensors } = decodeSafetensors(rawFile(header, le(4, [1, 2], (dv, o, v: number) => dv.setFloat32(o, v, true))));
    expect(Object.keys(tensors)).toEqual(['b', 'a']);
    expect(tensors.a.data[0]).toBe(1);
    expect(tensors.b.data[0]).toBe(2);
  });
});

describe('decodeSafetensors: malformed files (one per reader rule)', () => {
  const SRC = 'model.safetensors';
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const okData = new Array(8).fill(0);

  test('shorter than 8 bytes', () => {
    expectError(() => decodeSafetensors(new Uint8Array(5), SRC), `safetensors file ${SRC}:`, 'the file is 5 bytes, too short');
    expectError(() => decodeSafetensors(new Uint8Array(0)), 'safetensors file <buffer>:', 'the file is 0 bytes');
  });

  test('header length over 100,000,000 (checked on the u64, nothing allocated)', () => {
    expectError(() => decodeSafetensors(rawFile(ok, okData, { n: 100_000_001n }), SRC), SRC, 'header length 100000001 exceeds the safetensors limit of 100000000 bytes');
    expectError(() => decodeSafetensors(rawFile(ok, okData, { n: (1n << 64n) - 1n }), SRC), 'header length 18446744073709551615 exceeds');
  });

  test('header length beyond the file', () => {
    const f = rawFile(ok, okData);
    expectError(() => decodeSafetensors(rawFile(ok, okData, { n: BigInt(f.length - 7) }), SRC), SRC, `header length ${f.length - 7} exceeds the ${f.length - 8} bytes that follow`);
  });

  test('header not valid UTF-8', () => {
    const f = rawFile('{"t":1}');
    f[9] = 0xff;
    expectError(() => decodeSafetensors(f, SRC), SRC, 'the header is not valid UTF-8');
  });

  test('header not JSON, or with a byte-order mark', () => {
    expectError(() => decodeSafetensors(rawFile('{"t": {'), SRC), SRC, 'the header is not valid JSON');
    expectError(() => decodeSafetensors(rawFile('{} x'), SRC), 'not valid JSON');
    // the first problem met is reported, as serde_json does: here the entry, before the trailing text
    expectError(() => decodeSafetensors(rawFile('{"a":1} x'), SRC), 'tensor "a": expected an object');
    expectError(() => decodeSafetensors(rawFile('', [], { pad: false }), SRC), 'not valid JSON');
    expectError(() => decodeSafetensors(rawFile('\uFEFF{}'), SRC), 'not valid JSON');
  });

  test('header not an object', () => {
    expectError(() => decodeSafetensors(rawFile('[]'), SRC), SRC, 'the header must be a JSON object but is an array');
    expectError(() => decodeSafetensors(rawFile('null'), SRC), 'but is null');
    expectError(() => decodeSafetensors(rawFile('42'), SRC), 'but is number');
  });

  test('deeply nested JSON is an error, not a crash or a hang', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expectError(() => decodeSafetensors(rawFile(deep), SRC), SRC, 'nested more than 64 levels deep');
    const deepObj = '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000);
    expectError(() => decodeSafetensors(rawFile(deepObj), SRC), 'nested more than 64 levels deep');
    // brackets inside strings do not count
    const f = rawFile({ __metadata__: { k: '['.repeat(1000) }, ...ok }, okData);
    expect(decodeSafetensors(f).metadata).toEqual({ k: '['.repeat(1000) });
  });

  test('an entry that is not an object', () => {
    expectError(() => decodeSafetensors(rawFile({ w: [1, 2] }), SRC), SRC, 'tensor "w": expected an object {dtype, shape, data_offsets} but found an array');
    expectError(() => decodeSafetensors(rawFile({ w: 'F32' }), SRC), 'tensor "w": expected an object', 'string');
  });

  test('missing fields', () => {
    expectError(() => decodeSafetensors(rawFile({ w: { dtype: 'F32', shape: [2] } }), SRC), SRC, 'tensor "w": missing field "data_offsets"');
    expectError(() => decodeSafetensors(rawFile({ w: { shape: [2], data_offsets: [0, 8] } }), SRC), 'tensor "w": missing field "dtype"');
    expectError(() => decodeSafetensors(rawFile({ w: { dtype: 'F32', data_offsets: [0, 8] } }), SRC), 'tensor "w": missing field "shape"');
  });

  test('dtype of the wrong type, unknown, or not loadable (F8, C64)', () => {
    expectError(() => decodeSafetensors(rawFile({ w: { dtype: 4, shape: [2], data_offsets: [0, 8] } }, okData), SRC), SRC, 'tensor "w": dtype must be a string');
    expectError(() => decodeSafetensors(rawFile({ w: { dtype: 'F128', shape: [2], data_offsets: [0, 8] } }, okData), SRC), 'tensor "w": unknown dtype "F128"');
    expectError(() => decodeSafetensors(rawFile({ w: { dtype: 'f32', shape: [2], data_offsets: [0, 8] } }, okData), SRC), 'unknown dtype "f32"');
    expectError(() => decodeSafetensors(rawFile({ q: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, [0, 0]), SRC), SRC, 'tensor "q": dtype F8_E4M3 is not supported');
    expectError(() => decodeSafetensors(rawFile({ q: { dtype: 'F8_E5M2', shape: [2], data_offsets: [0, 2] } }, [0, 0]), SRC), 'tensor "q": dtype F8_E5M2 is not supported');
    expectError(() => decodeSafetensors(rawFile({ c: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, okData), SRC), 'tensor "c": dtype C64 is not supported');
  });

  test('shape not an array of non-negative integers', () => {
    const bad = (shape: unknown, raw?: string) =>
      decodeSafetensors(raw ? rawFile(raw, okData) : rawFile({ w: { dtype: 'F32', shape, data_offsets: [0, 8] } }, okData), SRC);
    expectError(() => bad('2'), SRC, 'tensor "w": shape must be an array of non-negative integers but is "2"');
    expectError(() => bad([-2]), 'tensor "w": shape must be an array of non-negative integers but is [-2]');
    expectError(() => bad([2.5]), 'tensor "w": shape must be');
    expectError(() => bad([null]), 'tensor "w": shape must be');
    expectError(() => bad([2 ** 53]), 'tensor "w": shape must be');
    expectError(() => bad(null, '{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}'), SRC, 'tensor "w": the number 2.0 is not an integer');
    expectError(() => bad(null, '{"w":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}'), 'tensor "w": the number 2e0 is not an integer');
  });

  test('data_offsets not two non-negative integers with begin <= end', () => {
    const bad = (data_offsets: unknown) => decodeSafetensors(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets } }, okData), SRC);
    expectError(() => bad([0]), SRC, 'tensor "w": data_offsets must be two non-negative integers [begin, end] but is [0]');
    expectError(() => bad([0, 8, 9]), 'tensor "w": data_offsets must be two');
    expectError(() => bad([-8, 0]), 'tensor "w": data_offsets must be two');
    expectError(() => bad({ begin: 0, end: 8 }), 'tensor "w": data_offsets must be two');
    expectError(() => bad(['0', '8']), 'tensor "w": data_offsets must be two');
    expectError(() => bad([8, 0]), SRC, 'tensor "w": data_offsets [8, 0] end before they begin');
  });

  test('duplicate keys (JSON.parse would keep the last one silently)', () => {
    const dupTop = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expectError(() => decodeSafetensors(rawFile(dupTop, okData), SRC), SRC, 'tensor "w": duplicate key "w" in the header');
    const dupField = '{"w":{"dtype":"F32","shape":[2],"dtype":"I32","data_offsets":[0,8]}}';
    expectError(() => decodeSafetensors(rawFile(dupField, okData), SRC), SRC, 'tensor "w": duplicate field "dtype"');
    const dupMeta = '{"__metadata__":{"a":"1","a":"2"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expectError(() => decodeSafetensors(rawFile(dupMeta, okData), SRC), SRC, 'duplicate key "a" in __metadata__');
    const dupMetaKey = '{"__metadata__":{},"__metadata__":{}}';
    expectError(() => decodeSafetensors(rawFile(dupMetaKey), SRC), 'duplicate key "__metadata__" in the header');
    // the same name written with an escape is the same key
    const escaped = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"\\u0077":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expectError(() => decodeSafetensors(rawFile(escaped, okData), SRC), 'duplicate key "w"');
  });

  test('__metadata__ must hold strings', () => {
    expectError(() => decodeSafetensors(rawFile({ __metadata__: { epoch: 3 }, ...ok }, okData), SRC), SRC, '__metadata__ value for "epoch" must be a string but is number');
    expectError(() => decodeSafetensors(rawFile({ __metadata__: ['pt'], ...ok }, okData), SRC), '__metadata__ must be an object of strings but is an array');
    expectError(() => decodeSafetensors(rawFile({ __metadata__: 'pt', ...ok }, okData), SRC), '__metadata__ must be an object');
    expect(decodeSafetensors(rawFile({ __metadata__: null, ...ok }, okData)).metadata).toBeNull();
  });

  test('offsets must be contiguous from 0: a gap, an overlap, a late start', () => {
    const two = (a: [number, number], b: [number, number], n: number) =>
      decodeSafetensors(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: a }, b: { dtype: 'F32', shape: [1], data_offsets: b } }, new Array(n).fill(0)), SRC);
    expectError(() => two([0, 4], [8, 12], 12), SRC, 'tensor "b": data_offsets [8, 12] leave a gap: the previous tensor ends at 4');
    expectError(() => two([0, 4], [2, 6], 6), SRC, 'tensor "b": data_offsets [2, 6] overlap the previous tensor, which ends at 4');
    expectError(() => two([4, 8], [8, 12], 12), SRC, 'tensor "a": data_offsets [4, 8] leave a gap: the previous tensor ends at 0');
    expectError(() => two([0, 4], [0, 4], 4), 'tensor "b": data_offsets [0, 4] overlap');
  });

  test('byte size must equal numel * itemsize', () => {
    const f = rawFile(
      { '0.bias': { dtype: 'F32', shape: [5], data_offsets: [0, 20] }, '0.weight': { dtype: 'F32', shape: [5, 4], data_offsets: [20, 99] } },
      new Array(99).fill(0),
    );
    expectError(() => decodeSafetensors(f, SRC), `safetensors file ${SRC}: tensor "0.weight": data_offsets [20, 99] hold 79 bytes but shape [5, 4] of F32 needs 80`);
    const g = rawFile({ h: { dtype: 'F16', shape: [3], data_offsets: [0, 4] } }, [0, 0, 0, 0]);
    expectError(() => decodeSafetensors(g, SRC), 'tensor "h": data_offsets [0, 4] hold 4 bytes but shape [3] of F16 needs 6');
  });

  test('numel overflow and sizes beyond the file are errors, never allocations', () => {
    const big = 2 ** 52;
    const f = rawFile({ w: { dtype: 'F64', shape: [big, big, big], data_offsets: [0, 8] } }, okData);
    expectError(() => decodeSafetensors(f, SRC), SRC, 'tensor "w": shape [4503599627370496, 4503599627370496, 4503599627370496] overflows');
    const g = rawFile({ w: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 8] } }, okData);
    expectError(() => decodeSafetensors(g, SRC), 'tensor "w": data_offsets [0, 8] hold 8 bytes but shape [1099511627776] of F32 needs 4398046511104');
    const h = rawFile({ w: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 2 ** 42] } }, okData);
    expectError(() => decodeSafetensors(h, SRC), SRC, 'the file is', 'truncated');
    // a zero dimension makes any other dimension legal
    const z = rawFile({ w: { dtype: 'F32', shape: [0, 2 ** 50], data_offsets: [0, 0] } });
    expect(decodeSafetensors(z).tensors.w.shape).toEqual([0, 2 ** 50]);
  });

  test('8 + N + last end must equal the file length: too short and too long', () => {
    const good = rawFile(ok, okData);
    expectError(() => decodeSafetensors(good.subarray(0, good.length - 1), SRC), SRC, `the file is ${good.length - 1} bytes but the header describes ${good.length}`, 'truncated');
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expectError(() => decodeSafetensors(longer, SRC), SRC, `the file is ${good.length + 3} bytes but the header describes ${good.length}`, '3 extra bytes at the end');
    expectError(() => decodeSafetensors(rawFile('{}', [1]), SRC), '1 extra bytes');
  });

  test('accepted: empty and rank-0 tensors, whitespace around the JSON, an empty header, unknown fields', () => {
    const f = rawFile(' \n\t{"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}}\r\n ', [1, 0, 0, 0]);
    const { tensors } = decodeSafetensors(f);
    expect(tensors.s).toEqual({ dtype: 'int32', shape: [], data: Int32Array.from([1]) });
    expect(tensors.e).toEqual({ dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
    expect(decodeSafetensors(rawFile('{}'))).toEqual({ tensors: {}, metadata: null });
    const extra = rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], note: 'ignored' } }, okData);
    expect(decodeSafetensors(extra).tensors.w.shape).toEqual([2]);
    // two empty tensors at the same offset
    const empties = rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [0, 0] }, b: { dtype: 'I32', shape: [0], data_offsets: [0, 0] }, ...{ c: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } } }, okData);
    expect(Object.keys(decodeSafetensors(empties).tensors)).toEqual(['a', 'b', 'c']);
  });

  test('non-Uint8Array input is a TypeError', () => {
    expect(() => decodeSafetensors('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeSafetensors(new ArrayBuffer(8) as unknown as Uint8Array)).toThrow(TypeError);
  });

  test('Node Buffers (pooled, non-zero byteOffset) decode', () => {
    const file = encodeSafetensors({ a: f32([2], [3, 4]) });
    const buf = Buffer.from(file); // small Buffers live in a shared pool
    expect(Array.from(decodeSafetensors(buf).tensors.a.data)).toEqual([3, 4]);
  });
});
