// Training steps allocate no growing memory: after GC, tn.memory() is back where it was after
// the first step (which created the optimizer state), for steps that dispose nothing by hand.
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import { collect } from '../helpers/gc';

test('Adam + CrossEntropyLoss steps on the lecture network leave no tensors behind', async () => {
  tn.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  const opt = new tn.optim.Adam(model.parameters(), { lr: 0.01 });
  const loss = new nn.CrossEntropyLoss();
  const x = tn.rand(32, 4);
  const y = tn.randint(0, 3, [32]);
  const step = (): number => {
    opt.zeroGrad();
    const l = loss.call(model.call(x), y);
    l.backward();
    opt.step();
    return l.item();
  };
  step();
  await collect();
  const start = tn.memory().cpu;
  let last = 0;
  for (let i = 0; i < 300; ++i) last = step();
  await collect();
  const end = tn.memory().cpu;
  expect(Number.isFinite(last)).toBe(true);
  expect(end.tensors).toBe(start.tensors);
  expect(end.bytes).toBe(start.bytes);
}, 60000);
