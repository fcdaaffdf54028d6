/**
 * What a recording wants, matched against raw frames without allocating: the subjects of the frame tap
 * (frame_tap.ts in the capture Worker, and the recorder on the main thread when it looks back into the
 * tap ring for the seconds before a trigger).
 *
 * A subject is at most two address terms (an address or a network), at most two port terms and one IP
 * protocol, all of which must hold (pcap-filter's `and`): each address term matches either end, each port
 * term either port. A flow pairs them: first address and port on one side, second on the other, in either
 * direction. A subject with address terms only also matches ARP frames whose sender or target protocol
 * address is in them, as tcpdump's `host` and `net` do. Non-first IP fragments have no ports, so port
 * terms do not match them (as in pcap-filter).
 */
import { LinkType } from "../decode/mod.ts";

/** One subject, as plain numbers (crosses to the Worker by structured clone). */
export interface TapSubject {
  /** The mask bit (0–31) that marks its frames in the tap ring. */
  slot: number;
  /** IP protocol number, or -1 for any. */
  proto: number;
  /** Address terms (0–2): family, four big-endian words (IPv4 in word 0), prefix length. */
  nets: { family: 4 | 6; words: number[]; prefix: number }[];
  /** Port terms (0–2). */
  ports: number[];
  /** A flow: nets[0]:ports[0] ↔ nets[1]:ports[1], either direction. */
  paired: boolean;
}

/** Subjects a tap can hold at once: one bit each in a record's 32-bit mask. */
export const MAX_TAP_SUBJECTS = 32;

// EtherTypes (IEEE 802): IPv4, ARP, 802.1Q, 802.1ad, pre-standard QinQ, IPv6.
const ET_IPV4 = 0x0800, ET_ARP = 0x0806, ET_VLAN = 0x8100, ET_QINQ = 0x88a8, ET_QINQ_OLD = 0x9100;
const ET_IPV6 = 0x86dd;
/** IPv6 extension headers walked to reach the transport (RFC 8200 §4): hop-by-hop, routing, fragment, options. */
const HOP = 0, ROUTING = 43, FRAGMENT = 44, DSTOPTS = 60;
/** Transports whose first four octets are source and destination ports: TCP, UDP, SCTP, UDP-Lite. */
function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132 || proto === 136;
}

/** Prefix length → four mask words. */
function maskWords(prefix: number, out: Uint32Array, at: number): void {
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(32, prefix - 32 * i));
    out[at + i] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
}

/** The subjects armed in a tap: typed arrays, looked at per frame. */
export class TapSubjects {
  /** Subjects held. */
  count = 0;
  #slot = new Uint8Array(MAX_TAP_SUBJECTS);
  #proto = new Int16Array(MAX_TAP_SUBJECTS);
  #nNets = new Uint8Array(MAX_TAP_SUBJECTS);
  #netFamily = new Uint8Array(MAX_TAP_SUBJECTS * 2);
  #netWords = new Uint32Array(MAX_TAP_SUBJECTS * 8);
  #netMask = new Uint32Array(MAX_TAP_SUBJECTS * 8);
  #nPorts = new Uint8Array(MAX_TAP_SUBJECTS);
  #port = new Int32Array(MAX_TAP_SUBJECTS * 2);
  #paired = new Uint8Array(MAX_TAP_SUBJECTS);
  // The frame being looked at (parse()), so matching reads fields, not bytes.
  #family = 0;
  #src = new Uint32Array(4);
  #dst = new Uint32Array(4);
  #sport = -1;
  #dport = -1;
  #ipProto = -1;
  #arp = false;

  /** Replaces every subject (once per change, not per frame). */
  set(subjects: readonly TapSubject[]): void {
    this.count = Math.min(subjects.length, MAX_TAP_SUBJECTS);
    for (let i = 0; i < this.count; i++) {
      const s = subjects[i];
      this.#slot[i] = s.slot;
      this.#proto[i] = s.proto;
      this.#nNets[i] = Math.min(2, s.nets.length);
      for (let k = 0; k < this.#nNets[i]; k++) {
        const n = s.nets[k], at = (2 * i + k) * 4;
        this.#netFamily[2 * i + k] = n.family;
        maskWords(n.prefix, this.#netMask, at); // an IPv4 prefix (≤ 32) leaves words 1–3 unmasked: 0
        for (let j = 0; j < 4; j++) this.#netWords[at + j] = (n.words[j] & this.#netMask[at + j]) >>> 0;
      }
      this.#nPorts[i] = Math.min(2, s.ports.length);
      for (let k = 0; k < this.#nPorts[i]; k++) this.#port[2 * i + k] = s.ports[k];
      this.#paired[i] = s.paired ? 1 : 0;
    }
  }

  /**
   * The mask of the subjects frame `b[off, off+capLen)` matches (bit `slot` per subject); 0 for none,
   * for frames that are not IP or ARP, and for frames too short to tell.
   */
  match(b: Uint8Array, off: number, capLen: number, linkType: number): number {
    if (this.count === 0 || !this.#parse(b, off, off + capLen, linkType)) return 0;
    let mask = 0;
    for (let i = 0; i < this.count; i++) if (this.#matches(i)) mask |= 1 << this.#slot[i];
    return mask;
  }

  #matches(i: number): boolean {
    const proto = this.#proto[i], nPorts = this.#nPorts[i], nNets = this.#nNets[i];
    if (this.#arp) {
      if (proto >= 0 || nPorts > 0) return false;
      for (let k = 0; k < nNets; k++) if (!this.#either(2 * i + k)) return false;
      return true;
    }
    if (proto >= 0 && proto !== this.#ipProto) return false;
    if (this.#paired[i] === 1) {
      const a = 2 * i, p0 = nPorts > 0 ? this.#port[2 * i] : -1, p1 = nPorts > 1 ? this.#port[2 * i + 1] : -1;
      return (this.#in(a, this.#src) && this.#in(a + 1, this.#dst) && portIs(this.#sport, p0) &&
        portIs(this.#dport, p1)) ||
        (this.#in(a, this.#dst) && this.#in(a + 1, this.#src) && portIs(this.#dport, p0) &&
          portIs(this.#sport, p1));
    }
    for (let k = 0; k < nNets; k++) if (!this.#either(2 * i + k)) return false;
    for (let k = 0; k < nPorts; k++) {
      const p = this.#port[2 * i + k];
      if (this.#sport !== p && this.#dport !== p) return false;
    }
    return true;
  }

  #either(t: number): boolean {
    return this.#in(t, this.#src) || this.#in(t, this.#dst);
  }

  /** Whether address `a` is in net term `t` (same family, masked words equal). */
  #in(t: number, a: Uint32Array): boolean {
    if (this.#netFamily[t] !== this.#family) return false;
    const at = t * 4, m = this.#netMask, w = this.#netWords;
    return ((a[0] & m[at]) >>> 0) === w[at] && ((a[1] & m[at + 1]) >>> 0) === w[at + 1] &&
      ((a[2] & m[at + 2]) >>> 0) === w[at + 2] && ((a[3] & m[at + 3]) >>> 0) === w[at + 3];
  }

  /** Reads the frame's addresses, protocol and ports into the fields; false when it is not IP or ARP. */
  #parse(b: Uint8Array, off: number, end: number, linkType: number): boolean {
    let et: number, p: number;
    if (linkType === LinkType.Ethernet) {
      if (end - off < 14) return false;
      et = (b[off + 12] << 8) | b[off + 13];
      p = off + 14;
    } else if (linkType === LinkType.LinuxSll) {
      if (end - off < 16) return false;
      et = (b[off + 14] << 8) | b[off + 15];
      p = off + 16;
    } else if (linkType === LinkType.LinuxSll2) {
      if (end - off < 20) return false;
      et = (b[off] << 8) | b[off + 1];
      p = off + 20;
    } else if (linkType === LinkType.Raw) {
      if (end - off < 1) return false;
      et = b[off] >> 4 === 6 ? ET_IPV6 : ET_IPV4;
      p = off;
    } else return false;
    for (let tags = 0; (et === ET_VLAN || et === ET_QINQ || et === ET_QINQ_OLD) && tags < 4; tags++) {
      if (p + 4 > end) return false;
      et = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    }
    const src = this.#src, dst = this.#dst;
    this.#sport = this.#dport = -1;
    this.#arp = false;
    if (et === ET_IPV4) {
      // RFC 791: IHL, protocol at 9, fragment offset at 6, addresses at 12 and 16
      if (p + 20 > end) return false;
      this.#family = 4;
      this.#ipProto = b[p + 9];
      src[0] = word(b, p + 12);
      dst[0] = word(b, p + 16);
      src[1] =
        src[2] =
        src[3] =
        dst[1] =
        dst[2] =
        dst[3] =
          0;
      const t = p + (b[p] & 0x0f) * 4;
      if ((((b[p + 6] << 8) | b[p + 7]) & 0x1fff) === 0 && hasPorts(this.#ipProto) && t + 4 <= end) {
        this.#sport = (b[t] << 8) | b[t + 1];
        this.#dport = (b[t + 2] << 8) | b[t + 3];
      }
      return true;
    }
    if (et === ET_IPV6) {
      // RFC 8200: next header at 6, addresses at 8 and 24, extension headers after the 40-octet header
      if (p + 40 > end) return false;
      this.#family = 6;
      for (let j = 0; j < 4; j++) {
        src[j] = word(b, p + 8 + 4 * j);
        dst[j] = word(b, p + 24 + 4 * j);
      }
      let nh = b[p + 6], t = p + 40, first = true;
      for (let n = 0; n < 4 && (nh === HOP || nh === ROUTING || nh === DSTOPTS || nh === FRAGMENT); n++) {
        if (t + 8 > end) break;
        if (nh === FRAGMENT) first = (((b[t + 2] << 8) | b[t + 3]) & 0xfff8) === 0;
        const len = nh === FRAGMENT ? 8 : (b[t + 1] + 1) * 8;
        nh = b[t];
        t += len;
      }
      this.#ipProto = nh;
      if (first && hasPorts(nh) && t + 4 <= end) {
        this.#sport = (b[t] << 8) | b[t + 1];
        this.#dport = (b[t + 2] << 8) | b[t + 3];
      }
      return true;
    }
    if (et === ET_ARP) {
      // RFC 826: hardware length at 4, protocol length at 5, then sha, spa, tha, tpa
      if (p + 8 > end || ((b[p + 2] << 8) | b[p + 3]) !== ET_IPV4 || b[p + 5] !== 4) return false;
      const hl = b[p + 4], spa = p + 8 + hl, tpa = spa + 4 + hl;
      if (tpa + 4 > end) return false;
      this.#family = 4;
      this.#arp = true;
      this.#ipProto = -1;
      src[0] = word(b, spa);
      dst[0] = word(b, tpa);
      src[1] =
        src[2] =
        src[3] =
        dst[1] =
        dst[2] =
        dst[3] =
          0;
      return true;
    }
    return false;
  }
}

function portIs(port: number, want: number): boolean {
  return want < 0 || port === want;
}

function word(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
