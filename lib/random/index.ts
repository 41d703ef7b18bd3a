/**
 * PyTorch's CPU random number generation: the MT19937 engine, `torch.Generator`, the default
 * generator with `manualSeed`, and the uniform / normal / randint / randperm kernels, reproducing
 * the values `torch.manual_seed(s)` gives on CPU.
 */
export { MT19937, MT_N, MT_M } from './mt19937';
export type { MT19937State } from './mt19937';
export {
  Generator,
  defaultGenerator,
  manualSeed,
  initialSeed,
  seed,
  normalizeSeed,
  GENERATOR_STATE_BYTES,
} from './generator';
export {
  fillUniform,
  fillNormal,
  fillRandint,
  randperm,
  RANDPERM_SMALL_N,
  setUniformRounding,
  getUniformRounding,
} from './distributions';
export type { UniformRounding } from './distributions';
