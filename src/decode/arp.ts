/** ARP for IPv4 over Ethernet (RFC 826). */
import { mac48, u16, u32 } from "../net/mod.ts";
import { Malformed, OK } from "./malformed.ts";
import { type PacketBatch, RowKind } from "./packet_batch.ts";

/** Ethernet/IPv4 ARP body: htype, ptype, hlen, plen, op, sha, spa, tha, tpa. */
const ARP_LENGTH = 28;

/**
 * Decodes the ARP body at `p` into `row`: op, sender/target MAC in arpSha/arpTha, sender/target IPv4
 * in src/dst word 0. Other hardware or protocol types are malformed for our purpose (counted).
 */
export function decodeArp(b: Uint8Array, p: number, end: number, batch: PacketBatch, row: number): number {
  if (p + ARP_LENGTH > end) return Malformed.TruncatedArp;
  // htype 1 (Ethernet), ptype 0x0800 (IPv4), hlen 6, plen 4
  if (u16(b, p) !== 1 || u16(b, p + 2) !== 0x0800 || b[p + 4] !== 6 || b[p + 5] !== 4) {
    return Malformed.BadArp;
  }
  const op = u16(b, p + 6);
  if (op !== 1 && op !== 2) return Malformed.BadArp;
  const a = row << 2;
  batch.kind[row] = RowKind.Arp;
  batch.arpOp[row] = op;
  batch.arpSha[row] = mac48(b, p + 8);
  batch.src[a] = u32(b, p + 14);
  batch.arpTha[row] = mac48(b, p + 18);
  batch.dst[a] = u32(b, p + 24);
  batch.src[a + 1] = batch.src[a + 2] = batch.src[a + 3] = 0;
  batch.dst[a + 1] = batch.dst[a + 2] = batch.dst[a + 3] = 0;
  batch.family[row] = 4;
  batch.proto[row] = 0;
  batch.srcPort[row] = batch.dstPort[row] = 0;
  batch.ipBytes[row] = 0;
  batch.tcpFlags[row] = 0;
  batch.hint[row] = 0;
  return OK;
}
