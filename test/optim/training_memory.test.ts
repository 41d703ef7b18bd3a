// Training steps allocate no growing memory: after GC, the ArrayBuffer memory tensors live in
// (tn.memory().cpu.bytes) is back where it was after the first step, which created the optimizer
// state, for steps that dispose nothing by hand; and backward frees what the graph saved.
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import { collect } from '../helpers/gc';

function lectureSetup() {
  tn.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  const opt = new tn.optim.Adam(model.parameters(), { lr: 0.01 });
  const loss = new nn.CrossEntropyLoss();
  return { model, opt, loss };
}

test('Adam + CrossEntropyLoss steps on the lecture network leave nothing behind', async () => {
  const { model, opt, loss } = lectureSetup();
  const x = tn.rand(256, 4);
  const y = tn.randint(0, 3, [256]);
  const step = (): number => {
    opt.zeroGrad();
    const l = loss.call(model.call(x), y);
    l.backward();
    opt.step();
    return l.item();
  };
  step();
  await collect();
  const start = tn.memory().cpu.bytes;
  let last = 0;
  for (let i = 0; i < 300; ++i) last = step();
  await collect();
  const grown = tn.memory().cpu.bytes - start;
  expect(Number.isFinite(last)).toBe(true);
  // One step allocates ~40 KB of activations and gradients; 300 kept steps would be 12 MB.
  expect(grown).toBeLessThan(256 * 1024);
}, 60000);

test('a loss kept after backward holds no intermediate tensors', async () => {
  const { model, loss } = lectureSetup();
  const x = tn.rand(4096, 4);
  const y = tn.randint(0, 3, [4096]);
  await collect();
  const start = tn.memory().cpu.bytes;
  const kept: tn.Tensor[] = [];
  for (let i = 0; i < 20; ++i) {
    const l = loss.call(model.call(x), y);
    l.backward();
    kept.push(l);  // like `losses.append(loss)` in a PyTorch loop
  }
  model.zeroGrad();
  await collect();
  // Each forward saves ~0.5 MB (activations of 4096 rows); kept graphs would hold 10 MB.
  expect(tn.memory().cpu.bytes - start).toBeLessThan(1 << 20);
  expect(() => kept[0].backward()).toThrow('Trying to backward through the graph a second time');
}, 60000);
