/**
 * MT19937, laid out exactly as ATen's `at::mt19937` (aten/src/ATen/core/MT19937RNGEngine.h):
 * a 624-word state of 32-bit unsigned integers plus the `left` / `next` bookkeeping of
 * Cokus's mt19937ar-cok variant. Seeding keeps the full 64-bit seed (it is what
 * `initial_seed()` reports) but only its low 32 bits enter the state:
 *
 *   state[0] = seed & 0xffffffff
 *   state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >>> 30)) + j      (mod 2^32)
 *   left = 1, next = 0
 *
 * A draw does `if (--left == 0) twist()` *before* reading, so the very first draw after
 * seeding regenerates the whole state, then tempers `state[next++]`. The output stream is
 * the standard MT19937 stream: seed 5489 gives the reference sequence whose 10000th value
 * is 4123659995 (the C++ standard's check for `std::mt19937`).
 */

export const MT_N = 624;
export const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UMASK = 0x80000000;
const LMASK = 0x7fffffff;

/** A snapshot of the engine, mirroring `at::mt19937_data_pod`. */
export interface MT19937State {
  /** The full 64-bit seed the engine was initialised with (unsigned). */
  seed: bigint;
  /** Draws left before the next twist, 1..624. */
  left: number;
  /** Always true for an engine built by seeding; kept for the state format. */
  seeded: boolean;
  /** Index of the next state word to temper, 0..624. */
  next: number;
  /** The 624 state words. */
  state: Uint32Array;
}

const U64 = (1n << 64n) - 1n;

export class MT19937 {
  private readonly mt = new Uint32Array(MT_N);
  private left = 1;
  private next = 0;
  private seeded = true;
  private seed_: bigint = 0n;

  /**
   * @param seed an unsigned 64-bit seed (a number must be a non-negative safe integer; a bigint
   *   is reduced mod 2^64). Default 5489, like `at::mt19937`'s default constructor.
   */
  constructor(seed: number | bigint = 5489) {
    this.reseed(seed);
  }

  /** Re-initialises the engine with `seed`, exactly like constructing a new `at::mt19937(seed)`. */
  reseed(seed: number | bigint): void {
    let s: bigint;
    if (typeof seed === 'bigint') {
      s = seed & U64;
    } else {
      if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new RangeError(`MT19937: expected a non-negative safe integer or a bigint for seed but received ${String(seed)}`);
      }
      s = BigInt(seed);
    }
    this.seed_ = s;
    this.seeded = true;
    const mt = this.mt;
    mt[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < MT_N; j++) {
      const prev = mt[j - 1];
      mt[j] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }

  /** The seed this engine was initialised with (unsigned 64-bit). */
  get seed(): bigint {
    return this.seed_;
  }

  /** The next tempered 32-bit output, as an unsigned number in [0, 2^32). */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.mt[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 words (ATen's `next_state`), and resets left = 624, next = 0. */
  private twist(): void {
    const mt = this.mt;
    this.left = MT_N;
    this.next = 0;
    let i = 0;
    for (; i < MT_N - MT_M; i++) {
      const y = (mt[i] & UMASK) | (mt[i + 1] & LMASK);
      mt[i] = (mt[i + MT_M] ^ (y >>> 1) ^ (mt[i + 1] & 1 ? MATRIX_A : 0)) >>> 0;
    }
    for (; i < MT_N - 1; i++) {
      const y = (mt[i] & UMASK) | (mt[i + 1] & LMASK);
      mt[i] = (mt[i + MT_M - MT_N] ^ (y >>> 1) ^ (mt[i + 1] & 1 ? MATRIX_A : 0)) >>> 0;
    }
    const y = (mt[MT_N - 1] & UMASK) | (mt[0] & LMASK);
    mt[MT_N - 1] = (mt[MT_M - 1] ^ (y >>> 1) ^ (mt[0] & 1 ? MATRIX_A : 0)) >>> 0;
  }

  /** A copy of the engine's data (state words copied). */
  saveState(): MT19937State {
    return { seed: this.seed_, left: this.left, seeded: this.seeded, next: this.next, state: this.mt.slice() };
  }

  /**
   * Restores a snapshot. Validates it like ATen's `mt19937::is_valid()`: seeded, 1 <= left <= 624,
   * next <= 624, and 624 state words; throws a RangeError otherwise.
   */
  restoreState(s: MT19937State): void {
    if (
      !s ||
      s.seeded !== true ||
      !Number.isInteger(s.left) || s.left < 1 || s.left > MT_N ||
      !Number.isInteger(s.next) || s.next < 0 || s.next > MT_N ||
      !(s.state instanceof Uint32Array) || s.state.length !== MT_N ||
      typeof s.seed !== 'bigint'
    ) {
      throw new RangeError('MT19937: invalid mt19937 state');
    }
    this.mt.set(s.state);
    this.left = s.left;
    this.next = s.next;
    this.seeded = true;
    this.seed_ = s.seed & U64;
  }

  /** An independent copy of this engine. */
  clone(): MT19937 {
    const e = new MT19937(0);
    e.restoreState(this.saveState());
    return e;
  }
}
