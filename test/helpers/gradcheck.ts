/**
 * Gradient checking: compares autograd's gradient of sum(f(inputs) * w) (w a fixed random
 * weighting, so every output element matters differently) against central finite differences.
 * Inputs are float32 tensors, so differences use a step suited to float32 and the sums are taken
 * in float64 from the read-back values; tolerances reflect float32 rounding.
 */
import * as tn from '../../lib/index';
import { randomValues } from './reference';

export interface GradcheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

function weightedSum(out: tn.Tensor, weights: Float64Array): number {
  const v = out.dataSync();
  let s = 0;
  for (let i = 0; i < v.length; ++i) s += v[i] * weights[i];
  return s;
}

/** Checks d/dx sum(f(...xs) * w) for every x in xs that requires grad. */
export function gradcheck(f: (...xs: tn.Tensor[]) => tn.Tensor, inputs: tn.Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const atol = opts.atol ?? 2e-3;
  for (const x of inputs) x.grad = null;
  const out = f(...inputs);
  const weights = randomValues(out.numel(), opts.seed ?? 1234, 0.5, 1.5);
  const wT = tn.tensor(Float32Array.from(weights), { shape: out.shape.slice(), device: out.device });
  out.mul(wT).sum().backward();
  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    expect(x.grad).not.toBeNull();
    const analytic = x.grad!.dataSync();
    expect(x.grad!.shape).toEqual(x.shape);
    const base = x.dataSync() as Float32Array;
    for (let i = 0; i < base.length; ++i) {
      const probe = (delta: number): number => {
        const values = Float32Array.from(base);
        values[i] += delta;
        const xi = tn.tensor(values, { shape: x.shape.slice(), device: x.device });
        const args = inputs.map((y, k) => (k === which ? xi : y.detach()));
        return tn.noGrad(() => weightedSum(f(...args), weights));
      };
      const hPlus = Math.fround(base[i] + eps) - base[i];
      const hMinus = base[i] - Math.fround(base[i] - eps);
      const numeric = (probe(hPlus) - probe(-hMinus)) / (hPlus + hMinus);
      const err = Math.abs(numeric - analytic[i]);
      if (err > atol + rtol * Math.abs(numeric))
        throw new Error(`gradient of input ${which} at flat index ${i}: autograd ${analytic[i]}, finite difference ${numeric}`);
    }
  });
}
