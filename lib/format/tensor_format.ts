/**
 * Tensor printing that reproduces PyTorch's `repr(tensor)` character for character
 * (torch/_tensor_str.py: `_Formatter`, `_vector_str`, `_tensor_str_with_formatter`,
 * `get_summarized_data`, `_add_suffixes`, `_str_intern`).
 *
 * Pure TypeScript, no native code: callers pass the host values (row-major, contiguous) and the
 * shape. `Parameter containing:\n` is the caller's job, as in PyTorch (`Parameter.__repr__`
 * prepends it to the tensor repr, whose prefix is still `tensor(`).
 */

import { checkOptions } from '../options';
import { formatExp, formatFixed } from './pyfloat';

export { formatExp, formatFixed } from './pyfloat';

export interface FormatOptions {
  /** e.g. 'cuda:0'; printed as `device='cuda:0'` only when not 'cpu'. */
  device?: string;
  /** Printed as `requires_grad=True`, only when there is no gradFn (as PyTorch). */
  requiresGrad?: boolean;
  /** e.g. 'AddmmBackward0' -> `grad_fn=<AddmmBackward0>`. */
  gradFn?: string;
  /** 'int32' prints `, dtype=torch.int32` (PyTorch's default integer type is int64). */
  dtype?: 'float32' | 'int32';
  /** Default 'tensor('. The indent of continuation lines is the length of its last line. */
  prefix?: string;
}

/** PyTorch's `PRINT_OPTS` (torch.set_printoptions). */
export const printOptions: {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
} = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };

export type PrintProfile = 'default' | 'short' | 'full';

/**
 * Like `torch.set_printoptions`. As in PyTorch, a profile is applied first, then the explicit
 * options; and `sciMode` is always assigned, so leaving it out resets it to `null` (automatic).
 */
export function setPrintOptions(o: Partial<typeof printOptions> & { profile?: PrintProfile }): void {
  checkOptions('setPrintOptions', o, ['precision', 'threshold', 'edgeitems', 'linewidth', 'sciMode', 'profile']);
  if (o.profile !== undefined) {
    const full = o.profile === 'full';
    const short = o.profile === 'short';
    if (!full && !short && o.profile !== 'default') {
      throw new RangeError(`setPrintOptions: expected 'default', 'short' or 'full' for profile but received ${String(o.profile)}`);
    }
    printOptions.precision = short ? 2 : 4;
    printOptions.threshold = full ? Infinity : 1000;
    printOptions.edgeitems = short ? 2 : 3;
    printOptions.linewidth = 80;
  }
  if (o.precision !== undefined) printOptions.precision = o.precision;
  if (o.threshold !== undefined) printOptions.threshold = o.threshold;
  if (o.edgeitems !== undefined) printOptions.edgeitems = o.edgeitems;
  if (o.linewidth !== undefined) printOptions.linewidth = o.linewidth;
  printOptions.sciMode = o.sciMode ?? null;
}

/** Chooses one layout for the whole tensor, like `_Formatter.__init__`, and pads to its width. */
class Formatter {
  private readonly floating: boolean;
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;
  private readonly precision: number;

  constructor(floating: boolean, values: readonly number[]) {
    this.floating = floating;
    this.precision = printOptions.precision;
    const p = this.precision;
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, String(v).length);
    } else {
      const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
      if (nz.length > 0) {
        let min = Infinity;
        let max = 0;
        for (const v of nz) {
          const a = Math.abs(v);
          if (a < min) min = a;
          if (a > max) max = a;
        }
        this.intMode = nz.every((v) => v === Math.ceil(v));
        const wide = max / min > 1000 || max > 1e8;
        if (this.intMode) {
          // Integer-valued floats print as `3.`: the width counts the appended point.
          if (wide) {
            this.sciMode = true;
            for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
          } else {
            for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
          }
        } else if (wide || min < 1e-4) {
          this.sciMode = true;
          for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
        } else {
          for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, p).length);
        }
      }
    }
    if (printOptions.sciMode !== null) this.sciMode = printOptions.sciMode;
  }

  width(): number {
    return this.maxWidth;
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = String(v);
    else if (this.sciMode) s = formatExp(v, this.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, this.precision);
    return s.length < this.maxWidth ? ' '.repeat(this.maxWidth - s.length) + s : s;
  }
}

/** Python's `str(tuple(shape))`: `(0, 3)`, `(0,)`. */
function pyTuple(shape: readonly number[]): string {
  return '(' + shape.join(', ') + (shape.length === 1 ? ',' : '') + ')';
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

/**
 * The indices a dimension of size n shows. `head`/`tail` are null when the whole dimension
 * prints. For the last dimension, Python's `self[-edgeitems:]` with edgeitems = 0 is the whole
 * row, and that quirk is kept.
 */
function edgeIndices(n: number, summarize: boolean, last: boolean): { head: number[]; tail: number[] } | null {
  const e = printOptions.edgeitems;
  if (!summarize || n <= 2 * e) return null;
  const head = range(0, Math.max(0, e));
  const tail = last && e <= 0 ? range(0, n) : range(n - e, n);
  return { head, tail };
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The element as PyTorch sees it: float32 widened to double, or an int32. */
function elementReader(values: ArrayLike<number>, floating: boolean): (i: number) => number {
  return floating ? (i) => Math.fround(values[i]) : (i) => values[i] | 0;
}

/** `get_summarized_data`, flattened: the values the formatter sizes itself on. */
function summarizedValues(values: ArrayLike<number>, shape: readonly number[], summarize: boolean, floating: boolean): number[] {
  const value = elementReader(values, floating);
  const strides = rowMajorStrides(shape);
  const out: number[] = [];
  const walk = (offset: number, dim: number) => {
    if (dim === shape.length) {
      out.push(value(offset));
      return;
    }
    const edges = edgeIndices(shape[dim], summarize, dim === shape.length - 1);
    const idx = edges ? [...edges.head, ...edges.tail] : range(0, shape[dim]);
    for (const i of idx) walk(offset + i * strides[dim], dim + 1);
  };
  walk(0, 0);
  return out;
}

class Printer {
  private readonly strides: number[];
  private readonly value: (i: number) => number;

  constructor(
    values: ArrayLike<number>,
    private readonly shape: readonly number[],
    private readonly summarize: boolean,
    private readonly fmt: Formatter,
    floating: boolean,
  ) {
    this.strides = rowMajorStrides(shape);
    this.value = elementReader(values, floating);
  }

  /** `_tensor_str_with_formatter` on the sub-tensor at `offset` whose first dimension is `dim`. */
  str(offset: number, dim: number, indent: number): string {
    const rank = this.shape.length - dim;
    if (rank === 0) return this.fmt.format(this.value(offset));
    if (rank === 1) return this.vector(offset, dim, indent);
    const n = this.shape[dim];
    const stride = this.strides[dim];
    const sub = (i: number) => this.str(offset + i * stride, dim + 1, indent + 1);
    const edges = edgeIndices(n, this.summarize, false);
    const slices = edges ? [...edges.head.map(sub), '...', ...edges.tail.map(sub)] : range(0, n).map(sub);
    return '[' + slices.join(',' + '\n'.repeat(rank - 1) + ' '.repeat(indent + 1)) + ']';
  }

  /** `_vector_str`: one row, wrapped into lines of as many elements as fit in linewidth. */
  private vector(offset: number, dim: number, indent: number): string {
    const n = this.shape[dim];
    const elementLength = this.fmt.width() + 2;
    const perLine = Math.max(1, Math.floor((printOptions.linewidth - indent) / elementLength));
    const item = (i: number) => this.fmt.format(this.value(offset + i));
    const edges = edgeIndices(n, this.summarize, true);
    const data = edges ? [...edges.head.map(item), ' ...', ...edges.tail.map(item)] : range(0, n).map(item);
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
  }
}

/** `_add_suffixes`: `, suffix`, or `,\n` + indent + suffix when the line would pass linewidth. */
function addSuffixes(tensorStr: string, suffixes: readonly string[], indent: number): string {
  const parts = [tensorStr];
  // PyTorch's measure: the last line's length plus 2 (with rfind = -1 on a single line, too).
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > printOptions.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** Formats `values` (row-major, contiguous, length = product of shape) like PyTorch's repr. */
export function formatTensor(values: ArrayLike<number>, shape: readonly number[], opts: FormatOptions = {}): string {
  let numel = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`formatTensor: expected non-negative integer sizes for shape but received [${shape.join(', ')}]`);
    }
    numel *= d;
  }
  if (values.length !== numel) {
    throw new RangeError(
      `formatTensor: expected ${numel} values for shape [${shape.join(', ')}] but received ${values.length}`,
    );
  }
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new RangeError(`formatTensor: expected 'float32' or 'int32' for dtype but received ${String(dtype)}`);
  }
  const floating = dtype === 'float32';
  const prefix = opts.prefix ?? 'tensor(';
  const indent = prefix.length - (prefix.lastIndexOf('\n') + 1);

  const suffixes: string[] = [];
  if (opts.device !== undefined && opts.device !== 'cpu') suffixes.push(`device='${opts.device}'`);

  let tensorStr: string;
  if (numel === 0) {
    // Shape is printed unless it is (0,), like NumPy; the dtype always, since no element shows it.
    if (shape.length !== 1) suffixes.push('size=' + pyTuple(shape));
    if (!floating) suffixes.push('dtype=torch.' + dtype);
    tensorStr = '[]';
  } else {
    if (!floating) suffixes.push('dtype=torch.' + dtype);
    const summarize = numel > printOptions.threshold;
    const fmt = new Formatter(floating, summarizedValues(values, shape, summarize, floating));
    tensorStr = new Printer(values, shape, summarize, fmt, floating).str(0, 0, indent);
  }

  if (opts.gradFn != null) suffixes.push(`grad_fn=<${opts.gradFn}>`);
  else if (opts.requiresGrad) suffixes.push('requires_grad=True');

  return addSuffixes(prefix + tensorStr, suffixes, indent);
}
