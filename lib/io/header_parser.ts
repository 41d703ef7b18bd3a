/**
 * The safetensors header parser: one pass over the header bytes that checks the JSON grammar
 * (RFC 8259, as strict as serde_json), nesting depth, duplicate keys in every object and the
 * schema, and writes the tensor entries straight into flat arrays (a HeaderTable). No JSON.parse
 * and no object per JSON value: time and memory are linear in the header with small constants,
 * whatever it holds (millions of keys, huge strings, deep nesting).
 *
 * Errors stop at the first problem, as serde_json does; see safetensors.ts for the rules.
 */
import { isUtf8 } from 'buffer';
import { DTYPE_RANK } from './dtypes';
import { clip, fail } from './errors';
import { KeySet } from './key_set';
import { type Work, runSync } from './work';

export const MAX_JSON_DEPTH = 64;
/**
 * Most `__metadata__` entries read. safetensors has no such limit; metadata is meant for a few
 * strings, and V8 builds an object of millions of keys in superlinear time (about 12 s for 7 M).
 */
export const MAX_METADATA_ENTRIES = 65_536;

/** Header bytes parsed between two pause points. */
const SLICE_BYTES = 1 << 16;
/** Header bytes checked for UTF-8 between two pause points. */
const UTF8_SLICE = 1 << 22;

/** The tensor entries of a header, one array per field, in header order. */
export interface HeaderTable {
  names: string[];
  /** index into DTYPE_ORDER */
  dtypes: number[];
  begins: number[];
  ends: number[];
  /** entry i has shape dims[shapeStarts[i] .. shapeStarts[i + 1]) (one extra start at the end) */
  shapeStarts: number[];
  dims: number[];
  metadata: Record<string, string> | null;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;

const utf8 = new TextEncoder();
const FIELD_NAMES = ['dtype', 'shape', 'data_offsets'] as const;
const FIELD_BYTES = FIELD_NAMES.map((f) => utf8.encode(f));
const METADATA_BYTES = utf8.encode('__metadata__');
const ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/** Parses header bytes [start, end) of `bytes`; errors name `source`. */
export function* parseHeader(bytes: Uint8Array, start: number, end: number, source: string): Work<HeaderTable> {
  yield* checkUtf8(bytes, start, end, source);
  return yield* new HeaderParser(bytes, start, end, source).parse();
}

/** isUtf8 in slices that end on a character boundary, pausing between them. */
function* checkUtf8(bytes: Uint8Array, start: number, end: number, source: string): Work<void> {
  for (let i = start; i < end; ) {
    let j = Math.min(end, i + UTF8_SLICE);
    // back up over continuation bytes (10xxxxxx) to the start of a character
    for (let k = 0; k < 3 && j < end && j > i && (bytes[j] & 0xc0) === 0x80; k++) j--;
    if (!isUtf8(bytes.subarray(i, j))) throw fail(source, 'the header is not valid UTF-8');
    i = j;
    yield;
  }
}

export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Sets an own enumerable property; "__proto__" becomes an ordinary key, not the prototype. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

class HeaderParser {
  private pos: number;
  private pauseAt: number;
  private readonly text: Buffer;
  private readonly keySets: KeySet[] = [];
  private readonly table: HeaderTable = { names: [], dtypes: [], begins: [], ends: [], shapeStarts: [], dims: [], metadata: null };
  // the string scanned last: bytes [strStart, strEnd) between the quotes
  private strStart = 0;
  private strEnd = 0;
  private strEscaped = false;
  private strUnicodeEscape = false;
  // the number scanned last
  private numStart = 0;
  private numEnd = 0;
  private numPlain = true;
  private readonly offsets: number[] = [];

  constructor(private readonly b: Uint8Array, private readonly start: number, private readonly end: number, private readonly source: string) {
    this.pos = start;
    this.pauseAt = start + SLICE_BYTES;
    this.text = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  *parse(): Work<HeaderTable> {
    this.skipWhitespace();
    if (this.peek() !== LBRACE) yield* this.notAnObject();
    yield* this.topObject();
    this.skipWhitespace();
    if (this.pos < this.end) throw this.syntax('unexpected text after the header object');
    this.table.shapeStarts.push(this.table.dims.length);
    return this.table;
  }

  // ---- the schema: {"__metadata__": {...}, name: {dtype, shape, data_offsets}, ...} ----

  private *notAnObject(): Work<never> {
    const kind = this.kind();
    yield* this.skipValue(1, undefined);
    this.skipWhitespace();
    if (this.pos < this.end) throw this.syntax('unexpected text after the header value');
    throw fail(this.source, `the header must be a JSON object but is ${kind === 'object' ? 'an object' : kind}`);
  }

  private *topObject(): Work<void> {
    this.pos++;
    const keys = this.keysAt(1);
    if (this.emptyObject()) return;
    do {
      yield* this.pausePoint();
      this.key();
      const isMetadata = this.keyIs(METADATA_BYTES, '__metadata__');
      if (!this.addKey(keys)) {
        const key = this.stringValue();
        throw fail(this.source, `duplicate key ${JSON.stringify(clip(key))} in the header`, isMetadata ? undefined : key);
      }
      if (isMetadata) {
        this.colon();
        yield* this.metadata();
      } else {
        const name = this.tensorName();
        this.colon();
        yield* this.tensorInfo(name);
      }
    } while (!this.endOfMember(RBRACE));
  }

  private tensorName(): string {
    const name = this.stringValue();
    // JSON allows "\ud800"; serde_json (and our encoder) refuse a lone surrogate in a name
    if (this.strUnicodeEscape && !isWellFormed(name)) throw fail(this.source, `the name ${JSON.stringify(clip(name))} is not valid Unicode (lone surrogate)`);
    return name;
  }

  private *metadata(): Work<void> {
    if (this.peek() === 0x6e) {
      this.scalar();
      return; // "__metadata__": null is no metadata
    }
    if (this.peek() !== LBRACE) throw fail(this.source, `__metadata__ must be an object of strings but is ${this.kind()}`);
    this.pos++;
    const keys = this.keysAt(2);
    const metadata: Record<string, string> = {};
    this.table.metadata = metadata;
    if (this.emptyObject()) return;
    let count = 0;
    do {
      yield* this.pausePoint();
      if (++count > MAX_METADATA_ENTRIES) {
        throw fail(this.source, `__metadata__ has more than ${MAX_METADATA_ENTRIES} entries; tensornode reads at most ${MAX_METADATA_ENTRIES} (metadata is meant for a few strings)`);
      }
      this.key();
      const key = this.stringValue();
      const keyWellFormed = !this.strUnicodeEscape || isWellFormed(key);
      if (!this.addKey(keys)) throw fail(this.source, `duplicate key ${JSON.stringify(clip(key))} in __metadata__`);
      this.colon();
      if (this.peek() !== QUOTE) throw fail(this.source, `__metadata__ value for ${JSON.stringify(clip(key))} must be a string but is ${this.kind()}`);
      this.scanString();
      const value = this.stringValue();
      if (!keyWellFormed || (this.strUnicodeEscape && !isWellFormed(value))) {
        throw fail(this.source, `__metadata__ entry ${JSON.stringify(clip(key))} is not valid Unicode (lone surrogate)`);
      }
      setOwn(metadata, key, value);
    } while (!this.endOfMember(RBRACE));
  }

  private *tensorInfo(name: string): Work<void> {
    if (this.peek() !== LBRACE) throw fail(this.source, `expected an object {dtype, shape, data_offsets} but found ${this.kind()}`, name);
    this.pos++;
    const keys = this.keysAt(2);
    const t = this.table;
    const shapeStart = t.dims.length;
    let dtype = -1, begin = -1, end = -1;
    let seen = 0;
    if (!this.emptyObject()) {
      do {
        this.key();
        if (!this.addKey(keys)) throw fail(this.source, `duplicate field ${JSON.stringify(clip(this.stringValue()))}`, name);
        const field = this.fieldIndex();
        this.colon();
        if (field === 0) dtype = this.dtypeValue(name);
        else if (field === 1) this.shapeValue(name);
        else if (field === 2) [begin, end] = this.offsetsValue(name);
        else yield* this.skipValue(3, name); // other fields are ignored, as serde does
        if (field >= 0) seen |= 1 << field;
      } while (!this.endOfMember(RBRACE));
    }
    for (let f = 0; f < 3; f++) if (!(seen & (1 << f))) throw fail(this.source, `missing field "${FIELD_NAMES[f]}"`, name);
    t.names.push(name);
    t.dtypes.push(dtype);
    t.begins.push(begin);
    t.ends.push(end);
    t.shapeStarts.push(shapeStart);
  }

  private fieldIndex(): number {
    for (let f = 0; f < 3; f++) if (this.keyIs(FIELD_BYTES[f], FIELD_NAMES[f])) return f;
    return -1;
  }

  // The three fields are parsed without pause points (one small value each); what does not fit
  // the schema is read to its end, for the message, without pauses too: an error follows.

  private dtypeValue(name: string): number {
    if (this.peek() !== QUOTE) {
      const from = this.pos;
      this.skipValueNow(3, name);
      throw fail(this.source, `dtype must be a string but is ${this.rawText(from)}`, name);
    }
    this.scanString();
    const dtype = this.stringValue();
    const rank = DTYPE_RANK.get(dtype);
    if (rank === undefined) throw fail(this.source, `unknown dtype ${JSON.stringify(clip(dtype))}`, name);
    return rank;
  }

  /** The shape's dimensions, appended to table.dims. */
  private shapeValue(name: string): void {
    const from = this.pos;
    if (this.integerArray(name, this.table.dims) < 0) {
      throw fail(this.source, `shape must be an array of non-negative integers but is ${this.rawText(from)}`, name);
    }
  }

  private offsetsValue(name: string): [number, number] {
    const from = this.pos;
    const offsets = this.offsets;
    offsets.length = 0;
    if (this.integerArray(name, offsets) !== 2) {
      throw fail(this.source, `data_offsets must be two non-negative integers [begin, end] but is ${this.rawText(from)}`, name);
    }
    const [begin, end] = offsets;
    if (end < begin) throw fail(this.source, `data_offsets [${begin}, ${end}] end before they begin`, name);
    return [begin, end];
  }

  /**
   * An array of integers in [0, 2^53 - 1] written as plain integers, appended to `out`; returns
   * how many, or -1 (after reading the whole value) when the value is anything else. An integral
   * number written with a fraction or exponent throws: safetensors reads these as unsigned
   * integers and refuses "4.0", which JavaScript would silently take as 4.
   */
  private integerArray(name: string, out: number[]): number {
    if (this.peek() !== LBRACKET) {
      this.skipValueNow(3, name);
      return -1;
    }
    this.pos++;
    this.skipWhitespace();
    if (this.peek() === RBRACKET) {
      this.pos++;
      return 0;
    }
    let count = 0;
    do {
      const c = this.peek();
      if (c === MINUS || isDigit(c)) {
        this.scanNumber();
        const v = this.numberValue();
        const integral = Number.isSafeInteger(v) && v >= 0;
        if (integral && !this.numPlain) {
          const literal = clip(this.text.toString('latin1', this.numStart, this.numEnd));
          throw fail(this.source, `the number ${literal} is not an integer; shapes and offsets must be written as integers`, name);
        }
        if (integral && count >= 0) {
          out.push(v === 0 ? 0 : v); // -0 is 0
          count++;
        } else {
          count = -1;
        }
      } else {
        this.skipValueNow(4, name);
        count = -1;
      }
    } while (!this.endOfMember(RBRACKET));
    return count;
  }

  private skipValueNow(depth: number, owner: string | undefined): void {
    runSync(this.skipValue(depth, owner));
  }

  // ---- any JSON value (ignored fields, or a header that is not an object) ----

  private *skipValue(depth: number, owner: string | undefined): Work<void> {
    const c = this.peek();
    if (c === LBRACE || c === LBRACKET) yield* this.skipContainer(depth, owner);
    else if (c === QUOTE) this.scanString();
    else this.scalar();
  }

  private *skipContainer(depth: number, owner: string | undefined): Work<void> {
    if (depth > MAX_JSON_DEPTH) throw fail(this.source, `the header JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
    const isObject = this.peek() === LBRACE;
    const close = isObject ? RBRACE : RBRACKET;
    this.pos++;
    this.skipWhitespace();
    if (this.peek() === close) {
      this.pos++;
      return;
    }
    const keys = isObject ? this.keysAt(depth) : null;
    do {
      yield* this.pausePoint();
      if (keys !== null) {
        this.key();
        if (!this.addKey(keys)) {
          const key = JSON.stringify(clip(this.stringValue()));
          throw owner === undefined ? fail(this.source, `duplicate key ${key} in the header`) : fail(this.source, `duplicate field ${key}`, owner);
        }
        this.colon();
      }
      const c = this.peek();
      if (c === LBRACE || c === LBRACKET) yield* this.skipContainer(depth + 1, owner);
      else if (c === QUOTE) this.scanString();
      else this.scalar();
    } while (!this.endOfMember(close));
  }

  // ---- tokens ----

  private *pausePoint(): Work<void> {
    if (this.pos >= this.pauseAt) {
      this.pauseAt = this.pos + SLICE_BYTES;
      yield;
    }
  }

  private peek(): number {
    return this.pos < this.end ? this.b[this.pos] : -1;
  }

  private skipWhitespace(): void {
    const b = this.b;
    let p = this.pos;
    while (p < this.end) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  /** After `{`: true (and past the `}`) when the object is empty. */
  private emptyObject(): boolean {
    this.skipWhitespace();
    if (this.peek() !== RBRACE) return false;
    this.pos++;
    return true;
  }

  /** After a member: true (and past `close`) at the end of the container, false after a comma. */
  private endOfMember(close: number): boolean {
    this.skipWhitespace();
    const c = this.peek();
    this.pos++;
    if (c === COMMA) {
      this.skipWhitespace();
      return false;
    }
    if (c === close) return true;
    this.pos--;
    throw this.syntax(`expected ',' or '${String.fromCharCode(close)}'`);
  }

  private key(): void {
    if (this.peek() !== QUOTE) throw this.syntax('expected a string key');
    this.scanString();
  }

  private colon(): void {
    this.skipWhitespace();
    if (this.peek() !== COLON) throw this.syntax("expected ':'");
    this.pos++;
    this.skipWhitespace();
  }

  private keysAt(depth: number): KeySet {
    let set = this.keySets[depth];
    if (set === undefined) this.keySets[depth] = set = new KeySet(this.b);
    else set.reset();
    return set;
  }

  /** Adds the string scanned last to `keys`; false when it is a duplicate. */
  private addKey(keys: KeySet): boolean {
    if (!this.strEscaped) return keys.addRange(this.strStart, this.strEnd);
    const s = this.stringValue();
    // a lone surrogate has no UTF-8 form: give such keys bytes no UTF-8 string has (0xff)
    return keys.addBytes(isWellFormed(s) ? utf8.encode(s) : Buffer.concat([Buffer.from([0xff]), Buffer.from(s, 'utf16le')]));
  }

  /** Whether the string scanned last is `word` (given also as its UTF-8 bytes). */
  private keyIs(bytes: Uint8Array, word: string): boolean {
    if (this.strEscaped) return this.stringValue() === word;
    const len = this.strEnd - this.strStart;
    if (len !== bytes.length) return false;
    for (let i = 0; i < len; i++) if (this.b[this.strStart + i] !== bytes[i]) return false;
    return true;
  }

  /** Scans a string from its opening quote; leaves its bounds in strStart/strEnd. */
  private scanString(): void {
    const b = this.b;
    const end = this.end;
    let p = this.pos + 1;
    this.strStart = p;
    this.strEscaped = false;
    this.strUnicodeEscape = false;
    for (;;) {
      if (p >= end) {
        this.pos = p;
        throw this.syntax('unterminated string');
      }
      const c = b[p];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        this.strEscaped = true;
        const e = p + 1 < end ? b[p + 1] : -1;
        if (e === 0x75 /* u */) {
          for (let k = 2; k < 6; k++) {
            if (p + k >= end || hexValue(b[p + k]) < 0) {
              this.pos = p;
              throw this.syntax('invalid \\u escape');
            }
          }
          this.strUnicodeEscape = true;
          p += 6;
        } else if (ESCAPES[e] !== undefined) {
          p += 2;
        } else {
          this.pos = p;
          throw this.syntax('invalid escape in a string');
        }
      } else if (c < 0x20) {
        this.pos = p;
        throw this.syntax('control character in a string');
      } else {
        p++;
      }
    }
    this.strEnd = p;
    this.pos = p + 1;
  }

  /** The string scanned last, escapes decoded (the bytes are valid UTF-8: checked up front). */
  private stringValue(): string {
    if (!this.strEscaped) return this.text.toString('utf8', this.strStart, this.strEnd);
    const b = this.b;
    let out = '';
    let run = this.strStart;
    for (let p = this.strStart; p < this.strEnd; ) {
      if (b[p] !== BACKSLASH) {
        p++;
        continue;
      }
      if (p > run) out += this.text.toString('utf8', run, p);
      const e = b[p + 1];
      if (e === 0x75) {
        out += String.fromCharCode((hexValue(b[p + 2]) << 12) | (hexValue(b[p + 3]) << 8) | (hexValue(b[p + 4]) << 4) | hexValue(b[p + 5]));
        p += 6;
      } else {
        out += ESCAPES[e];
        p += 2;
      }
      run = p;
    }
    if (this.strEnd > run) out += this.text.toString('utf8', run, this.strEnd);
    return out;
  }

  /** A number, true, false or null. */
  private scalar(): void {
    const c = this.peek();
    if (c === MINUS || isDigit(c)) return this.scanNumber();
    for (const word of ['true', 'false', 'null']) {
      if (c === word.charCodeAt(0)) {
        for (let k = 0; k < word.length; k++) {
          if (this.pos + k >= this.end || this.b[this.pos + k] !== word.charCodeAt(k)) throw this.syntax('invalid literal');
        }
        this.pos += word.length;
        return;
      }
    }
    throw this.syntax(c < 0 ? 'expected a value' : 'unexpected character');
  }

  /** Scans a JSON number; leaves its bounds in numStart/numEnd and whether it is a plain integer. */
  private scanNumber(): void {
    const b = this.b;
    const end = this.end;
    let p = this.pos;
    this.numStart = p;
    this.numPlain = true;
    if (b[p] === MINUS) p++;
    if (p < end && b[p] === ZERO) p++;
    else if (p < end && isDigit(b[p])) while (p < end && isDigit(b[p])) p++;
    else return this.badNumber(p);
    if (p < end && b[p] === DOT) {
      this.numPlain = false;
      p++;
      if (!(p < end && isDigit(b[p]))) return this.badNumber(p);
      while (p < end && isDigit(b[p])) p++;
    }
    if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
      this.numPlain = false;
      p++;
      if (p < end && (b[p] === PLUS || b[p] === MINUS)) p++;
      if (!(p < end && isDigit(b[p]))) return this.badNumber(p);
      while (p < end && isDigit(b[p])) p++;
    }
    this.numEnd = p;
    this.pos = p;
  }

  private badNumber(p: number): never {
    this.pos = p;
    throw this.syntax('invalid number');
  }

  private numberValue(): number {
    const len = this.numEnd - this.numStart;
    if (this.numPlain && len <= 15) {
      const neg = this.b[this.numStart] === MINUS;
      let v = 0;
      for (let p = this.numStart + (neg ? 1 : 0); p < this.numEnd; p++) v = v * 10 + (this.b[p] - ZERO);
      return neg ? -v : v;
    }
    return Number(this.text.toString('latin1', this.numStart, this.numEnd));
  }

  /** What the value at the cursor is, in the words of the error messages. */
  private kind(): string {
    const c = this.peek();
    if (c === LBRACE) return 'object';
    if (c === LBRACKET) return 'an array';
    if (c === QUOTE) return 'string';
    if (c === 0x6e) return 'null';
    if (c === 0x74 || c === 0x66) return 'boolean';
    if (c === MINUS || isDigit(c)) return 'number';
    throw this.syntax(c < 0 ? 'expected a value' : 'unexpected character');
  }

  /** The header text from `from` to the cursor, for a message. */
  private rawText(from: number): string {
    return clip(this.text.toString('utf8', from, Math.min(this.pos, from + 400)));
  }

  private syntax(what: string): Error {
    const where = this.pos >= this.end ? 'at the end of the header' : `at byte ${this.pos - this.start} of the header`;
    return fail(this.source, `the header is not valid JSON (${what} ${where})`);
  }
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
