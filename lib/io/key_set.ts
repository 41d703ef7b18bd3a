/**
 * A set of JSON object keys held as byte ranges, for duplicate-key checks in the header: no
 * string per key, so a header of millions of keys costs a few typed-array slots each.
 *
 * Keys are compared by their UTF-8 bytes. A key written without escapes is its own bytes in the
 * header; a key with escapes (`"\u0077"` is `"w"`) is added as the UTF-8 of its decoded string,
 * copied into a side pool, so both spellings of one key collide as they must.
 */

const EMPTY = -1;

export class KeySet {
  private slots: Int32Array;
  /** per key: start (>= 0 in the header, < 0 as -(poolStart + 1) in the pool), length, hash */
  private starts: Int32Array;
  private lengths: Int32Array;
  private hashes: Int32Array;
  /** the slot each key sits in, so that reset() costs the keys held, not the table size */
  private slotOf: Int32Array;
  private count = 0;
  private pool: Uint8Array | null = null;
  private poolUsed = 0;

  constructor(private readonly header: Uint8Array, capacity = 8) {
    this.slots = new Int32Array(capacity * 2).fill(EMPTY);
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.slotOf = new Int32Array(capacity);
  }

  /** Empties the set for the next object at the same depth. */
  reset(): void {
    for (let k = 0; k < this.count; k++) this.slots[this.slotOf[k]] = EMPTY;
    this.count = 0;
    this.poolUsed = 0;
  }

  /** Adds the header bytes [start, end); false when the key was already there. */
  addRange(start: number, end: number): boolean {
    return this.add(this.header, start, end, start);
  }

  /** Adds a key given as its UTF-8 bytes (a decoded escaped key); false when already there. */
  addBytes(bytes: Uint8Array): boolean {
    const at = this.poolUsed;
    this.reservePool(bytes.length);
    this.pool!.set(bytes, at);
    const added = this.add(this.pool!, at, at + bytes.length, -(at + 1));
    if (added) this.poolUsed += bytes.length;
    return added;
  }

  private add(src: Uint8Array, start: number, end: number, stored: number): boolean {
    const hash = hashBytes(src, start, end);
    if (this.find(src, start, end, hash) >= 0) return false;
    if (this.count === this.starts.length) this.grow();
    const k = this.count++;
    this.starts[k] = stored;
    this.lengths[k] = end - start;
    this.hashes[k] = hash;
    this.place(k);
    return true;
  }

  /** The slot holding an equal key, or -1. */
  private find(src: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const k = this.slots[s];
      if (k === EMPTY) return -1;
      if (this.hashes[k] === hash && this.equal(k, src, start, end)) return s;
    }
  }

  private equal(k: number, src: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    if (this.lengths[k] !== len) return false;
    const stored = this.starts[k];
    const bytes = stored >= 0 ? this.header : this.pool!;
    const at = stored >= 0 ? stored : -stored - 1;
    for (let i = 0; i < len; i++) if (bytes[at + i] !== src[start + i]) return false;
    return true;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[k] & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    this.slots[s] = k;
    this.slotOf[k] = s;
  }

  private grow(): void {
    const cap = this.starts.length * 2;
    const grown = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts);
    this.lengths = grown(this.lengths);
    this.hashes = grown(this.hashes);
    this.slotOf = new Int32Array(cap);
    this.slots = new Int32Array(cap * 2).fill(EMPTY);
    for (let k = 0; k < this.count; k++) this.place(k);
  }

  private reservePool(n: number): void {
    const need = this.poolUsed + n;
    if (this.pool !== null && need <= this.pool.length) return;
    const bigger = new Uint8Array(Math.max(64, need * 2));
    if (this.pool !== null) bigger.set(this.pool.subarray(0, this.poolUsed));
    this.pool = bigger;
  }
}

/** FNV-1a over the bytes. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 1; // non-negative: a slot index after masking, never confused with EMPTY
}
