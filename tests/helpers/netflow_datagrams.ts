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
