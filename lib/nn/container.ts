/**
 * Containers (torch/nn/modules/container.py): Sequential runs its children in order, named
 * '0', '1', … (or by the keys of an object / Map, like an OrderedDict); ModuleList holds modules
 * so they are registered, without a forward of its own.
 *
 * Sequential runs its children through a program (program.ts): children with built-in forwards
 * and no hooks run as plan steps (one native plan call when nothing is recorded, else op by op),
 * every other child runs its own forward. The answer is the same bits either way.
 */
import { typeError } from '../errors';
import type { Tensor } from '../tensor';
import { Module } from './module';
import { describeContainer, programOf } from './program';
import { addIndent } from './repr';

function indexOf(op: string, idx: unknown, size: number): number {
  if (typeof idx !== 'number' || !Number.isInteger(idx)) throw typeError(op, 'an integer', 'index', idx);
  if (idx < -size || idx >= size) throw new RangeError(`index ${idx} is out of range`);
  return idx < 0 ? idx + size : idx;
}

/** Shared list behaviour of Sequential and ModuleList (children keyed '0', '1', …). */
abstract class ModuleSequence extends Module {
  /** Children by position, e.g. `seq[0]` (also `at(0)`). */
  [index: number]: Module;

  /** Number of children. */
  get length(): number {
    return this._modules.size;
  }

  /**
   * The child at position i; negative i counts from the end.
   * @example seq.at(-1)  // the last layer
   */
  at(i: number): Module {
    const values = [...this._modules.values()];
    return values[indexOf(`${this.constructor.name}.at`, i, values.length)] as Module;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }

  /** Adds a module at the end under the next index; returns this. */
  append(module: Module): this {
    return this.registerModule(String(this.length), module);
  }

  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function')
      throw typeError(`${this.constructor.name}.extend`, 'an iterable of Modules', 'modules', modules);
    for (const m of [...modules]) this.append(m);
    return this;
  }

  /** Inserts a module before position index, shifting the later ones up by one; returns this. */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw typeError(`${this.constructor.name}.insert`, 'a Module', 'module', module);
    const n = this.length;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < -n || index > n) throw new RangeError(`Index out of range: ${index}`);
    const at = index < 0 ? index + n : index;
    const self = this as unknown as Record<string, Module>;
    for (let i = n; i > at; i--) self[String(i)] = self[String(i - 1)];
    self[String(at)] = module;
    return this;
  }

  /** Removes and returns the module at position i; the rest are renumbered '0', '1', … */
  pop(i: number): Module {
    const keys = [...this._modules.keys()];
    const key = keys[indexOf(`${this.constructor.name}.pop`, i, keys.length)];
    const m = this._modules.get(key) as Module;
    delete (this as unknown as Record<string, Module>)[key];
    const rest = [...this._modules.entries()];
    for (const [k] of rest) delete (this as unknown as Record<string, Module>)[k];
    rest.forEach(([, v], j) => this.registerModule(String(j), v));
    return m;
  }
}

export class Sequential extends ModuleSequence {
  /**
   * Children run in order: `new Sequential(a, b, c)` (named '0', '1', '2') or
   * `new Sequential({ fc: a, act: b })` / `new Sequential(new Map([...]))` with those names.
   * @example const net = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 3));
   */
  constructor(...modules: Module[]);
  constructor(named: Record<string, Module> | Map<string, Module>);
  constructor(...args: unknown[]) {
    super();
    const first = args[0];
    if (args.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first] : Object.entries(first);
      for (const [name, m] of entries) this.registerModule(name as string, m as Module);
    } else {
      args.forEach((m, i) => this.registerModule(String(i), m as Module));
    }
  }

  forward(input: Tensor): Tensor {
    const segments = programOf(this, sequentialChildren);
    let x = input;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (s.kind === 'steps') {
        x = s.run.run(x);
      } else {
        if (!s.module) throw new TypeError(`${this.constructor.name}: child ${s.index} is null and cannot be called`);
        x = s.module.forward(x);
      }
    }
    return x;
  }

  /** A new Sequential of children start..end (Python slice rules), keeping their names. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map([...this._modules].slice(start, end) as [string, Module][]));
  }
}

function sequentialChildren(this: void, m: Module): (Module | null)[] {
  return [...m._modules.values()];
}
describeContainer(Sequential, sequentialChildren);

export class ModuleList extends ModuleSequence {
  /**
   * @example this.layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
   */
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** PyTorch's ModuleList repr: runs of identical children print once, as `(0-2): 3 x Linear(...)`. */
  toString(): string {
    const reprs = [...this._modules.values()].map((m) => (m ? String(m) : 'None'));
    if (reprs.length === 0) return `${this.constructor.name}()`;
    const lines: string[] = [];
    for (let start = 0; start < reprs.length; ) {
      let end = start;
      while (end + 1 < reprs.length && reprs[end + 1] === reprs[start]) end++;
      const local = start === end ? `(${start}): ${reprs[start]}` : `(${start}-${end}): ${end - start + 1} x ${reprs[start]}`;
      lines.push(addIndent(local, 2));
      start = end + 1;
    }
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }
}
