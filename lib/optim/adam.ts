/**
 * Adam and AdamW — torch/optim/adam.py's single-tensor rule, step t counted per parameter:
 *
 *   g = ∇θ (negated when maximize)
 *   Adam: g += weightDecay·θ          AdamW (decoupled): θ *= 1 − lr·weightDecay
 *   m = lerp(m, g, 1 − β1)            v = β2·v + (1 − β2)·g²
 *   amsgrad: v̂ = max(v̂, v), used in place of v below
 *   θ -= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 *
 * The bias corrections are computed in double precision on the host, as PyTorch does with its
 * CPU `step` count, so a step needs no device round trip.
 */
import { maximum } from '../ops/elementwise';
import { typeError } from '../errors';
import { Tensor } from '../tensor';
import { zerosLike } from '../ops/creation';
import { type ParamGroup, type Params, Optimizer, checkBooleanOption, checkNumberOption, checkOptionNames, pyNumber } from './optimizer';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** The AMSGrad variant (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize: boolean;
  /** Decay the weights directly instead of adding to the gradient (AdamW; default false for Adam). */
  decoupledWeightDecay: boolean;
}

const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'decoupledWeightDecay'] as const;

function adamDefaults(op: string, options: Partial<AdamOptions>, weightDecay: number, decoupled: boolean): AdamOptions {
  checkOptionNames(op, options, ADAM_OPTIONS);
  return {
    lr: options.lr ?? 1e-3,
    betas: options.betas === undefined ? [0.9, 0.999] : Array.isArray(options.betas) ? ([...options.betas] as [number, number]) : options.betas,
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
    decoupledWeightDecay: options.decoupledWeightDecay ?? decoupled,
  };
}

/** m += w·(g − m), computed as ATen's lerp does (from the nearer end). */
function lerpInPlace(m: Tensor, g: Tensor, w: number): void {
  if (w < 0.5) m.add_(g.sub(m).mul(w));
  else m.copy_(g.sub(g.sub(m).mul(1 - w)));
}

export class Adam extends Optimizer<AdamOptions> {
  /**
   * @example const opt = new tn.optim.Adam(model.parameters(), { lr: 1e-2 });
   *   loss.backward(); opt.step(); opt.zeroGrad();
   */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, adamDefaults('Adam', options, 0, false));
  }

  protected validateOptions(o: Record<string, unknown>): void {
    const op = this.constructor.name;
    const lr = checkNumberOption(op, 'lr', o.lr);
    const eps = checkNumberOption(op, 'eps', o.eps);
    const betas = o.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || betas.some((b) => typeof b !== 'number'))
      throw typeError(op, 'an array of two numbers', 'betas', betas);
    const weightDecay = checkNumberOption(op, 'weightDecay', o.weightDecay);
    checkBooleanOption(op, 'amsgrad', o.amsgrad);
    checkBooleanOption(op, 'maximize', o.maximize);
    checkBooleanOption(op, 'decoupledWeightDecay', o.decoupledWeightDecay);
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${pyNumber(lr)}`);
    if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${pyNumber(eps)}`);
    if (!(betas[0] >= 0 && betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${pyNumber(betas[0])}`);
    if (!(betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${pyNumber(betas[1])}`);
    if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight_decay value: ${pyNumber(weightDecay)}`);
  }

  protected update(group: ParamGroup<AdamOptions>): void {
    const { lr, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = zerosLike(p);
        state.exp_avg_sq = zerosLike(p);
        if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
      }
      const step = (state.step as number) + 1;
      state.step = step;
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;

      let g: Tensor = maximize ? p.grad.neg() : p.grad;
      if (weightDecay !== 0) {
        if (decoupledWeightDecay) p.mul_(1 - lr * weightDecay);
        else g = g.add(p, weightDecay);
      }
      lerpInPlace(expAvg, g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(1 - beta2).mul(g));

      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      let second = expAvgSq;
      if (amsgrad) {
        // A group switched to amsgrad after its first step starts its running max now.
        let maxSq = state.max_exp_avg_sq as Tensor | undefined;
        if (!maxSq) state.max_exp_avg_sq = maxSq = zerosLike(p);
        maxSq.copy_(maximum(maxSq, expAvgSq));
        second = maxSq;
      }
      const denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
      p.add_(expAvg.mul(-stepSize).div(denom));
    }
  }
}

/**
 * AdamW: Adam with decoupled weight decay (θ *= 1 − lr·weightDecay before the update); weight
 * decay defaults to 1e-2, as in torch.optim.AdamW.
 * @example const opt = new tn.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<Omit<AdamOptions, 'decoupledWeightDecay'>> = {}) {
    if (options !== null && typeof options === 'object' && 'decoupledWeightDecay' in options)
      throw new TypeError('AdamW: decoupledWeightDecay is always true for AdamW; use Adam to choose');
    super(params, adamDefaults('AdamW', options, 1e-2, true));
  }
}
