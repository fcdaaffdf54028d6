/**
 * Builds link-layer frames from fields, for tests that need packets whose every byte they know:
 * Ethernet II (with any stack of 802.1Q / 802.1ad tags), Linux cooked v1/v2, IPv4 (options,
 * fragments), IPv6 (extension-header chains), TCP, UDP, ICMP, ICMPv6 and ARP.
 *
 * Each layer takes its fields and its payload and returns bytes; lengths (IPv4 total length, IPv6
 * payload length, UDP length) and checksums are filled in unless a test overrides them to build a
 * broken packet. The IP layers also fill in the checksum of the TCP/UDP/ICMPv6 header they carry
 * (it needs the pseudo-header) when the packet is not a fragment.
 *
 * @example
 * const frame = ethernet(
 *   { src: "02:00:00:00:00:01", etherType: ETHERTYPE_IPV4, vlans: [10] },
 *   ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: 6 }, tcp({ srcPort: 40000, dstPort: 80, flags: 0x02 })),
 * );
 */

/** EtherTypes (https://www.iana.org/assignments/ieee-802-numbers). */
export const ETHERTYPE_IPV4 = 0x0800;
/** ARP (RFC 826). */
export const ETHERTYPE_ARP = 0x0806;
/** IEEE 802.1Q customer tag. */
export const ETHERTYPE_VLAN = 0x8100;
/** IEEE 802.1ad service tag (QinQ outer tag). */
export const ETHERTYPE_QINQ = 0x88a8;
/** IPv6 (RFC 8200). */
export const ETHERTYPE_IPV6 = 0x86dd;
/** LLDP (IEEE 802.1AB), a common non-IP EtherType. */
export const ETHERTYPE_LLDP = 0x88cc;

/** IP protocol numbers (https://www.iana.org/assignments/protocol-numbers). */
export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;

/** "02:00:00:00:00:01" → 6 bytes. */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: ${text}`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** "192.0.2.1" → 4 bytes. */
export function ipv4Bytes(text: string): Uint8Array {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return Uint8Array.from(parts);
}

/** Any IPv6 text form ("2001:db8::1", "::ffff:192.0.2.1") → 16 bytes. Written here, not borrowed from src/. */
export function ipv6Bytes(text: string): Uint8Array {
  let t = text;
  const lastColon = t.lastIndexOf(":");
  if (t.slice(lastColon + 1).includes(".")) {
    // A dotted-quad tail stands for the last two groups.
    const v4 = ipv4Bytes(t.slice(lastColon + 1));
    t = t.slice(0, lastColon + 1) +
      `${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = t.split("::");
  if (halves.length > 2) throw new RangeError(`not an IPv6 address: ${text}`);
  const parse = (
    s: string,
  ) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const zeros = 8 - head.length - tail.length;
  if (zeros < 0 || (halves.length === 1 && zeros !== 0) || [...head, ...tail].some(Number.isNaN)) {
    throw new RangeError(`not an IPv6 address: ${text}`);
  }
  const groups = [...head, ...new Array(zeros).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** `n` bytes of recognisable payload (0, 1, 2, … mod 256). */
export function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
}

// ---------------------------------------------------------------- link layers

/** Fields of an Ethernet II header. */
export interface EthernetFields {
  /** Destination MAC. @default "02:00:00:00:00:02" */
  dst?: string;
  /** Source MAC. @default "02:00:00:00:00:01" */
  src?: string;
  /** EtherType of the payload (after the tags). */
  etherType: number;
  /** VLAN ids, outermost first; each becomes a 4-byte tag. */
  vlans?: number[];
  /** TPID of each tag, outermost first. @default 0x88a8 for the outer of several tags, else 0x8100 */
  tpids?: number[];
  /** Priority code point written in every tag. @default 0 */
  pcp?: number;
  /** Pad the frame with zeros to 60 bytes (the Ethernet minimum without FCS), as a NIC would. @default true */
  pad?: boolean;
}

/** An Ethernet II frame (IEEE 802.3 clause 3.2, without FCS). */
export function ethernet(f: EthernetFields, body: Uint8Array): Uint8Array {
  const vlans = f.vlans ?? [];
  const head = new Uint8Array(14 + 4 * vlans.length);
  head.set(macBytes(f.dst ?? "02:00:00:00:00:02"), 0); // destination MAC
  head.set(macBytes(f.src ?? "02:00:00:00:00:01"), 6); // source MAC
  let o = 12;
  vlans.forEach((vid, i) => {
    const tpid = f.tpids?.[i] ?? (vlans.length > 1 && i === 0 ? ETHERTYPE_QINQ : ETHERTYPE_VLAN);
    put16(head, o, tpid); // TPID
    put16(head, o + 2, ((f.pcp ?? 0) << 13) | (vid & 0x0fff)); // TCI: PCP (3) | DEI (1) | VID (12)
    o += 4;
  });
  put16(head, o, f.etherType); // EtherType of the payload
  const frame = concatBytes(head, body);
  if ((f.pad ?? true) && frame.length < 60) return concatBytes(frame, new Uint8Array(60 - frame.length));
  return frame;
}

/** Fields of a Linux cooked header (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html). */
export interface SllFields {
  /** Protocol (EtherType) of the payload. */
  etherType: number;
  /** Link-layer source address (a MAC). @default "02:00:00:00:00:01" */
  src?: string;
  /** Packet type: 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. @default 0 */
  packetType?: number;
  /** ARPHRD_ type. @default 1 (ARPHRD_ETHER) */
  arphrd?: number;
  /** Interface index (SLL2 only). @default 2 */
  ifindex?: number;
}

/** LINKTYPE_LINUX_SLL (113): the 16-byte cooked header. */
export function sll(f: SllFields, body: Uint8Array): Uint8Array {
  const head = new Uint8Array(16);
  put16(head, 0, f.packetType ?? 0); // packet type
  put16(head, 2, f.arphrd ?? 1); // ARPHRD_ type
  put16(head, 4, 6); // link-layer address length
  head.set(macBytes(f.src ?? "02:00:00:00:00:01"), 6); // address (8 bytes, 2 unused)
  put16(head, 14, f.etherType); // protocol
  return concatBytes(head, body);
}

/** LINKTYPE_LINUX_SLL2 (276): the 20-byte cooked header. */
export function sll2(f: SllFields, body: Uint8Array): Uint8Array {
  const head = new Uint8Array(20);
  put16(head, 0, f.etherType); // protocol
  put16(head, 2, 0); // reserved
  put32(head, 4, f.ifindex ?? 2); // interface index
  put16(head, 8, f.arphrd ?? 1); // ARPHRD_ type
  head[10] = f.packetType ?? 0; // packet type
  head[11] = 6; // link-layer address length
  head.set(macBytes(f.src ?? "02:00:00:00:00:01"), 12); // address (8 bytes, 2 unused)
  return concatBytes(head, body);
}

// ---------------------------------------------------------------- IP

/** Fields of an IPv4 header (RFC 791). */
export interface Ipv4Fields {
  src: string;
  dst: string;
  /** Protocol of the payload. */
  proto: number;
  /** @default 64 */
  ttl?: number;
  /** Identification. @default 0 */
  id?: number;
  /** Don't Fragment. @default false */
  df?: boolean;
  /** More Fragments. @default false */
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). @default 0 */
  fragOffset?: number;
  /** Options, padded with zeros (End of Option List) to 32 bits. @default none */
  options?: Uint8Array;
  /** @default 0 */
  tos?: number;
  /** Override the total length field (to build a broken packet). */
  totalLength?: number;
  /** Override the IHL field, in 32-bit words (to build a broken packet). */
  ihl?: number;
  /** Override the version nibble. @default 4 */
  version?: number;
  /** Leave the carried TCP/UDP checksum as it is. @default false */
  keepL4Checksum?: boolean;
}

/** An IPv4 packet with a correct header checksum. */
export function ipv4(f: Ipv4Fields, body: Uint8Array): Uint8Array {
  const opts = f.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const head = new Uint8Array(hlen);
  head[0] = ((f.version ?? 4) << 4) | ((f.ihl ?? hlen / 4) & 0x0f); // version | IHL (32-bit words)
  head[1] = f.tos ?? 0; // DSCP | ECN
  put16(head, 2, f.totalLength ?? hlen + body.length); // total length: header + payload
  put16(head, 4, f.id ?? 0); // identification
  const offset = f.fragOffset ?? 0;
  if (offset % 8 !== 0) throw new RangeError(`fragment offset ${offset} is not a multiple of 8`);
  put16(head, 6, (f.df ? 0x4000 : 0) | (f.mf ? 0x2000 : 0) | (offset / 8)); // flags | offset (8-byte units)
  head[8] = f.ttl ?? 64; // TTL
  head[9] = f.proto; // protocol
  head.set(ipv4Bytes(f.src), 12); // source
  head.set(ipv4Bytes(f.dst), 16); // destination
  head.set(opts, 20); // options
  put16(head, 10, checksum(head)); // header checksum
  const l4 = body.slice();
  if (!f.keepL4Checksum && offset === 0 && !f.mf) {
    fillL4Checksum(f.proto, l4, pseudoHeader(ipv4Bytes(f.src), ipv4Bytes(f.dst), f.proto, l4.length));
  }
  return concatBytes(head, l4);
}

/** One IPv6 extension header (RFC 8200 §4). */
export type Ipv6Extension =
  /** Hop-by-Hop (0), Routing (43) or Destination Options (60), `len8` extra 8-byte units of PadN. */
  | { type: 0 | 43 | 60; len8?: number }
  /** Fragment header (44): offset in bytes (multiple of 8), M flag, identification. */
  | { type: 44; offset?: number; more?: boolean; id?: number };

/** Fields of an IPv6 header (RFC 8200). */
export interface Ipv6Fields {
  src: string;
  dst: string;
  /** Upper-layer protocol (after the extension headers). */
  proto: number;
  /** Extension headers in order; their Next Header fields are chained. */
  extensions?: Ipv6Extension[];
  /** @default 64 */
  hopLimit?: number;
  /** @default 0 */
  flowLabel?: number;
  /** Override the payload length field. */
  payloadLength?: number;
  /** Leave the carried TCP/UDP/ICMPv6 checksum as it is. @default false */
  keepL4Checksum?: boolean;
}

/** An IPv6 packet with its extension headers. */
export function ipv6(f: Ipv6Fields, body: Uint8Array): Uint8Array {
  const exts = f.extensions ?? [];
  const types = exts.map((e) => e.type);
  const extBytes: Uint8Array[] = exts.map((e, i) => {
    const next = i + 1 < exts.length ? types[i + 1] : f.proto;
    if (e.type === 44) {
      const h = new Uint8Array(8);
      h[0] = next; // next header
      const off = e.offset ?? 0;
      if (off % 8 !== 0) throw new RangeError(`fragment offset ${off} is not a multiple of 8`);
      put16(h, 2, off | (e.more ? 1 : 0)); // offset (13 bits, 8-byte units, already shifted) | res | M
      put32(h, 4, e.id ?? 0); // identification
      return h;
    }
    const len8 = e.len8 ?? 0;
    const h = new Uint8Array(8 * (len8 + 1));
    h[0] = next; // next header
    h[1] = len8; // length in 8-byte units, not counting the first 8
    h[2] = 1; // PadN option …
    h[3] = h.length - 4; // … covering the rest of the header
    return h;
  });
  const fragmented = exts.some((e) => e.type === 44 && ((e.offset ?? 0) !== 0 || e.more));
  const l4 = body.slice();
  const src = ipv6Bytes(f.src), dst = ipv6Bytes(f.dst);
  if (!f.keepL4Checksum && !fragmented) {
    fillL4Checksum(f.proto, l4, pseudoHeader(src, dst, f.proto, l4.length));
  }
  const rest = concatBytes(...extBytes, l4);
  const head = new Uint8Array(40);
  put32(head, 0, (6 << 28) | ((f.flowLabel ?? 0) & 0xfffff)); // version | traffic class | flow label
  put16(head, 4, f.payloadLength ?? rest.length); // payload length: everything after this header
  head[6] = types.length ? types[0] : f.proto; // next header
  head[7] = f.hopLimit ?? 64; // hop limit
  head.set(src, 8); // source
  head.set(dst, 24); // destination
  return concatBytes(head, rest);
}

// ---------------------------------------------------------------- transport

/** Fields of a TCP header (RFC 9293). */
export interface TcpFields {
  srcPort: number;
  dstPort: number;
  /** @default 0 */
  seq?: number;
  /** @default 0 */
  ack?: number;
  /** Flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, …). @default 0x10 */
  flags?: number;
  /** @default 65535 */
  window?: number;
  /** Options, padded with zeros to 32 bits. */
  options?: Uint8Array;
  /** Override the data offset (32-bit words). */
  dataOffset?: number;
}

/** A TCP segment; its checksum is filled in by ipv4()/ipv6(). */
export function tcp(f: TcpFields, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opts = f.options ?? new Uint8Array(0);
  const hlen = 20 + ((opts.length + 3) & ~3);
  const h = new Uint8Array(hlen);
  put16(h, 0, f.srcPort); // source port
  put16(h, 2, f.dstPort); // destination port
  put32(h, 4, f.seq ?? 0); // sequence number
  put32(h, 8, f.ack ?? 0); // acknowledgement number
  h[12] = (f.dataOffset ?? hlen / 4) << 4; // data offset | reserved
  h[13] = f.flags ?? 0x10; // flags
  put16(h, 14, f.window ?? 65535); // window
  h.set(opts, 20); // options (checksum at 16 and urgent pointer at 18 stay 0)
  return concatBytes(h, data);
}

/** Fields of a UDP header (RFC 768). */
export interface UdpFields {
  srcPort: number;
  dstPort: number;
  /** Override the length field. */
  length?: number;
}

/** A UDP datagram; its checksum is filled in by ipv4()/ipv6(). */
export function udp(f: UdpFields, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(8);
  put16(h, 0, f.srcPort); // source port
  put16(h, 2, f.dstPort); // destination port
  put16(h, 4, f.length ?? 8 + data.length); // length: header + data
  return concatBytes(h, data);
}

/** Fields of an ICMP (RFC 792) or ICMPv6 (RFC 4443) message. */
export interface IcmpFields {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (echo: identifier and sequence). @default id 1, seq 1 */
  rest?: Uint8Array;
}

/** An ICMP message with its checksum (ICMP has no pseudo-header). */
export function icmp(f: IcmpFields, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const m = icmpv6(f, data);
  put16(m, 2, checksum(m)); // checksum over the message
  return m;
}

/** An ICMPv6 message; its checksum (which covers a pseudo-header) is filled in by ipv6(). */
export function icmpv6(f: IcmpFields, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = f.type; // type
  h[1] = f.code ?? 0; // code
  h.set(f.rest ?? Uint8Array.of(0, 1, 0, 1), 4); // identifier, sequence (echo) or unused / MTU / pointer
  return concatBytes(h, data);
}

/** Fields of an Ethernet/IPv4 ARP packet (RFC 826). */
export interface ArpFields {
  /** 1 request, 2 reply. */
  op: number;
  /** Sender hardware address. */
  sha: string;
  /** Sender protocol address. */
  spa: string;
  /** Target hardware address. @default "00:00:00:00:00:00" */
  tha?: string;
  /** Target protocol address. */
  tpa: string;
}

/** A 28-byte ARP body. */
export function arp(f: ArpFields): Uint8Array {
  const a = new Uint8Array(28);
  put16(a, 0, 1); // hardware type: Ethernet
  put16(a, 2, ETHERTYPE_IPV4); // protocol type: IPv4
  a[4] = 6; // hardware address length
  a[5] = 4; // protocol address length
  put16(a, 6, f.op); // operation
  a.set(macBytes(f.sha), 8); // sender hardware address
  a.set(ipv4Bytes(f.spa), 14); // sender protocol address
  a.set(macBytes(f.tha ?? "00:00:00:00:00:00"), 18); // target hardware address
  a.set(ipv4Bytes(f.tpa), 24); // target protocol address
  return a;
}

// ---------------------------------------------------------------- captures

/** A captured record cut to `snaplen` bytes, with the full length on the wire (capture_writer's shape). */
export function snap(frame: Uint8Array, snaplen: number): { data: Uint8Array; wireLen: number } {
  return { data: frame.slice(0, Math.min(snaplen, frame.length)), wireLen: frame.length };
}

// ---------------------------------------------------------------- internals

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** The Internet checksum (RFC 1071) of `parts` concatenated. */
function checksum(...parts: Uint8Array[]): number {
  const b = concatBytes(...parts);
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The TCP/UDP/ICMPv6 pseudo-header (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1). */
function pseudoHeader(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  const tail = new Uint8Array(src.length === 4 ? 4 : 8);
  if (src.length === 4) {
    tail[1] = proto; // zero | protocol
    put16(tail, 2, length); // TCP/UDP length
  } else {
    put32(tail, 0, length); // upper-layer packet length
    tail[7] = proto; // zero (3) | next header
  }
  return concatBytes(src, dst, tail);
}

/** Writes the checksum of a TCP, UDP or ICMPv6 message that is long enough to hold one. */
function fillL4Checksum(proto: number, l4: Uint8Array, pseudo: Uint8Array): void {
  const at = proto === PROTO.TCP ? 16 : proto === PROTO.UDP ? 6 : proto === PROTO.ICMPV6 ? 2 : -1;
  if (at < 0 || l4.length < at + 2) return;
  if (proto === PROTO.TCP && l4.length < 20) return;
  put16(l4, at, 0);
  let c = checksum(pseudo, l4);
  if (proto === PROTO.UDP && c === 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
  put16(l4, at, c);
}
