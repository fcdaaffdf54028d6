/**
 * The one flow record of every source (NetFlow v5, v9, IPFIX, sFlow), in struct-of-arrays form like the
 * capture's PacketBatch: numbers only, so decoding writes no object or string per record, and a batch
 * can sit in shared memory between the collector Worker and the main thread.
 *
 * The key columns (family, src, dst, srcPort, dstPort, proto, vlan, tcpFlags, tsMs) have the names and
 * types of PacketBatch's, so the flow table reads either; `bytes` and `packets` are the counts the
 * record carries (already multiplied by the sampling rate). `tsMs` is when Flintnet received the record,
 * the time the live table works in; `startMs`/`endMs` are the exporter's own times of the flow, for
 * history and analysis. {@link recordAt} gives one row as an object, for code off the hot path.
 */

/** Where a record came from. */
export const SourceKind = {
  /** NetFlow version 5 (fixed 48-byte records). */
  NetflowV5: 5,
  /** NetFlow version 9 (RFC 3954). */
  NetflowV9: 9,
  /** IPFIX (RFC 7011), version 10 on the wire. */
  Ipfix: 10,
  /** sFlow version 5 samples (16: its version on the wire, 5, is NetFlow v5's number here). */
  Sflow: 16,
} as const;

/** The name of a source kind as the API shows it. */
export function sourceKindName(kind: number): string {
  return kind === 5
    ? "netflow_v5"
    : kind === 9
    ? "netflow_v9"
    : kind === 10
    ? "ipfix"
    : kind === 16
    ? "sflow_v5"
    : `unknown_${kind}`;
}

/** Rows a record batch holds by default. */
export const DEFAULT_RECORD_ROWS = 1024;

/** The columns of a record batch, each a typed array of `capacity` rows (addresses: 4 words a row). */
export interface FlowRecordBatch {
  /** How many rows may be written. */
  readonly capacity: number;
  /** How many rows are filled. */
  count: number;
  /** When Flintnet received the record, ms since the epoch. */
  readonly tsMs: Float64Array;
  /** The flow's first packet by the exporter's clock, ms since the epoch (0 for an sFlow sample, which has none). */
  readonly startMs: Float64Array;
  /** The flow's last packet by the exporter's clock, ms since the epoch (0 for an sFlow sample). */
  readonly endMs: Float64Array;
  /** Octets at the IP layer, multiplied by the sampling rate. */
  readonly bytes: Float64Array;
  /** Packets, multiplied by the sampling rate. */
  readonly packets: Float64Array;
  /** The sampling rate applied (1 = unsampled; 100 = 1 packet in 100 was seen). */
  readonly sampling: Float64Array;
  /** Source address as 4 big-endian words; IPv4 in word 0. */
  readonly src: Uint32Array;
  /** Destination address, as src. */
  readonly dst: Uint32Array;
  /** The exporter's address (UDP source), as src. */
  readonly exporter: Uint32Array;
  /** SNMP ifIndex the flow entered by (0 = unknown). */
  readonly inIf: Uint32Array;
  /** SNMP ifIndex the flow left by (0 = unknown). */
  readonly outIf: Uint32Array;
  /** BGP source AS (0 = unknown). */
  readonly srcAs: Uint32Array;
  /** BGP destination AS (0 = unknown). */
  readonly dstAs: Uint32Array;
  /** v9 source ID, IPFIX observation domain, v5 engine type << 8 | engine id. */
  readonly domain: Uint32Array;
  /** Source port; ICMP type. */
  readonly srcPort: Uint16Array;
  /** Destination port; ICMP code. */
  readonly dstPort: Uint16Array;
  /** VLAN id, 0 when the record has none. */
  readonly vlan: Uint16Array;
  /** 4 or 6. */
  readonly family: Uint8Array;
  /** 4 or 6: the exporter's address family. */
  readonly exporterFamily: Uint8Array;
  /** IP protocol. */
  readonly proto: Uint8Array;
  /** OR of the TCP flags of the flow's packets. */
  readonly tcpFlags: Uint8Array;
  /** IP type of service byte (DSCP | ECN). */
  readonly tos: Uint8Array;
  /** SourceKind. */
  readonly kind: Uint8Array;
  /** RecordDirection: ingress or egress at the exporter's interface, Unknown when the record does not say. */
  readonly direction: Uint8Array;
}

/** Bytes per row: 6 f64, 17 u32 (three 4-word addresses + 5), 3 u16, 7 u8. */
const ROW_BYTES = 6 * 8 + 17 * 4 + 3 * 2 + 7;

/** Bytes a batch of `capacity` rows occupies (a multiple of 8, so batches can sit side by side). */
export function recordBatchBytes(capacity: number): number {
  return Math.ceil((capacity * ROW_BYTES) / 8) * 8;
}

/**
 * Allocates an empty batch (once per consumer, never per record); with `memory`, over
 * `memory.buffer` from `memory.offset` on (recordBatchBytes(capacity) bytes, e.g. a SharedArrayBuffer).
 */
export function createFlowRecordBatch(
  capacity: number = DEFAULT_RECORD_ROWS,
  memory?: { buffer: ArrayBufferLike; offset: number },
): FlowRecordBatch {
  const buffer = memory?.buffer ?? new ArrayBuffer(recordBatchBytes(capacity));
  let at = memory?.offset ?? 0;
  // Widest columns first, so every column starts aligned to its element size.
  function col<T>(make: new (b: ArrayBufferLike, o: number, n: number) => T, size: number, n: number): T {
    const a = new make(buffer, at, n);
    at += n * size;
    return a;
  }
  const f64 = (n: number) => col(Float64Array, 8, n);
  const u32 = (n: number) => col(Uint32Array, 4, n);
  const u16 = (n: number) => col(Uint16Array, 2, n);
  const u8 = (n: number) => col(Uint8Array, 1, n);
  return {
    capacity,
    count: 0,
    tsMs: f64(capacity),
    startMs: f64(capacity),
    endMs: f64(capacity),
    bytes: f64(capacity),
    packets: f64(capacity),
    sampling: f64(capacity),
    src: u32(capacity * 4),
    dst: u32(capacity * 4),
    exporter: u32(capacity * 4),
    inIf: u32(capacity),
    outIf: u32(capacity),
    srcAs: u32(capacity),
    dstAs: u32(capacity),
    domain: u32(capacity),
    srcPort: u16(capacity),
    dstPort: u16(capacity),
    vlan: u16(capacity),
    family: u8(capacity),
    exporterFamily: u8(capacity),
    proto: u8(capacity),
    tcpFlags: u8(capacity),
    tos: u8(capacity),
    kind: u8(capacity),
    direction: u8(capacity),
  };
}

/** How record batches sit side by side in shared memory (capture/batch_ring.ts's BatchLayout). */
export const RECORD_BATCH_LAYOUT = { bytes: recordBatchBytes, create: createFlowRecordBatch };

/** One record as an object: for tests, history and analysis, never for the per-record path. */
export interface FlowRecord {
  /** When Flintnet received it, ms since the epoch. */
  receivedMs: number;
  /** First packet (exporter's clock), ms since the epoch. */
  startMs: number;
  /** Last packet (exporter's clock), ms since the epoch. */
  endMs: number;
  /** endMs − startMs, ms. */
  durationMs: number;
  /** 4 or 6. */
  family: number;
  /** Source address words (a copy). */
  src: Uint32Array;
  /** Destination address words (a copy). */
  dst: Uint32Array;
  /** Source port; ICMP type. */
  srcPort: number;
  /** Destination port; ICMP code. */
  dstPort: number;
  /** IP protocol. */
  proto: number;
  /** Octets after sampling. */
  bytes: number;
  /** Packets after sampling. */
  packets: number;
  /** Sampling rate applied. */
  sampling: number;
  /** OR of TCP flags. */
  tcpFlags: number;
  /** Type of service byte. */
  tos: number;
  /** Input ifIndex. */
  inIf: number;
  /** Output ifIndex. */
  outIf: number;
  /** Source AS. */
  srcAs: number;
  /** Destination AS. */
  dstAs: number;
  /** VLAN id. */
  vlan: number;
  /** Exporter family, 4 or 6. */
  exporterFamily: number;
  /** Exporter address words (a copy). */
  exporter: Uint32Array;
  /** Source ID / observation domain. */
  domain: number;
  /** SourceKind. */
  kind: number;
  /** RecordDirection. */
  direction: number;
}

/** Row `i` of `b` as an object (copies the address words). */
export function recordAt(b: FlowRecordBatch, i: number): FlowRecord {
  const a = i << 2;
  return {
    receivedMs: b.tsMs[i],
    startMs: b.startMs[i],
    endMs: b.endMs[i],
    durationMs: b.endMs[i] - b.startMs[i],
    family: b.family[i],
    src: b.src.slice(a, a + 4),
    dst: b.dst.slice(a, a + 4),
    srcPort: b.srcPort[i],
    dstPort: b.dstPort[i],
    proto: b.proto[i],
    bytes: b.bytes[i],
    packets: b.packets[i],
    sampling: b.sampling[i],
    tcpFlags: b.tcpFlags[i],
    tos: b.tos[i],
    inIf: b.inIf[i],
    outIf: b.outIf[i],
    srcAs: b.srcAs[i],
    dstAs: b.dstAs[i],
    vlan: b.vlan[i],
    exporterFamily: b.exporterFamily[i],
    exporter: b.exporter.slice(a, a + 4),
    domain: b.domain[i],
    kind: b.kind[i],
    direction: b.direction[i],
  };
}
