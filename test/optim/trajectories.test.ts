/**
 * Several-step trajectories of SGD, Adam and AdamW against float64 references of PyTorch's
 * formulas (test/optim/reference.ts). Each step takes the float32 gradients autograd produced,
 * feeds the same gradients to the reference, and compares every parameter. Float32 rounding of
 * the update is the only expected difference: rtol 2e-5 over eight steps.
 */
import * as tn from '../../lib/index';
import { Adam, AdamW, type Optimizer, SGD } from '../../lib/optim';
import { forEachDevice } from '../helpers/devices';
import { expectClose } from '../helpers/reference';
import { type AdamRefOptions, type RefState, type SgdRefOptions, Quadratic, adamRef, makeParams, sgdRef } from './reference';

const SHAPES = [[3, 4], [4]];
const STEPS = 8;

function run(
  device: tn.Device,
  make: (params: tn.Tensor[]) => Optimizer<object>,
  refStep: (p: Float64Array, g: ArrayLike<number>, s: RefState) => void,
): Float64Array[][] {
  const { params, ref } = makeParams(SHAPES, 7, device);
  const problem = new Quadratic(SHAPES, 99, device);
  const opt = make(params);
  const states: RefState[] = params.map(() => ({}));
  const history: Float64Array[][] = [];
  for (let step = 0; step < STEPS; ++step) {
    opt.zeroGrad();
    problem.loss(params).backward();
    const grads = params.map((p) => Float64Array.from(p.grad!.dataSync()));
    opt.step();
    ref.forEach((r, k) => refStep(r, grads[k], states[k]));
    params.forEach((p, k) => expectClose(p.dataSync(), ref[k], 2e-5, 1e-6));
    history.push(ref.map((r) => Float64Array.from(r)));
  }
  return history;
}

const SGD_CASES: [string, SgdRefOptions][] = [
  ['plain', { lr: 0.1 }],
  ['momentum', { lr: 0.1, momentum: 0.9 }],
  ['momentum with dampening', { lr: 0.05, momentum: 0.9, dampening: 0.3 }],
  ['nesterov', { lr: 0.05, momentum: 0.8, nesterov: true }],
  ['weight decay', { lr: 0.1, weightDecay: 0.05 }],
  ['weight decay with momentum', { lr: 0.1, momentum: 0.5, weightDecay: 0.01 }],
  ['maximize', { lr: 0.02, momentum: 0.9, maximize: true }],
];

const ADAM_CASES: [string, AdamRefOptions][] = [
  ['defaults but lr', { lr: 0.05 }],
  ['betas and eps', { lr: 0.05, betas: [0.8, 0.95], eps: 1e-3 }],
  ['amsgrad', { lr: 0.05, betas: [0.9, 0.5], amsgrad: true }],
  ['L2 weight decay', { lr: 0.05, weightDecay: 0.1 }],
  ['maximize', { lr: 0.02, maximize: true }],
];

forEachDevice('optim trajectories', (device) => {
  test.each(SGD_CASES)('SGD %s follows PyTorch', (_, o) => {
    run(device, (params) => new SGD(params, o), (p, g, s) => sgdRef(p, g, s, o));
  });

  test.each(ADAM_CASES)('Adam %s follows PyTorch', (_, o) => {
    run(device, (params) => new Adam(params, { ...o }), (p, g, s) => adamRef(p, g, s, o));
  });

  test('AdamW decouples the weight decay (default 1e-2)', () => {
    const o: AdamRefOptions = { lr: 0.05, weightDecay: 1e-2, decoupled: true };
    run(device, (params) => new AdamW(params, { lr: 0.05 }), (p, g, s) => adamRef(p, g, s, o));
    const o2: AdamRefOptions = { lr: 0.05, weightDecay: 0.3, betas: [0.9, 0.5], amsgrad: true, decoupled: true };
    run(device, (params) => new AdamW(params, { lr: 0.05, weightDecay: 0.3, betas: [0.9, 0.5], amsgrad: true }), (p, g, s) => adamRef(p, g, s, o2));
  });

  test('amsgrad changes the reference trajectory (so its case tests something)', () => {
    const trajectory = (o: AdamRefOptions) => {
      const p = Float64Array.from([0.5, -0.3, 0.8]);
      const s: RefState = {};
      // Gradients that shrink sharply every other step, so v falls and the running max matters.
      for (let t = 1; t <= STEPS; ++t) adamRef(p, [1, -2, 3].map((x) => x * (t % 2 ? 1 : 0.01)), s, o);
      return Array.from(p);
    };
    expect(trajectory({ lr: 0.05, betas: [0.9, 0.5], amsgrad: true })).not.toEqual(trajectory({ lr: 0.05, betas: [0.9, 0.5] }));
  });
});
