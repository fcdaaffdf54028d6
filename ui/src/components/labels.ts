/**
 * The words the dashboard uses for the daemon's type names: security event types, anomaly rules and the
 * alert types they are filed under, advisory types, attack signals, where a flow's name came from. Each
 * table is keyed by the daemon's own union (imported as a type), so a type the daemon adds without words
 * here fails `deno check ui/src/main.ts` (ui/types_check_test.ts), as the device type icons do.
 *
 * @module
 */
import type {
  AdvisoryType,
  AlertJson,
  ANOMALY_TYPES,
  AnomalyEvent,
  ATTACK_SIGNALS,
  DeviceSourceKind,
  NAME_SOURCES,
  SecurityEventType,
} from "../types.ts";

/** Security event types (SECURITY_EVENT_TYPES). */
export const SECURITY_LABELS: Record<SecurityEventType, string> = {
  rogue_device: "New device",
  arp_spoof: "ARP spoofing",
  mac_spoof: "MAC spoofing",
  duplicate_ip: "Duplicate IP",
  blocklisted: "Block-listed address",
};

/** Anomaly rules (AnomalyEvent.rule). */
export const ANOMALY_RULE_LABELS: Record<AnomalyEvent["rule"], string> = {
  spike: "Traffic spike",
  sustained: "Sustained rise",
  retransmissions: "TCP retransmissions",
  attack: "Attack signals",
};

/** The alert type each anomaly rule is filed under in /alerts (the daemon's ANOMALY_TYPES, checked). */
export const ANOMALY_ALERT_TYPES: { readonly [R in AnomalyEvent["rule"]]: (typeof ANOMALY_TYPES)[R] } = {
  spike: "traffic_spike",
  sustained: "traffic_sustained",
  retransmissions: "tcp_retransmissions",
  attack: "attack_signals",
};

/**
 * Advisory types (ADVISORY_TYPES), in the daemon's order, in the words its e-mails use (ADVISORY_TITLES of
 * src/alert/message.ts; that table is daemon code and stays out of the bundle, so it is not imported).
 */
export const ADVISORY_LABELS: Record<AdvisoryType, string> = {
  top_talker: "Top talker",
  traffic_spike: "Traffic spike",
  traffic_drop: "Traffic drop",
  insecure_protocol: "Insecure protocol",
  port_scan: "Port scan",
  host_sweep: "Host sweep",
  dns_volume: "DNS volume",
  flow_asymmetry: "Asymmetric flows",
};

/** Attack signals (ATTACK_SIGNALS), with what each means. */
export const ATTACK_SIGNAL_LABELS: Record<(typeof ATTACK_SIGNALS)[number], string> = {
  syn_flood: "SYN flood: handshakes that never complete",
  tiny_packets: "Tiny packets: too small to carry data",
  low_ttl: "Low TTL: far fewer hops left than usual",
  sequence_gaps: "Sequence gaps: numbers jumping ahead",
  volume_deviation: "Volume far above its baseline",
};

/** Where a flow's server name came from (NAME_SOURCES without null). */
export const NAME_SOURCE_LABELS: Record<NonNullable<(typeof NAME_SOURCES)[number]>, string> = {
  sni: "TLS server name (SNI)",
  http_host: "HTTP Host header",
  dns: "DNS answer",
};

/** How a device was learned (DeviceJson.sources). */
export const DEVICE_SOURCE_LABELS: Record<DeviceSourceKind, string> = {
  arp_sweep: "ARP sweep",
  snmp: "SNMP",
  traffic: "captured traffic",
  arp_table: "a polled device's ARP table",
  trap: "SNMP trap",
  netflow: "NetFlow/IPFIX/sFlow",
};

/** Alert kinds (ALERT_KINDS). */
export const ALERT_KIND_LABELS: Record<AlertJson["kind"], string> = {
  security: "security",
  anomaly: "anomaly",
  trap: "trap",
  advisory: "advisory",
};

/** SNMP traps the filter offers by name (RFC 3418 generic traps). */
const TRAPS: readonly [string, string][] = [["linkDown", "link down"], ["linkUp", "link up"], [
  "coldStart",
  "cold start",
]];

/** The words for `key` in `table`, or the key itself when the agent is newer than this dashboard. */
export function labelOf(table: Readonly<Record<string, string>>, key: string | null | undefined): string {
  if (key === null || key === undefined) return "";
  return Object.hasOwn(table, key) ? table[key] : key.replaceAll("_", " ");
}

/** An alert's type in words, whatever its kind. */
export function alertTypeLabel(kind: string, type: string): string {
  if (kind === "security") return labelOf(SECURITY_LABELS, type);
  if (kind === "advisory") return labelOf(ADVISORY_LABELS, type);
  if (kind === "anomaly") {
    const rule = (Object.keys(ANOMALY_ALERT_TYPES) as AnomalyEvent["rule"][]).find((r) =>
      ANOMALY_ALERT_TYPES[r] === type
    );
    return rule ? ANOMALY_RULE_LABELS[rule] : labelOf({}, type);
  }
  return labelOf(Object.fromEntries(TRAPS), type);
}

/** The alert history's type choices: every type of every kind, each value once. */
export function alertTypeOptions(): [string, string][] {
  const out = new Map<string, string>([["", "any"]]);
  for (const [k, v] of Object.entries(SECURITY_LABELS)) out.set(k, v);
  for (const r of Object.keys(ANOMALY_RULE_LABELS) as AnomalyEvent["rule"][]) {
    out.set(ANOMALY_ALERT_TYPES[r], `${ANOMALY_RULE_LABELS[r]} (anomaly)`);
  }
  for (const [k, v] of Object.entries(ADVISORY_LABELS)) {
    out.set(k, out.has(k) ? `${v} (anomaly or advisory)` : `${v} (advisory)`);
  }
  for (const [k, v] of TRAPS) out.set(k, `${v} (trap)`);
  return [...out];
}
