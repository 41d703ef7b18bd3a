/**
 * tensornode: a PyTorch-shaped deep-learning runtime for Node.js.
 * @example
 *   import * as tn from 'tensornode';
 *   const x = tn.randn(2, 3);
 *   console.log(x.matmul(x.t()));
 */
import { defaultDevice } from './device';

export { Tensor } from './tensor';
export type { NestedArray, TensorOrScalar } from './tensor';
export type { DType } from './dtype';
export type { Device } from './device';
export { ShapeError } from './errors';
export {
  tensor, fromArray, zeros, ones, full, rand, randn, randint, arange, linspace, eye,
  zerosLike, onesLike, fullLike, randLike, randnLike,
} from './ops/creation';
export type { TensorOptions, RandomOptions } from './ops/creation';
export { cat, stack } from './ops/views';
export { matmul, linear } from './ops/matmul';
export { oneHot, ValuesIndices } from './ops/reduce';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode';
export { memory } from './storage';
export { info, cuda, setNumThreads, getNumThreads } from './info';
export { manualSeed, Generator, defaultGenerator, initialSeed, seed } from './random';
export { formatTensor, setPrintOptions, printOptions } from './format/tensor_format';
export * as nn from './nn';
export { Parameter } from './nn';
export { save, load, saveAsync, loadAsync } from './nn/serialization';
export * as optim from './optim';
export { compile, CompiledModule, CompileError } from './compile';
export * as serve from './serve';
export * as data from './data';
export * as losses from './losses';

/** The default device picked at load: 'cuda' or 'cpu' (see TENSORNODE_DEVICE). */
export declare const device: 'cpu' | 'cuda';
const lazy = {
  get device(): 'cpu' | 'cuda' {
    return defaultDevice();
  },
};
// The `return lazy.device` getter form is one Node's ESM loader recognises, so
// `import { device } from 'tensornode'` works too.
Object.defineProperty(exports, 'device', { enumerable: true, get: function () { return lazy.device; } });
