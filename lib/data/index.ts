/**
 * tn.data: datasets and the DataLoader, after torch.utils.data.
 * @example
 *   const ds = new tn.data.TensorDataset(x, y);
 *   for (const [xb, yb] of new tn.data.DataLoader(ds, { batchSize: 16, shuffle: true, seed: 0 })) { ... }
 */
export { Dataset, TensorDataset } from './dataset';
export { DataLoader } from './dataloader';
export type { DataLoaderOptions } from './dataloader';
export { defaultCollate } from './collate';
export type { Collated } from './collate';
