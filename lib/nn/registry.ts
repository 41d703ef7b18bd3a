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
import { Parameter } from './parameter';

type AnyFn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Bumped whenever any module's members (parameters, children, buffers), instance forward, forward
 * hooks or training mode change. Programs cached from a module tree (program.ts) and compiled
 * forwards (lib/compile) are valid for one value. Plain attribute writes do not bump it.
 */
export const moduleTreeVersion = { value: 0 };

/** Marks Module.prototype, so this file needs no runtime import of module.ts. */
export const MODULE_BRAND = Symbol.for('tensornode.nn.Module');

export function isModule(v: unknown): v is Module {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[MODULE_BRAND] === true;
}

/** The forward that runs for m: one assigned on the instance, else its class's. */
export function forwardImpl(m: Module): AnyFn {
  const t = m._target;
  return t._forwardImpl ?? (Object.getPrototypeOf(t) as { forward: AnyFn }).forward;
}

/**
 * PyTorch's `Module.__call__`: runs impl on args, then the forward hooks, and labels shape
 * errors with the module's path. A call that reaches the same module while it is already inside
 * its own forward (a wrapper assigned to `m.forward` calling the original it saved) runs impl
 * alone, as calling Python's saved bound method does: hooks and labels happen once, outermost.
 * `t` is the raw object behind the proxy `m`: bookkeeping writes to it skip the proxy's trap.
 */
function callForward(m: Module, t: Module, impl: AnyFn, args: unknown[]): unknown {
  if (t._inForward) return impl.apply(m, args);
  t._inForward = true;
  let out: unknown;
  try {
    out = impl.apply(m, args);
  } catch (e) {
    throw labelError(e, t.constructor.name, () => m.modulePath());
  } finally {
    t._inForward = false;
  }
  const hooks = t._forwardHooks;
  if (hooks.size > 0) {
    for (const hook of [...hooks.values()]) {
      const r = hook(m, args, out);
      if (r !== undefined) out = r;
    }
  }
  return out;
}

/** The module and implementation behind each function `m.forward` has handed out. */
const CALLER_TARGET = new WeakMap<AnyFn, { module: Module; impl: AnyFn }>();

/**
 * What reading `m.forward` gives: a function that calls the forward in effect at the time of the
 * read, with hooks (callForward). Saving it and assigning a wrapper to `m.forward` therefore
 * works as in Python: the wrapper runs once and the saved original once. The function is cached
 * per implementation, so reads are cheap and `m.forward === m.forward`.
 */
export function forwardCaller(m: Module): AnyFn {
  const t = m._target;
  const impl = t._forwardImpl ?? (Object.getPrototypeOf(t) as { forward: AnyFn }).forward;
  if (t._callerImpl === impl && t._forwardCaller) return t._forwardCaller;
  const proxy = t._proxy;
  const caller = function forward(...args: unknown[]): unknown {
    return callForward(proxy, t, impl, args);
  };
  CALLER_TARGET.set(caller, { module: proxy, impl });
  t._forwardCaller = caller;
  t._callerImpl = impl;
  return caller;
}

/**
 * `m.forward = fn`: fn becomes the instance's forward. A caller this module handed out earlier
 * (`m.forward = saved`) restores the implementation it stands for.
 */
export function setForward(m: Module, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`cannot assign ${describe(fn)} as forward of ${m.constructor.name} (a function is required)`);
  const origin = CALLER_TARGET.get(fn as AnyFn);
  const impl = origin && origin.module === m._proxy ? origin.impl : (fn as AnyFn);
  const t = m._target;
  const classForward = (Object.getPrototypeOf(t) as { forward: AnyFn }).forward;
  t._forwardImpl = impl === classForward ? null : impl;
  moduleTreeVersion.value++;
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
  // `training` too: programs and compiled forwards hold for one mode, and `m.training = false`
  // skips train()/eval().
  if (isMember || params.has(name) || modules.has(name) || buffers.has(name) || (name === 'training' && target.training !== value)) moduleTreeVersion.value++;
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
  moduleTreeVersion.value++;
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
      // A class field `forward = (x) => ...` defines the property: it becomes the instance's forward.
      if (key === 'forward') {
        setForward(target._proxy, desc.value);
        return true;
      }
      onAssign(target, key, desc.value);
    }
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (key === 'forward') {
      // `delete m.forward` restores the class's forward (the accessor itself stays).
      target._forwardImpl = null;
      moduleTreeVersion.value++;
      return true;
    }
    if (typeof key === 'string') onDelete(target, key);
    return Reflect.deleteProperty(target, key);
  },
};
