/**
 * The frame tap's ring: copies of raw frames in one SharedArrayBuffer, written by the capture Worker and
 * read by the recorder on the main thread. Unlike BatchRing the writer never waits: when the ring is full
 * it overwrites the oldest records, so the ring always holds the latest frames (the seconds before a
 * trigger). The writer moves TAIL past what it is about to overwrite before writing there, so a reader
 * that copied a record and still finds TAIL at or before it knows the copy is whole.
 *
 * Positions count 8-octet units and wrap as int32; the data area is a power of two octets, so a position
 * maps to one offset whatever the lap. A record is a 32-octet header — total length, subject mask,
 * pcap timestamp (seconds, microseconds), captured and original length, link type — and the captured
 * octets, padded to 8. A record never wraps: the end of the area is filled by a padding word.
 */

/** Control words: HEAD and TAIL positions, the subjects generation the writer applied, and HEAD then. */
const HEAD = 0, TAIL = 1, GEN = 2, GEN_HEAD = 3;
const CONTROL_BYTES = 64;
/** Octets of a record header. */
export const TAP_RECORD_HEADER = 32;
/** `wanted` of TapRingReader.read() for every record, matched or not (the look back before a trigger). */
export const ALL_RECORDS = -1;
/** Set in a length word that pads the end of the area (the next record is at offset 0). */
const PAD = 0x80000000;

/** What both sides need to attach to the same ring (structured-clonable). */
export interface TapRingShape {
  /** Control words, then the data area. */
  sab: SharedArrayBuffer;
}

/** The largest power of two ≤ `mb` MiB, in octets (at least 1 MiB). */
export function tapRingBytes(mb: number): number {
  let bytes = 1 << 20;
  while (bytes * 2 <= mb * 1048576 && bytes < 1 << 30) bytes *= 2;
  return bytes;
}

/** A new ring whose data area is `bytes` octets (a power of two). */
export function createTapRing(bytes: number): TapRingShape {
  return { sab: new SharedArrayBuffer(CONTROL_BYTES + bytes) };
}

/** The writer (the capture Worker's side). */
export class TapRingWriter {
  #ctl: Int32Array;
  #u8: Uint8Array;
  #u32: Uint32Array;
  #bytes: number;
  #units: number;
  #head: number;
  #tail: number;

  constructor(shape: TapRingShape) {
    this.#ctl = new Int32Array(shape.sab, 0, CONTROL_BYTES / 4);
    this.#bytes = shape.sab.byteLength - CONTROL_BYTES;
    this.#units = this.#bytes / 8;
    this.#u8 = new Uint8Array(shape.sab, CONTROL_BYTES);
    this.#u32 = new Uint32Array(shape.sab, CONTROL_BYTES);
    this.#head = Atomics.load(this.#ctl, HEAD);
    this.#tail = Atomics.load(this.#ctl, TAIL);
  }

  /** Says which subjects generation is in force from now on (and where the ring was then). */
  applied(generation: number): void {
    Atomics.store(this.#ctl, GEN_HEAD, this.#head);
    Atomics.store(this.#ctl, GEN, generation);
  }

  /** Copies one frame with its header; nothing allocated. Frames longer than an eighth of the ring are left out. */
  write(
    b: Uint8Array,
    off: number,
    capLen: number,
    wireLen: number,
    tsMs: number,
    linkType: number,
    mask: number,
  ): void {
    const len = (TAP_RECORD_HEADER + capLen + 7) & ~7;
    if (len > this.#bytes / 8) return;
    let o = (this.#head & (this.#units - 1)) * 8;
    if (o + len > this.#bytes) {
      const pad = this.#bytes - o;
      this.#reserve(pad);
      this.#u32[o >> 2] = (PAD | pad) >>> 0;
      this.#head = (this.#head + pad / 8) | 0;
      o = 0;
    }
    this.#reserve(len);
    const u32 = this.#u32, w = o >> 2;
    // The capture clock in ms (TPACKET's ns, as a double): whole seconds, and µs as libpcap writes them.
    let sec = Math.floor(tsMs / 1000);
    let usec = Math.round((tsMs - sec * 1000) * 1000);
    if (usec >= 1_000_000) {
      sec++;
      usec -= 1_000_000;
    }
    u32[w] = len;
    u32[w + 1] = mask;
    u32[w + 2] = sec;
    u32[w + 3] = usec;
    u32[w + 4] = capLen;
    u32[w + 5] = wireLen;
    u32[w + 6] = linkType;
    u32[w + 7] = 0;
    const u8 = this.#u8, d = o + TAP_RECORD_HEADER;
    for (let i = 0; i < capLen; i++) u8[d + i] = b[off + i];
    this.#head = (this.#head + len / 8) | 0;
    Atomics.store(this.#ctl, HEAD, this.#head);
  }

  /** Moves TAIL past the records the next `len` octets overwrite, and says so before they are written. */
  #reserve(len: number): void {
    const need = len / 8, units = this.#units;
    let tail = this.#tail;
    if (((this.#head + need - tail) | 0) <= units) return;
    while (((this.#head + need - tail) | 0) > units) {
      const word = this.#u32[(tail & (units - 1)) * 2];
      const step = (word & ~PAD) >>> 0;
      tail = (tail + (step === 0 ? 1 : step / 8)) | 0;
    }
    this.#tail = tail;
    Atomics.store(this.#ctl, TAIL, tail);
  }
}

/** One record as the reader hands it over: valid only during the callback. */
export interface TapRecord {
  /** The ring's data (header and frame). */
  readonly bytes: Uint8Array;
  /** Where the frame's octets start in `bytes`. */
  at: number;
  /** Subjects mask the writer set. */
  mask: number;
  /** pcap timestamp: seconds. */
  sec: number;
  /** pcap timestamp: microseconds. */
  usec: number;
  /** Captured octets. */
  capLen: number;
  /** Octets on the wire. */
  wireLen: number;
  /** LinkType of the frame. */
  linkType: number;
  /** The record's position (to compare with generationHead()). */
  pos: number;
}

/** The reader (the main thread's side). Copies each record aside before handing it on. */
export class TapRingReader {
  #ctl: Int32Array;
  #u32: Uint32Array;
  #units: number;
  #scratch = new Uint8Array(0);
  #scratch32 = new Uint32Array(0);
  #rec: TapRecord = {
    bytes: new Uint8Array(0),
    at: TAP_RECORD_HEADER,
    mask: 0,
    sec: 0,
    usec: 0,
    capLen: 0,
    wireLen: 0,
    linkType: 0,
    pos: 0,
  };
  /** Times the reader was overtaken: records it had not read yet were overwritten. */
  overruns = 0;

  constructor(shape: TapRingShape) {
    this.#ctl = new Int32Array(shape.sab, 0, CONTROL_BYTES / 4);
    const bytes = shape.sab.byteLength - CONTROL_BYTES;
    this.#units = bytes / 8;
    this.#u32 = new Uint32Array(shape.sab, CONTROL_BYTES);
  }

  /** The writer's position now. */
  head(): number {
    return Atomics.load(this.#ctl, HEAD);
  }

  /** The oldest record still whole. */
  tail(): number {
    return Atomics.load(this.#ctl, TAIL);
  }

  /** The subjects generation the writer applied last, and its position then. */
  generation(): { generation: number; head: number } {
    return { generation: Atomics.load(this.#ctl, GEN), head: Atomics.load(this.#ctl, GEN_HEAD) };
  }

  /**
   * Hands `fn` every whole record from `from` up to `to` (positions) whose mask has a bit of `wanted`
   * (every record for ALL_RECORDS), and returns where it stopped (`to`). A position the
   * writer has overwritten already is skipped (counted in overruns).
   */
  read(from: number, to: number, wanted: number, fn: (r: TapRecord) => void): number {
    const units = this.#units, u32 = this.#u32;
    let pos = from;
    while (((to - pos) | 0) > 0) {
      if (((pos - this.tail()) | 0) < 0) {
        this.overruns++;
        pos = this.tail();
        continue;
      }
      const w = (pos & (units - 1)) * 2;
      const word = u32[w], mask = u32[w + 1];
      // The length just read is trusted only if the writer had not reached it yet.
      if (((pos - this.tail()) | 0) < 0) continue;
      const len = (word & ~PAD) >>> 0;
      if (len === 0 || (len & 7) !== 0 || len > units * 8) { // cannot be: resynchronise at the tail
        this.overruns++;
        pos = this.tail();
        if (((to - pos) | 0) <= 0) break;
        continue;
      }
      if ((word & PAD) !== 0) {
        pos = (pos + len / 8) | 0;
        continue;
      }
      if ((wanted === ALL_RECORDS || (mask & wanted) !== 0)) {
        if (this.#scratch.length < len) {
          this.#scratch = new Uint8Array(Math.max(len, 4096));
          this.#scratch32 = new Uint32Array(this.#scratch.buffer);
        }
        const s32 = this.#scratch32; // aligned words: no view made per record
        for (let i = 0, n = len >> 2; i < n; i++) s32[i] = u32[w + i];
        // Still whole? The writer moves TAIL past a record before overwriting it.
        if (((pos - this.tail()) | 0) >= 0) {
          const s = this.#scratch32, r = this.#rec as { -readonly [K in keyof TapRecord]: TapRecord[K] };
          r.bytes = this.#scratch;
          r.mask = s[1];
          r.sec = s[2];
          r.usec = s[3];
          r.capLen = s[4];
          r.wireLen = s[5];
          r.linkType = s[6];
          r.pos = pos;
          fn(r);
        }
      }
      pos = (pos + len / 8) | 0;
    }
    return pos;
  }
}
