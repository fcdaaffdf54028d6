/**
 * Writes synthetic decoded rows into a PacketBatch, for tests of everything downstream of the
 * decoders (flow table, pipeline, detectors) that should not depend on the decoders being right.
 *
 * Addresses are given as text and parsed with `parseIp`, so a test states what it means
 * ("10.0.0.1", "2001:db8::1") and the row holds exactly what the decoder would have written.
 *
 * @example
 * const batch = createPacketBatch(16);
 * addIpRow(batch, { src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 443, proto: 6, ipBytes: 60, tsMs: 1000 });
 * table.update(batch, 0, batch.count);
 */
import { parseIp } from "../../src/net/address.ts";
import { AsideUse, createPacketBatch, type PacketBatch, RowKind } from "../../src/decode/packet_batch.ts";
import type { FlowTable } from "../../src/flow/flow_table.ts";

/** One IP packet as a test describes it. */
export interface IpRow {
  /** Source address, IPv4 or IPv6 text. */
  src: string;
  /** Destination address, same family as `src`. */
  dst: string;
  /** TCP/UDP source port; ICMP type. */
  srcPort: number;
  /** TCP/UDP destination port; ICMP code. */
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  proto: number;
  /** IP-layer octets of the packet. */
  ipBytes: number;
  /** Capture time, ms since the epoch. */
  tsMs: number;
  /** TCP flags byte. @default 0 */
  tcpFlags?: number;
  /** Outermost VLAN id. @default 0 */
  vlan?: number;
  /** Frame length on the wire. @default ipBytes + 14 (Ethernet header) */
  frameLen?: number;
  /** What the payload said (decode/payload_hint.ts). @default 0 */
  hint?: number;
}

/** Parsed addresses by text: randomized tests write the same few hundred addresses millions of times. */
const parsed = new Map<string, { family: 4 | 6; words: Uint32Array }>();

/**
 * The parsed form of an address, throwing on text that is not one (a mistake in the test itself).
 * The result is shared between calls: do not modify it.
 */
export function addressWords(text: string): { readonly family: 4 | 6; readonly words: Uint32Array } {
  let ip = parsed.get(text);
  if (ip === undefined) {
    ip = parseIp(text);
    if (ip === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
    if (parsed.size >= 100_000) parsed.clear();
    parsed.set(text, ip);
  }
  return ip;
}

/** Appends one IP row to `batch` and returns its row index. Throws when the batch is full. */
export function addIpRow(batch: PacketBatch, row: IpRow): number {
  if (batch.count >= batch.capacity) {
    throw new RangeError(`batch is full (${batch.capacity} rows)`);
  }
  const s = addressWords(row.src), d = addressWords(row.dst);
  if (s.family !== d.family) {
    throw new TypeError(`src ${row.src} and dst ${row.dst} are not the same IP family`);
  }
  const r = batch.count++;
  const a = r << 2;
  batch.kind[r] = RowKind.Ip;
  batch.tsMs[r] = row.tsMs;
  batch.frameLen[r] = row.frameLen ?? row.ipBytes + 14;
  batch.vlan[r] = row.vlan ?? 0;
  batch.family[r] = s.family;
  batch.src.set(s.words, a);
  batch.dst.set(d.words, a);
  batch.srcPort[r] = row.srcPort;
  batch.dstPort[r] = row.dstPort;
  batch.proto[r] = row.proto;
  batch.ipBytes[r] = row.ipBytes;
  batch.tcpFlags[r] = row.tcpFlags ?? 0;
  batch.hint[r] = row.hint ?? 0;
  if (batch.hint[r] !== 0) batch.asideUse[AsideUse.Hints]++;
  batch.ethSrc[r] = 0;
  batch.arpOp[r] = 0;
  batch.arpSha[r] = 0;
  batch.arpTha[r] = 0;
  return r;
}

/** A new batch holding exactly `rows` (capacity at least 1). */
export function batchOf(rows: readonly IpRow[]): PacketBatch {
  const batch = createPacketBatch(Math.max(1, rows.length));
  for (const row of rows) addIpRow(batch, row);
  return batch;
}

/** The 5-tuple of a flow as a test names it. */
export type FlowKeyText = Pick<IpRow, "src" | "dst" | "srcPort" | "dstPort" | "proto">;

/** The id of the flow with this key in `table`, or -1. */
export function findFlow(table: FlowTable, key: FlowKeyText): number {
  const s = addressWords(key.src), d = addressWords(key.dst);
  return table.find(s.family, s.words, d.words, key.srcPort, key.dstPort, key.proto);
}

/** The counters of one flow, read through the table's accessors (one place to follow API changes). */
export interface FlowCounters {
  /** IP-layer octets of the record. */
  bytes: number;
  /** Packets of the record. */
  packets: number;
  /** First packet of the record, ms since the epoch. */
  firstSeen: number;
  /** Last packet, ms since the epoch. */
  lastSeen: number;
  /** OR of the TCP flags seen. */
  tcpFlags: number;
  /** Octets in the open interval. */
  intervalBytes: number;
  /** Packets in the open interval. */
  intervalPackets: number;
}

/** Reads the counters of flow `id`. */
export function flowCounters(table: FlowTable, id: number): FlowCounters {
  return {
    bytes: table.bytes(id),
    packets: table.packets(id),
    firstSeen: table.firstSeen(id),
    lastSeen: table.lastSeen(id),
    tcpFlags: table.tcpFlags(id),
    intervalBytes: table.intervalBytes(id),
    intervalPackets: table.intervalPackets(id),
  };
}
