/**
 * Helpers for the hardening tests (not a test file). Errors thrown by the addon are created in
 * Node's main realm, not in jest's test context, so `instanceof RangeError` is false for them
 * there; these helpers compare the constructor's name instead.
 */

/** Calls f and returns what it threw, or null if it returned. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

export function errorClass(e: unknown): string | null {
  if (e === null || typeof e !== 'object') return null;
  return (e as object).constructor?.name ?? null;
}

/** Asserts f throws an Error of class `cls` (by name) whose message matches `message`. */
export function expectThrows(f: () => unknown, cls: 'TypeError' | 'RangeError' | 'Error' | 'ShapeError' | string, message?: RegExp): void {
  const e = thrown(f);
  if (e === null) throw new Error(`expected a ${cls} but nothing was thrown`);
  const name = errorClass(e);
  if (name !== cls) throw new Error(`expected a ${cls} but got ${name}: ${(e as Error).message}`);
  if (message && !message.test((e as Error).message)) throw new Error(`${cls} message ${JSON.stringify((e as Error).message)} does not match ${message}`);
}

/** Env-scaled case counts: `name` from the environment, else dflt (npm test stays fast). */
export function cases(name: string, dflt: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
}

/** The fast-check seed: HARDENING_SEED from the environment (to reproduce a report), else fixed. */
export function seed(): number {
  const v = Number(process.env.HARDENING_SEED);
  return Number.isInteger(v) ? v : 20240607;
}
