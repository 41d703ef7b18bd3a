/**
 * Float64 references of PyTorch's losses, elementwise ('none' reduction), written from the
 * formulas in torch/nn/functional.py and aten/src/ATen/native/Loss*.cpp (not a test file itself).
 */

export type Red = 'mean' | 'sum' | 'none';

export function reduceRef(values: number[], reduction: Red, denominator = values.length): number[] {
  if (reduction === 'none') return values;
  const s = values.reduce((a, b) => a + b, 0);
  return [reduction === 'sum' ? s : s / denominator];
}

function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/** Rows [N][C] of an (N, C, d...) buffer with the class dim moved last: returns [N·d][C]. */
export function classRows(x: ArrayLike<number>, shape: number[]): number[][] {
  if (shape.length === 1) return [Array.from(x)];
  const [n, c] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const rows: number[][] = [];
  for (let i = 0; i < n; ++i)
    for (let k = 0; k < inner; ++k) rows.push(Array.from({ length: c }, (_, j) => x[(i * c + j) * inner + k]));
  return rows;
}

/** nll_loss on log-probability rows; returns the reduced values. */
export function nllRef(logp: number[][], target: ArrayLike<number>, reduction: Red, weight?: ArrayLike<number>, ignoreIndex = -100): number[] {
  const losses: number[] = [];
  let wsum = 0;
  logp.forEach((row, i) => {
    const t = target[i];
    if (t === ignoreIndex) {
      losses.push(0);
      return;
    }
    const w = weight ? weight[t] : 1;
    wsum += w;
    losses.push(-w * row[t]);
  });
  return reduction === 'mean' ? [losses.reduce((a, b) => a + b, 0) / wsum] : reduceRef(losses, reduction);
}

export function crossEntropyRef(x: ArrayLike<number>, shape: number[], target: ArrayLike<number>, reduction: Red, weight?: ArrayLike<number>, ignoreIndex = -100): number[] {
  return nllRef(classRows(x, shape).map(logSoftmaxRow), target, reduction, weight, ignoreIndex);
}

export function crossEntropyProbRef(x: ArrayLike<number>, shape: number[], probs: ArrayLike<number>, reduction: Red, weight?: ArrayLike<number>): number[] {
  const rows = classRows(x, shape).map(logSoftmaxRow);
  const prob = classRows(probs, shape);
  const losses = rows.map((row, i) => -row.reduce((a, v, c) => a + (weight ? weight[c] : 1) * prob[i][c] * v, 0));
  return reduceRef(losses, reduction);
}

export function mseRef(x: ArrayLike<number>, y: ArrayLike<number>, reduction: Red): number[] {
  return reduceRef(Array.from(x, (v, i) => (v - y[i]) ** 2), reduction);
}

export function bceRef(x: ArrayLike<number>, y: ArrayLike<number>, reduction: Red, weight?: ArrayLike<number>): number[] {
  return reduceRef(
    Array.from(x, (v, i) => (weight ? weight[i] : 1) * ((y[i] - 1) * Math.max(Math.log1p(-v), -100) - y[i] * Math.max(Math.log(v), -100))),
    reduction,
  );
}

/** posWeight is indexed by the last dim (C) of an [N, C] input. */
export function bceLogitsRef(x: ArrayLike<number>, y: ArrayLike<number>, reduction: Red, cols: number, weight?: ArrayLike<number>, posWeight?: ArrayLike<number>): number[] {
  return reduceRef(
    Array.from(x, (v, i) => {
      const L = posWeight ? (posWeight[i % cols] - 1) * y[i] + 1 : 1;
      const softplusNeg = Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      return (weight ? weight[i] : 1) * ((1 - y[i]) * v + L * softplusNeg);
    }),
    reduction,
  );
}
