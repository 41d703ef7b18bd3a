/**
 * Optimizer behaviour besides the update rule: parameter groups, zeroGrad, lazily created state,
 * the first momentum buffer, closures, stateDict / loadStateDict round trips, and validation with
 * PyTorch's messages.
 */
import * as tn from '../../lib/index';
import { Adam, AdamW, SGD } from '../../lib/optim';
import { forEachDevice } from '../helpers/devices';
import { Quadratic, makeParams } from './reference';

const SHAPES = [[2, 3], [3]];

function lossStep(problem: Quadratic, params: tn.Tensor[]): void {
  problem.loss(params).backward();
}

forEachDevice('Optimizer', (device) => {
  test('zeroGrad sets gradients to null by default, or to zeros', () => {
    const { params } = makeParams(SHAPES, 1, device);
    const problem = new Quadratic(SHAPES, 2, device);
    const opt = new SGD(params, { lr: 0.1 });
    lossStep(problem, params);
    expect(params.every((p) => p.grad !== null)).toBe(true);
    opt.zeroGrad({ setToNone: false });
    for (const p of params) expect(Array.from(p.grad!.dataSync())).toEqual(new Array(p.numel()).fill(0));
    opt.zeroGrad();
    for (const p of params) expect(p.grad).toBeNull();
  });

  test('step runs in grad mode (in place on leaves) and keeps the parameters leaves on their device', () => {
    const { params } = makeParams(SHAPES, 3, device);
    const opt = new Adam(params, { lr: 0.1 });
    lossStep(new Quadratic(SHAPES, 4, device), params);
    expect(tn.isGradEnabled()).toBe(true);
    opt.step();
    for (const p of params) {
      expect(p.isLeaf).toBe(true);
      expect(p.requiresGrad).toBe(true);
      expect(p.device).toBe(device);
    }
    const s = opt.state.get(params[0])!;
    expect((s.exp_avg as tn.Tensor).device).toBe(device);
    expect(s.step).toBe(1);
  });

  test('parameters without a gradient are skipped and get no state', () => {
    const { params } = makeParams(SHAPES, 5, device);
    const before = Array.from(params[1].dataSync());
    const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
    params[0].sum().backward();
    opt.step();
    expect(Array.from(params[1].dataSync())).toEqual(before);
    expect(opt.state.has(params[1])).toBe(false);
    expect(opt.state.has(params[0])).toBe(true);
  });

  test('the momentum buffer starts as a copy of the first gradient', () => {
    const { params } = makeParams(SHAPES, 6, device);
    const opt = new SGD(params, { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    lossStep(new Quadratic(SHAPES, 7, device), params);
    const g = Array.from(params[0].grad!.dataSync());
    opt.step();
    const buf = opt.state.get(params[0])!.momentum_buffer as tn.Tensor;
    expect(Array.from(buf.dataSync())).toEqual(g);  // no dampening on the first step
    tn.noGrad(() => params[0].grad!.fill_(0));
    expect(Array.from(buf.dataSync())).toEqual(g);  // a copy, not the gradient itself
  });

  test('parameter groups keep their own options, defaults fill the rest', () => {
    const { params } = makeParams(SHAPES, 8, device);
    const opt = new SGD([{ params: [params[0]] }, { params: params[1], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, momentum: 0.9 });
    expect(opt.paramGroups[1].params).toEqual([params[1]]);
    const before = params.map((p) => Array.from(p.dataSync()));
    params[0].sum().add(params[1].sum()).backward();  // every gradient is 1
    opt.step();
    const after = params.map((p) => Array.from(p.dataSync()));
    after[0].forEach((v, i) => expect(v).toBeCloseTo(before[0][i] - 0.1, 6));
    after[1].forEach((v, i) => expect(v).toBeCloseTo(before[1][i] - 0.5, 6));
    // Changing a group's lr between steps takes effect (what schedulers do).
    opt.paramGroups[0].lr = 0;
    opt.step();
    expect(Array.from(params[0].dataSync())).toEqual(after[0]);
  });

  test('model.parameters()-style iterables (generators, Sets) are accepted', () => {
    const { params } = makeParams(SHAPES, 9, device);
    function* gen() { yield* params; }
    expect(new SGD(gen()).paramGroups[0].params).toEqual(params);
    expect(new Adam(new Set(params)).paramGroups[0].params).toEqual(params);
    expect(new SGD(params).paramGroups[0].lr).toBe(1e-3);  // PyTorch 2.x default
    expect(new Adam(params).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new AdamW(params).paramGroups[0]).toMatchObject({ lr: 1e-3, weightDecay: 1e-2, decoupledWeightDecay: true });
  });

  test('step(closure) evaluates the closure with grad mode on and returns its loss', () => {
    const { params } = makeParams(SHAPES, 10, device);
    const problem = new Quadratic(SHAPES, 11, device);
    const opt = new SGD(params, { lr: 0.1 });
    const loss = tn.noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = problem.loss(params);
      l.backward();
      return l;
    }));
    expect(loss).toBeInstanceOf(tn.Tensor);
    expect(params[0].grad).not.toBeNull();
  });

  test('stateDict has PyTorch\'s layout and loadStateDict continues the same trajectory', () => {
    for (const make of [
      (p: tn.Tensor[]) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
      (p: tn.Tensor[]) => new Adam([{ params: [p[0]] }, { params: [p[1]], lr: 0.01 }], { lr: 0.05, amsgrad: true }),
    ]) {
      const problem = new Quadratic(SHAPES, 12, device);
      const a = makeParams(SHAPES, 13, device).params;
      const optA = make(a);
      for (let i = 0; i < 3; ++i) {
        optA.zeroGrad();
        lossStep(problem, a);
        optA.step();
      }
      const sd = optA.stateDict();
      expect(Object.keys(sd)).toEqual(['state', 'param_groups']);
      expect(Object.keys(sd.state)).toEqual(['0', '1']);
      expect(sd.param_groups.flatMap((g) => g.params)).toEqual([0, 1]);
      for (const g of sd.param_groups) expect(Object.keys(g).at(-1)).toBe('params');
      const s0 = sd.state[0];
      for (const v of Object.values(s0)) expect(v instanceof tn.Tensor || typeof v === 'number').toBe(true);

      // A fresh model with the same values and a fresh optimizer, then both go on.
      const b = a.map((p) => tn.tensor(p.dataSync(), { shape: p.shape.slice(), device, requiresGrad: true }));
      const optB = make(b);
      optB.loadStateDict(sd);
      expect(optB.paramGroups.map((g) => g.lr)).toEqual(optA.paramGroups.map((g) => g.lr));
      for (let i = 0; i < 3; ++i) {
        for (const [opt, ps] of [[optA, a], [optB, b]] as const) {
          opt.zeroGrad();
          lossStep(problem, ps as tn.Tensor[]);
          opt.step();
        }
      }
      a.forEach((p, k) => expect(Array.from(b[k].dataSync())).toEqual(Array.from(p.dataSync())));
      // loadStateDict copied the state: the two optimizers share no tensors.
      const sa = Object.values(optA.state.get(a[0])!).filter((v) => v instanceof tn.Tensor);
      const sb = Object.values(optB.state.get(b[0])!).filter((v) => v instanceof tn.Tensor);
      expect(sb.length).toBe(sa.length);
      for (const t of sb) expect(sa.includes(t)).toBe(false);
    }
  });

  test('stateDict options are copies; Adam records step as a number', () => {
    const { params } = makeParams(SHAPES, 14, device);
    const opt = new Adam(params, { lr: 0.1 });
    lossStep(new Quadratic(SHAPES, 15, device), params);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.param_groups[0]).toEqual({ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false, params: [0, 1] });
    expect(Object.keys(sd.state[0])).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(sd.state[0].step).toBe(1);
    (sd.param_groups[0].betas as number[])[0] = 0.5;
    expect(opt.paramGroups[0].betas[0]).toBe(0.9);
  });

  test('loadStateDict refuses state dicts of another shape', () => {
    const { params } = makeParams(SHAPES, 16, device);
    const opt = new SGD(params, { lr: 0.1 });
    const two = new SGD([{ params: [params[0]] }, { params: [params[1]] }]);
    expect(() => opt.loadStateDict(two.stateDict())).toThrow('loaded state dict has a different number of parameter groups');
    const one = new SGD([params[0]]);
    expect(() => opt.loadStateDict(one.stateDict())).toThrow("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    expect(() => opt.loadStateDict({ state: {}, param_groups: [{ lr: -1, params: [0, 1] }] })).toThrow('Invalid learning rate: -1');
    expect(() => opt.loadStateDict(null as never)).toThrow(TypeError);
  });
});

describe('Optimizer validation', () => {
  const p = () => tn.zeros([2], { requiresGrad: true });

  test.each([
    [() => new SGD([p()], { lr: -1 }), 'Invalid learning rate: -1'],
    [() => new SGD([p()], { momentum: -0.5 }), 'Invalid momentum value: -0.5'],
    [() => new SGD([p()], { weightDecay: -1e-5 }), 'Invalid weight_decay value: -1e-05'],
    [() => new SGD([p()], { nesterov: true }), 'Nesterov momentum requires a momentum and zero dampening'],
    [() => new SGD([p()], { nesterov: true, momentum: 0.9, dampening: 0.1 }), 'Nesterov momentum requires a momentum and zero dampening'],
    [() => new Adam([p()], { lr: -0.01 }), 'Invalid learning rate: -0.01'],
    [() => new Adam([p()], { eps: -1 }), 'Invalid epsilon value: -1'],
    [() => new Adam([p()], { betas: [1, 0.999] }), 'Invalid beta parameter at index 0: 1'],
    [() => new Adam([p()], { betas: [0.9, -0.1] }), 'Invalid beta parameter at index 1: -0.1'],
    [() => new Adam([p()], { weightDecay: -1 }), 'Invalid weight_decay value: -1'],
    [() => new AdamW([p()], { lr: -1 }), 'Invalid learning rate: -1'],
    [() => new SGD([{ params: [p()], lr: -2 }]), 'Invalid learning rate: -2'],
    [() => new SGD([]), 'optimizer got an empty parameter list'],
    [() => new SGD([p().mul(2)]), "can't optimize a non-leaf Tensor"],
    [() => { const x = p(); return new SGD([{ params: [x] }, { params: [x] }]); }, 'some parameters appear in more than one parameter group'],
  ])('%#: RangeError with PyTorch\'s message', (make, message) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(message);
  });

  test.each([
    [() => new SGD(p() as never), 'should be an iterable of Tensors or dicts'],
    [() => new SGD([p(), 3 as never]), 'optimizer can only optimize Tensors, but one of the params is 3 of type number'],
    [() => new SGD([p()], { lr: '0.1' as never }), 'SGD: expected a number for lr but received "0.1" of type string'],
    [() => new SGD([p()], { weight_decay: 0.1 } as never), "SGD: unknown option 'weight_decay'; did you mean 'weightDecay'?"],
    [() => new SGD([{ params: [p()], weight_decay: 0.1 }]), "did you mean 'weightDecay'? (in a parameter group)"],
    [() => new Adam([p()], { betas: 0.9 as never }), 'Adam: expected an array of two numbers for betas'],
    [() => new Adam([p()], { amsgrad: 1 as never }), 'Adam: expected a boolean for amsgrad but received 1 of type number'],
    [() => new AdamW([p()], { decoupledWeightDecay: false } as never), 'decoupledWeightDecay is always true for AdamW'],
  ])('%#: TypeError naming the option', (make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  test('toString lists the groups like PyTorch', () => {
    const opt = new SGD([p()], { lr: 0.1, momentum: 0.9 });
    expect(opt.toString()).toBe(
      'SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weightDecay: 0\n)',
    );
  });
});
