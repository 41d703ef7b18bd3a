/**
 * End to end: the lecture network trained on Iris by examples/train_iris.ts (CrossEntropyLoss,
 * Adam, a seeded DataLoader) reaches >= 95% test accuracy, deterministically for its seed; the
 * trained weights survive a safetensors round trip; the example's SVG chart is well formed.
 */
import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';
import { NeuralNetwork, trainIris } from '../../examples/train_iris';
import { niceTicks, trainingChartSvg } from '../../examples/train_utils';

describe('Iris training (examples/train_iris.ts)', () => {
  test('reaches >= 95% test accuracy, deterministically for the seed', () => {
    const a = trainIris({ seed: 0, epochs: 100, device: 'cpu', quiet: true });
    expect(a.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(a.history.loss).toHaveLength(100);
    expect(a.history.loss[99]).toBeLessThan(a.history.loss[0] / 10);
    const b = trainIris({ seed: 0, epochs: 5, device: 'cpu', quiet: true });
    expect(b.history.loss).toEqual(a.history.loss.slice(0, 5));

    // The trained weights through safetensors into a fresh model predict the same.
    const copy = new NeuralNetwork();
    copy.loadStateDict(nn.loadFromBuffer(nn.saveToBuffer(a.model.stateDict())));
    const x = tn.rand(7, 4);
    tn.noGrad(() => expect(copy.call(x).toArray()).toEqual(a.model.call(x).toArray()));
  });

  test('the training chart is an SVG with axes, two polylines and a legend', () => {
    const svg = trainingChartSvg('t <1>', { loss: [1.2, 0.6, 0.3], accuracy: [0.5, 0.8, 0.9] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('t &lt;1&gt;');
    expect(svg).toContain('>training loss<');
    expect(svg).toContain('>100%<');
    expect(svg).not.toContain('NaN');
    expect(niceTicks(1.2)).toEqual([0, 0.5, 1, 1.5]);
    expect(niceTicks(100, 8)).toEqual([0, 20, 40, 60, 80, 100]);
  });
});
