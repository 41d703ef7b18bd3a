/** StepLR against PyTorch's schedule: lr · gamma^floor(epoch / stepSize), set by step(). */
import * as tn from '../../lib/index';
import { Adam, SGD, StepLR, lrScheduler } from '../../lib/optim';

const param = () => tn.zeros([2], { requiresGrad: true });

describe('StepLR', () => {
  test('decays every stepSize epochs and records initialLr', () => {
    const opt = new SGD([param()], { lr: 0.05 });
    const sched = new lrScheduler.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expect(opt.paramGroups[0].initialLr).toBe(0.05);
    expect(sched.lastEpoch).toBe(0);
    const seen: number[] = [];
    for (let epoch = 0; epoch < 10; ++epoch) {
      seen.push(sched.getLastLr()[0]);
      expect(opt.paramGroups[0].lr).toBe(seen[epoch]);
      opt.step();
      sched.step();
    }
    // PyTorch multiplies the current lr (not a closed form), so the values are products.
    expect(seen).toEqual([0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625]);
    expect(sched.lastEpoch).toBe(10);
  });

  test('gamma defaults to 0.1 and every group is scheduled from its own lr', () => {
    const opt = new Adam([{ params: [param()] }, { params: [param()], lr: 1 }], { lr: 0.1 });
    const sched = new StepLR(opt, { stepSize: 2 });
    sched.step();
    sched.step();
    expect(sched.getLastLr()).toEqual([0.1 * 0.1, 1 * 0.1]);
    expect(sched.baseLrs).toEqual([0.1, 1]);
  });

  test('getLastLr returns a copy; stateDict round trip resumes the schedule', () => {
    const opt = new SGD([param()], { lr: 1 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    sched.getLastLr()[0] = 42;
    expect(sched.getLastLr()).toEqual([1]);
    for (let i = 0; i < 3; ++i) sched.step();
    const sd = sched.stateDict();
    expect(sd).toMatchObject({ stepSize: 2, gamma: 0.5, lastEpoch: 3, baseLrs: [1] });

    const opt2 = new SGD([param()], { lr: 1 });
    opt2.loadStateDict(opt.stateDict());
    const sched2 = new StepLR(opt2, { stepSize: 100 });
    sched2.loadStateDict(sd);
    sched.step();
    sched2.step();
    expect(sched2.getLastLr()).toEqual(sched.getLastLr());
    expect(sched2.lastEpoch).toBe(4);
  });

  test('resuming with lastEpoch needs initialLr in the groups', () => {
    const opt = new SGD([param()], { lr: 1 });
    expect(() => new StepLR(opt, { stepSize: 2, lastEpoch: 5 })).toThrow("param 'initialLr' is not specified in paramGroups[0] when resuming an optimizer");
    opt.paramGroups[0].initialLr = 1;
    const sched = new StepLR(opt, { stepSize: 2, lastEpoch: 5 });
    expect(sched.lastEpoch).toBe(6);
    expect(sched.getLastLr()).toEqual([0.1]);  // epoch 6 is a multiple of 2
  });

  test('validates its arguments', () => {
    const opt = new SGD([param()]);
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow('StepLR: Object is not an Optimizer');
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(RangeError);
    expect(() => new StepLR(opt, { stepSize: 1.5 })).toThrow('StepLR: expected an integer for stepSize but received 1.5 of type number');
    expect(() => new StepLR(opt, { stepSize: 1, gamma: 'x' as never })).toThrow(TypeError);
    expect(() => new StepLR(opt, { step_size: 1 } as never)).toThrow("StepLR: unknown option 'step_size'; did you mean 'stepSize'?");
  });
});
