/**
 * One minute of traffic as the analysis summarises it and the flow history stores it: the minute's flows
 * (per 5-tuple, each with what it carried in that minute), and aggregates per local host, per local subnet
 * and per exporter interface. Produced by src/analysis/ from the flow table, written by src/store/'s flow
 * history; declared here so both can share it without knowing each other.
 *
 * The flows are columns of typed arrays (like the flow table), so a minute of thousands of flows crosses
 * to the history's Worker as a few buffers; the aggregates are a few hundred objects.
 */

/** The flows of a minute, as columns of `count` rows. */
export interface MinuteFlowColumns {
  /** Rows. */
  count: number;
  /** 4 or 6. */
  family: Uint8Array;
  /** Source address, 4 words a row (IPv4 in word 0). */
  src: Uint32Array;
  /** Destination address, 4 words a row. */
  dst: Uint32Array;
  /** Source port (ICMP type). */
  srcPort: Uint16Array;
  /** Destination port (ICMP code). */
  dstPort: Uint16Array;
  /** IP protocol. */
  proto: Uint8Array;
  /** OR of the TCP flags seen in the minute. */
  tcpFlags: Uint8Array;
  /** IP-layer octets in the minute. */
  bytes: Float64Array;
  /** Packets in the minute. */
  packets: Float64Array;
  /** First packet of the flow seen in the minute (no earlier than the minute's start), ms since the epoch. */
  firstMs: Float64Array;
  /** Last packet of the flow in the minute, ms since the epoch. */
  lastMs: Float64Array;
  /** The NetFlow/IPFIX exporter of its latest record: 1 + an index into {@link MinuteSummary.exporters}; 0 = captured. */
  exporter: Uint16Array;
  /** Bit (exporter number mod 32) of every exporter that reported it this minute; 0 = captured. */
  exporterMask: Uint32Array;
  /** Input ifIndex of its latest record (0 = unknown or captured). */
  inIf: Uint32Array;
  /** Output ifIndex. */
  outIf: Uint32Array;
  /** BGP source AS (0 = unknown). */
  srcAs: Uint32Array;
  /** BGP destination AS (0 = unknown). */
  dstAs: Uint32Array;
}

/** A local host's minute. */
export interface MinuteHostRow {
  /** The address. */
  ip: string;
  /** Octets it sent. */
  sent_bytes: number;
  /** Octets it received. */
  received_bytes: number;
  /** Packets it sent. */
  sent_packets: number;
  /** Packets it received. */
  received_packets: number;
  /** Flows it took part in. */
  flows: number;
  /** Packets it sent to port 53 (DNS queries, UDP or TCP). */
  dns_queries: number;
  /** Packets it received on port 53 (it answers DNS: a resolver). */
  dns_served: number;
}

/** A local subnet's minute (/24 for IPv4, /64 for IPv6). */
export interface MinuteSubnetRow {
  /** The network, "192.168.5.0/24". */
  cidr: string;
  /** Octets of the flows with an end in it, each flow once (traffic within it is not counted twice). */
  bytes: number;
  /** Octets its hosts sent. */
  sent_bytes: number;
  /** Octets its hosts received. */
  received_bytes: number;
  /** Packets sent. */
  sent_packets: number;
  /** Packets received. */
  received_packets: number;
}

/** An exporter interface's minute, from NetFlow/IPFIX records. */
export interface MinuteInterfaceRow {
  /** The exporter's address. */
  exporter: string;
  /** The ifIndex. */
  if_index: number;
  /** Octets of records that entered by it. */
  in_bytes: number;
  /** Octets of records that left by it. */
  out_bytes: number;
  /** Packets that entered. */
  in_packets: number;
  /** Packets that left. */
  out_packets: number;
}

/** One minute. */
export interface MinuteSummary {
  /** The minute's start, ms since the epoch (a multiple of 60,000; capture clock). */
  minuteMs: number;
  /** The flows kept for the minute: the largest by octets, up to the configured number. */
  flows: MinuteFlowColumns;
  /** Exporter addresses the flows' `exporter` column points into. */
  exporters: string[];
  /** Local hosts. */
  hosts: MinuteHostRow[];
  /** Local subnets. */
  subnets: MinuteSubnetRow[];
  /** Exporter interfaces. */
  interfaces: MinuteInterfaceRow[];
  /** Every flow of the minute together (kept or not). */
  totals: {
    /** Octets. */
    bytes: number;
    /** Packets. */
    packets: number;
    /** Distinct flows. */
    flows: number;
    /** Flows not kept as rows (past the per-minute bound): their octets are still in the aggregates. */
    flows_not_kept: number;
  };
}
