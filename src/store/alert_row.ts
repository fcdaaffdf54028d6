/**
 * What an alert is, whatever raised it: the few columns history, mutes and delivery file it under
 * (when, what kind and type, how bad, which MAC and addresses, one sentence), taken from a security,
 * anomaly, trap or advisory event.
 */
import type { AlertEvent, SecurityEvent } from "../events/mod.ts";

/** The kinds of event that are alerts. */
export type AlertKind = AlertEvent["kind"];

/** Every alert kind. */
export const ALERT_KINDS: readonly AlertKind[] = ["security", "anomaly", "trap", "advisory"];

/** How bad an alert is. */
export type AlertSeverity = "info" | "warning" | "critical";

/** Every severity, least severe first. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ["info", "warning", "critical"];

/** The type of an AnomalyEvent by its rule: a spike (one or two intervals) or a sustained rise. */
export const ANOMALY_TYPES = {
  spike: "traffic_spike",
  sustained: "traffic_sustained",
  retransmissions: "tcp_retransmissions",
  attack: "attack_signals",
} as const;

/** Traps that mean something stopped working (RFC 3418 / RFC 2863 generic traps) are warnings. */
const WARNING_TRAPS = new Set(["linkDown", "authenticationFailure", "egpNeighborLoss"]);

/** A summary longer than this is cut: it is a sentence for a list, the event keeps the rest. */
export const MAX_SUMMARY_CHARS = 1000;

/** The columns of an alert taken from its event. */
export interface AlertFields {
  /** When it happened, ms since the epoch (the event's ts; `fallbackMs` when that does not parse). */
  ts: number;
  /** security, anomaly or trap. */
  kind: AlertKind;
  /** Security: rogue_device, arp_spoof…; anomaly: traffic_spike or traffic_sustained; trap: its name (linkDown…). */
  type: string;
  /** info, warning or critical. */
  severity: AlertSeverity;
  /** The MAC it is filed under (security only), lower case with colons. */
  mac: string | null;
  /** The address it is about: security ip, anomaly src_ip (a host that received: dst_ip), trap source_ip. */
  ip: string | null;
  /** The other end: a flow anomaly's dst_ip; null otherwise. */
  peer_ip: string | null;
  /** The SNMP device that reported it: trap source_ip, or a security event's polled device. */
  device_ip: string | null;
  /** One sentence: SecurityEvent.explanation, AnomalyEvent.reason, TrapEvent.reason. */
  summary: string;
}

/** An alert as stored. */
export interface AlertRecord extends AlertFields {
  /** Its id in the history (never reused). */
  id: number;
  /** See NewAlert. */
  muted: boolean;
  /** When it was acknowledged, ms since the epoch; null when not. */
  acked_at: number | null;
  /** Who acknowledged it ("api"). */
  acked_by: string | null;
  /** What they wrote. */
  ack_note: string | null;
  /** The event, as stored; null if the stored text no longer parses. */
  event: Record<string, unknown> | null;
}

/** Which alerts a query returns; every member given must hold. */
export interface AlertFilter {
  /** This kind. */
  kind?: AlertKind;
  /** This type (rogue_device, traffic_spike, linkDown…). */
  type?: string;
  /** This severity. */
  severity?: AlertSeverity;
  /** This MAC, lower case with colons. */
  mac?: string;
  /** This address as ip, peer_ip or device_ip (canonical text). */
  ip?: string;
  /** At or after, ms. */
  sinceMs?: number;
  /** At or before, ms. */
  untilMs?: number;
  /** Acknowledged (true) or not (false). */
  acked?: boolean;
  /** Muted (true) or not (false). */
  muted?: boolean;
  /** Text the summary contains (case-insensitive for ASCII). */
  q?: string;
}

/** How bad the alert of `e` is: the security event's own severity; anomalies warn; traps by name. */
export function alertSeverity(e: AlertEvent): AlertSeverity {
  if (e.kind === "security") return e.severity;
  if (e.kind === "anomaly") return "warning";
  if (e.kind === "advisory") return e.severity;
  return WARNING_TRAPS.has(e.name) ? "warning" : "info";
}

/** The alert columns of `e`. */
export function alertFields(e: AlertEvent, fallbackMs: number = Date.now()): AlertFields {
  const parsed = Date.parse(e.ts);
  const ts = Number.isFinite(parsed) ? parsed : fallbackMs;
  switch (e.kind) {
    case "security":
      return {
        ts,
        kind: "security",
        type: e.type,
        severity: alertSeverity(e),
        mac: typeof e.mac === "string" ? e.mac.toLowerCase() : null,
        ip: e.ip || null,
        peer_ip: null,
        device_ip: securityDeviceIp(e),
        summary: cut(e.explanation),
      };
    case "anomaly":
      return {
        ts,
        kind: "anomaly",
        type: ANOMALY_TYPES[e.rule],
        severity: alertSeverity(e),
        mac: null,
        ip: e.src_ip || e.dst_ip || null,
        peer_ip: e.src_ip ? e.dst_ip || null : null,
        device_ip: null,
        summary: cut(e.reason),
      };
    case "trap":
      return {
        ts,
        kind: "trap",
        type: e.name,
        severity: alertSeverity(e),
        mac: null,
        ip: e.source_ip || null,
        peer_ip: null,
        device_ip: e.source_ip || null,
        summary: cut(e.reason),
      };
    case "advisory":
      return {
        ts,
        kind: "advisory",
        type: e.type,
        severity: alertSeverity(e),
        mac: null,
        ip: e.ip,
        peer_ip: null,
        device_ip: e.subject_kind === "exporter" || e.subject_kind === "interface" ? e.ip : null,
        summary: cut(e.phase === "resolved" ? `Resolved: ${e.resolution ?? e.summary}` : e.summary),
      };
  }
}

/** The type an alert of `e` is filed under (see AlertFields.type). */
export function alertType(e: AlertEvent): string {
  if (e.kind === "advisory") return e.type;
  return e.kind === "security" ? e.type : e.kind === "anomaly" ? ANOMALY_TYPES[e.rule] : e.name;
}

/** The addresses an alert of `e` is about, for matching by ip. */
export function alertIps(e: AlertEvent): string[] {
  if (e.kind === "anomaly") return [e.src_ip, e.dst_ip].filter((ip): ip is string => ip !== null);
  if (e.kind === "advisory") return e.ip === null ? [] : [e.ip];
  return e.kind === "security" ? [e.ip] : [e.source_ip];
}

/** The device whose ARP table showed it, as src/detect/arp_security.ts names it in the evidence. */
function securityDeviceIp(e: SecurityEvent): string | null {
  if (e.source !== "snmp") return null;
  const d = e.evidence?.polled_device;
  return typeof d === "string" && d.length <= 64 ? d : null;
}

function cut(text: unknown): string {
  const s = typeof text === "string" ? text : "";
  return s.length > MAX_SUMMARY_CHARS ? `${s.slice(0, MAX_SUMMARY_CHARS - 1)}…` : s;
}
