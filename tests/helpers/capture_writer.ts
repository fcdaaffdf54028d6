/**
 * Writes classic pcap and pcapng bytes from a list of frames, for tests that need a capture file
 * whose every byte they know.
 *
 * Timestamps are given in milliseconds since the epoch (a float; the fraction carries µs/ns) and are
 * rounded to the nearest unit of the file's resolution. Pick values that are exact in that resolution
 * (e.g. whole microseconds for µs files) when a test compares them back.
 *
 * Specs: pcap https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html,
 * pcapng https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html.
 *
 * @example
 * const bytes = writePcap([{ data: frame, tsMs: 1_700_000_000_123.456 }], { nanos: true });
 * await Deno.writeFile(path, bytes);
 */

/** One frame to write. */
export interface CaptureFrame {
  /** The captured bytes (the record's captured length is data.length). */
  data: Uint8Array;
  /** Capture time in ms since the epoch. @default 0 */
  tsMs?: number;
  /** Original length on the wire. @default data.length */
  wireLen?: number;
}

/** Options of writePcap(). */
export interface PcapWriteOptions {
  /** Write every multi-byte field big-endian. @default false */
  bigEndian?: boolean;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds (0xa1b2c3d4). @default false */
  nanos?: boolean;
  /** The header's LinkType field, written as is (so FCS bits 26–31 may be set by the caller). @default 1 */
  linkType?: number;
  /** The header's snapshot length. @default 262144 */
  snaplen?: number;
}

/** Writes a classic pcap file. */
export function writePcap(frames: CaptureFrame[], opts: PcapWriteOptions = {}): Uint8Array {
  const le = !opts.bigEndian;
  const unitsPerSec = opts.nanos ? 1e9 : 1e6;
  const size = 24 + frames.reduce((n, f) => n + 16 + f.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le); // magic: resolution and byte order
  dv.setUint16(4, 2, le); // major version
  dv.setUint16(6, 4, le); // minor version
  dv.setUint32(8, 0, le); // reserved1 (was thiszone)
  dv.setUint32(12, 0, le); // reserved2 (was sigfigs)
  dv.setUint32(16, opts.snaplen ?? 262144, le); // snapshot length
  dv.setUint32(20, opts.linkType ?? 1, le); // LinkType (low 16 bits) + FCS information (high bits)
  let off = 24;
  for (const f of frames) {
    const [sec, frac] = splitTime(f.tsMs ?? 0, unitsPerSec);
    dv.setUint32(off, sec, le); // timestamp, seconds
    dv.setUint32(off + 4, frac, le); // timestamp, µs or ns within the second
    dv.setUint32(off + 8, f.data.length, le); // captured packet length
    dv.setUint32(off + 12, f.wireLen ?? f.data.length, le); // original packet length
    out.set(f.data, off + 16); // packet data
    off += 16 + f.data.length;
  }
  return out;
}

/** An Interface Description Block; interfaces are numbered from 0 in the order of their IDBs. */
export interface PcapngIdb {
  type: "idb";
  /** LinkType of the interface (16 bits). */
  linkType: number;
  /** SnapLen; 0 means no limit. @default 0 */
  snaplen?: number;
  /**
   * Raw if_tsresol byte: 10^-v, or 2^-(v & 0x7f) with the top bit set (0x94 = 2^-20).
   * Omitted: no option written, and readers use the default 10^-6.
   */
  tsresol?: number;
  /** if_tsoffset in whole seconds, added by readers to every timestamp. Omitted: no option. */
  tsoffsetSec?: number;
  /** if_name option (code 2), to make the file look like a real capture. */
  name?: string;
}

/** An Enhanced Packet Block. */
export interface PcapngEpb extends CaptureFrame {
  type: "epb";
  /** Interface id (index of the IDB in the section). @default 0 */
  iface?: number;
  /** Write an opt_comment option after the data, to check that readers skip options. */
  comment?: string;
}

/** A Simple Packet Block: interface 0, no timestamp. Its captured bytes are data (padded to 32 bits). */
export interface PcapngSpb {
  type: "spb";
  data: Uint8Array;
  /** Original length. @default data.length */
  wireLen?: number;
}

/** The obsolete Packet Block (type 2), same as an EPB but with a 16-bit interface id and a drops count. */
export interface PcapngPb extends CaptureFrame {
  type: "pb";
  /** Interface id. @default 0 */
  iface?: number;
}

/** Any other block, written verbatim: NRB (4), ISB (5), custom (0x0BAD), an unknown type. */
export interface PcapngOtherBlock {
  type: "other";
  /** Block type code. */
  blockType: number;
  /** Block body (padded with zeros to 32 bits). */
  body: Uint8Array;
}

/** A block of a pcapng section. */
export type PcapngBlock = PcapngIdb | PcapngEpb | PcapngSpb | PcapngPb | PcapngOtherBlock;

/** A section: one SHB followed by its blocks. */
export interface PcapngSection {
  /** Write the section big-endian (its SHB, too). @default false */
  bigEndian?: boolean;
  /** The blocks after the SHB, in file order; IDBs may come anywhere before the packets that use them. */
  blocks: PcapngBlock[];
}

/** Writes a pcapng file of one or more sections. */
export function writePcapng(sections: PcapngSection[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const section of sections) {
    const le = !section.bigEndian;
    // Timestamp resolution of each interface, to encode EPB times.
    const unitsPerSec: number[] = [];
    const offsetSec: number[] = [];
    const shb = new DataView(new ArrayBuffer(16));
    shb.setUint32(0, 0x1a2b3c4d, le); // byte-order magic
    shb.setUint16(4, 1, le); // major version
    shb.setUint16(6, 0, le); // minor version
    shb.setInt32(8, -1, le); // section length, high word: -1 = not given
    shb.setInt32(12, -1, le); // section length, low word
    parts.push(block(0x0a0d0d0a, new Uint8Array(shb.buffer), le));
    for (const b of section.blocks) {
      if (b.type === "idb") {
        const res = b.tsresol ?? 6;
        unitsPerSec.push((res & 0x80) !== 0 ? 2 ** (res & 0x7f) : 10 ** res);
        offsetSec.push(b.tsoffsetSec ?? 0);
        const head = new DataView(new ArrayBuffer(8));
        head.setUint16(0, b.linkType, le); // LinkType
        head.setUint16(2, 0, le); // reserved
        head.setUint32(4, b.snaplen ?? 0, le); // SnapLen
        const opts: Uint8Array[] = [];
        if (b.name !== undefined) opts.push(option(2, new TextEncoder().encode(b.name), le)); // if_name
        if (b.tsresol !== undefined) opts.push(option(9, Uint8Array.of(b.tsresol), le)); // if_tsresol
        if (b.tsoffsetSec !== undefined) {
          const v = new DataView(new ArrayBuffer(8));
          v.setBigInt64(0, BigInt(b.tsoffsetSec), le);
          opts.push(option(14, new Uint8Array(v.buffer), le)); // if_tsoffset
        }
        parts.push(block(1, concat([new Uint8Array(head.buffer), ...withEnd(opts, le)]), le));
      } else if (b.type === "epb" || b.type === "pb") {
        const iface = b.iface ?? 0;
        // An EPB for an undeclared interface is allowed here, so tests can write a bad one.
        const units = toUnits(b.tsMs ?? 0, unitsPerSec[iface] ?? 1e6, offsetSec[iface] ?? 0);
        const head = new DataView(new ArrayBuffer(20));
        if (b.type === "epb") {
          head.setUint32(0, iface, le); // Interface ID
        } else {
          head.setUint16(0, iface, le); // Interface ID (16 bits)
          head.setUint16(2, 0, le); // Drops Count
        }
        head.setUint32(4, Number(units >> 32n), le); // Timestamp (High)
        head.setUint32(8, Number(units & 0xffffffffn), le); // Timestamp (Low)
        head.setUint32(12, b.data.length, le); // Captured Packet Length
        head.setUint32(16, b.wireLen ?? b.data.length, le); // Original Packet Length
        const opts = b.type === "epb" && b.comment !== undefined
          ? withEnd([option(1, new TextEncoder().encode(b.comment), le)], le) // opt_comment
          : [];
        parts.push(
          block(b.type === "epb" ? 6 : 2, concat([new Uint8Array(head.buffer), pad(b.data), ...opts]), le),
        );
      } else if (b.type === "spb") {
        const head = new DataView(new ArrayBuffer(4));
        head.setUint32(0, b.wireLen ?? b.data.length, le); // Original Packet Length
        parts.push(block(3, concat([new Uint8Array(head.buffer), pad(b.data)]), le));
      } else {
        parts.push(block(b.blockType, pad(b.body), le));
      }
    }
  }
  return concat(parts);
}

/** Block framing (§3.1): type, total length, body, total length again. */
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le); // Block Type
  dv.setUint32(4, out.length, le); // Block Total Length
  out.set(body, 8); // Block Body (already padded to 32 bits)
  dv.setUint32(out.length - 4, out.length, le); // Block Total Length, repeated
  return out;
}

/** One option (§3.5): code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(4 + ((value.length + 3) & ~3));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, code, le); // Option Code
  dv.setUint16(2, value.length, le); // Option Length (unpadded)
  out.set(value, 4); // Option Value
  return out;
}

/** Options followed by opt_endofopt, or nothing when there are no options. */
function withEnd(opts: Uint8Array[], le: boolean): Uint8Array[] {
  return opts.length === 0 ? [] : [...opts, option(0, new Uint8Array(0), le)];
}

function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array((data.length + 3) & ~3);
  out.set(data);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits ms since the epoch into whole seconds and the nearest unit within the second. */
function splitTime(tsMs: number, unitsPerSec: number): [number, number] {
  let sec = Math.floor(tsMs / 1000);
  // Exact: both operands are close, so the subtraction loses nothing.
  const remMs = tsMs - sec * 1000;
  let frac = Math.round(remMs * unitsPerSec / 1000);
  if (frac >= unitsPerSec) {
    sec++;
    frac -= unitsPerSec;
  }
  return [sec, frac];
}

/** A pcapng timestamp: units of 1/unitsPerSec since the epoch, less the interface's if_tsoffset. */
function toUnits(tsMs: number, unitsPerSec: number, offsetSec: number): bigint {
  const [sec, frac] = splitTime(tsMs, unitsPerSec);
  return BigInt(sec - offsetSec) * BigInt(unitsPerSec) + BigInt(frac);
}
