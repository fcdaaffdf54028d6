import type { DeviceJson, InterfaceJson } from "./device_json.ts";
import type { TopologyEdgeJson, TopologyNodeJson } from "./topology_json.ts";
import type { BaselineJson } from "./baseline_json.ts";
import type { AdvisoryEvent } from "./advisory_event.ts";

/**
 * Every event Flintnet publishes, as a kind-tagged union. Later detectors (security, interface,
 * device, topology, trap, advisory) add their own member here; consumers switch on `kind`.
 */

/** What an anomaly is about: one flow (a 5-tuple, one direction), one local host, or one local subnet. */
export type AnomalyScope = "flow" | "host" | "subnet";

/** One attack signal behind an `attack` anomaly (docs/visibility.md). */
export interface AttackSignalJson {
  /** syn_flood, tiny_packets, low_ttl, sequence_gaps or volume_deviation. */
  name: string;
  /** Its weight in the score. */
  weight: number;
  /**
   * What it counted: syn_flood the TCP flows whose handshake never completed; tiny_packets the packets of
   * tiny flows; low_ttl the flows with a low TTL; sequence_gaps the gaps; volume_deviation the flows far
   * above their baseline.
   */
  count: number;
}

/**
 * An anomaly episode: a flow, host or subnet carrying far more than it normally does. Each episode gives
 * one `open` event when it starts (the alert) and one `closed` event when traffic is back to normal, with
 * the same `episode_id`; the closed event repeats the open one's facts and adds the summary (duration,
 * peak, total and excess bytes). See docs/anomalies.md for the rules.
 */
export interface AnomalyEvent {
  kind: "anomaly";
  /** open: the episode began; closed: it ended (the summary). */
  phase: "open" | "closed";
  /** The episode, the same in its open and closed events. */
  episode_id: string;
  /** open: end of the interval that opened the episode; closed: end of the interval that closed it (capture time), ISO 8601. */
  ts: string;
  /** Start of the episode's first anomalous interval, ISO 8601. */
  started_at: string;
  /** closed: end of its last anomalous interval; null while open. */
  ended_at: string | null;
  /** How long the episode lasted (closed) or has lasted so far (open), seconds. */
  duration_s: number;
  /** flow, host or subnet. */
  scope: AnomalyScope;
  /** What it is about, in words: "10.0.0.5:40000 → 192.0.2.9:443 (TCP)", "10.0.0.5", "10.0.0.0/24". */
  subject: string;
  /** The traffic measured: sent by the subject (a flow is always "sent": source to destination) or received. */
  direction: "sent" | "received";
  /** Flow: its source; host: the host when it sent; null otherwise. */
  src_ip: string | null;
  /** Flow: its destination; host: the host when it received; null otherwise. */
  dst_ip: string | null;
  /** Flow: source port (ICMP type); null otherwise. */
  src_port: number | null;
  /** Flow: destination port (ICMP code); null otherwise. */
  dst_port: number | null;
  /** Flow: IP protocol number; null otherwise. */
  protocol: number | null;
  /** Flow: Community ID v1; null otherwise. */
  community_id: string | null;
  /** Subnet: the network ("10.0.0.0/24"); null otherwise. */
  cidr: string | null;
  /**
   * spike: one or two intervals far above the baseline (recent, and the hour of day's once learned);
   * sustained: the level of the last minutes far above what this hour of the day usually carries;
   * retransmissions: a TCP flow resent too many of its segments (ratio: the share, score: how many, packets:
   * its segments in the interval; docs/visibility.md); attack: a source whose packet-level attack signals
   * scored at least FLINTNET_ATTACK_SCORE (score: the 0–1 score; signals: what contributed).
   */
  rule: "spike" | "sustained" | "retransmissions" | "attack";
  /** IP-layer octets in the interval that opened the episode. */
  bytes: number;
  /** Packets in that interval. */
  packets: number;
  /** Flows that carried the subject's traffic in that interval (1 for a flow). */
  flows: number;
  /** The subject's level when it opened: its typical interval over the last minutes (slow EWMA), octets. */
  level_bytes: number;
  /** The baseline the traffic was compared with (frozen for the episode). */
  baseline: BaselineJson;
  /** How many times the baseline: bytes (spike) or level_bytes (sustained) ÷ baseline.typical_bytes. */
  ratio: number;
  /** How many spreads (σ of log-volume) above the baseline. */
  score: number;
  /** The smallest interval (spike) or level (sustained) that would have opened it, octets. */
  threshold_bytes: number;
  /** Spreads required (FLINTNET_ANOMALY_K). */
  k: number;
  /** Ratio to the baseline required (FLINTNET_ANOMALY_RATIO; a sustained rise needs its square root). */
  ratio_min: number;
  /** The floor below which nothing is anomalous (FLINTNET_ANOMALY_MIN_BYTES), octets per interval. */
  min_bytes: number;
  /** Interval length in seconds. */
  interval_s: number;
  /** The largest interval of the episode so far, octets. */
  peak_bytes: number;
  /** Octets carried during the episode so far. */
  total_bytes: number;
  /** Of those, how many above the baseline. */
  excess_bytes: number;
  /** Intervals in the episode so far. */
  intervals: number;
  /**
   * closed: back_to_normal (traffic fell back), new_normal (it stayed high for an hour and is now taken as
   * the usual level), subject_gone (the flow ended, or the host left the table); null while open.
   */
  close_reason: "back_to_normal" | "new_normal" | "subject_gone" | null;
  /** Flow: octets of the whole flow record so far; null otherwise. */
  flow_bytes: number | null;
  /** Flow: packets of the whole flow record so far; null otherwise. */
  flow_packets: number | null;
  /** Episodes of this subject opened since its last reported one and not reported (rate limit). */
  unreported_same: number;
  /** Episodes elsewhere not reported since the last reported one: more than the run's cap a minute. */
  unreported_cap: number;
  /** One plain sentence (two when something was held back) for a person. */
  reason: string;
  /** Rule attack: the signals behind the score, with what each counted (over the episode, when closed). */
  signals?: AttackSignalJson[];
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
  /**
   * poll: new rates (null when this poll could not measure what the one before did, as after an agent
   * restart); link_down / link_up: the operational state changed (trap or poll).
   */
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
  /** That interface's name (ifName, else ifDescr) as the device's last poll saw it; null when not known. */
  if_name: string | null;
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

/** What the ARP watcher can report, and `blocklisted`: a flow to or from an address on a block list. */
export type SecurityEventType = "rogue_device" | "arp_spoof" | "mac_spoof" | "duplicate_ip" | "blocklisted";

/** Every security event type. */
export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [
  "rogue_device",
  "arp_spoof",
  "mac_spoof",
  "duplicate_ip",
  "blocklisted",
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

/** A node or an edge of the network map appeared or disappeared (LLDP/CDP, polled or seen in capture). */
export interface TopologyEvent {
  kind: "topology";
  /** When the map changed, ISO 8601. */
  ts: string;
  /** What changed. */
  action: "node_added" | "node_removed" | "edge_added" | "edge_removed";
  /** The node, for node_added and node_removed (as it was, for a removal). */
  node?: TopologyNodeJson;
  /** The edge, for edge_added and edge_removed. */
  edge?: TopologyEdgeJson;
}

/** The events that are alerts: recorded in history, deliverable by e-mail and webhook. */
export type AlertEvent = SecurityEvent | AnomalyEvent | TrapEvent | AdvisoryEvent;

/** Any event. */
export type FlintnetEvent =
  | AnomalyEvent
  | StatsEvent
  | DeviceEvent
  | InterfaceEvent
  | TrapEvent
  | SecurityEvent
  | TopologyEvent
  | AdvisoryEvent;

/** The kinds there are. */
export type EventKind = FlintnetEvent["kind"];

/** An event as the bus delivers it: with its sequence number. */
export type PublishedEvent = FlintnetEvent & { /** Monotonic per process, from 1. */ id: number };

/** Where publishers send what they find (the bus's publish, or a test's array push). */
export type Publish = (event: FlintnetEvent) => void;
