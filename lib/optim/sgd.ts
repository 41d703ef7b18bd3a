/**
 * Stochastic gradient descent, optionally with momentum — torch/optim/sgd.py's single-tensor rule:
 *
 *   g = ∇θ (negated when maximize);  g += weightDecay·θ
 *   with momentum μ: b = g (first step, a copy)  |  b = μ·b + (1 − dampening)·g (later steps)
 *                    g = nesterov ? g + μ·b : b
 *   θ -= lr·g
 */
import { Tensor } from '../tensor';
import { type ParamGroup, type Params, Optimizer, checkBooleanOption, checkNumberOption, checkOptionNames, pyNumber } from './optimizer';

export interface SGDOptions {
  /** Learning rate (default 1e-3, PyTorch 2.x). */
  lr: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize: boolean;
}

const SGD_OPTIONS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

export class SGD extends Optimizer<SGDOptions> {
  /**
   * @example const opt = new tn.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
   *   loss.backward(); opt.step(); opt.zeroGrad();
   */
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    checkOptionNames('SGD', options, SGD_OPTIONS);
    super(params, {
      lr: options.lr ?? 1e-3,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validateOptions(o: Record<string, unknown>): void {
    const lr = checkNumberOption('SGD', 'lr', o.lr);
    const momentum = checkNumberOption('SGD', 'momentum', o.momentum);
    const dampening = checkNumberOption('SGD', 'dampening', o.dampening);
    const weightDecay = checkNumberOption('SGD', 'weightDecay', o.weightDecay);
    const nesterov = checkBooleanOption('SGD', 'nesterov', o.nesterov);
    checkBooleanOption('SGD', 'maximize', o.maximize);
    if (lr < 0) throw new RangeError(`Invalid learning rate: ${pyNumber(lr)}`);
    if (momentum < 0) throw new RangeError(`Invalid momentum value: ${pyNumber(momentum)}`);
    if (weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${pyNumber(weightDecay)}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
  }

  protected update(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      if (!p.grad) continue;
      let g: Tensor = maximize ? p.grad.neg() : p.grad;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      if (momentum !== 0) {
        const state = this.stateOf(p);
        let buf = state.momentum_buffer as Tensor | undefined;
        if (!buf) {
          buf = g.detach().clone();
          state.momentum_buffer = buf;
        } else {
          buf.mul_(momentum).add_(g, 1 - dampening);
        }
        g = nesterov ? g.add(buf, momentum) : buf;
      }
      p.add_(g, -lr);
    }
  }
}
