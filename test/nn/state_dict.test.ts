/**
 * stateDict / loadStateDict: keys in PyTorch's order, the one error listing every problem in
 * PyTorch's words, strict false, buffers, copies onto the model's device (CUDA cases skipped
 * without a GPU).
 */
import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';
import { forEachDevice } from '../helpers/devices';

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.call(x);
  }
}

const values = (sd: Record<string, tn.Tensor>): Record<string, number[]> =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, Array.from(v.dataSync())]));

test('stateDict keys: deep_nn.0.weight, deep_nn.0.bias, … (indices skip the Sigmoids)', () => {
  expect(Object.keys(new NeuralNetwork().stateDict())).toEqual([
    'deep_nn.0.weight', 'deep_nn.0.bias', 'deep_nn.2.weight', 'deep_nn.2.bias', 'deep_nn.4.weight', 'deep_nn.4.bias',
  ]);
  const sd = new NeuralNetwork().stateDict();
  expect(Object.values(sd).map((t) => t.shape)).toEqual([[5, 4], [5], [6, 5], [6], [3, 6], [3]]);
});

test('loading copies the values into the same Parameter objects; all keys matched', () => {
  tn.manualSeed(1);
  const src = new NeuralNetwork();
  tn.manualSeed(2);
  const dst = new NeuralNetwork();
  const params = dst.parameters();
  const result = dst.loadStateDict(src.stateDict());
  expect(String(result)).toBe('<All keys matched successfully>');
  expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
  expect(values(dst.stateDict())).toEqual(values(src.stateDict()));
  dst.parameters().forEach((p, i) => expect(p).toBe(params[i]));
  // A copy, not shared storage: changing the source later leaves the model alone.
  nn.init.zeros_(src.deep_nn.at(0).stateDict().weight);
  expect(values(dst.stateDict())['deep_nn.0.weight'].some((v) => v !== 0)).toBe(true);
  const x = tn.rand(3, 4);
  expect(dst.forward(x).dataSync()).not.toEqual(src.forward(x).dataSync());
});

test('a Map works as a state dict; a non-dict is a TypeError', () => {
  const src = new nn.Linear(2, 2);
  const dst = new nn.Linear(2, 2);
  dst.loadStateDict(new Map(Object.entries(src.stateDict())));
  expect(Array.from(dst.weight.dataSync())).toEqual(Array.from(src.weight.dataSync()));
  expect(() => dst.loadStateDict(5 as unknown as Record<string, tn.Tensor>)).toThrow('Expected state_dict to be dict-like, got 5 of type number.');
});

test('one error lists every missing key, unexpected key and size mismatch, in PyTorch words', () => {
  const model = new NeuralNetwork();
  const before = values(model.stateDict());
  const sd = model.stateDict();
  delete sd['deep_nn.4.weight'];
  delete sd['deep_nn.4.bias'];
  sd['deep_nn.0.weight'] = tn.zeros(3, 3);
  sd.x = tn.zeros(1);
  sd['deep_nn.9.weight'] = tn.zeros(1);
  let err: nn.StateDictError | null = null;
  try {
    model.loadStateDict(sd);
  } catch (e) {
    err = e as nn.StateDictError;
  }
  expect(err).toBeInstanceOf(nn.StateDictError);
  expect(err!.message).toBe(
    'Error(s) in loading state_dict for NeuralNetwork:\n' +
      '\tMissing key(s) in state_dict: "deep_nn.4.weight", "deep_nn.4.bias". \n' +
      '\tUnexpected key(s) in state_dict: "x", "deep_nn.9.weight". \n' +
      '\tsize mismatch for deep_nn.0.weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([5, 4]).',
  );
  expect(err!.missingKeys).toEqual(['deep_nn.4.weight', 'deep_nn.4.bias']);
  expect(err!.unexpectedKeys).toEqual(['x', 'deep_nn.9.weight']);
  // Nothing was copied: a failed load leaves the model as it was.
  expect(values(model.stateDict())).toEqual(before);
});

test('strict: false returns missing and unexpected keys and loads the rest; size mismatches still throw', () => {
  tn.manualSeed(4);
  const src = new NeuralNetwork();
  const dst = new NeuralNetwork();
  const sd = src.stateDict();
  delete sd['deep_nn.0.bias'];
  sd['extra.weight'] = tn.zeros(2);
  const r = dst.loadStateDict(sd, { strict: false });
  expect(r).toEqual({ missingKeys: ['deep_nn.0.bias'], unexpectedKeys: ['extra.weight'] });
  expect(String(r)).toBe("_IncompatibleKeys(missing_keys=['deep_nn.0.bias'], unexpected_keys=['extra.weight'])");
  expect(Array.from(dst.deep_nn.at(2).stateDict().weight.dataSync())).toEqual(Array.from(sd['deep_nn.2.weight'].dataSync()));
  sd['deep_nn.2.bias'] = tn.zeros(7);
  expect(() => dst.loadStateDict(sd, { strict: false })).toThrow(
    'Error(s) in loading state_dict for NeuralNetwork:\n\tsize mismatch for deep_nn.2.bias: copying a param with shape torch.Size([7]) from checkpoint, the shape in current model is torch.Size([6]).',
  );
});

test('a non-tensor value is reported with the key', () => {
  const fc = new nn.Linear(1, 1);
  expect(() => fc.loadStateDict({ weight: 3 as unknown as tn.Tensor, bias: tn.zeros(1) })).toThrow(
    'While copying the parameter named "weight", expected torch.Tensor or Tensor-like object from checkpoint but received 3 of type number',
  );
});

test('persistent buffers are saved and loaded; non-persistent ones are neither', () => {
  class WithStats extends nn.Module {
    fc = new nn.Linear(2, 2);
    constructor() {
      super();
      this.registerBuffer('mean', tn.zeros(2));
      this.registerBuffer('scratch', tn.zeros(2), false);
    }
  }
  const a = new WithStats();
  expect(Object.keys(a.stateDict())).toEqual(['mean', 'fc.weight', 'fc.bias']);
  const sd = a.stateDict();
  sd.mean = tn.tensor([1.5, 2.5], { dtype: 'float32' });
  const b = new WithStats();
  b.loadStateDict(sd);
  expect(Array.from((b as unknown as { mean: tn.Tensor }).mean.dataSync())).toEqual([1.5, 2.5]);
});

test('an int32 checkpoint value is converted to the float32 parameter, as copy_ does', () => {
  const fc = new nn.Linear(2, 1);
  fc.loadStateDict({ weight: tn.tensor([[1, 2]]), bias: tn.tensor([3]) });
  expect(Array.from(fc.weight.dataSync())).toEqual([1, 2]);
  expect(fc.weight.dtype).toBe('float32');
});

forEachDevice('module devices', (device) => {
  test(`to('${device}') moves parameters in place and forward runs there`, () => {
    tn.manualSeed(42);
    const model = new NeuralNetwork().to('cpu');
    const params = model.parameters();
    const cpuValues = values(model.stateDict());
    expect(model.to(device)).toBe(model);
    model.parameters().forEach((p, i) => {
      expect(p).toBe(params[i]);
      expect(p.device).toBe(device);
      expect(p.requiresGrad).toBe(true);
    });
    expect(values(model.stateDict())).toEqual(cpuValues);
    const y = model.forward(tn.rand(2, 4, { device }));
    expect(y.device).toBe(device);
    y.sum().backward();
    expect(model.parameters().every((p) => p.grad !== null && p.grad.device === device)).toBe(true);
    model.to('cpu');
    expect(model.parameters().every((p) => p.grad!.device === 'cpu')).toBe(true);
  });

  test(`a cpu state dict loads into a model on ${device}`, () => {
    tn.manualSeed(1);
    const src = new NeuralNetwork().to('cpu');
    const dst = new NeuralNetwork().to(device);
    dst.loadStateDict(src.stateDict());
    expect(dst.parameters().every((p) => p.device === device)).toBe(true);
    expect(values(dst.stateDict())).toEqual(values(src.stateDict()));
    const x = tn.rand(3, 4);
    const a = Array.from(src.forward(x).dataSync());
    const b = Array.from(dst.forward(x.to(device)).dataSync());
    b.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1e-5));
  });
});
