/**
 * Options objects: one check for every public function and constructor that takes one. Unknown
 * keys are refused (a misspelt `requires_grad` or `bais` would otherwise be ignored and the
 * default used), with a did-you-mean that maps snake_case to camelCase and catches typos:
 *
 *   checkOptions('rand', { requires_grad: true }, ['dtype', 'device', 'requiresGrad'])
 *   // TypeError: rand: unknown option 'requires_grad'; did you mean 'requiresGrad'?
 */
import { typeError } from './errors';

/** `requires_grad` → `requiresGrad`. */
export function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/**
 * Edit distance with adjacent transpositions counting as one edit (optimal string alignment),
 * so `bais` is one edit from `bias`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; ++j) d[0][j] = j;
  for (let i = 1; i <= a.length; ++i) {
    for (let j = 1; j <= b.length; ++j) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The allowed key a user most likely meant by `key`, or null: the camelCase spelling of a
 * snake_case key, a case-insensitive match, a key it begins or ends early (`reduce` →
 * `reduction`), or the closest key within a small edit distance (1 for short names, 2 from 5
 * letters, 3 from 9), compared case-insensitively.
 */
export function suggestOption(key: string, allowed: readonly string[]): string | null {
  const camel = camelCase(key);
  if (allowed.includes(camel)) return camel;
  const lower = camel.toLowerCase();
  const exact = allowed.find((k) => k.toLowerCase() === lower || k.toLowerCase() === key.toLowerCase());
  if (exact) return exact;
  // A cut-short or extended name: `reduce` for `reduction`, `weights` for `weight`.
  const prefix = lower.length >= 4 ? allowed.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())) : undefined;
  if (prefix) return prefix;
  const limit = lower.length >= 9 ? 3 : lower.length >= 5 ? 2 : 1;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const k of allowed) {
    const dist = Math.min(editDistance(lower, k.toLowerCase()), editDistance(key.toLowerCase(), k.toLowerCase()));
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** The message for an unknown key: with a suggestion when there is one, else the list of keys. */
export function unknownOptionMessage(op: string, key: string, allowed: readonly string[], aliases: Readonly<Record<string, string>> = {}): string {
  const hint = aliases[key] ?? suggestOption(key, allowed);
  if (hint) return `${op}: unknown option '${key}'; did you mean '${hint}'?`;
  return `${op}: unknown option '${key}' (options are ${allowed.map((k) => `'${k}'`).join(', ') || 'none'})`;
}

export interface CheckOptionsSettings {
  /** Other spellings users reach for, mapped to the key they mean (`collate_fn` → `collate`). */
  aliases?: Readonly<Record<string, string>>;
}

/**
 * Returns `options` as a record once it is known to be a plain object (or {} when undefined)
 * whose own keys are all in `allowed`; otherwise throws a TypeError naming the op and the key.
 * Values are not checked here: each caller checks the types of the values it reads.
 * @example const o = checkOptions('Linear', options, ['bias', 'device']);
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[], settings: CheckOptionsSettings = {}): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isOptionsObject(options)) throw typeError(op, 'an options object', 'options', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(unknownOptionMessage(op, key, allowed, settings.aliases));
  }
  return options as Record<string, unknown>;
}

/**
 * True for a plain object (`{...}`, `Object.create(null)`, or one from another realm such as a vm
 * context): not an array, a typed array, a Tensor, a Map or any other class instance, which would
 * otherwise be read as options with surprising keys.
 */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
