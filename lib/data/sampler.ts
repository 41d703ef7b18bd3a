/**
 * Index samplers, written as generators so they consume random numbers exactly when PyTorch's do
 * (torch/utils/data/sampler.py):
 *
 * - sequentialIndices: 0 .. n-1.
 * - randomIndices (RandomSampler without replacement): with a generator, `randperm(n, generator)`
 *   and then — when the consumer asks past the end — a second `randperm(n)` of which PyTorch keeps
 *   the first `n % n = 0` elements (it still draws). Without one, the seed of a private generator
 *   is first drawn from the default generator (`random_()` on an int64: random64 mod 2^63).
 * - batchIndices (BatchSampler): groups indices into lists of batchSize, dropping or keeping the
 *   last short one; it asks its sampler for one more index before it stops, as PyTorch's does.
 */
import { Generator as RandomGenerator, defaultGenerator, randperm } from '../random';

const INT64_MAX_PLUS_1 = 1n << 63n;

/** PyTorch's `torch.empty((), dtype=torch.int64).random_(generator=g).item()`. */
export function drawInt64Seed(g: RandomGenerator | null): bigint {
  return (g ?? defaultGenerator).nextUint64() % INT64_MAX_PLUS_1;
}

export function* sequentialIndices(n: number): IterableIterator<number> {
  for (let i = 0; i < n; ++i) yield i;
}

export function* randomIndices(n: number, generator: RandomGenerator | null): IterableIterator<number> {
  const g = generator ?? new RandomGenerator(drawInt64Seed(null));
  yield* randperm(n, g);
  randperm(n, g);  // PyTorch's trailing `randperm(n)[:num_samples % n]`: empty, but it draws.
}

export function* batchIndices(sampler: Iterator<number>, batchSize: number, dropLast: boolean): IterableIterator<number[]> {
  if (dropLast) {
    for (;;) {
      const batch: number[] = [];
      for (let k = 0; k < batchSize; ++k) {
        const r = sampler.next();
        if (r.done) return;
        batch.push(r.value);
      }
      yield batch;
    }
  }
  let batch: number[] = [];
  for (let r = sampler.next(); !r.done; r = sampler.next()) {
    batch.push(r.value);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
