/**
 * DataLoader, after torch.utils.data.DataLoader (single process): batches of a map-style dataset,
 * in order or shuffled, collated into tensors. Each `for...of` (or `for await`) is one epoch.
 *
 * Random numbers are used as PyTorch uses them, so seeds carry over: every epoch first draws a
 * 64-bit base seed (two 32-bit draws) from the loader's generator, or from the default one when
 * there is none; a shuffled epoch then draws its permutation (see sampler.ts). `seed: s` is
 * PyTorch's `generator=torch.Generator().manual_seed(s)`: one generator made at construction and
 * drawn from every epoch, so the order differs per epoch and the sequence repeats with the seed.
 */
import { typeError, rangeError } from '../errors';
import { checkOptions } from '../options';
import { Generator as RandomGenerator, normalizeSeed } from '../random';
import { type Collated, defaultCollate } from './collate';
import { type Dataset, TensorDataset, checkDataset, datasetLength } from './dataset';
import { batchIndices, drawInt64Seed, randomIndices, sequentialIndices } from './sampler';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is shorter than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the loader's own generator: the epoch orders repeat with it. */
  seed?: number | bigint;
  /** The generator to draw from (instead of seed); shared state, like PyTorch's `generator=`. */
  generator?: RandomGenerator;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collate?: (samples: T[]) => B;
}

const OPTION_NAMES = ['batchSize', 'shuffle', 'dropLast', 'seed', 'generator', 'collate'];
const OPTION_ALIASES = { collate_fn: 'collate', collateFn: 'collate' };

function checkLoaderOptions(o: unknown): DataLoaderOptions<unknown, unknown> {
  const op = 'DataLoader';
  const opts = checkOptions(op, o, OPTION_NAMES, { aliases: OPTION_ALIASES });
  const { batchSize, shuffle, dropLast, seed, generator, collate } = opts;
  if (batchSize !== undefined) {
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize)) throw typeError(op, 'a positive integer', 'batchSize', batchSize);
    if (batchSize < 1) throw rangeError(op, 'a positive integer', 'batchSize', batchSize);
  }
  if (shuffle !== undefined && typeof shuffle !== 'boolean') throw typeError(op, 'a boolean', 'shuffle', shuffle);
  if (dropLast !== undefined && typeof dropLast !== 'boolean') throw typeError(op, 'a boolean', 'dropLast', dropLast);
  if (seed !== undefined) {
    if (typeof seed === 'number' ? !Number.isInteger(seed) : typeof seed !== 'bigint') throw typeError(op, 'an integer', 'seed', seed);
    normalizeSeed(seed as number | bigint, `${op}: seed`);
  }
  if (generator !== undefined && !(generator instanceof RandomGenerator)) throw typeError(op, 'a tn.Generator', 'generator', generator);
  if (seed !== undefined && generator !== undefined) throw new TypeError(`${op}: pass either seed or generator, not both`);
  if (collate !== undefined && typeof collate !== 'function') throw typeError(op, 'a function', 'collate', collate);
  return opts as DataLoaderOptions<unknown, unknown>;
}

/**
 * Iterates a dataset in batches.
 * @example
 *   const loader = new tn.data.DataLoader(new tn.data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 *   for (const [xb, yb] of loader) { ... }      // loader.length batches per epoch
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T> | readonly T[];
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The loader's generator (from seed or generator), or null to use the default generator. */
  readonly generator: RandomGenerator | null;
  readonly collate: (samples: T[]) => B;
  private readonly source: { length: number; get(i: number): unknown };
  private readonly defaultCollation: boolean;

  constructor(dataset: Dataset<T> | readonly T[], options?: DataLoaderOptions<T, B>) {
    this.source = checkDataset('DataLoader', dataset);
    const o = checkLoaderOptions(options) as DataLoaderOptions<T, B>;
    this.dataset = dataset;
    this.batchSize = o.batchSize ?? 1;
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    this.generator = o.generator ?? (o.seed !== undefined ? new RandomGenerator(o.seed) : null);
    this.defaultCollation = o.collate === undefined;
    this.collate = o.collate ?? ((samples: T[]) => defaultCollate(samples) as B);
    const n = datasetLength('DataLoader', this.source);
    if (this.shuffle && n <= 0)
      throw new RangeError(`DataLoader: num_samples should be a positive integer value, but got num_samples=${n} (shuffle needs a non-empty dataset)`);
  }

  /** Batches per epoch: ceil(n / batchSize), or floor with dropLast. */
  get length(): number {
    const n = datasetLength('DataLoader', this.source);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The index lists of one epoch (drawing the epoch's random numbers as PyTorch does). */
  private epochBatches(): IterableIterator<number[]> {
    const n = datasetLength('DataLoader', this.source);
    drawInt64Seed(this.generator);  // _BaseDataLoaderIter's base seed: drawn even without workers
    const sampler = this.shuffle ? randomIndices(n, this.generator) : sequentialIndices(n);
    return batchIndices(sampler, this.batchSize, this.dropLast);
  }

  private collateIndices(indices: number[], samples: unknown[] | null): B {
    if (this.defaultCollation && this.source instanceof TensorDataset) return this.source.getBatch(indices) as B;
    return this.collate((samples ?? indices.map((i) => this.fetch(i))) as T[]);
  }

  private fetch(i: number): unknown {
    const s = this.source.get(i);
    if (s instanceof Promise) throw new TypeError('DataLoader: dataset.get() returned a Promise; iterate the loader with for await');
    return s;
  }

  /** One epoch of batches. */
  [Symbol.iterator](): IterableIterator<B> {
    const batches = this.epochBatches();
    const self = this;
    function* epoch(): IterableIterator<B> {
      for (const indices of batches) yield self.collateIndices(indices, null);
    }
    return epoch();
  }

  /** One epoch of batches; datasets whose get() returns Promises are awaited. */
  [Symbol.asyncIterator](): AsyncIterableIterator<B> {
    const batches = this.epochBatches();
    const self = this;
    async function* epoch(): AsyncIterableIterator<B> {
      for (const indices of batches) {
        const direct = self.defaultCollation && self.source instanceof TensorDataset;
        const samples = direct ? null : await Promise.all(indices.map((i) => self.source.get(i)));
        yield self.collateIndices(indices, samples);
      }
    }
    return epoch();
  }
}
