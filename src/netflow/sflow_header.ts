/**
 * The flow key of one packet an sFlow agent sampled, from the first bytes of it the agent copied (a
 * "sampled header": an Ethernet frame, or a bare IPv4 or IPv6 packet). Only what a flow record needs: the
 * addresses, protocol, ports (ICMP type and code where capture keeps them), TCP flags, type of service, the
 * outermost VLAN and the IP packet's length as its header gives it (the bytes the flow is counted in, as
 * capture and NetFlow count them). Nothing here throws: a header too short or not IP is answered with false.
 */
import { u16, u32 } from "../net/mod.ts";

/** sFlow header_protocol values (sFlow v5, "header_protocol"). */
export const SflowHeaderProtocol = { Ethernet: 1, Ipv4: 11, Ipv6: 12 } as const;

/** The key of a sampled packet, reused from one sample to the next. */
export interface SampledKey {
  family: number;
  /** 4 words; IPv4 in word 0, the others 0. */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  srcPort: number;
  dstPort: number;
  proto: number;
  tcpFlags: number;
  tos: number;
  vlan: number;
  /** Octets of the IP packet, header included (IPv4 total length; IPv6 payload length + 40). */
  ipBytes: number;
}

/** Puts IPv4 addresses `src` and `dst` (32-bit numbers) in the key: word 0, the other words 0. */
export function setIpv4Addresses(k: SampledKey, src: number, dst: number): void {
  k.family = 4;
  k.src.fill(0);
  k.dst.fill(0);
  k.src[0] = src;
  k.dst[0] = dst;
}

/** Puts the IPv6 source address at `b[at…]` and the destination after it (16 octets each) in the key. */
export function setIpv6Addresses(k: SampledKey, b: Uint8Array, at: number): void {
  k.family = 6;
  for (let i = 0; i < 4; i++) {
    k.src[i] = u32(b, at + i * 4);
    k.dst[i] = u32(b, at + 16 + i * 4);
  }
}

/** An empty key to fill. */
export function sampledKey(): SampledKey {
  return {
    family: 0,
    src: new Uint32Array(4),
    dst: new Uint32Array(4),
    srcPort: 0,
    dstPort: 0,
    proto: 0,
    tcpFlags: 0,
    tos: 0,
    vlan: 0,
    ipBytes: 0,
  };
}

const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q and 802.1ad tags (QinQ: the outer one first). */
const ETHERTYPE_VLAN = 0x8100, ETHERTYPE_QINQ = 0x88a8;
/** VLAN tags read before giving up on a frame. */
const MAX_TAGS = 2;
/** IPv6 extension headers walked to find the transport (hop-by-hop, routing, destination options). */
const IPV6_EXTENSIONS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;
const MAX_EXTENSIONS = 4;

/**
 * Reads the key of the packet whose first bytes are `b[at, at + len)`, of header protocol `protocol`, into
 * `k`. False when it is no IP packet Flintnet can key (ARP, another protocol, or cut before the addresses).
 */
export function readSampledHeader(
  b: Uint8Array,
  at: number,
  len: number,
  protocol: number,
  k: SampledKey,
): boolean {
  const end = at + len;
  k.vlan = 0;
  if (protocol === SflowHeaderProtocol.Ipv4) return ipv4(b, at, end, k);
  if (protocol === SflowHeaderProtocol.Ipv6) return ipv6(b, at, end, k);
  if (protocol !== SflowHeaderProtocol.Ethernet || len < 14) return false;
  let p = at + 12, type = u16(b, p);
  for (let tags = 0; (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) && tags < MAX_TAGS; tags++) {
    if (p + 6 > end) return false;
    if (tags === 0) k.vlan = u16(b, p + 2) & 0x0fff;
    p += 4;
    type = u16(b, p);
  }
  p += 2;
  if (type === ETHERTYPE_IPV4) return ipv4(b, p, end, k);
  if (type === ETHERTYPE_IPV6) return ipv6(b, p, end, k);
  return false;
}

function ipv4(b: Uint8Array, p: number, end: number, k: SampledKey): boolean {
  if (p + 20 > end || b[p] >> 4 !== 4) return false;
  const ihl = (b[p] & 0x0f) * 4;
  if (ihl < 20) return false;
  k.tos = b[p + 1];
  k.ipBytes = u16(b, p + 2);
  k.proto = b[p + 9];
  setIpv4Addresses(k, u32(b, p + 12), u32(b, p + 16));
  // A fragment after the first carries no transport header: its flow is the addresses and protocol alone.
  const later = (u16(b, p + 6) & 0x1fff) !== 0;
  transport(b, later ? end : p + ihl, end, k);
  return true;
}

function ipv6(b: Uint8Array, p: number, end: number, k: SampledKey): boolean {
  if (p + 40 > end || b[p] >> 4 !== 6) return false;
  k.tos = ((b[p] & 0x0f) << 4) | (b[p + 1] >> 4); // the traffic class
  k.ipBytes = u16(b, p + 4) + 40;
  setIpv6Addresses(k, b, p + 8);
  let next = b[p + 6], q = p + 40;
  for (let n = 0; n < MAX_EXTENSIONS && q + 8 <= end; n++) {
    if (IPV6_EXTENSIONS.has(next)) {
      const size = (b[q + 1] + 1) * 8;
      next = b[q];
      q += size;
    } else if (next === IPV6_FRAGMENT) {
      const later = (u16(b, q + 2) & 0xfff8) !== 0;
      next = b[q];
      q = later ? end : q + 8;
    } else break;
  }
  k.proto = next;
  transport(b, q, end, k);
  return true;
}

/** Ports (ICMP type and code), TCP flags: zero where the header was cut before them. */
function transport(b: Uint8Array, q: number, end: number, k: SampledKey): void {
  k.srcPort = k.dstPort = k.tcpFlags = 0;
  const proto = k.proto;
  if (proto === 1 || proto === 58) {
    if (q + 2 > end) return;
    k.srcPort = b[q];
    k.dstPort = b[q + 1];
    return;
  }
  if (proto !== 6 && proto !== 17 && proto !== 132) return;
  if (q + 4 > end) return;
  k.srcPort = u16(b, q);
  k.dstPort = u16(b, q + 2);
  if (proto === 6 && q + 14 <= end) k.tcpFlags = b[q + 13];
}
