/**
 * The decoder: link layer (Ethernet II, 802.1Q/QinQ, Linux cooked v1/v2, raw IP) → IPv4/IPv6/ARP →
 * transport, one row per frame into a PacketBatch. It is the FrameSink every packet source feeds.
 * No allocation per frame; malformed frames are counted by reason and skipped.
 */
import { type FrameSink, LinkType } from "./frame_sink.ts";
import { decodeArp } from "./arp.ts";
import { mac48, u16 } from "../net/mod.ts";
import { CDP_SNAP_LENGTH, isCdpSnap, MAX_8023_LENGTH, validateCdp } from "./cdp.ts";
import { FragmentPorts } from "./fragments.ts";
import { decodeIpv4, type FragmentCounters } from "./ipv4.ts";
import { decodeIpv6 } from "./ipv6.ts";
import { ETHERTYPE_LLDP, validateLldp } from "./lldp.ts";
import { Malformed, MALFORMED_NAMES, OK } from "./malformed.ts";
import { MAX_TAKE, NamePayloads } from "./name_payloads.ts";
import { L4Span } from "./transport.ts";
import {
  ASIDE_BYTES,
  AsideUse,
  type BatchConsumer,
  createPacketBatch,
  type PacketBatch,
  RowKind,
} from "./packet_batch.ts";

/** EtherTypes (https://www.iana.org/assignments/ieee-802-numbers). */
export const EtherType = {
  Ipv4: 0x0800,
  Arp: 0x0806,
  Vlan: 0x8100, // IEEE 802.1Q
  QinQ: 0x88a8, // IEEE 802.1ad service tag
  QinQLegacy: 0x9100, // pre-standard double tagging
  Ipv6: 0x86dd,
  Lldp: ETHERTYPE_LLDP, // IEEE 802.1AB
} as const;

/** More tags than this is not a network, it is an attack on the parser. */
const MAX_VLAN_TAGS = 4;

/** What the decoder has seen; a plain object for stats, REST and replay output. */
export interface DecodeCounters {
  /** Frames offered. */
  frames: number;
  /** IPv4 packets decoded into flow rows. */
  ipv4: number;
  /** IPv6 packets decoded into flow rows. */
  ipv6: number;
  /** ARP packets decoded. */
  arp: number;
  /** LLDPDUs set aside for the slow path (topology). */
  lldp: number;
  /** CDP messages set aside for the slow path (topology). */
  cdp: number;
  /** Well-formed frames of other EtherTypes (STP, EAPOL, …), not decoded further. */
  other: number;
  /** Frames of a link type the decoder does not know. */
  unsupported_link_type: number;
  /** Later IP fragments attributed to their flow / left at ports 0. */
  fragments_attributed: number;
  /** Later IP fragments whose first fragment was not seen. */
  fragments_unattributed: number;
  /** Frames dropped as malformed, by reason. */
  malformed: Record<string, number>;
  /** Sum of `malformed`. */
  malformed_total: number;
  /** Payloads copied aside for the name decoders (DNS, TLS ClientHello pieces, HTTP request heads). */
  name_payloads: number;
}

/** Decodes frames into batches and hands full batches to its consumer. */
export class Decoder implements FrameSink {
  /** VLAN id the kernel stripped for the next frame (TPACKET `tp_vlan_tci`); 0 for none. Reset after use. */
  vlanHint = 0;
  #consumer: BatchConsumer;
  #batch: PacketBatch;
  #frags = new FragmentPorts();
  #fc: FragmentCounters = { attributed: 0, unattributed: 0 };
  #malformed = new Float64Array(MALFORMED_NAMES.length);
  #frames = 0;
  #ipv4 = 0;
  #ipv6 = 0;
  #arp = 0;
  #lldp = 0;
  #cdp = 0;
  #other = 0;
  #unsupported = 0;
  // visibility: where the payload starts, and which payloads carry names
  #span = new L4Span();
  #names = new NamePayloads();

  /** @param batch the first batch to fill, or its capacity (a new batch is made) */
  constructor(consumer: BatchConsumer, batch?: number | PacketBatch) {
    this.#consumer = consumer;
    this.#batch = typeof batch === "object" ? batch : createPacketBatch(batch);
    this.#batch.asideUse.fill(0); // every AsideUse counter, Payloads and Hints included
  }

  /** @inheritdoc */
  frame(b: Uint8Array, off: number, capLen: number, wireLen: number, tsMs: number, linkType: number): void {
    this.#frames++;
    // A record claiming fewer bytes on the wire than were captured is corrupt; trust what is there.
    if (wireLen < capLen) wireLen = capLen;
    const end = off + capLen;
    let vlan = this.vlanHint;
    this.vlanHint = 0;
    let ethSrc = 0;
    let etype: number;
    let p: number;
    switch (linkType) {
      case LinkType.Ethernet:
        // dst MAC (6) | src MAC (6) | EtherType (2)
        if (capLen < 14) return this.#bad(Malformed.TruncatedEthernet);
        ethSrc = mac48(b, off + 6);
        etype = u16(b, off + 12);
        p = off + 14;
        break;
      case LinkType.LinuxSll:
        // packet type (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2)
        if (capLen < 16) return this.#bad(Malformed.TruncatedLinuxSll);
        if (u16(b, off + 4) === 6) ethSrc = mac48(b, off + 6);
        etype = u16(b, off + 14);
        p = off + 16;
        break;
      case LinkType.LinuxSll2:
        // protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | packet type (1) | addr len (1) | addr (8)
        if (capLen < 20) return this.#bad(Malformed.TruncatedLinuxSll);
        if (b[off + 11] === 6) ethSrc = mac48(b, off + 12);
        etype = u16(b, off);
        p = off + 20;
        break;
      case LinkType.Raw:
        if (capLen < 1) return this.#bad(Malformed.TruncatedIpv4);
        etype = b[off] >> 4 === 6 ? EtherType.Ipv6 : EtherType.Ipv4;
        p = off;
        break;
      default:
        this.#unsupported++;
        return;
    }
    let tags = 0;
    while (etype === EtherType.Vlan || etype === EtherType.QinQ || etype === EtherType.QinQLegacy) {
      if (++tags > MAX_VLAN_TAGS) return this.#bad(Malformed.TooManyVlanTags);
      if (p + 4 > end) return this.#bad(Malformed.TruncatedVlan);
      if (vlan === 0) vlan = u16(b, p) & 0x0fff; // PCP (3) | DEI (1) | VID (12); the outer tag names the VLAN
      etype = u16(b, p + 2);
      p += 4;
    }
    // visibility: keep room for one payload copy, so a row is never handed off half written
    if (this.#batch.asideUse[AsideUse.Bytes] > ASIDE_BYTES - MAX_TAKE && this.#batch.count > 0) {
      this.#handOff();
    }
    const batch = this.#batch;
    const row = batch.count;
    batch.tsMs[row] = tsMs;
    let r: number;
    if (etype === EtherType.Ipv4) {
      batch.kind[row] = RowKind.Ip;
      r = decodeIpv4(b, p, end, wireLen - (p - off), batch, row, this.#frags, this.#fc, this.#span);
      if (r === OK) this.#ipv4++;
    } else if (etype === EtherType.Ipv6) {
      batch.kind[row] = RowKind.Ip;
      r = decodeIpv6(b, p, end, wireLen - (p - off), batch, row, this.#frags, this.#fc, this.#span);
      if (r === OK) this.#ipv6++;
    } else if (etype === EtherType.Arp) {
      r = decodeArp(b, p, end, batch, row);
      batch.arpUnicast[row] = linkUnicast(b, off, linkType);
      if (r === OK) this.#arp++;
    } else if (etype === EtherType.Lldp) {
      return this.#setAside(RowKind.Lldp, validateLldp(b, p, end), b, p, end, wireLen, tsMs, vlan, ethSrc);
    } else if (etype <= MAX_8023_LENGTH && isCdpSnap(b, p, end)) {
      // An 802.3 length bounds the LLC payload (Ethernet pads short frames); Linux cooked captures
      // carry ETH_P_802_2 (4) there instead, and the frame's end bounds it.
      const q = p + CDP_SNAP_LENGTH, e = etype >= CDP_SNAP_LENGTH ? Math.min(end, p + etype) : end;
      return this.#setAside(RowKind.Cdp, validateCdp(b, q, e), b, q, e, wireLen, tsMs, vlan, ethSrc);
    } else {
      this.#other++;
      return;
    }
    if (r !== OK) return this.#bad(r);
    batch.payTaken[row] = 0;
    if (this.#span.start > 0 && batch.kind[row] === RowKind.Ip) {
      this.#names.take(b, this.#span.start, end, batch, row);
    }
    batch.frameLen[row] = wireLen;
    batch.vlan[row] = vlan;
    batch.ethSrc[row] = ethSrc;
    batch.count = row + 1;
    if (batch.count === batch.capacity) this.#handOff();
  }

  /** @inheritdoc */
  flush(): void {
    if (this.#batch.count > 0) this.#handOff();
  }

  /** A snapshot of the counters. */
  counters(): DecodeCounters {
    const malformed: Record<string, number> = {};
    let total = 0;
    for (let i = 0; i < MALFORMED_NAMES.length; i++) {
      malformed[MALFORMED_NAMES[i]] = this.#malformed[i];
      total += this.#malformed[i];
    }
    return {
      frames: this.#frames,
      ipv4: this.#ipv4,
      ipv6: this.#ipv6,
      arp: this.#arp,
      lldp: this.#lldp,
      cdp: this.#cdp,
      other: this.#other,
      unsupported_link_type: this.#unsupported,
      fragments_attributed: this.#fc.attributed,
      fragments_unattributed: this.#fc.unattributed,
      malformed,
      malformed_total: total,
      name_payloads: this.#names.taken.reduce((x, y) => x + y, 0),
    };
  }

  #bad(reason: number): void {
    this.#malformed[reason]++;
  }

  /**
   * The slow path of rare frames: a valid LLDPDU or CDP message `b[p, end)` becomes a row of `kind`
   * whose bytes are copied into the batch's aside area; a batch without room for it is handed off
   * first. Costs nothing to frames of other kinds.
   */
  #setAside(
    kind: number,
    r: number,
    b: Uint8Array,
    p: number,
    end: number,
    wireLen: number,
    tsMs: number,
    vlan: number,
    ethSrc: number,
  ): void {
    const len = end - p;
    if (r === OK && len > ASIDE_BYTES) r = kind === RowKind.Lldp ? Malformed.BadLldp : Malformed.BadCdp;
    if (r !== OK) return this.#bad(r);
    if (this.#batch.asideUse[AsideUse.Bytes] + len > ASIDE_BYTES) this.#handOff();
    const batch = this.#batch, row = batch.count, at = batch.asideUse[AsideUse.Bytes], a = row << 2;
    const aside = batch.aside;
    for (let i = 0; i < len; i++) aside[at + i] = b[p + i];
    batch.asideUse[AsideUse.Bytes] = at + len;
    batch.asideUse[AsideUse.Rows]++;
    batch.kind[row] = kind;
    batch.tsMs[row] = tsMs;
    batch.frameLen[row] = wireLen;
    batch.vlan[row] = vlan;
    batch.ethSrc[row] = ethSrc;
    batch.srcPort[row] = at;
    batch.dstPort[row] = len;
    batch.family[row] =
      batch.proto[row] =
      batch.tcpFlags[row] =
      batch.hint[row] =
      batch.arpOp[row] =
        0;
    batch.ipBytes[row] = 0;
    batch.src[a] =
      batch.src[a + 1] =
      batch.src[a + 2] =
      batch.src[a + 3] =
        0;
    batch.dst[a] =
      batch.dst[a + 1] =
      batch.dst[a + 2] =
      batch.dst[a + 3] =
        0;
    batch.arpSha[row] = batch.arpTha[row] = 0;
    if (kind === RowKind.Lldp) this.#lldp++;
    else this.#cdp++;
    batch.count = row + 1;
    if (batch.count === batch.capacity) this.#handOff();
  }

  #handOff(): void {
    const next = this.#consumer.consume(this.#batch);
    if (next) this.#batch = next;
    this.#batch.count = 0;
    this.#batch.asideUse.fill(0); // every AsideUse counter, Payloads and Hints included
  }
}

/**
 * 1 when the frame at `off` was sent to one station at the link layer, 0 for a broadcast or multicast, or
 * when the link type does not say (raw IP; a cooked capture's outgoing frames). Read for ARP frames only.
 */
function linkUnicast(b: Uint8Array, off: number, linkType: number): number {
  switch (linkType) {
    case LinkType.Ethernet:
      return (b[off] & 1) === 0 ? 1 : 0; // the I/G bit of the destination MAC
    case LinkType.LinuxSll:
      return cookedUnicast(u16(b, off));
    case LinkType.LinuxSll2:
      return cookedUnicast(b[off + 10]);
    default:
      return 0;
  }
}

/** A cooked capture's packet type: PACKET_HOST (0) and PACKET_OTHERHOST (3) were sent to one station. */
function cookedUnicast(packetType: number): number {
  return packetType === 0 || packetType === 3 ? 1 : 0;
}
