/**
 * Save the lecture model's weights as safetensors (the same bytes PyTorch's
 * `safetensors.torch.save_file(model.state_dict(), path)` writes), load them into a fresh model
 * and check both give the same outputs.
 *
 *   npx ts-node examples/load_weights.ts [path]
 *
 * A file saved from PyTorch loads the same way: `model.loadStateDict(nn.load('model.safetensors'))`.
 */
import * as os from 'os';
import * as path from 'path';

import * as tn from '../lib/index';
import * as nn from '../lib/nn';

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(
    new nn.Linear(4, 5),
    new nn.Sigmoid(),
    new nn.Linear(5, 6),
    new nn.Sigmoid(),
    new nn.Linear(6, 3),
  );

  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.call(x);
  }
}

const device = tn.device;
const file = process.argv[2] ?? path.join(os.tmpdir(), 'lecture_mlp.safetensors');

tn.manualSeed(42);
const trained = new NeuralNetwork().to(device);
nn.save(trained.stateDict(), file);
console.log(`Saved ${Object.keys(trained.stateDict()).length} tensors to ${file}`);

tn.manualSeed(0); // a different init, so the load visibly changes the weights
const fresh = new NeuralNetwork().to(device);
const loaded = nn.load(file, { device });
console.log(`Loaded keys (file order): ${Object.keys(loaded).join(', ')}`);
console.log(String(fresh.loadStateDict(loaded)));

const X = tn.rand(3, 4, { device });
const [a, b] = tn.noGrad(() => [trained.call(X), fresh.call(X)]);
console.log(a);
console.log(b);
const same = a.dataSync().every((v, i) => v === b.dataSync()[i]);
console.log(`Outputs equal: ${same}`);
if (!same) process.exitCode = 1;
