/**
 * RFC 4180 records over bytes, one at a time, for the IEEE registries (oui.ts: 46,000 rows in 4 MB): quoted
 * fields may hold commas, doubled quotes and line breaks (the registry's addresses do). Each field is kept as
 * [start, end) byte offsets and whether it had doubled quotes to undo, so a record costs no string and no
 * array, and the file does not live on inside sliced strings; a string is made only for a field asked for.
 */
const QUOTE = 0x22, COMMA = 0x2c, CR = 0x0d, LF = 0x0a;

/** A cursor over the records of CSV bytes (see the module comment). */
export class CsvCursor {
  /** Fields of the current record. */
  count = 0;
  start = new Int32Array(16);
  end = new Int32Array(16);
  escaped = new Uint8Array(16);
  readonly #b: Uint8Array;
  #i = 0;

  /** Records from byte `at` on (0: the first). */
  constructor(bytes: Uint8Array, at = 0) {
    this.#b = bytes;
    this.#i = at;
  }

  /** Moves to the next record; false at the end of the bytes. */
  next(): boolean {
    const b = this.#b, n = b.length;
    let i = this.#i;
    if (i >= n) return false;
    this.count = 0;
    for (;;) {
      let start = i, end: number, escaped = 0;
      if (b[i] === QUOTE) {
        start = ++i;
        while (i < n) {
          if (b[i] === QUOTE) {
            if (b[i + 1] === QUOTE) {
              escaped = 1;
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
        end = i;
        i++; // the closing quote (or past the end of an unterminated field)
        while (i < n && b[i] !== COMMA && b[i] !== CR && b[i] !== LF) i++; // junk after the quote
      } else {
        while (i < n && b[i] !== COMMA && b[i] !== CR && b[i] !== LF) i++;
        end = i;
      }
      this.#push(start, Math.min(end, n), escaped);
      if (i < n && b[i] === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (b[i] === CR) i++;
    if (b[i] === LF) i++;
    this.#i = i;
    return true;
  }

  /** Whether field `f` is exactly `text` (a field with doubled quotes never is: `text` has none). */
  equals(f: number, text: Uint8Array): boolean {
    const s = this.start[f];
    if (this.escaped[f] === 1 || this.end[f] - s !== text.length) return false;
    for (let k = 0; k < text.length; k++) if (this.#b[s + k] !== text[k]) return false;
    return true;
  }

  /** Field `f` as a number when it is exactly `digits` hexadecimal digits, else -1. */
  hex(f: number, digits: number): number {
    const s = this.start[f];
    if (this.escaped[f] === 1 || this.end[f] - s !== digits) return -1;
    let v = 0;
    for (let k = s; k < s + digits; k++) {
      const c = this.#b[k] | 0x20; // lower case for letters; digits keep their value
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (d < 0) return -1;
      v = v * 16 + d; // 36 bits: past int32, so no shifts
    }
    return v;
  }

  /** Field `f` as text, doubled quotes undone. */
  text(f: number, decoder: TextDecoder): string {
    const b = this.#b, s = this.start[f], e = this.end[f];
    let ascii = true;
    for (let k = s; k < e && ascii; k++) ascii = b[k] < 0x80;
    const text = ascii
      ? String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[])
      : decoder.decode(b.subarray(s, e));
    return this.escaped[f] === 1 ? text.replaceAll('""', '"') : text;
  }

  #push(start: number, end: number, escaped: number): void {
    if (this.count === this.start.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
        const g = new make(a.length * 2);
        g.set(a);
        return g;
      };
      this.start = grow(this.start, Int32Array);
      this.end = grow(this.end, Int32Array);
      this.escaped = grow(this.escaped, Uint8Array);
    }
    const k = this.count++;
    this.start[k] = start;
    this.end[k] = end;
    this.escaped[k] = escaped;
  }
}
