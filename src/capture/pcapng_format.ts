/**
 * pcapng block walking (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
 *
 * A file is a sequence of sections; each starts with a Section Header Block that fixes the byte
 * order, followed by Interface Description Blocks and packet blocks that refer to them by index.
 * The walker is fed a buffer window at a time by `readCaptureFile()` and never allocates per packet.
 */

import type { FrameSink } from "../decode/mod.ts";
import { MAX_CAPLEN, MAX_RECORD_BYTES } from "./pcap_format.ts";

/** Section Header Block type; a palindrome, so it reads the same in either byte order (§4.1). */
export const BLOCK_SHB = 0x0a0d0d0a;
/** Interface Description Block (§4.2). */
export const BLOCK_IDB = 0x00000001;
/** Obsolete Packet Block (appendix A). */
export const BLOCK_PB = 0x00000002;
/** Simple Packet Block (§4.4). */
export const BLOCK_SPB = 0x00000003;
/** Enhanced Packet Block (§4.3). */
export const BLOCK_EPB = 0x00000006;
/** Byte-order magic of the SHB, as read in the section's own byte order (§4.1). */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** IDB option if_tsresol: one byte, 10^-v, or 2^-(v & 0x7f) when the top bit is set (§4.2). */
const OPT_IF_TSRESOL = 9;
/** IDB option if_tsoffset: signed 64-bit seconds added to every timestamp (§4.2). */
const OPT_IF_TSOFFSET = 14;
/** Smallest legal block: type, total length, trailing total length (§3.1). */
const MIN_BLOCK = 12;
/** Smallest SHB: block header, byte-order magic, version, section length, trailer (§4.1). */
const MIN_SHB = 28;

/**
 * Reads the byte order of the SHB at `off`: true for little-endian, false for big-endian, null when
 * the byte-order magic is neither (not a pcapng section). Needs 12 bytes at `off`.
 */
export function shbLittleEndian(dv: DataView, off: number): boolean | null {
  const magic = dv.getUint32(off + 8, true);
  if (magic === BYTE_ORDER_MAGIC) return true;
  if (dv.getUint32(off + 8, false) === BYTE_ORDER_MAGIC) return false;
  return null;
}

/** The SHB's major and minor version (needs 16 bytes at `off`). */
export function shbVersion(dv: DataView, off: number, le: boolean): { major: number; minor: number } {
  return { major: dv.getUint16(off + 12, le), minor: dv.getUint16(off + 14, le) };
}

/**
 * Walks pcapng blocks.
 *
 * Call `walk()` with each window of the file; it returns where the first incomplete block starts,
 * and `need` says how many bytes that block needs in all. The counters accumulate across calls.
 * Malformed packet blocks are counted in `badRecords` and skipped; a block whose length fields
 * cannot be trusted (not a multiple of 4, over MAX_RECORD_BYTES, trailer disagrees) ends the walk
 * (`stopped`), because nothing after it can be framed.
 */
export class PcapngWalker {
  /** Frames handed to the sink. */
  frames = 0;
  /** Sum of the wire lengths of those frames. */
  bytes = 0;
  /** Packet blocks rejected as malformed, plus the block that stopped the walk. */
  badRecords = 0;
  /** Blocks that carry no packet and are not SHB or IDB (NRB, ISB, DSB, custom, unknown). */
  skippedBlocks = 0;
  /** Bytes the block at the offset `walk()` returned needs in all (at least a block header). */
  need = MIN_BLOCK;
  /** Set when the framing is lost: nothing after the returned offset can be walked. */
  stopped = false;

  /** Byte order of the current section. */
  #le = true;
  /** Timestamp of the last EPB/PB, for SPBs, which carry none. */
  #lastTsMs = 0;
  // Interfaces of the current section, one entry per IDB; reset by each SHB.
  #ifCount = 0;
  readonly #ifLinkType: number[] = [];
  readonly #ifSnaplen: number[] = [];
  /** Timestamp units are divided by this, then multiplied by #ifTsMul, to get milliseconds. */
  readonly #ifTsDiv: number[] = [];
  readonly #ifTsMul: number[] = [];
  /** if_tsoffset in milliseconds. */
  readonly #ifTsOffsetMs: number[] = [];

  /**
   * Hands every packet in the complete blocks of buf[start, end) to the sink.
   * @param dv a DataView over buf's whole buffer (buf starts at offset 0 of it)
   * @returns the offset of the first byte not consumed
   */
  walk(buf: Uint8Array, dv: DataView, start: number, end: number, sink: FrameSink): number {
    let le = this.#le;
    let off = start;
    let frames = 0;
    let bytes = 0;
    let bad = 0;
    let skipped = 0;
    let lastTsMs = this.#lastTsMs;
    let ifCount = this.#ifCount;
    const ifLinkType = this.#ifLinkType;
    const ifTsDiv = this.#ifTsDiv;
    const ifTsMul = this.#ifTsMul;
    const ifTsOffsetMs = this.#ifTsOffsetMs;
    for (;;) {
      const avail = end - off;
      if (avail < MIN_BLOCK) {
        this.need = MIN_BLOCK;
        break;
      }
      const type = dv.getUint32(off, le);
      if (type === BLOCK_SHB) {
        const sectionLe = shbLittleEndian(dv, off);
        if (sectionLe === null) {
          bad++;
          this.stopped = true;
          break;
        }
        le = sectionLe;
      }
      const len = dv.getUint32(off + 4, le);
      if (len < MIN_BLOCK || (len & 3) !== 0 || len > MAX_RECORD_BYTES) {
        bad++;
        this.stopped = true;
        break;
      }
      if (len > avail) {
        this.need = len;
        break;
      }
      if (dv.getUint32(off + len - 4, le) !== len) {
        bad++;
        this.stopped = true;
        break;
      }
      if (type === BLOCK_EPB || type === BLOCK_PB) {
        // EPB: interface id u32, ts high, ts low, captured len, original len, data (§4.3).
        // PB: interface id u16 + drops u16, then the same fields (appendix A).
        const iface = type === BLOCK_EPB ? dv.getUint32(off + 8, le) : dv.getUint16(off + 8, le);
        const capLen = len >= 32 ? dv.getUint32(off + 20, le) : 0;
        if (len < 32 || iface >= ifCount || capLen > len - 32 || capLen > MAX_CAPLEN) {
          bad++;
        } else {
          const wireLen = dv.getUint32(off + 24, le);
          const units = dv.getUint32(off + 12, le) * 4294967296 + dv.getUint32(off + 16, le);
          lastTsMs = units / ifTsDiv[iface] * ifTsMul[iface] + ifTsOffsetMs[iface];
          sink.frame(buf, off + 28, capLen, wireLen, lastTsMs, ifLinkType[iface]);
          frames++;
          bytes += wireLen;
        }
      } else if (type === BLOCK_SPB) {
        // SPB: original len, data; always interface 0, no timestamp (§4.4).
        if (len < 16 || ifCount === 0) {
          bad++;
        } else {
          const wireLen = dv.getUint32(off + 8, le);
          const snaplen = this.#ifSnaplen[0];
          let capLen = len - 16;
          if (wireLen < capLen) capLen = wireLen;
          if (snaplen !== 0 && snaplen < capLen) capLen = snaplen;
          if (capLen > MAX_CAPLEN) {
            bad++;
          } else {
            sink.frame(buf, off + 12, capLen, wireLen, lastTsMs, ifLinkType[0]);
            frames++;
            bytes += wireLen;
          }
        }
      } else if (type === BLOCK_IDB) {
        if (len < 20) bad++;
        else ifCount = this.#addInterface(dv, off, len, le);
      } else if (type === BLOCK_SHB) {
        if (len < MIN_SHB || dv.getUint16(off + 12, le) !== 1) {
          // A section of an unknown major version cannot be read (§4.1): stop rather than guess.
          bad++;
          this.stopped = true;
          break;
        }
        ifCount = this.#ifCount = 0;
      } else {
        skipped++;
      }
      off += len;
    }
    this.#le = le;
    this.#lastTsMs = lastTsMs;
    this.frames += frames;
    this.bytes += bytes;
    this.badRecords += bad;
    this.skippedBlocks += skipped;
    return off;
  }

  /**
   * Records an IDB: link type, snaplen, if_tsresol and if_tsoffset (§4.2). Once per IDB, not hot.
   * @returns the number of interfaces now known
   */
  #addInterface(dv: DataView, off: number, len: number, le: boolean): number {
    const i = this.#ifCount++;
    this.#ifLinkType[i] = dv.getUint16(off + 8, le);
    this.#ifSnaplen[i] = dv.getUint32(off + 12, le);
    let tsresol = 6;
    let tsOffsetSec = 0;
    // Options: code u16, length u16, value padded to 32 bits; opt_endofopt (0) ends the list (§3.5).
    const optEnd = off + len - 4;
    let p = off + 16;
    while (p + 4 <= optEnd) {
      const code = dv.getUint16(p, le);
      const optLen = dv.getUint16(p + 2, le);
      if (code === 0 || p + 4 + optLen > optEnd) break;
      if (code === OPT_IF_TSRESOL && optLen >= 1) tsresol = dv.getUint8(p + 4);
      if (code === OPT_IF_TSOFFSET && optLen >= 8) {
        tsOffsetSec = dv.getInt32(p + 4 + (le ? 4 : 0), le) * 4294967296 +
          dv.getUint32(p + 4 + (le ? 0 : 4), le);
      }
      p += 4 + ((optLen + 3) & ~3);
    }
    // Units per second U; milliseconds = units / div * mul, chosen so the common resolutions
    // (10^-3 … 10^-9, 2^-k) take one exact scaling and at most one rounding.
    if ((tsresol & 0x80) !== 0) {
      this.#ifTsDiv[i] = 2 ** (tsresol & 0x7f);
      this.#ifTsMul[i] = 1000;
    } else if (tsresol >= 3) {
      this.#ifTsDiv[i] = 10 ** (tsresol - 3);
      this.#ifTsMul[i] = 1;
    } else {
      this.#ifTsDiv[i] = 1;
      this.#ifTsMul[i] = 10 ** (3 - tsresol);
    }
    this.#ifTsOffsetMs[i] = tsOffsetSec * 1000;
    return this.#ifCount;
  }
}
