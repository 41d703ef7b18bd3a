/**
 * nn.Module: the base class of layers and models, as torch/nn/modules/module.py.
 *
 * Registration: the constructor returns a Proxy whose `defineProperty` trap sees every property
 * write (`this.fc = new Linear(...)` in a constructor and TS class fields, which ES2022 compiles to
 * defineProperty, alike). Modules, Parameters and registered buffers go into ordered Maps in
 * assignment order, like PyTorch's `__setattr__`; reassigning keeps the position, `delete` removes.
 * Values stay ordinary own properties too, so reads are plain property reads.
 *
 * One recursive walker (namedModules) feeds parameters, buffers, stateDict, train, to, apply.
 * A child knows the (parent, name) pairs it is registered under, so a module's dotted path is
 * computed from its parent chain when a shape error is labelled.
 */
import { inspect } from 'util';

import { noGrad } from '../autograd/grad_mode';
import { type Device, parseDevice } from '../device';
import { describe, typeError } from '../errors';
import { zeros } from '../ops/creation';
import { Tensor } from '../tensor';
import { Parameter } from './parameter';
import { forwardAsync as forwardAsyncImpl } from './forward_async';
import { HANDLER, MODULE_BRAND, checkName, forwardCaller, moduleTreeVersion, setForward, setMember } from './registry';
import { addIndent } from './repr';
import { type IncompatibleKeys, loadStateDictInto } from './state_dict';
import { summarize } from './summary';

/** Called after forward with (module, inputs, output); a non-undefined result replaces the output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
export interface RemovableHandle {
  remove(): void;
}

type AnyFn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

let nextHookId = 0;

export class Module {
  /** Training mode (train() / eval()); true for a new module, as in PyTorch. */
  training = true;

  /** @internal child modules in registration order */
  declare readonly _modules: Map<string, Module | null>;
  /** @internal parameters in registration order */
  declare readonly _parameters: Map<string, Parameter | null>;
  /** @internal buffers in registration order */
  declare readonly _buffers: Map<string, Tensor | null>;
  /** @internal names of buffers left out of stateDict */
  declare readonly _nonPersistentBuffers: Set<string>;
  /** @internal every (parent, name) this module is registered under; the first gives its path */
  declare readonly _owners: [Module, string][];
  /** @internal */
  declare readonly _forwardHooks: Map<number, ForwardHook>;
  /** @internal a forward assigned on the instance (null: the class's forward) */
  declare _forwardImpl: AnyFn | null;
  /** @internal what reading `forward` returns, and the implementation it calls (registry.ts) */
  declare _forwardCaller: AnyFn | null;
  /** @internal */
  declare _callerImpl: AnyFn | null;
  /** @internal true while this module's forward runs (registry.ts callForward) */
  declare _inForward: boolean;
  /** @internal the proxy every caller sees */
  declare readonly _proxy: Module;
  /** @internal the raw object behind the proxy (writes to it skip the registration trap) */
  declare readonly _target: Module;

  constructor() {
    const hidden = (value: unknown, writable = false): PropertyDescriptor => ({ value, writable, enumerable: false, configurable: true });
    Object.defineProperties(this, {
      _modules: hidden(new Map()),
      _parameters: hidden(new Map()),
      _buffers: hidden(new Map()),
      _nonPersistentBuffers: hidden(new Set()),
      _owners: hidden([]),
      _forwardHooks: hidden(new Map()),
      _forwardImpl: hidden(null, true),
      _forwardCaller: hidden(null, true),
      _callerImpl: hidden(null, true),
      _inForward: hidden(false, true),
      // `m.forward` is PyTorch's `m.__call__`: the forward in effect (the class's, or one assigned
      // on the instance) with hooks and module-path error labels (registry.ts).
      forward: {
        get(this: Module) { return forwardCaller(this); },
        set(this: Module, fn: unknown) { setForward(this, fn); },
        enumerable: false,
        configurable: true,
      },
    });
    const proxy = new Proxy(this, HANDLER);
    Object.defineProperties(this, { _proxy: hidden(proxy), _target: hidden(this) });
    return proxy;
  }

  /**
   * The computation; subclasses override it. Calling `module.forward(x)` or `module.call(x)`
   * (PyTorch's `module(x)`) runs it with forward hooks and module-path error messages.
   */
  forward(...args: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /**
   * Resolves with exactly what `tn.noGrad(() => this.forward(x))` returns. Built-in stacks
   * (Sequential / Linear / activations, no hooks) run as one native plan on the libuv pool, off
   * the JS thread; any other module runs its forward on the JS thread (device kernels still run
   * asynchronously, and the result is awaited off the thread). `tn.compile(model)` gives custom
   * modules the off-thread path, with guards.
   * @example const y = await model.forwardAsync(tn.rand(1024, 4));
   */
  forwardAsync(...args: Parameters<this['forward']>): Promise<Awaited<ReturnType<this['forward']>>> {
    return forwardAsyncImpl(this._proxy, args) as Promise<Awaited<ReturnType<this['forward']>>>;
  }

  /**
   * Runs forward, like calling a PyTorch module: `model.call(x)` is `model(x)`.
   * @example const logits = model.call(tn.rand(2, 4));
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this.forward(...args);
  }

  /** The one line of details inside this module's parentheses when printed (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  // ---- registration ----

  /**
   * Adds a child module under `name` (PyTorch's add_module / register_module).
   * @example this.registerModule('encoder', new nn.Linear(4, 2));
   */
  registerModule(name: string, module: Module | null): this {
    checkName(this, 'module', name, this._modules);
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${describe(module)} is not a Module subclass`);
    this._modules.set(name, null);
    setMember(this, name, module);
    return this;
  }

  /** Adds a parameter under `name` (null registers the name with no value, like Linear's bias=False). */
  registerParameter(name: string, param: Parameter | null): this {
    checkName(this, 'parameter', name, this._parameters);
    if (param !== null && !(param instanceof Parameter))
      throw new TypeError(`cannot assign ${describe(param)} to parameter '${name}' (nn.Parameter or null required)`);
    this._parameters.set(name, null);
    setMember(this, name, param);
    return this;
  }

  /**
   * Adds a buffer: a tensor that is state but not a parameter (moved by to(), saved in stateDict
   * unless persistent is false).
   * @example this.registerBuffer('runningMean', tn.zeros(4));
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): this {
    checkName(this, 'buffer', name, this._buffers);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TypeError(`cannot assign ${describe(tensor)} to buffer '${name}' (Tensor or null required)`);
    if (tensor instanceof Parameter) throw new TypeError(`cannot register the Parameter '${name}' as a buffer; use registerParameter`);
    this._buffers.set(name, tensor);
    if (persistent) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    Reflect.defineProperty(this._target, name, { value: tensor, writable: true, enumerable: true, configurable: true });
    return this;
  }

  // ---- the walker and what it feeds ----

  /**
   * [dotted name, module] for this module and every descendant, depth first in registration
   * order; a module reachable twice is listed once unless removeDuplicate is false.
   */
  namedModules(prefix = '', removeDuplicate = true): [string, Module][] {
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    const ancestors = new Set<Module>();
    const visit = (m: Module, path: string): void => {
      if (removeDuplicate) {
        if (memo.has(m)) return;
        memo.add(m);
      }
      if (ancestors.has(m)) throw new Error(`${m.constructor.name} (${path}) contains itself: modules must form a tree`);
      out.push([path, m]);
      ancestors.add(m);
      for (const [name, child] of m._modules) if (child) visit(child, path ? `${path}.${name}` : name);
      ancestors.delete(m);
    };
    visit(this._proxy, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** [name, child] for the direct children (each module once). */
  namedChildren(): [string, Module][] {
    const memo = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this._modules) {
      if (m && !memo.has(m)) {
        memo.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * [dotted name, parameter] pairs, each parameter once, in PyTorch's order.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): [string, Parameter][] {
    return namedMembers(this, (m) => m._parameters, prefix, recurse, removeDuplicate);
  }

  /** The parameters, each once (what an optimizer takes). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    return namedMembers(this, (m) => m._buffers, prefix, recurse, removeDuplicate);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /**
   * Parameters and persistent buffers by dotted name, detached (keepVars keeps the Parameters),
   * as a plain object in PyTorch's key order. Shared modules appear under every name, as in PyTorch.
   * @example Object.keys(model.stateDict())  // ['deep_nn.0.weight', 'deep_nn.0.bias', ...]
   */
  stateDict(options: { keepVars?: boolean } = {}): Record<string, Tensor> {
    const keepVars = options.keepVars ?? false;
    const out: Record<string, Tensor> = {};
    for (const [path, m] of this.namedModules('', false)) {
      const pre = path ? path + '.' : '';
      for (const [k, p] of m._parameters) if (p) out[pre + k] = keepVars ? p : p.detach();
      for (const [k, b] of m._buffers) if (b && !m._nonPersistentBuffers.has(k)) out[pre + k] = keepVars ? b : b.detach();
    }
    return out;
  }

  /**
   * Copies a state dict's values into the parameters and buffers (on their own devices). All
   * missing keys, unexpected keys and size mismatches are reported in one error, in PyTorch's
   * words; with strict false only size mismatches throw. Nothing is copied when it throws.
   * @example model.loadStateDict(tn.load('model.safetensors'));
   */
  loadStateDict(stateDict: Record<string, Tensor> | Map<string, Tensor>, options: { strict?: boolean } = {}): IncompatibleKeys {
    return loadStateDictInto(this._proxy, stateDict, options.strict ?? true);
  }

  // ---- modes, devices, gradients ----

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw typeError('Module.train', 'a boolean', 'mode', mode);
    this.training = mode;  // through the registration trap, which bumps moduleTreeVersion on a change
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode (dropout off): train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter; returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Moves parameters (in place: the Parameter objects stay the same) and buffers to device.
   * @example const model = new NeuralNetwork().to(tn.device);
   */
  to(device: Device | 'cuda:0' | 'float32'): this {
    if (device === 'float32') return this;
    const d = parseDevice('Module.to', device);
    noGrad(() => {
      for (const [, m] of this.namedModules()) {
        for (const p of m._parameters.values()) {
          if (!p) continue;
          if (p.device !== d) p.setData(p.detach().to(d));
          if (p.grad && p.grad.device !== d) p.grad = p.grad.to(d);
        }
        for (const [k, b] of m._buffers) if (b && b.device !== d) setMember(m, k, b.to(d));
      }
    });
    return this;
  }

  cpu(): this {
    return this.to('cpu');
  }

  cuda(): this {
    return this.to('cuda');
  }

  /** Clears the gradients of all parameters (to null, PyTorch 2's default; to zeros with setToNone false). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else p.grad = zeros(p.grad.shape.slice(), { device: p.grad.device });
    }
  }

  /** Calls fn on every descendant (children first) and then on this module; returns this. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Registers a hook run after every forward; returns a handle whose remove() unregisters it. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    if (typeof hook !== 'function') throw typeError('registerForwardHook', 'a function', 'hook', hook);
    const id = nextHookId++;
    const hooks = this._forwardHooks;
    hooks.set(id, hook);
    moduleTreeVersion.value++;  // programs leave modules with hooks to their own forward
    return {
      remove: () => {
        if (hooks.delete(id)) moduleTreeVersion.value++;
      },
    };
  }

  /** The dotted path of this module in its root model ('' for a root). */
  modulePath(): string {
    const parts: string[] = [];
    const seen = new Set<Module>();
    for (let m: Module = this._proxy; m._owners.length > 0 && !seen.has(m); ) {
      seen.add(m);
      const [parent, name] = m._owners[0];
      parts.unshift(name);
      m = parent;
    }
    return parts.join('.');
  }

  /**
   * A table of layers, output shapes for an input of `inputShape` and parameter counts, with
   * totals (like Keras' model.summary()). Runs one forward on zeros in eval mode, without grad.
   */
  summary(inputShape: readonly number[]): string {
    return summarize(this._proxy, inputShape);
  }

  /** PyTorch's `__repr__`: `Name(extra)` or `Name(\n  (key): child\n)` with nested indentation. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, m] of this._modules) childLines.push(`(${key}): ${addIndent(m ? String(m) : 'None', 2)}`);
    const lines = extraLines.concat(childLines);
    let main = this.constructor.name + '(';
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += '\n  ' + lines.join('\n  ') + '\n';
    }
    return main + ')';
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function namedMembers<T extends Tensor>(
  root: Module, members: (m: Module) => Map<string, T | null>, prefix: string, recurse: boolean, removeDuplicate: boolean,
): [string, T][] {
  const memo = new Set<T>();
  const out: [string, T][] = [];
  const mods: [string, Module][] = recurse ? root.namedModules(prefix, removeDuplicate) : [[prefix, root._proxy]];
  for (const [path, m] of mods) {
    for (const [k, v] of members(m)) {
      if (!v || memo.has(v)) continue;
      if (removeDuplicate) memo.add(v);
      out.push([path ? `${path}.${k}` : k, v]);
    }
  }
  return out;
}

(Module.prototype as unknown as Record<symbol, boolean>)[MODULE_BRAND] = true;
