/**
 * Writes ARP rows, and IP rows with their Ethernet source, into a PacketBatch as the decoder would, for
 * tests of the ARP watcher that should not depend on the decoder. MACs and addresses are parsed here,
 * not with src/'s parsers, so a test states what it means independently of the code under test.
 *
 * @example
 * const b = createPacketBatch(8);
 * addArpRow(b, { t: 0, op: 2, sha: "02:00:00:00:00:66", spa: "10.231.200.1", tpa: "10.231.200.10" });
 * addIpRowFrom(b, "00:00:0c:12:34:01", { src: "198.51.100.7", dst: "10.231.200.10", srcPort: 443, dstPort: 40000, proto: 6, ipBytes: 60, tsMs: 0 });
 */
import { type PacketBatch, RowKind } from "../../src/decode/packet_batch.ts";
import { addIpRow, type IpRow } from "./batch_rows.ts";

/** One ARP packet as a test describes it. */
export interface ArpRow {
  /** Capture time, ms. */
  t: number;
  /** 1 request, 2 reply. */
  op: 1 | 2;
  /** Sender MAC and address. */
  sha: string;
  spa: string;
  /** Target address. */
  tpa: string;
  /** Target MAC. @default 00:00:00:00:00:00 */
  tha?: string;
  /** Ethernet source. @default sha */
  eth?: string;
}

/** "00:11:22:33:44:55" → the 48-bit integer the decoder writes. */
export function macNumber(text: string): number {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) throw new RangeError(`not a MAC: ${text}`);
  return parseInt(text.replaceAll(":", ""), 16);
}

/** "192.0.2.1" → the uint32 the decoder writes. */
export function ipv4Number(text: string): number {
  const o = text.split(".").map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return o.reduce((w, x) => w * 256 + x, 0);
}

/** Appends one ARP row; returns its index. */
export function addArpRow(b: PacketBatch, p: ArpRow): number {
  if (b.count >= b.capacity) throw new RangeError(`batch is full (${b.capacity} rows)`);
  const r = b.count++;
  b.kind[r] = RowKind.Arp;
  b.tsMs[r] = p.t;
  b.arpOp[r] = p.op;
  b.arpSha[r] = macNumber(p.sha);
  b.arpTha[r] = macNumber(p.tha ?? "00:00:00:00:00:00");
  b.src.fill(0, r * 4, r * 4 + 4);
  b.dst.fill(0, r * 4, r * 4 + 4);
  b.src[r * 4] = ipv4Number(p.spa);
  b.dst[r * 4] = ipv4Number(p.tpa);
  b.family[r] = 4;
  b.proto[r] = 0;
  b.srcPort[r] = b.dstPort[r] = 0;
  b.vlan[r] = 0;
  b.ethSrc[r] = macNumber(p.eth ?? p.sha);
  return r;
}

/** Appends one IP row sent from Ethernet source `eth`; returns its index. */
export function addIpRowFrom(b: PacketBatch, eth: string, row: IpRow): number {
  const r = addIpRow(b, row);
  b.ethSrc[r] = macNumber(eth);
  return r;
}
