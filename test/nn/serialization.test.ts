/**
 * nn.save / nn.load (safetensors): the lecture Sequential's bytes against the layout golden of
 * pytorch-formats d4 (720 bytes), round trips through a file and a buffer, loading into a fresh
 * model, and errors.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';
import { forEachDevice } from '../helpers/devices';

function lecture(seed: number): nn.Sequential {
  tn.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
}

const HEADER =
  '{"0.bias":{"dtype":"F32","shape":[5],"data_offsets":[0,20]},"0.weight":{"dtype":"F32","shape":[5,4],"data_offsets":[20,100]},' +
  '"2.bias":{"dtype":"F32","shape":[6],"data_offsets":[100,124]},"2.weight":{"dtype":"F32","shape":[6,5],"data_offsets":[124,244]},' +
  '"4.bias":{"dtype":"F32","shape":[3],"data_offsets":[244,256]},"4.weight":{"dtype":"F32","shape":[3,6],"data_offsets":[256,328]}}';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-nn-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the lecture state dict is the 720-byte file save_file writes (pytorch-formats d4)', () => {
  const model = lecture(42);
  const bytes = nn.saveToBuffer(model.stateDict());
  expect(bytes.length).toBe(720);
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x80, 0x01, 0, 0, 0, 0, 0, 0]);
  expect(HEADER.length).toBe(381);
  expect(Buffer.from(bytes.subarray(8, 8 + 384)).toString('utf8')).toBe(HEADER + '   ');
  // Data: each tensor's float32 values, little-endian, bias before weight (name order).
  const sd = model.stateDict();
  const order = ['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight'];
  const expected = new Float32Array(order.flatMap((k) => Array.from(sd[k].dataSync())));
  expect(Buffer.from(bytes.subarray(392)).equals(Buffer.from(expected.buffer))).toBe(true);
});

test('save → load through a file → loadStateDict gives the same model', () => {
  const file = path.join(tmp, 'lecture.safetensors');
  const src = lecture(42);
  nn.save(src.stateDict(), file);
  expect(fs.statSync(file).size).toBe(720);
  const loaded = nn.load(file);
  expect(Object.keys(loaded)).toEqual(['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);
  expect(loaded['0.weight'].shape).toEqual([5, 4]);
  expect(loaded['0.weight'].device).toBe('cpu');
  const dst = lecture(0);
  expect(String(dst.loadStateDict(loaded))).toBe('<All keys matched successfully>');
  const x = tn.rand(4, 4);
  expect(Array.from(dst.forward(x).dataSync())).toEqual(Array.from(src.forward(x).dataSync()));
});

test('async forms and buffer forms round-trip; metadata is written', async () => {
  const file = path.join(tmp, 'async.safetensors');
  const src = new nn.Linear(3, 2);
  await nn.saveAsync(src.stateDict(), file, { format: 'pt' });
  const back = await nn.loadAsync(file);
  expect(Array.from(back.weight.dataSync())).toEqual(Array.from(src.weight.dataSync()));
  const bytes = nn.saveToBuffer(new Map([['w', tn.arange(6).reshape(2, 3)]]), { format: 'pt' });
  expect(Buffer.from(bytes).toString('utf8')).toContain('{"__metadata__":{"format":"pt"},"w":{"dtype":"I32","shape":[2,3]');
  const w = nn.loadFromBuffer(bytes).w;
  expect(w.dtype).toBe('int32');
  expect(w.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
});

test('errors: not a state dict, not a tensor, a broken file names the tensor', () => {
  expect(() => nn.saveToBuffer(3 as unknown as Record<string, tn.Tensor>)).toThrow(TypeError);
  expect(() => nn.saveToBuffer({ a: [1] as unknown as tn.Tensor })).toThrow('saveToBuffer: expected a Tensor for "a" but received an array of length 1');
  const bytes = nn.saveToBuffer({ a: tn.ones(2), b: tn.ones(3) });
  expect(() => nn.loadFromBuffer(bytes.subarray(0, bytes.length - 4))).toThrow(/safetensors file <buffer>/);
  expect(() => nn.load(path.join(tmp, 'missing.safetensors'))).toThrow(/cannot be read/);
  expect(() => nn.load('x', { device: 'tpu' as tn.Device })).toThrow();
});

forEachDevice('load onto a device', (device) => {
  test(`load(path, { device: '${device}' }) puts the tensors there and a model there loads them`, () => {
    const file = path.join(tmp, `dev-${device}.safetensors`);
    const src = lecture(42);
    nn.save(src.stateDict(), file);
    const loaded = nn.load(file, { device });
    expect(Object.values(loaded).every((t) => t.device === device)).toBe(true);
    const dst = lecture(1).to(device);
    dst.loadStateDict(loaded);
    const a = Object.values(src.stateDict()).map((t) => Array.from(t.dataSync()));
    expect(Object.values(dst.stateDict()).map((t) => Array.from(t.dataSync()))).toEqual(a);
  });
});
