/**
 * Small printing helpers that make nn output read like PyTorch's: `_addindent` from
 * torch/nn/modules/module.py, Python's spelling of booleans and floats in `extra_repr`, and
 * `torch.Size([5, 4])`.
 */

/** PyTorch's `_addindent`: indents every line after the first by n spaces. */
export function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(n);
  return lines[0] + '\n' + lines.slice(1).map((l) => pad + l).join('\n');
}

/** Python's `str(bool)`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's `repr(float)` for the common cases (0.5, 1.0, 1e-05, inf). */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  const s = String(v);
  // JS writes 1e-7 and 1e+21; Python writes 1e-07 and 1e+21.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * A shape as PyTorch prints `tensor.size()`.
 * @example formatSize([5, 4])  // 'torch.Size([5, 4])'
 */
export function formatSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}
