/**
 * The base of every optimizer, after torch/optim/optimizer.py: parameter groups with per-group
 * options filled in from the defaults, per-parameter state in a Map keyed by the parameter,
 * `zeroGrad`, and `stateDict` / `loadStateDict` in PyTorch's layout
 * (`{ state: { 0: {...} }, param_groups: [{ lr, ..., params: [0, 1] }] }`).
 *
 * Subclasses implement `update(group)`, which `step()` runs for every group under `tn.noGrad`,
 * using the in-place tensor ops so the work stays on the parameters' device.
 */
import { enableGrad, noGrad } from '../autograd/grad_mode';
import { describe, typeError } from '../errors';
import { camelCase, checkOptions, unknownOptionMessage } from '../options';
import { Tensor } from '../tensor';

/** The values an optimizer keeps per parameter (`momentum_buffer`, `exp_avg`, `step`, ...). */
export type ParamState = Record<string, Tensor | number>;

/** A parameter group: its parameters and every option of the optimizer (plus any extra keys). */
export type ParamGroup<O extends object = Record<string, unknown>> = O & {
  params: Tensor[];
  [extra: string]: unknown;
};

/** What constructors accept as a group: parameters plus any options that override the defaults. */
export type ParamGroupInput<O extends object = Record<string, unknown>> = Partial<O> & {
  params: Iterable<Tensor> | Tensor;
  [extra: string]: unknown;
};

/** Parameters as an optimizer takes them: `model.parameters()`, or a list of groups. */
export type Params<O extends object = Record<string, unknown>> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** `optimizer.stateDict()`: PyTorch's layout, with parameters replaced by their index. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Python's `str(number)` for messages: `-1`, `-0.5`, `1e-05`, `1e+16` (scientific below 1e-4 and
 * from 1e16 up, like Python's float repr; integers print without `.0`, as Python ints do).
 */
export function pyNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return String(v);
  const [mantissa, e] = Math.abs(v).toExponential().split('e');
  const exp = Number(e);
  if (exp >= -4 && exp < 16) return String(v);
  return `${v < 0 ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor) && !(Symbol.iterator in v);
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** Deep copy of an option value (arrays such as betas are copied, numbers and booleans kept). */
function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? v.map(copyOption) : v;
}

export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** The options every group starts from. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, in order; their options may be changed between steps (e.g. `lr`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created lazily by the first step that sees a gradient. */
  readonly state = new Map<Tensor, ParamState>();

  /**
   * @param params an iterable of Tensors (`model.parameters()`) or of `{ params, ...options }` groups
   * @param defaults the options groups inherit unless they set their own
   */
  constructor(params: Params<O>, defaults: O) {
    const op = this.constructor.name;
    this.validateOptions(defaults as Record<string, unknown>);
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor)
      throw new TypeError(`${op}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a single Tensor`);
    if (!isIterable(params)) throw typeError(op, 'an iterable of Tensors or of parameter groups', 'params', params);
    const items = Array.from(params as Iterable<unknown>);
    if (items.length === 0) throw new RangeError(`${op}: optimizer got an empty parameter list`);
    const groups = isPlainObject(items[0]) ? items : [{ params: items }];
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /**
   * Checks a group's options (or the defaults), in PyTorch's order and with its messages
   * (`Invalid learning rate: -1`): RangeError for bad values, TypeError for wrong types.
   */
  protected abstract validateOptions(options: Record<string, unknown>): void;

  /** Runs the update for one group (called under noGrad by step()). */
  protected abstract update(group: ParamGroup<O>): void;

  /**
   * Adds a group of parameters with its own options (the rest come from the defaults).
   * @example opt.addParamGroup({ params: head.parameters(), lr: 1e-2 });
   */
  addParamGroup(groupIn: ParamGroupInput<O>): void {
    const op = this.constructor.name;
    if (!isPlainObject(groupIn)) throw typeError(op, 'a parameter group object', 'param_group', groupIn);
    const rawParams = groupIn.params;
    let params: unknown[];
    if (rawParams instanceof Tensor) params = [rawParams];
    else if (isIterable(rawParams)) params = Array.from(rawParams);
    else throw typeError(op, 'a Tensor or an iterable of Tensors', 'params', rawParams);
    params.forEach((p) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${op}: optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf && !p.retainsGrad) throw new RangeError(`${op}: can't optimize a non-leaf Tensor`);
    });
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length)
      throw new RangeError(`${op}: optimizer contains a parameter group with duplicate parameters`);
    for (const g of this.paramGroups)
      if (g.params.some((p) => tensors.includes(p))) throw new RangeError(`${op}: some parameters appear in more than one parameter group`);

    const known = Object.keys(this.defaults);
    const group: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(groupIn)) {
      if (key === 'params') continue;
      // Groups may carry extra keys of the user's (PyTorch keeps them), but not an option's snake_case spelling.
      if (!known.includes(key) && known.includes(camelCase(key)))
        throw new TypeError(`${unknownOptionMessage(op, key, known)} (in a parameter group)`);
      if (value !== undefined) group[key] = copyOption(value);
    }
    for (const key of known) if (!(key in group)) group[key] = copyOption((this.defaults as Record<string, unknown>)[key]);
    this.validateOptions(group);
    // params first, then the options, like the dict PyTorch builds.
    this.paramGroups.push({ params: tensors, ...group } as ParamGroup<O>);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, like PyTorch 2.x),
   * or fills them with zeros when `setToNone` is false.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = checkOptions('zeroGrad', options, ['setToNone']).setToNone ?? true;
    if (typeof setToNone !== 'boolean') throw typeError('zeroGrad', 'a boolean', 'setToNone', setToNone);
    for (const group of this.paramGroups)
      for (const p of group.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          if (p.grad.gradFn || p.grad.requiresGrad) p.grad = p.grad.detach();
          const g = p.grad;
          noGrad(() => g.zero_());
        }
      }
  }

  /**
   * One optimization step over every parameter that has a gradient. With a closure (which
   * recomputes the loss and calls backward), the closure runs first, with grad mode on, and its
   * loss is returned.
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   */
  step(closure?: () => Tensor): Tensor | undefined {
    let loss: Tensor | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw typeError(`${this.constructor.name}.step`, 'a function', 'closure', closure);
      loss = enableGrad(closure);
    }
    noGrad(() => {
      for (const group of this.paramGroups) this.update(group);
    });
    return loss;
  }

  /** The state of parameter p, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * The optimizer's state as PyTorch lays it out: `state` keyed by parameter index (counted over
   * all groups in order) and `param_groups` with the options and those indices. State tensors are
   * the live ones (not copies), as in PyTorch.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = copyOption(v);
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Restores state and group options saved by stateDict() (from this optimizer or one built the
   * same way). State tensors are copied onto each parameter's device; `step` counts stay numbers.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (!isPlainObject(sd) || !isPlainObject(sd.state) || !Array.isArray(sd.param_groups))
      throw typeError(op, 'an object with state and param_groups', 'stateDict', sd);
    const saved = sd.param_groups;
    if (saved.length !== this.paramGroups.length)
      throw new RangeError(`${op}: loaded state dict has a different number of parameter groups`);
    const byIndex = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const own = this.paramGroups[gi];
      if (!isPlainObject(sg) || !Array.isArray(sg.params) || sg.params.length !== own.params.length)
        throw new RangeError(`${op}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group`);
      sg.params.forEach((id: unknown, k: number) => {
        if (typeof id !== 'number') throw typeError(op, 'parameter indices', `param_groups[${gi}].params`, id);
        byIndex.set(id, own.params[k]);
      });
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new RangeError(`${op}: loaded state dict has state for parameter ${key}, which no parameter group lists`);
      if (!isPlainObject(entry)) throw typeError(op, 'an object', `state[${key}]`, entry);
      const s: ParamState = {};
      for (const [name, v] of Object.entries(entry)) {
        if (v instanceof Tensor) {
          s[name] = name === 'step' ? v.item() : noGrad(() => v.to(p.device).to(p.dtype).clone());
        } else if (typeof v === 'number') {
          s[name] = v;
        } else {
          throw typeError(op, 'a Tensor or a number', `state[${key}].${name}`, v);
        }
      }
      newState.set(p, s);
    }
    const merged = saved.map((sg, gi) => {
      const g: Record<string, unknown> = { ...this.paramGroups[gi] };
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[k] = copyOption(v);
      this.validateOptions(g);
      return g;
    });
    merged.forEach((g, gi) => Object.assign(this.paramGroups[gi], g));
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).sort()) if (k !== 'params') lines.push(`    ${k}: ${formatOption(g[k])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }
}

function formatOption(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(formatOption).join(', ')})`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  return String(v);
}

/** Checks that options is an options object holding only known keys (catches snake_case and typos). */
export function checkOptionNames(op: string, options: unknown, known: readonly string[]): void {
  checkOptions(op, options, known);
}

export function checkNumberOption(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(op, 'a number', name, value);
  return value;
}

export function checkBooleanOption(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(op, 'a boolean', name, value);
  return value;
}
