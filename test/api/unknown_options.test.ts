// Unknown option keys are refused everywhere an options object is taken, with a did-you-mean
// for snake_case spellings and typos (shared/design.md §5; issue 12 §5): a misspelt key must not
// be ignored silently (it would leave the default in force: `bais: false` keeps the bias).
import * as tn from '../../lib/index';
import { camelCase, checkOptions, editDistance, suggestOption } from '../../lib/options';
import { batcher } from '../../lib/serve/batcher';
import { setPrintOptions } from '../../lib/format/tensor_format';

const { nn } = tn;
const p = (): tn.Tensor => tn.rand(2).requiresGrad_();
const x = tn.rand(3, 2);
const labels = tn.tensor([0, 1, 1]);
const probs = tn.rand(3, 2);

/** [what is called, the call with a misspelt key, the message it must throw]. */
const table: [string, () => unknown, string][] = [
  ['tn.tensor', () => tn.tensor([1, 2], { requires_grad: true } as never), "tensor: unknown option 'requires_grad'; did you mean 'requiresGrad'?"],
  ['tn.zeros', () => tn.zeros(2, { dtpye: 'float32' } as never), "zeros: unknown option 'dtpye'; did you mean 'dtype'?"],
  ['tn.ones', () => tn.ones([2], { devcie: 'cpu' } as never), "ones: unknown option 'devcie'; did you mean 'device'?"],
  ['tn.full', () => tn.full([2], 1, { requires_grad: true } as never), "full: unknown option 'requires_grad'; did you mean 'requiresGrad'?"],
  ['tn.rand', () => tn.rand(2, { requires_grad: true } as never), "rand: unknown option 'requires_grad'; did you mean 'requiresGrad'?"],
  ['tn.randn', () => tn.randn(2, { generater: new tn.Generator(1) } as never), "randn: unknown option 'generater'; did you mean 'generator'?"],
  ['tn.randint', () => tn.randint(0, 5, [2], { Dtype: 'int32' } as never), "randint: unknown option 'Dtype'; did you mean 'dtype'?"],
  ['tn.arange', () => tn.arange(0, 4, { requiresgrad: true } as never), "arange: unknown option 'requiresgrad'; did you mean 'requiresGrad'?"],
  ['tn.linspace', () => tn.linspace(0, 1, 5, { dtyp: 'float32' } as never), "linspace: unknown option 'dtyp'; did you mean 'dtype'?"],
  ['tn.eye', () => tn.eye(2, { device_: 'cpu' } as never), "eye: unknown option 'device_'; did you mean 'device'?"],
  ['tn.zerosLike', () => tn.zerosLike(x, { requires_grad: true } as never), "unknown option 'requires_grad'; did you mean 'requiresGrad'?"],
  ['tn.randLike', () => tn.randLike(x, { requires_grad: true } as never), "rand: unknown option 'requires_grad'; did you mean 'requiresGrad'?"],
  ['nn.Linear', () => new nn.Linear(2, 2, { bais: false } as never), "Linear: unknown option 'bais'; did you mean 'bias'?"],
  ['nn.Dropout', () => new nn.Dropout(0.5, { in_place: true } as never), "Dropout: unknown option 'in_place'; did you mean 'inplace'?"],
  ['nn.ReLU', () => new nn.ReLU({ inPlace: true } as never), "ReLU: unknown option 'inPlace'; did you mean 'inplace'?"],
  ['nn.init.kaimingUniform_', () => tn.nn.init.kaimingUniform_(tn.rand(2, 2), { nonlinarity: 'relu' } as never), "kaimingUniform_: unknown option 'nonlinarity'; did you mean 'nonlinearity'?"],
  ['nn.MSELoss', () => new nn.MSELoss({ reduce: 'sum' } as never), "MSELoss: unknown option 'reduce'; did you mean 'reduction'?"],
  ['nn.CrossEntropyLoss', () => new nn.CrossEntropyLoss({ ignore_index: 1 } as never), "CrossEntropyLoss: unknown option 'ignore_index'; did you mean 'ignoreIndex'?"],
  ['nn.NLLLoss', () => new nn.NLLLoss({ weights: null } as never), "NLLLoss: unknown option 'weights'; did you mean 'weight'?"],
  ['nn.BCELoss', () => new nn.BCELoss({ reductoin: 'sum' } as never), "BCELoss: unknown option 'reductoin'; did you mean 'reduction'?"],
  ['nn.BCEWithLogitsLoss', () => new nn.BCEWithLogitsLoss({ pos_weight: null } as never), "BCEWithLogitsLoss: unknown option 'pos_weight'; did you mean 'posWeight'?"],
  ['F.mseLoss', () => tn.nn.functional.mseLoss(x, x, { reductions: 'sum' } as never), "unknown option 'reductions'; did you mean 'reduction'?"],
  ['F.crossEntropy', () => tn.nn.functional.crossEntropy(x, labels, { ignoreindex: 1 } as never), "unknown option 'ignoreindex'; did you mean 'ignoreIndex'?"],
  ['F.binaryCrossEntropy', () => tn.nn.functional.binaryCrossEntropy(probs, probs, { wieght: null } as never), "unknown option 'wieght'; did you mean 'weight'?"],
  ['optim.SGD', () => new tn.optim.SGD([p()], { weight_decay: 0.1 } as never), "SGD: unknown option 'weight_decay'; did you mean 'weightDecay'?"],
  ['optim.SGD (typo)', () => new tn.optim.SGD([p()], { momentun: 0.9 } as never), "SGD: unknown option 'momentun'; did you mean 'momentum'?"],
  ['optim.Adam', () => new tn.optim.Adam([p()], { beta: [0.9, 0.99] } as never), "Adam: unknown option 'beta'; did you mean 'betas'?"],
  ['optim.AdamW', () => new tn.optim.AdamW([p()], { ams_grad: true } as never), "AdamW: unknown option 'ams_grad'; did you mean 'amsgrad'?"],
  ['Optimizer.zeroGrad', () => new tn.optim.SGD([p()]).zeroGrad({ set_to_none: false } as never), "zeroGrad: unknown option 'set_to_none'; did you mean 'setToNone'?"],
  ['lrScheduler.StepLR', () => new tn.optim.lrScheduler.StepLR(new tn.optim.SGD([p()]), { step_size: 2 } as never), "StepLR: unknown option 'step_size'; did you mean 'stepSize'?"],
  ['data.DataLoader', () => new tn.data.DataLoader([1, 2, 3], { batch_size: 2 } as never), "DataLoader: unknown option 'batch_size'; did you mean 'batchSize'?"],
  ['data.DataLoader (alias)', () => new tn.data.DataLoader([1, 2, 3], { collate_fn: (s: unknown) => s } as never), "DataLoader: unknown option 'collate_fn'; did you mean 'collate'?"],
  ['serve.batcher', () => batcher({ forwardAsync: async (t: tn.Tensor) => t }, { max_batch_size: 8 } as never), "batcher: unknown option 'max_batch_size'; did you mean 'maxBatchSize'?"],
  ['setPrintOptions', () => setPrintOptions({ sci_mode: false } as never), "setPrintOptions: unknown option 'sci_mode'; did you mean 'sciMode'?"],
];

test.each(table)('%s refuses a misspelt option with a did-you-mean', (_name, call, message) => {
  expect(call).toThrow(TypeError);
  expect(call).toThrow(message);
});

test('a key with no near match lists the options instead', () => {
  expect(() => tn.rand(2, { colour: 'red' } as never)).toThrow("rand: unknown option 'colour' (options are 'dtype', 'device', 'requiresGrad', 'generator')");
  expect(() => new nn.Linear(2, 2, { workers: 3 } as never)).toThrow("Linear: unknown option 'workers' (options are 'bias', 'device')");
});

test('correctly spelt options still work', () => {
  expect(tn.rand(2, { requiresGrad: true }).requiresGrad).toBe(true);
  expect(new nn.Linear(2, 2, { bias: false }).bias).toBeNull();
  expect(new nn.Dropout(0.5, { inplace: true }).inplace).toBe(true);
  expect(new tn.data.DataLoader([1, 2, 3], { batchSize: 2 }).length).toBe(2);
});

test('options must be a plain object', () => {
  expect(() => new nn.Linear(2, 2, [] as never)).toThrow('Linear: expected an options object for options but received an array of length 0');
  expect(() => new tn.optim.SGD([p()], null as never)).toThrow(TypeError);
  expect(() => checkOptions('op', new Map(), [])).toThrow('op: expected an options object for options but received a value of type Map');
  expect(checkOptions('op', Object.create(null), [])).toEqual({});
});

describe('suggestions', () => {
  test('snake_case maps to camelCase', () => {
    expect(camelCase('requires_grad')).toBe('requiresGrad');
    expect(camelCase('decoupled_weight_decay')).toBe('decoupledWeightDecay');
    expect(suggestOption('requires_grad', ['dtype', 'requiresGrad'])).toBe('requiresGrad');
  });

  test('edit distance counts a transposition as one edit', () => {
    expect(editDistance('bais', 'bias')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('far-off keys get no suggestion; short keys need a near match', () => {
    expect(suggestOption('lr', ['momentum'])).toBeNull();
    expect(suggestOption('xyz', ['bias', 'device'])).toBeNull();
    expect(suggestOption('lrr', ['lr', 'eps'])).toBe('lr');
  });
});
