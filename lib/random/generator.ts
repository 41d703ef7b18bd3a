/**
 * A CPU random generator that behaves like PyTorch's `torch.Generator()` on CPU
 * (`at::CPUGeneratorImpl`, aten/src/ATen/CPUGeneratorImpl.cpp):
 *
 * - an `at::mt19937` engine (see mt19937.ts) plus the two cached Box–Muller samples ATen keeps
 *   (`next_double_normal_sample_`, used by the scalar `normal_` path, and
 *   `next_float_normal_sample_`, kept for the state format);
 * - `manualSeed(s)` = `set_current_seed`: clears both caches and re-seeds the engine with the
 *   64-bit seed (only its low 32 bits reach MT19937's state). Like `torch.manual_seed`, seeds may
 *   be anything in [-2^63, 2^64 - 1]; a negative seed is taken mod 2^64 (Python's binding reads a
 *   negative int as int64 and reinterprets the bits as uint64), so `manualSeed(-1)` has
 *   `initialSeed() === 2n**64n - 1n` and the same stream as seed 0xffffffff;
 * - `seed()` re-seeds from the OS entropy source (`/dev/urandom` in ATen, `crypto` here) and
 *   returns the seed;
 * - `nextUint32()` = `random()`, one engine draw; `nextUint64()` = `random64()`, two draws, the
 *   first one the high word;
 * - `getState()` / `setState()` use the byte layout of `torch.Generator.get_state()` on x86-64
 *   Linux (5056 bytes, `CPUGeneratorImplState`), so a state saved from PyTorch with
 *   `bytes(torch.get_rng_state().numpy())` restores here, and the reverse.
 */

import { randomBytes } from 'crypto';
import { MT19937, MT_N } from './mt19937';

const TWO64 = 1n << 64n;
const INT64_MIN = -(1n << 63n);

/** Size of `at::detail::CPUGeneratorImplState` on LP64 little-endian targets. */
export const GENERATOR_STATE_BYTES = 5056;

// Offsets inside CPUGeneratorImplState (struct CPUGeneratorImplStateLegacy first):
//   0 u64 the_initial_seed | 8 i32 left | 12 i32 seeded | 16 u64 next | 24 u64 state[624]
//   5016 f64 normal_x | 5024 f64 normal_y | 5032 f64 normal_rho | 5040 i32 normal_is_valid | 5044 pad
//   5048 f32 next_float_normal_sample | 5052 u8 is_next_float_normal_sample_valid | 5053..5055 pad
const OFF_SEED = 0;
const OFF_LEFT = 8;
const OFF_SEEDED = 12;
const OFF_NEXT = 16;
const OFF_STATE = 24;
const OFF_NORMAL_X = OFF_STATE + 8 * MT_N; // 5016
const OFF_NORMAL_Y = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO = OFF_NORMAL_Y + 8;
const OFF_NORMAL_VALID = OFF_NORMAL_RHO + 8; // 5040
const OFF_FLOAT_SAMPLE = 5048;
const OFF_FLOAT_VALID = 5052;

/**
 * Converts a user seed to the unsigned 64-bit value PyTorch stores. Accepts integers (number or
 * bigint) in [-2^63, 2^64 - 1]; negatives map mod 2^64.
 */
export function normalizeSeed(seed: number | bigint, op = 'manualSeed'): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') {
    s = seed;
  } else if (typeof seed === 'number') {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
      throw new RangeError(`${op}: expected an integer seed but received ${String(seed)}`);
    }
    s = BigInt(seed);
  } else {
    throw new TypeError(`${op}: expected a number or bigint for seed but received ${seed === null ? 'null' : typeof seed}`);
  }
  if (s < INT64_MIN || s >= TWO64) {
    throw new RangeError(`${op}: seed must be in [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff] but received ${s}`);
  }
  return s < 0n ? s + TWO64 : s;
}

/** 64 bits from the OS entropy source, like `c10::detail::getNonDeterministicRandom()`. */
export function nonDeterministicSeed(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

export class Generator {
  /** @internal the MT19937 engine */
  readonly engine: MT19937;
  /** @internal cached second Box–Muller sample of the double normal path, or null */
  nextDoubleNormal: number | null = null;
  /** @internal cached float normal sample (unused by the CPU kernels; part of the state format) */
  nextFloatNormal: number | null = null;

  /**
   * A new generator. Like `torch.Generator()`, it starts with seed 67280421310721
   * (`default_rng_seed_val`) unless a seed is given.
   */
  constructor(seed: number | bigint = 67280421310721n) {
    this.engine = new MT19937(normalizeSeed(seed, 'Generator'));
  }

  /** Seeds the generator (`torch.Generator.manual_seed`); returns this. */
  manualSeed(seed: number | bigint): this {
    const s = normalizeSeed(seed);
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    this.engine.reseed(s);
    return this;
  }

  /** The seed last set (`initial_seed()`), unsigned 64-bit. */
  initialSeed(): bigint {
    return this.engine.seed;
  }

  /** Re-seeds nondeterministically from the OS and returns the new seed (`seed()`). */
  seed(): bigint {
    const s = nonDeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /** One 32-bit draw, in [0, 2^32). */
  nextUint32(): number {
    return this.engine.nextUint32();
  }

  /** Two draws combined as (first << 32) | second, in [0, 2^64). */
  nextUint64(): bigint {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** @internal `uniform_real_distribution<float>(0, 1)`: (v & 0xFFFFFF) * 2^-24. */
  nextFloat01(): number {
    return (this.engine.nextUint32() & 0xffffff) * 5.9604644775390625e-8;
  }

  /** @internal `uniform_real_distribution<double>(0, 1)`: random64() & (2^53 - 1), times 2^-53. */
  nextDouble01(): number {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return ((hi & 0x1fffff) * 4294967296 + lo) * 1.1102230246251565e-16;
  }

  /**
   * The generator state as bytes, in the layout of `torch.Generator().get_state()` (a uint8 tensor
   * of 5056 bytes on x86-64 / aarch64 Linux): the legacy TH struct with 64-bit state words.
   */
  getState(): Uint8Array {
    const out = new Uint8Array(GENERATOR_STATE_BYTES);
    const dv = new DataView(out.buffer);
    const st = this.engine.saveState();
    dv.setBigUint64(OFF_SEED, st.seed, true);
    dv.setInt32(OFF_LEFT, st.left, true);
    dv.setInt32(OFF_SEEDED, st.seeded ? 1 : 0, true);
    dv.setBigUint64(OFF_NEXT, BigInt(st.next), true);
    for (let i = 0; i < MT_N; i++) {
      dv.setUint32(OFF_STATE + 8 * i, st.state[i], true); // high word stays 0
    }
    dv.setFloat64(OFF_NORMAL_X, 0, true);
    dv.setFloat64(OFF_NORMAL_Y, this.nextDoubleNormal ?? 0, true);
    dv.setFloat64(OFF_NORMAL_RHO, 0, true);
    dv.setInt32(OFF_NORMAL_VALID, this.nextDoubleNormal !== null ? 1 : 0, true);
    dv.setFloat32(OFF_FLOAT_SAMPLE, this.nextFloatNormal ?? 0, true);
    out[OFF_FLOAT_VALID] = this.nextFloatNormal !== null ? 1 : 0;
    return out;
  }

  /**
   * Restores a state from `getState()` (or from PyTorch's `get_state()` bytes). Checks the size and
   * the engine's validity like ATen (`Invalid mt19937 state`); state words are truncated to 32 bits
   * as ATen's std::copy into uint32 does.
   */
  setState(s: Uint8Array): void {
    if (!(s instanceof Uint8Array)) {
      throw new TypeError('Generator.setState: expected a Uint8Array');
    }
    if (s.length !== GENERATOR_STATE_BYTES) {
      throw new RangeError(
        `Generator.setState: expected a CPUGeneratorImplState of size ${GENERATOR_STATE_BYTES} but found the input RNG state size to be ${s.length}`,
      );
    }
    const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
    const seed = dv.getBigUint64(OFF_SEED, true);
    const left = dv.getInt32(OFF_LEFT, true);
    const seeded = dv.getInt32(OFF_SEEDED, true) !== 0;
    const next = Number(dv.getBigUint64(OFF_NEXT, true) & 0xffffffffn);
    const state = new Uint32Array(MT_N);
    for (let i = 0; i < MT_N; i++) state[i] = dv.getUint32(OFF_STATE + 8 * i, true);
    if (!seeded || left < 1 || left > MT_N || next > MT_N) {
      throw new RangeError('Generator.setState: Invalid mt19937 state');
    }
    this.engine.restoreState({ seed, left, seeded, next, state });
    this.nextDoubleNormal = dv.getInt32(OFF_NORMAL_VALID, true) !== 0 ? dv.getFloat64(OFF_NORMAL_Y, true) : null;
    this.nextFloatNormal = s[OFF_FLOAT_VALID] !== 0 ? dv.getFloat32(OFF_FLOAT_SAMPLE, true) : null;
  }

  /** An independent copy (engine and caches), like ATen's `clone()`. */
  clone(): Generator {
    const g = new Generator(0);
    g.setState(this.getState());
    return g;
  }
}

/** The process-wide default CPU generator, seeded nondeterministically at load like PyTorch's. */
export const defaultGenerator: Generator = new Generator(nonDeterministicSeed());

/** Seeds the default generator (`torch.manual_seed`) and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** `torch.initial_seed()`: the default generator's seed. */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/** `torch.seed()`: re-seeds the default generator nondeterministically and returns the seed. */
export function seed(): bigint {
  return defaultGenerator.seed();
}
