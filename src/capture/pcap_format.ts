/**
 * Classic pcap record walking (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 *
 * A file is a 24-byte header followed by records of a 16-byte header and the captured bytes. The
 * walker is fed a buffer window at a time by `readCaptureFile()` and never allocates per record.
 */

import type { FrameSink } from "../decode/mod.ts";

/** Magic number of a microsecond pcap, as read in the file's own byte order (pcap draft §4). */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
/** Magic number of a nanosecond pcap, as read in the file's own byte order (pcap draft §4). */
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
/** Length of the file header (pcap draft §4). */
export const PCAP_FILE_HEADER_LEN = 24;
/** Length of a packet record header (pcap draft §5). */
export const PCAP_RECORD_HEADER_LEN = 16;

/**
 * Largest captured length accepted in a record: libpcap's MAXIMUM_SNAPLEN (pcap/pcap-int.h) and
 * Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD. Longer records are counted as bad and skipped.
 */
export const MAX_CAPLEN = 262144;
/**
 * Largest record or block the readers will buffer. Anything longer cannot be a packet and is read as
 * a corrupt length field: the walk stops there (counted as bad, reported as a truncated tail).
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** What the 24-byte header of a classic pcap says. */
export interface PcapHeader {
  /** True when the multi-byte fields are little-endian. */
  littleEndian: boolean;
  /** True for the 0xa1b23c4d magic: the fraction field holds nanoseconds. */
  nanos: boolean;
  /** The link type: the low 16 bits of the LinkType field (bits 28–31 and 26 describe an FCS). */
  linkType: number;
  /** The header's snapshot length (informational: MAX_CAPLEN bounds records instead). */
  snaplen: number;
}

/**
 * Reads a pcap file header from the first bytes of a file.
 * @returns the header, or null when the magic is not a classic pcap magic in either byte order
 *   (the caller checks there are at least 24 bytes)
 */
export function parsePcapHeader(dv: DataView): PcapHeader | null {
  for (const littleEndian of [true, false]) {
    const magic = dv.getUint32(0, littleEndian);
    if (magic === PCAP_MAGIC_MICROS || magic === PCAP_MAGIC_NANOS) {
      return {
        littleEndian,
        nanos: magic === PCAP_MAGIC_NANOS,
        // offset 20 "LinkType and additional information": FCS length in bits 28–31, F bit 26.
        linkType: dv.getUint32(20, littleEndian) & 0xffff,
        snaplen: dv.getUint32(16, littleEndian),
      };
    }
  }
  return null;
}

/** True when the first four bytes are a classic pcap magic in either byte order. */
export function isPcapMagic(dv: DataView): boolean {
  const le = dv.getUint32(0, true);
  const be = dv.getUint32(0, false);
  return le === PCAP_MAGIC_MICROS || le === PCAP_MAGIC_NANOS || be === PCAP_MAGIC_MICROS ||
    be === PCAP_MAGIC_NANOS;
}

/**
 * Walks the records of a classic pcap that follow the file header.
 *
 * Call `walk()` with each window of the file; it returns where the first incomplete record starts,
 * and `need` says how many bytes that record needs in all. The counters accumulate across calls.
 */
export class PcapWalker {
  /** Frames handed to the sink. */
  frames = 0;
  /** Sum of the wire lengths of those frames. */
  bytes = 0;
  /** Records rejected as malformed. */
  badRecords = 0;
  /** Bytes the record at the offset `walk()` returned needs in all (at least a record header). */
  need = PCAP_RECORD_HEADER_LEN;
  /** Set when a length field is beyond any sane record: nothing after it can be framed. */
  stopped = false;

  readonly #le: boolean;
  /** Divides the fraction field into milliseconds: 1e3 for µs, 1e6 for ns. */
  readonly #fracPerMs: number;
  readonly #linkType: number;

  constructor(header: PcapHeader) {
    this.#le = header.littleEndian;
    this.#fracPerMs = header.nanos ? 1e6 : 1e3;
    this.#linkType = header.linkType;
  }

  /**
   * Hands every complete record in buf[start, end) to the sink.
   * @param dv a DataView over buf's whole buffer (buf starts at offset 0 of it)
   * @returns the offset of the first byte not consumed
   */
  walk(buf: Uint8Array, dv: DataView, start: number, end: number, sink: FrameSink): number {
    const le = this.#le;
    const fracPerMs = this.#fracPerMs;
    const linkType = this.#linkType;
    let off = start;
    let frames = 0;
    let bytes = 0;
    let bad = 0;
    for (;;) {
      if (end - off < PCAP_RECORD_HEADER_LEN) {
        this.need = PCAP_RECORD_HEADER_LEN;
        break;
      }
      // Record header (pcap draft §5): ts seconds, ts µs/ns, captured length, original length.
      const capLen = dv.getUint32(off + 8, le);
      if (capLen > MAX_RECORD_BYTES) {
        bad++;
        this.stopped = true;
        break;
      }
      const next = off + PCAP_RECORD_HEADER_LEN + capLen;
      if (next > end) {
        this.need = PCAP_RECORD_HEADER_LEN + capLen;
        break;
      }
      if (capLen > MAX_CAPLEN) {
        bad++;
        off = next;
        continue;
      }
      const wireLen = dv.getUint32(off + 12, le);
      const tsMs = dv.getUint32(off, le) * 1000 + dv.getUint32(off + 4, le) / fracPerMs;
      sink.frame(buf, off + PCAP_RECORD_HEADER_LEN, capLen, wireLen, tsMs, linkType);
      frames++;
      bytes += wireLen;
      off = next;
    }
    this.frames += frames;
    this.bytes += bytes;
    this.badRecords += bad;
    return off;
  }
}
