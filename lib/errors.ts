/**
 * Error helpers: one message template for validation (like sharp's), PyTorch's wording for
 * shape errors, and a ShapeError that modules re-label with their path
 * (`Linear (deep_nn.2): mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)`).
 */

/** Describes a received value for messages: `-1 of type number`, `"a" of type string`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}" of type string`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${String(v)} of type ${typeof v}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `a value of type ${(v as object).constructor?.name ?? typeof v}`;
}

/** `op: expected <what> for <name> but received <describe(value)>` as a TypeError. */
export function typeError(op: string, what: string, name: string, value: unknown): TypeError {
  return new TypeError(`${op}: expected ${what} for ${name} but received ${describe(value)}`);
}

export function rangeError(op: string, what: string, name: string, value: unknown): RangeError {
  return new RangeError(`${op}: expected ${what} for ${name} but received ${describe(value)}`);
}

/**
 * A shape or size mismatch. `detail` is PyTorch's message; `op` the function that raised it.
 * Modules catch it and re-throw with their name and path in front (see nn/module.ts).
 */
export class ShapeError extends RangeError {
  readonly detail: string;
  readonly op: string;
  constructor(op: string, detail: string) {
    super(`${op}: ${detail}`);
    this.name = 'ShapeError';
    this.op = op;
    this.detail = detail;
  }
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
