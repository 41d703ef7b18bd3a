/**
 * The bookkeeping behind Module's registration, as PyTorch's `__setattr__` / `__delattr__`: the
 * Proxy handler every Module is wrapped in, the ordered maps it updates, the (parent, name) links
 * a module's path is computed from, and the instance `forward` that labels shape errors.
 *
 * Only `defineProperty` and `deleteProperty` are trapped: an assignment `this.x = v` reaches
 * defineProperty through the ordinary [[Set]] (the receiver is the proxy), and so does a TS class
 * field (ES2022 define semantics). Reads are never trapped.
 */
import { describe } from '../errors';
import { Tensor } from '../tensor';
import type { Module } from './module';
import { labelError } from './module_error';
import { planForward } from '../serve/module_forward';
import { Parameter } from './parameter';

type AnyFn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Bumped whenever any module's members (parameters, children, buffers, instance forward) or
 * training mode change; compiled forward plans (lib/serve/module_forward.ts) are valid for one
 * version. Plain attribute writes do not bump it.
 */
export const structure = { version: 0 };

/** Marks Module.prototype, so this file needs no runtime import of module.ts. */
export const MODULE_BRAND = Symbol.for('tensornode.nn.Module');

export function isModule(v: unknown): v is Module {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[MODULE_BRAND] === true;
}

let forwardDepth = 0;

/** The instance `forward`: the class's (or an instance-assigned) forward, hooks, labelled errors. */
export function labelledForward(this: Module, ...args: unknown[]): unknown {
  // Inference on a whole model (outermost call, no grad, no hooks) runs as one compiled native
  // plan when the forward can be expressed as one, in either mode: a plan is traced in the
  // current mode (its cache is keyed by structure.version, which every mode change bumps), and
  // what behaves differently in training (Dropout's random mask) is not plannable, so such a
  // forward runs op by op. planForward returns at once when grad is enabled.
  if (forwardDepth === 0 && args.length === 1 && this._forwardHooks.size === 0) {
    const fast = planForward(this, args[0]);
    if (fast) return fast;
  }
  const impl: AnyFn = this._forwardImpl ?? Object.getPrototypeOf(this).forward;
  let out: unknown;
  forwardDepth++;
  try {
    out = impl.apply(this, args);
  } catch (e) {
    throw labelError(e, this.constructor.name, () => this.modulePath());
  } finally {
    forwardDepth--;
  }
  const hooks = this._forwardHooks;
  if (hooks.size > 0) {
    for (const hook of [...hooks.values()]) {
      const r = hook(this, args, out);
      if (r !== undefined) out = r;
    }
  }
  return out;
}

function targetOf(m: Module): Module {
  return m._target;
}

/** Defines the own property on the raw object (no trap) after updating the maps. */
export function setMember(m: Module, name: string, value: unknown): void {
  const target = targetOf(m);
  onAssign(target, name, value);
  Reflect.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
}

export function checkName(m: Module, kind: string, name: unknown, own: Map<string, unknown>): void {
  if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${describe(name)}`);
  if (name.includes('.')) throw new RangeError(`${kind} name can't contain ".", got: ${name}`);
  if (name === '') throw new RangeError(`${kind} name can't be empty string ""`);
  const existing = (m as unknown as Record<string, unknown>)[name];
  if (name in m && existing !== undefined && !own.has(name)) throw new RangeError(`attribute '${name}' already exists`);
}

function link(child: Module, parent: Module, name: string): void {
  child._owners.push([parent, name]);
}

function unlink(child: Module | null | undefined, parent: Module, name: string): void {
  if (!child) return;
  const i = child._owners.findIndex(([p, n]) => p === parent && n === name);
  if (i >= 0) child._owners.splice(i, 1);
}

/** PyTorch's `__setattr__` bookkeeping for `target[name] = value`. */
function onAssign(target: Module, name: string, value: unknown): void {
  const { _parameters: params, _modules: modules, _buffers: buffers } = target;
  const parent = target._proxy;
  const isMember = value instanceof Parameter || isModule(value);
  // `training` too: plans are traced in one mode, and `m.training = false` skips train()/eval().
  if (isMember || params.has(name) || modules.has(name) || buffers.has(name) || name === 'training') structure.version++;
  if (isMember && name in Object.getPrototypeOf(target)) throw new RangeError(`attribute '${name}' already exists (a ${target.constructor.name} method or accessor)`);
  if (value instanceof Parameter) {
    buffers.delete(name);
    target._nonPersistentBuffers.delete(name);
    if (modules.has(name)) {
      unlink(modules.get(name), parent, name);
      modules.delete(name);
    }
    params.set(name, value);
  } else if (params.has(name)) {
    if (value != null) throw new TypeError(`cannot assign ${describe(value)} as parameter '${name}' (nn.Parameter or null expected)`);
    params.set(name, null);
  } else if (isModule(value)) {
    params.delete(name);
    buffers.delete(name);
    target._nonPersistentBuffers.delete(name);
    const old = modules.get(name);
    if (old !== value) {
      unlink(old, parent, name);
      link(value, parent, name);
    }
    modules.set(name, value);
  } else if (modules.has(name)) {
    if (value != null) throw new TypeError(`cannot assign ${describe(value)} as child module '${name}' (nn.Module or null expected)`);
    unlink(modules.get(name), parent, name);
    modules.set(name, null);
  } else if (buffers.has(name)) {
    if (value != null && !(value instanceof Tensor)) throw new TypeError(`cannot assign ${describe(value)} as buffer '${name}' (Tensor or null expected)`);
    buffers.set(name, (value as Tensor | null | undefined) ?? null);
  }
}

function onDelete(target: Module, name: string): void {
  structure.version++;
  target._parameters.delete(name);
  target._buffers.delete(name);
  target._nonPersistentBuffers.delete(name);
  if (target._modules.has(name)) {
    unlink(target._modules.get(name), target._proxy, name);
    target._modules.delete(name);
  }
}

export const HANDLER: ProxyHandler<Module> = {
  defineProperty(target, key, desc) {
    if (typeof key === 'string' && 'value' in desc && target._proxy !== undefined) {
      if (key === 'forward' && typeof desc.value === 'function' && desc.value !== labelledForward) {
        target._forwardImpl = desc.value as AnyFn;
        structure.version++;
        return true;
      }
      onAssign(target, key, desc.value);
    }
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') onDelete(target, key);
    return Reflect.deleteProperty(target, key);
  },
};
