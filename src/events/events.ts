import type { DeviceJson, InterfaceJson } from "./device_json.ts";

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

/** Progress of a discovery sweep, and devices found or changed. */
export interface DeviceEvent {
  kind: "device";
  /** When, ISO 8601. */
  ts: string;
  /**
   * sweep_started / sweep_progress / sweep_finished: a discovery sweep (see `sweep`);
   * found: a device seen for the first time; updated: its identity, classification or poll status changed.
   */
  action: "sweep_started" | "sweep_progress" | "sweep_finished" | "found" | "updated";
  /** The sweep, for the sweep_* actions. */
  sweep?: SweepProgress;
  /** The device, for found and updated. */
  device?: DeviceJson;
}

/** Where a discovery sweep is. */
export interface SweepProgress {
  /** Sweep number since start. */
  id: number;
  /** What started it: "start", "interval" or "api". */
  trigger: "start" | "interval" | "api";
  /** The networks being swept. */
  cidrs: string[];
  /** Addresses probed so far. */
  scanned: number;
  /** Addresses to probe in all. */
  total: number;
  /** Devices that answered so far (ARP or SNMP). */
  found: number;
  /** Of those, how many answered SNMP. */
  snmp: number;
  /** When the sweep started, ISO 8601. */
  started_at: string;
  /** Seconds since it started. */
  elapsed_s: number;
}

/** An interface's counters after a poll, or its state after a linkDown/linkUp trap. */
export interface InterfaceEvent {
  kind: "interface";
  /** When, ISO 8601. */
  ts: string;
  /** The device's address. */
  device_ip: string;
  /** The device's name (sysName), null when unknown. */
  device_name: string | null;
  /** The interface as it now is. */
  interface: InterfaceJson;
  /** poll: new rates; link_down / link_up: the operational state changed (trap or poll). */
  change: "poll" | "link_down" | "link_up";
}

/** A varbind as it arrived in a trap. */
export interface TrapVarbind {
  /** Dotted OID. */
  oid: string;
  /** ASN.1 type name (Integer, OctetString, Counter64, ObjectIdentifier…). */
  type: string;
  /** The value as text (printable strings as they are, other octets as hex, numbers in decimal). */
  value: string;
}

/** An SNMP trap or inform received. */
export interface TrapEvent {
  kind: "trap";
  /** When it was received, ISO 8601. */
  ts: string;
  /** The agent's address (v1: agent-addr if set, else the UDP source). */
  source_ip: string;
  /** SNMP version of the PDU. */
  version: "v1" | "v2c";
  /** trap (unacknowledged) or inform (acknowledged to the sender). */
  pdu: "trap" | "inform";
  /** coldStart, warmStart, linkDown, linkUp, authenticationFailure, egpNeighborLoss, or "enterpriseSpecific". */
  name: string;
  /** snmpTrapOID (v2c) or the equivalent v1 → v2 mapping (RFC 3584 §3.1), dotted. */
  trap_oid: string;
  /** sysUpTime of the sender in hundredths of a second. */
  uptime_cs: number;
  /** ifIndex, for linkDown/linkUp. */
  if_index: number | null;
  /** Every varbind, in order. */
  varbinds: TrapVarbind[];
  /** One plain sentence for a person. */
  reason: string;
  /**
   * Traps from the same source held back (over FLINTNET_TRAP_RATE_PER_SOURCE or _TOTAL a minute) since
   * its previous published one; absent in alerts recorded before the limit existed.
   */
  held_back?: number;
}

/** What the ARP watcher can report. */
export type SecurityEventType = "rogue_device" | "arp_spoof" | "mac_spoof" | "duplicate_ip";

/** Every security event type. */
export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [
  "rogue_device",
  "arp_spoof",
  "mac_spoof",
  "duplicate_ip",
];

/** Something on the LAN that a person should look at: a new device, or ARP that lies. */
export interface SecurityEvent {
  kind: "security";
  /** When it was seen (capture or poll time), ISO 8601. */
  ts: string;
  /** What it is. */
  type: SecurityEventType;
  /** info (new device), warning, critical (spoofing of a gateway, say). */
  severity: "info" | "warning" | "critical";
  /** The MAC the event is about (the device it is filed under). */
  mac: string;
  /** The IP address involved. */
  ip: string;
  /** Vendor of the MAC from its OUI; null when unregistered or locally administered. */
  vendor: string | null;
  /** One or two plain sentences for a person: what happened and why it matters. */
  explanation: string;
  /** The facts behind it: the MACs and IPs, the times, the packets or poll that showed it. */
  evidence: Record<string, unknown>;
  /** Where it was seen: passive capture, or an ARP table polled over SNMP (with the device's address). */
  source: "capture" | "snmp";
}

/** The events that are alerts: recorded in history, deliverable by e-mail and webhook. */
export type AlertEvent = SecurityEvent | AnomalyEvent | TrapEvent;

/** Any event. */
export type FlintnetEvent =
  | AnomalyEvent
  | StatsEvent
  | DeviceEvent
  | InterfaceEvent
  | TrapEvent
  | SecurityEvent;

/** The kinds there are. */
export type EventKind = FlintnetEvent["kind"];

/** An event as the bus delivers it: with its sequence number. */
export type PublishedEvent = FlintnetEvent & { /** Monotonic per process, from 1. */ id: number };

/** Where publishers send what they find (the bus's publish, or a test's array push). */
export type Publish = (event: FlintnetEvent) => void;
