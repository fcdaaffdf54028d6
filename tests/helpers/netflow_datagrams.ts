/**
 * Building blocks for hand-written NetFlow v5, v9 and IPFIX datagrams in tests: big-endian fields as
 * byte lists, and message/set wrappers that only fill in the lengths a test would otherwise count by
 * hand (every other octet is written, and commented, by the test). Plus a collector that keeps every
 * record it decodes as an object.
 *
 * @example
 * const msg = ipfix({ exportTime: 1_700_000_000, sequence: 0, domain: 1 },
 *   set(2, [...u16(256), ...u16(1), ...u16(8), ...u16(4)]));  // template 256: sourceIPv4Address
 */
import { type CollectorOptions, NetflowCollector } from "../../src/netflow/collector.ts";
import { createFlowRecordBatch, type FlowRecord, recordAt } from "../../src/netflow/flow_record.ts";
import { parseIp } from "../../src/net/address.ts";

/** One octet. */
export const u8 = (n: number): number[] => [n & 255];
/** Two octets, big-endian. */
export const u16 = (n: number): number[] => [(n >>> 8) & 255, n & 255];
/** Four octets, big-endian. */
export const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** Eight octets, big-endian (exact below 2^53). */
export const u64 = (n: number): number[] => [...u32(Math.floor(n / 4294967296)), ...u32(n % 4294967296)];
/** An IPv4 address's four octets. */
export const ip4 = (text: string): number[] => text.split(".").map(Number);
/** An IPv6 address's sixteen octets. */
export function ip6(text: string): number[] {
  const w = parseIp(text)!.words;
  return [...w].flatMap((x) => u32(x));
}

/** A set (v9: flowset) with its 4-octet header: set ID, then the length of header and body. */
export function set(id: number, ...body: number[][]): number[] {
  const flat = body.flat();
  return [...u16(id), ...u16(4 + flat.length), ...flat];
}

/** IPFIX message header fields (RFC 7011 §3.1). */
export interface IpfixHeader {
  /** Seconds since the epoch. */
  exportTime: number;
  /** Data records sent before this message in the domain. */
  sequence: number;
  /** Observation domain ID. */
  domain: number;
}

/** An IPFIX message: the 16-octet header (length filled in) and the sets. */
export function ipfix(h: IpfixHeader, ...sets: number[][]): Uint8Array {
  const body = sets.flat();
  return Uint8Array.from([
    ...u16(10), // version 10
    ...u16(16 + body.length), // message length, header included
    ...u32(h.exportTime), // export time, seconds
    ...u32(h.sequence), // sequence number
    ...u32(h.domain), // observation domain ID
    ...body,
  ]);
}

/** NetFlow v9 header fields (RFC 3954 §5.1). */
export interface V9Header {
  /** Exporter uptime, ms. */
  sysUptime: number;
  /** Seconds since the epoch. */
  unixSecs: number;
  /** Export packets sent before this one from the source ID. */
  sequence: number;
  /** Source ID. */
  sourceId: number;
  /** The header's record count. @default the number of sets */
  count?: number;
}

/** A NetFlow v9 export packet: the 20-octet header and the flowsets. */
export function v9(h: V9Header, ...sets: number[][]): Uint8Array {
  return Uint8Array.from([
    ...u16(9), // version 9
    ...u16(h.count ?? sets.length), // count of records (collectors do not rely on it)
    ...u32(h.sysUptime), // sysUptime, ms
    ...u32(h.unixSecs), // UNIX seconds
    ...u32(h.sequence), // package sequence
    ...u32(h.sourceId), // source ID
    ...sets.flat(),
  ]);
}

// ---- sFlow v5 (sflow.org, sflow_version_5.txt): XDR, 32-bit words ----

/** XDR opaque data: the length, the bytes, zeros to a multiple of four. */
export function sflowOpaque(bytes: Uint8Array): number[] {
  return [...u32(bytes.length), ...bytes, ...new Array((4 - (bytes.length % 4)) % 4).fill(0)];
}

/** A sample or flow record: data format (enterprise 0), length, body. */
export function sflowItem(format: number, body: number[]): number[] {
  return [...u32(format), ...u32(body.length), ...body];
}

/** Flow record 0:1, sampled header, of `packet` (header protocol 1 Ethernet, 11 IPv4, 12 IPv6). */
export function sflowSampledHeader(packet: Uint8Array, protocol = 1): number[] {
  return sflowItem(1, [
    ...u32(protocol), // header_protocol
    ...u32(packet.length + 4), // frame_length: the packet and its FCS
    ...u32(4), // stripped: the FCS
    ...sflowOpaque(packet), // header
  ]);
}

/** Flow sample 0:1 with ifIndex `inIf` → `outIf` (format 0), 1 packet in `rate`. */
export function sflowFlowSample(rate: number, records: number[][], inIf = 3, outIf = 4): number[] {
  return sflowItem(1, [
    ...u32(7), // sequence_number
    ...u32(inIf), // source_id: type 0 (ifIndex) << 24 | index
    ...u32(rate), // sampling_rate
    ...u32(rate * 10), // sample_pool
    ...u32(0), // drops
    ...u32(inIf), // input: format 0 (ifIndex) << 30 | value
    ...u32(outIf), // output
    ...u32(records.length), // flow records
    ...records.flat(),
  ]);
}

/** A port's generic interface counters (counter record 0:1, if_counters): every field as given. */
export interface SflowIfCounters {
  ifIndex: number;
  ifType: number;
  speed: number;
  /** bit 0 admin up, bit 1 oper up */
  status: number;
  inOctets: number;
  inDiscards: number;
  inErrors: number;
  outOctets: number;
  outErrors: number;
}

/** Counter record 0:1 (if_counters, 88 octets); the counters not in `c` are distinct small numbers. */
export function sflowIfCounters(c: SflowIfCounters): number[] {
  return sflowItem(1, [
    ...u32(c.ifIndex),
    ...u32(c.ifType),
    ...u64(c.speed), // ifSpeed
    ...u32(1), // ifDirection: full duplex
    ...u32(c.status), // ifStatus
    ...u64(c.inOctets),
    ...u32(101), // ifInUcastPkts
    ...u32(102), // ifInMulticastPkts
    ...u32(103), // ifInBroadcastPkts
    ...u32(c.inDiscards),
    ...u32(c.inErrors),
    ...u32(104), // ifInUnknownProtos
    ...u64(c.outOctets),
    ...u32(105), // ifOutUcastPkts
    ...u32(106), // ifOutMulticastPkts
    ...u32(107), // ifOutBroadcastPkts
    ...u32(108), // ifOutDiscards
    ...u32(c.outErrors),
    ...u32(0), // ifPromiscuousMode
  ]);
}

/** Counter sample 0:2 (or expanded, 0:4) of `records`, source ifIndex `source`. */
export function sflowCounterSample(
  records: number[][],
  o: { expanded?: boolean; source?: number } = {},
): number[] {
  const source = o.source ?? 3;
  return sflowItem(o.expanded ? 4 : 2, [
    ...u32(9), // sequence_number
    ...(o.expanded ? [...u32(0), ...u32(source)] : u32(source)), // source id: type 0 (ifIndex), index
    ...u32(records.length), // counter records
    ...records.flat(),
  ]);
}

/** An sFlow v5 datagram: agent 192.0.2.10 (or an IPv6 agent), sub-agent `subAgent`, sequence `seq`. */
export function sflowDatagram(
  seq: number,
  samples: number[][],
  o: { subAgent?: number; ipv6Agent?: boolean; uptimeMs?: number } = {},
): number[] {
  return [
    ...u32(5), // version
    ...(o.ipv6Agent ? [...u32(2), ...ip6("2001:db8::a")] : [...u32(1), ...ip4("192.0.2.10")]), // agent address
    ...u32(o.subAgent ?? 0), // sub_agent_id
    ...u32(seq), // sequence_number
    ...u32(o.uptimeMs ?? 60_000), // uptime, ms
    ...u32(samples.length), // samples
    ...samples.flat(),
  ];
}

/** A collector keeping every record it decodes, fed datagrams from one exporter address or another. */
export class TestCollector {
  readonly records: FlowRecord[] = [];
  readonly c: NetflowCollector;

  constructor(opts: Omit<CollectorOptions, "onBatch"> = {}) {
    this.c = new NetflowCollector({
      ...opts,
      batch: createFlowRecordBatch(8), // small, so tests cross batch boundaries
      onBatch: (b) => {
        for (let i = 0; i < b.count; i++) this.records.push(recordAt(b, i));
        b.count = 0;
        return b;
      },
    });
  }

  /** Decodes `datagram` as sent from `from`, received at `atMs`, and flushes. */
  feed(datagram: Uint8Array | number[], from = "192.0.2.1", atMs = 1_700_000_000_000): void {
    const d = datagram instanceof Uint8Array ? datagram : Uint8Array.from(datagram);
    const ip = parseIp(from)!;
    this.c.decode(d, d.length, ip.family, ip.words, 0, atMs);
    this.c.flush();
  }

  /** The collector's stats. */
  stats(): ReturnType<NetflowCollector["stats"]> {
    return this.c.stats();
  }
}
