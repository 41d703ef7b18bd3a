/**
 * Float64 references of torch.optim's update rules (sgd.py, adam.py) for the optimizer tests, and
 * a small quadratic problem to drive them (not a test file itself). The references work on plain
 * Float64Arrays, one parameter at a time, written straight from PyTorch's formulas.
 */
import * as tn from '../../lib/index';
import { randomValues } from '../helpers/reference';

export interface SgdRefOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export interface AdamRefOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  decoupled?: boolean;
}

/** Per-parameter state of the references. */
export interface RefState {
  buf?: Float64Array;
  step?: number;
  m?: Float64Array;
  v?: Float64Array;
  vmax?: Float64Array;
}

/** torch.optim.SGD, one parameter: updates p in place. */
export function sgdRef(p: Float64Array, grad: ArrayLike<number>, s: RefState, o: SgdRefOptions): void {
  const mu = o.momentum ?? 0, damp = o.dampening ?? 0, wd = o.weightDecay ?? 0;
  const g = Float64Array.from(grad, (x) => (o.maximize ? -x : x));
  for (let i = 0; i < g.length; ++i) g[i] += wd * p[i];
  if (mu !== 0) {
    if (!s.buf) s.buf = Float64Array.from(g);
    else for (let i = 0; i < g.length; ++i) s.buf[i] = mu * s.buf[i] + (1 - damp) * g[i];
    for (let i = 0; i < g.length; ++i) g[i] = o.nesterov ? g[i] + mu * s.buf[i] : s.buf[i];
  }
  for (let i = 0; i < p.length; ++i) p[i] -= o.lr * g[i];
}

/** torch.optim.Adam / AdamW (decoupled), one parameter: updates p in place. */
export function adamRef(p: Float64Array, grad: ArrayLike<number>, s: RefState, o: AdamRefOptions): void {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8, wd = o.weightDecay ?? 0, n = p.length;
  if (s.step === undefined) {
    s.step = 0;
    s.m = new Float64Array(n);
    s.v = new Float64Array(n);
    s.vmax = new Float64Array(n);
  }
  s.step += 1;
  const t = s.step;
  for (let i = 0; i < n; ++i) {
    let g = o.maximize ? -grad[i] : grad[i];
    if (wd !== 0) {
      if (o.decoupled) p[i] *= 1 - o.lr * wd;
      else g += wd * p[i];
    }
    s.m![i] = b1 * s.m![i] + (1 - b1) * g;
    s.v![i] = b2 * s.v![i] + (1 - b2) * g * g;
    s.vmax![i] = Math.max(s.vmax![i], s.v![i]);
    const vhat = (o.amsgrad ? s.vmax![i] : s.v![i]) / (1 - b2 ** t);
    const mhat = s.m![i] / (1 - b1 ** t);
    p[i] -= (o.lr * mhat) / (Math.sqrt(vhat) + eps);
  }
}

/**
 * A problem with gradients that change every step: loss = Σ ½·a·p² + b·p + c·p³/3 over each
 * parameter, so ∂loss/∂p = a·p + b + c·p² (a, b, c fixed random tensors).
 */
export class Quadratic {
  readonly coef: { a: tn.Tensor; b: tn.Tensor; c: tn.Tensor }[];
  constructor(shapes: number[][], seed: number, device: tn.Device) {
    this.coef = shapes.map((shape, k) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const mk = (s: number, lo: number, hi: number) =>
        tn.tensor(Float32Array.from(randomValues(n, seed + 17 * k + s, lo, hi)), { shape, device });
      return { a: mk(1, 0.5, 2), b: mk(2, -1, 1), c: mk(3, -0.3, 0.3) };
    });
  }

  loss(params: tn.Tensor[]): tn.Tensor {
    let total: tn.Tensor | null = null;
    params.forEach((p, k) => {
      const { a, b, c } = this.coef[k];
      const p2 = p.mul(p);
      const term = p2.mul(a).mul(0.5).add(p.mul(b)).add(p2.mul(p).mul(c).div(3)).sum();
      total = total ? total.add(term) : term;
    });
    return total!;
  }
}

/** Float32 parameters (leaves that require grad) with float64 twins of their values. */
export function makeParams(shapes: number[][], seed: number, device: tn.Device): { params: tn.Tensor[]; ref: Float64Array[] } {
  const ref: Float64Array[] = [];
  const params = shapes.map((shape, k) => {
    const n = shape.reduce((x, y) => x * y, 1);
    const f = Float32Array.from(randomValues(n, seed + 101 * k, -1.5, 1.5));
    ref.push(Float64Array.from(f));
    return tn.tensor(f, { shape, device, requiresGrad: true });
  });
  return { params, ref };
}
