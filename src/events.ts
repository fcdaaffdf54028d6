/**
 * Every event Flintnet publishes, as a kind-tagged union. Later detectors (security, interface,
 * device, topology, trap, advisory) add their own member here; consumers switch on `kind`.
 */

/** A flow carried far more in one interval than its learned baseline. */
export interface AnomalyEvent {
  kind: "anomaly";
  /** When the interval that tripped the detector ended (capture time), ISO 8601. */
  ts: string;
  /** Source address of the flow. */
  src_ip: string;
  /** Destination address of the flow. */
  dst_ip: string;
  /** Source port (ICMP type). */
  src_port: number;
  /** Destination port (ICMP code). */
  dst_port: number;
  /** IP protocol number. */
  protocol: number;
  /** IP-layer octets in the interval that tripped. */
  bytes: number;
  /** Packets in that interval. */
  packets: number;
  /** The baseline: EWMA of octets per interval before this one. */
  ewma_bytes: number;
  /** EWMA standard deviation of octets per interval (after the floor, see README). */
  ewma_stddev_bytes: number;
  /** mean + k·σ: the octets above which the interval is anomalous. */
  threshold_bytes: number;
  /** The floor below which nothing is anomalous (FLINTNET_ANOMALY_MIN_BYTES). */
  min_bytes: number;
  /** (bytes − mean) / σ. */
  score: number;
  /** The k in use. */
  k: number;
  /** Interval length in seconds. */
  interval_s: number;
  /** How long the flow has been seen, in seconds. */
  duration_s: number;
  /** Octets of the whole flow so far. */
  flow_bytes: number;
  /** Packets of the whole flow so far. */
  flow_packets: number;
  /** Community ID v1 of the flow. */
  community_id: string;
  /** One plain sentence for a person. */
  reason: string;
}

/** Periodic counters for dashboards (published by the daemon every few seconds). */
export interface StatsEvent {
  kind: "stats";
  /** When the snapshot was taken, ISO 8601. */
  ts: string;
  /** The snapshot itself (shape of GET /stats). */
  stats: Record<string, unknown>;
}

/** Any event. */
export type FlintnetEvent = AnomalyEvent | StatsEvent;

/** The kinds there are. */
export type EventKind = FlintnetEvent["kind"];

/** An event as the bus delivers it: with its sequence number. */
export type PublishedEvent = FlintnetEvent & { /** Monotonic per process, from 1. */ id: number };
