/**
 * What a compiled forward's plans assume about the module tree, checked on every call: the tree
 * itself (members, instance forwards, hooks, modes: moduleTreeVersion) and every module's plain
 * attributes (numbers, strings, booleans by value; arrays and plain objects by their JSON; other
 * objects by identity). When any of it changes, the plans are dropped and the next call traces
 * again. What a forward reads from outside the tree (closures, globals) is not seen: that is the
 * documented limit of tracing, as with torch.jit.trace.
 */
import type { Module } from '../nn/module';
import { moduleTreeVersion } from '../nn/registry';

type Snapshot = { module: Module; key: string; json: boolean; value: unknown };

function isPlainData(v: unknown): boolean {
  if (Array.isArray(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function plainKeys(m: Module): string[] {
  return Object.keys(m).filter((k) => !m._parameters.has(k) && !m._modules.has(k) && !m._buffers.has(k));
}

function read(m: Module, key: string, json: boolean): unknown {
  const v = (m as unknown as Record<string, unknown>)[key];
  if (!json) return v;
  try {
    return JSON.stringify(v);
  } catch {
    return v;  // not serialisable (cycles, BigInt): compared by identity
  }
}

export class TreeGuard {
  private version = -1;
  private snapshots: Snapshot[] = [];
  private keyCounts: [Module, number][] = [];
  private modulesCache: Module[] = [];

  constructor(private readonly root: Module) {}

  /** The modules of the tree as of the last take(). */
  get modules(): readonly Module[] {
    return this.modulesCache;
  }

  /** Records the tree as it is now. */
  take(): void {
    this.version = moduleTreeVersion.value;
    this.modulesCache = this.root.modules();
    this.snapshots = [];
    this.keyCounts = [];
    for (const m of this.modulesCache) {
      const keys = plainKeys(m);
      this.keyCounts.push([m, Object.keys(m).length]);
      for (const key of keys) {
        const json = isPlainData((m as unknown as Record<string, unknown>)[key]);
        this.snapshots.push({ module: m, key, json, value: read(m, key, json) });
      }
    }
  }

  /** True while nothing recorded by take() has changed. */
  holds(): boolean {
    if (this.version !== moduleTreeVersion.value) return false;
    for (const [m, n] of this.keyCounts) if (Object.keys(m).length !== n) return false;
    for (const s of this.snapshots) if (read(s.module, s.key, s.json) !== s.value) return false;
    return true;
  }
}
