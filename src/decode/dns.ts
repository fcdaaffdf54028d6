/**
 * DNS messages (RFC 1035 §4.1): the questions and the A, AAAA and CNAME answers, with name compression
 * (§4.1.4). The slow path: it runs on the main thread for the few packets the decoder set aside, and
 * allocates the names it returns. Bad input gives null or a message marked truncated, never a throw.
 */
import { formatIpv4, formatIpv6 } from "../net/mod.ts";

/** Record types read (https://www.iana.org/assignments/dns-parameters). */
export const DnsType = { A: 1, CNAME: 5, AAAA: 28 } as const;

/** A name is at most 255 octets (RFC 1035 §2.3.4). */
const MAX_NAME = 255;
/** Compression pointers followed per name before giving up on a loop. */
const MAX_JUMPS = 32;
/** Records read per section: more is an attack on the parser, not a real answer. */
const MAX_RECORDS = 64;

/** One question. */
export interface DnsQuestion {
  /** The name asked for, lower case, without the final dot. */
  name: string;
  /** QTYPE (1 A, 28 AAAA …). */
  type: number;
}

/** One answer of a type this parser reads (A, AAAA, CNAME). */
export interface DnsAnswer {
  /** The owner name. */
  name: string;
  /** 1 A, 5 CNAME, 28 AAAA. */
  type: number;
  /** Time to live, seconds. */
  ttl: number;
  /** The address (A, AAAA) or the canonical name (CNAME). */
  data: string;
}

/** What a message says. */
export interface DnsMessage {
  /** Message ID. */
  id: number;
  /** QR bit: a response. */
  response: boolean;
  /** RCODE (0 NOERROR, 3 NXDOMAIN …). */
  rcode: number;
  /** The questions. */
  questions: DnsQuestion[];
  /** The A, AAAA and CNAME answers. */
  answers: DnsAnswer[];
  /** The message ended before its counts said it would (a snaplen, a bad count): what came before is kept. */
  truncated: boolean;
}

/** Reads a (possibly compressed) name at `p`; returns [name, offset after it in the record] or null. */
function readName(b: Uint8Array, start: number, end: number, p: number): [string, number] | null {
  let out = "", len = 0, jumps = 0, after = -1;
  for (;;) {
    if (p >= end) return null;
    const l = b[p];
    if (l === 0) {
      if (after < 0) after = p + 1;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (p + 1 >= end || ++jumps > MAX_JUMPS) return null;
      if (after < 0) after = p + 2;
      p = start + (((l & 0x3f) << 8) | b[p + 1]);
      continue;
    }
    if ((l & 0xc0) !== 0) return null; // 0x40/0x80: extended label types (RFC 6891 §5), not names
    if (p + 1 + l > end || (len += l + 1) > MAX_NAME) return null;
    if (out.length > 0) out += ".";
    for (let i = p + 1; i <= p + l; i++) {
      const c = b[i];
      out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
    }
    p += l + 1;
  }
  return [out, after];
}

/**
 * Parses the DNS message in `b[off, off + len)`.
 * @returns the message, or null when not even its header and first question are readable
 */
export function parseDnsMessage(b: Uint8Array, off: number, len: number): DnsMessage | null {
  const end = off + len;
  // ID (2) | flags (2) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT (2 each)
  if (len < 12) return null;
  const flags = (b[off + 2] << 8) | b[off + 3];
  if (((flags >> 11) & 0x0f) !== 0) return null; // only standard queries (OPCODE 0)
  const qd = (b[off + 4] << 8) | b[off + 5];
  const an = (b[off + 6] << 8) | b[off + 7];
  if (qd === 0 || qd > MAX_RECORDS) return null;
  const msg: DnsMessage = {
    id: (b[off] << 8) | b[off + 1],
    response: (flags & 0x8000) !== 0,
    rcode: flags & 0x0f,
    questions: [],
    answers: [],
    truncated: false,
  };
  let p = off + 12;
  for (let i = 0; i < qd; i++) {
    const n = readName(b, off, end, p);
    if (!n || n[1] + 4 > end) {
      if (i === 0) return null;
      msg.truncated = true;
      return msg;
    }
    msg.questions.push({ name: n[0], type: (b[n[1]] << 8) | b[n[1] + 1] });
    p = n[1] + 4; // QTYPE (2) | QCLASS (2)
  }
  for (let i = 0; i < Math.min(an, MAX_RECORDS); i++) {
    const n = readName(b, off, end, p);
    // TYPE (2) | CLASS (2) | TTL (4) | RDLENGTH (2) | RDATA
    if (!n || n[1] + 10 > end) {
      msg.truncated = true;
      return msg;
    }
    const q = n[1];
    const type = (b[q] << 8) | b[q + 1];
    const ttl = ((b[q + 4] << 24) | (b[q + 5] << 16) | (b[q + 6] << 8) | b[q + 7]) >>> 0;
    const rdLen = (b[q + 8] << 8) | b[q + 9];
    const rd = q + 10;
    if (rd + rdLen > end) {
      msg.truncated = true;
      return msg;
    }
    let data: string | null = null;
    if (type === DnsType.A && rdLen === 4) {
      data = formatIpv4(((b[rd] << 24) | (b[rd + 1] << 16) | (b[rd + 2] << 8) | b[rd + 3]) >>> 0);
    } else if (type === DnsType.AAAA && rdLen === 16) {
      const w = new Uint32Array(4);
      for (let k = 0; k < 4; k++) {
        const o = rd + 4 * k;
        w[k] = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      }
      data = formatIpv6(w, 0);
    } else if (type === DnsType.CNAME) {
      const c = readName(b, off, rd + rdLen, rd);
      if (c) data = c[0];
    }
    if (data !== null) msg.answers.push({ name: n[0], type, ttl, data });
    p = rd + rdLen;
  }
  return msg;
}
