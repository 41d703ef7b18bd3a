/**
 * Python's float formatting, digit for digit: `'{:.Nf}'.format(x)` and `'{:.Ne}'.format(x)`.
 *
 * JavaScript's `toFixed` / `toExponential` round exact ties away from zero (`0.03125.toFixed(4)`
 * is `0.0313`), while Python rounds the exact binary value half-to-even (`0.0312`), keeps the sign
 * of negative zero (`-0.0000`), pads the exponent to two digits (`1.2346e+03`) and has no upper
 * limit for fixed notation (`1e21.toFixed(4)` switches to exponent form in JS). These helpers work
 * on the exact decimal expansion of the double with BigInt arithmetic, so every case matches.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const POW5: bigint[] = [1n];
const POW10: bigint[] = [1n];
function pow5(n: number): bigint {
  while (POW5.length <= n) POW5.push(POW5[POW5.length - 1] * 5n);
  return POW5[n];
}
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[n];
}

/** Exact decimal form of a finite |x|: |x| = digits / 10^scale, with scale >= 0. */
interface Decimal {
  negative: boolean; // sign bit (true for -0 too)
  digits: bigint;
  scale: number;
}

function decompose(x: number): Decimal {
  F64[0] = x;
  const hi = U32[LITTLE_ENDIAN ? 1 : 0];
  const lo = U32[LITTLE_ENDIAN ? 0 : 1];
  const negative = hi >>> 31 === 1;
  const expField = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (expField === 0) {
    e2 = -1074; // subnormal (or zero)
  } else {
    mant |= 1n << 52n;
    e2 = expField - 1075;
  }
  if (mant === 0n) return { negative, digits: 0n, scale: 0 };
  while (e2 < 0 && (mant & 1n) === 0n) {
    mant >>= 1n;
    e2++;
  }
  if (e2 >= 0) return { negative, digits: mant << BigInt(e2), scale: 0 };
  // m * 2^e2 = m * 5^-e2 / 10^-e2
  return { negative, digits: mant * pow5(-e2), scale: -e2 };
}

/** round(n / 10^k) with ties to even, for n >= 0, k >= 0. */
function divRoundHalfEven(n: bigint, k: number): bigint {
  if (k === 0) return n;
  const q = pow10(k);
  let quot = n / q;
  const twice = (n % q) * 2n;
  if (twice > q || (twice === q && (quot & 1n) === 1n)) quot += 1n;
  return quot;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return 'nan'; // Python prints 'nan' whatever the sign bit
  return x > 0 ? 'inf' : '-inf';
}

/** Python's `'{:.<precision>f}'.format(x)`. */
export function formatFixed(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const p = Math.max(0, Math.floor(precision));
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  // Fast path: toFixed rounds the exact value too, and differs from Python only on an exact tie,
  // i.e. when the lowest set bit of x is 2^-(p+1) (x * 2^(p+1) is an odd integer).
  if (a < 1e21 && p <= 100) {
    const y = a * 2 ** (p + 1);
    if (!(Number.isInteger(y) && y % 2 === 1)) return (negative ? '-' : '') + a.toFixed(p);
  }
  const d = decompose(x);
  const n = p >= d.scale ? d.digits * pow10(p - d.scale) : divRoundHalfEven(d.digits, d.scale - p);
  let s = n.toString();
  if (p > 0) {
    if (s.length <= p) s = '0'.repeat(p + 1 - s.length) + s;
    s = s.slice(0, s.length - p) + '.' + s.slice(s.length - p);
  }
  return (d.negative ? '-' : '') + s;
}

/** Python's `'{:.<precision>e}'.format(x)`: `1.2346e+03`, `-5.0000e-05`, `0.0000e+00`. */
export function formatExp(x: number, precision: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const p = Math.max(0, Math.floor(precision));
  const d = decompose(x);
  let mantissa: string;
  let exp: number;
  if (d.digits === 0n) {
    mantissa = '0'.repeat(p + 1);
    exp = 0;
  } else {
    const len = d.digits.toString().length;
    exp = len - 1 - d.scale;
    const shift = len - (p + 1);
    let n = shift > 0 ? divRoundHalfEven(d.digits, shift) : d.digits * pow10(-shift);
    if (n === pow10(p + 1)) {
      // rounding carried into a new digit (9.99995 -> 10.0000)
      n = pow10(p);
      exp += 1;
    }
    mantissa = n.toString();
  }
  const body = p > 0 ? mantissa[0] + '.' + mantissa.slice(1) : mantissa;
  const absExp = Math.abs(exp);
  const expStr = (exp < 0 ? '-' : '+') + (absExp < 10 ? '0' : '') + String(absExp);
  return (d.negative ? '-' : '') + body + 'e' + expStr;
}
