/**
 * BER (X.690) for SNMP, both ways, for bytes that come from anyone on the network: a cursor that reads
 * one definite-length TLV at a time and never past its container, the INTEGER and OBJECT IDENTIFIER
 * contents SNMP uses, and the TLV encoding a Response-PDU needs. No recursion; every failure is a
 * {@link MalformedPdu}. SNMP forbids the indefinite length form and multi-octet tags (RFC 3417 §8).
 */

/** The datagram is not a well-formed SNMP message. Carries a short description for debug logs. */
export class MalformedPdu extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedPdu";
  }
}

/** INTEGER, universal tag 2 (X.680 §8.4). */
export const TAG_INTEGER = 0x02;
/** OCTET STRING, universal tag 4. */
export const TAG_OCTET_STRING = 0x04;
/** OBJECT IDENTIFIER, universal tag 6. */
export const TAG_OID = 0x06;
/** SEQUENCE, universal tag 16, constructed. */
export const TAG_SEQUENCE = 0x30;
/** IpAddress, [APPLICATION 0] (RFC 2578 §7.1.5). */
export const TAG_IP_ADDRESS = 0x40;
/** TimeTicks, [APPLICATION 3] (RFC 2578 §7.1.8). */
export const TAG_TIMETICKS = 0x43;

/** RFC 2578 §3.5: an OID has at most 128 sub-identifiers. */
const MAX_SUBIDS = 128;
/** Integers of any SNMP type fit in 9 octets (Counter64 with a leading zero). */
const MAX_INTEGER_OCTETS = 9;

/** A cursor over `buf[pos, end)` that reads one TLV at a time, never past `end`. */
export class BerReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  /** Nothing is left to read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a tag and a definite length; returns the value's bounds and moves past the value. */
  next(): { tag: number; start: number; end: number; tlvStart: number } {
    const tlvStart = this.pos;
    if (this.pos + 2 > this.end) throw new MalformedPdu("truncated TLV header");
    const tag = this.buf[this.pos++];
    if ((tag & 0x1f) === 0x1f) throw new MalformedPdu("multi-octet tag");
    let len = this.buf[this.pos++];
    if (len & 0x80) {
      const n = len & 0x7f;
      // 0x80 is the indefinite form, not allowed in SNMP (RFC 3417 §8); four octets is far past a datagram.
      if (n === 0 || n > 4) throw new MalformedPdu("bad length form");
      if (this.pos + n > this.end) throw new MalformedPdu("truncated length");
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[this.pos++];
    }
    const start = this.pos;
    if (len > this.end - start) throw new MalformedPdu("length runs past its container");
    this.pos = start + len;
    return { tag, start, end: start + len, tlvStart };
  }

  /** Reads a TLV that must have `tag`. */
  expect(tag: number, what: string): { start: number; end: number; tlvStart: number } {
    const t = this.next();
    if (t.tag !== tag) throw new MalformedPdu(`${what}: expected tag 0x${hex2(tag)}, got 0x${hex2(t.tag)}`);
    return t;
  }

  /** A reader over the contents of the next TLV, which must have `tag`. */
  enter(tag: number, what: string): BerReader {
    const t = this.expect(tag, what);
    return new BerReader(this.buf, t.start, t.end);
  }
}

/** A two's-complement INTEGER (X.690 §8.3). */
export function readSigned(buf: Uint8Array, start: number, end: number): bigint {
  const n = end - start;
  if (n === 0 || n > MAX_INTEGER_OCTETS) throw new MalformedPdu(`integer of ${n} octets`);
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(buf[i]);
  if (buf[start] & 0x80) v -= 1n << BigInt(8 * n);
  return v;
}

/** Unsigned types arrive as INTEGERs; a sender that forgot the leading zero still means the unsigned value. */
export function asUnsigned(v: bigint, bits: number): bigint {
  return BigInt.asUintN(bits, v);
}

/** An OBJECT IDENTIFIER (X.690 §8.19) as dotted text. */
export function readOid(buf: Uint8Array, start: number, end: number): string {
  if (end === start) throw new MalformedPdu("empty OID");
  const parts: number[] = [];
  let sub = 0;
  let pending = false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    sub = sub * 128 + (b & 0x7f);
    if (sub > Number.MAX_SAFE_INTEGER) throw new MalformedPdu("OID sub-identifier too large");
    pending = (b & 0x80) !== 0;
    if (pending) continue;
    if (parts.length === 0) {
      // The first sub-identifier packs the first two arcs: X*40 + Y, X ≤ 2.
      const x = sub < 40 ? 0 : sub < 80 ? 1 : 2;
      parts.push(x, sub - 40 * x);
    } else {
      parts.push(sub);
    }
    if (parts.length > MAX_SUBIDS) throw new MalformedPdu("OID longer than 128 sub-identifiers");
    sub = 0;
  }
  if (pending) throw new MalformedPdu("OID ends inside a sub-identifier");
  return parts.join(".");
}

/** One octet as two lower-case hex digits. */
export function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/** A definite-length TLV (X.690 §8.1.3: short form below 128 octets, else long form). */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  const n = value.length;
  const len = n < 0x80
    ? [n]
    : n < 0x100
    ? [0x81, n]
    : n < 0x10000
    ? [0x82, n >> 8, n & 0xff]
    : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.of(tag, ...len), value]);
}

/** The parts one after another. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
