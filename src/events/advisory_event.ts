/**
 * An advisory: what the analysis engine (src/analysis/) tells a person about the traffic of the last
 * minutes, in one sentence with the numbers, with a suggested action and the evidence behind it. Each
 * advisory is raised once (phase `raised`) and resolved once when its condition ends (phase `resolved`,
 * same `advisory_id`). docs/advisories.md describes every type, its threshold and what to do.
 */

/** What an advisory is about. */
export type AdvisoryType =
  | "top_talker"
  | "traffic_spike"
  | "traffic_drop"
  | "insecure_protocol"
  | "port_scan"
  | "host_sweep"
  | "dns_volume"
  | "flow_asymmetry";

/** Every advisory type, in the order docs/advisories.md lists them. */
export const ADVISORY_TYPES: readonly AdvisoryType[] = [
  "top_talker",
  "traffic_spike",
  "traffic_drop",
  "insecure_protocol",
  "port_scan",
  "host_sweep",
  "dns_volume",
  "flow_asymmetry",
];

/** What kind of thing the subject is. */
export type AdvisorySubjectKind = "host" | "subnet" | "exporter" | "interface";

/** Every subject kind. */
export const ADVISORY_SUBJECT_KINDS: readonly AdvisorySubjectKind[] = [
  "host",
  "subnet",
  "exporter",
  "interface",
];

/** How bad an advisory is. */
export type AdvisorySeverity = "info" | "warning" | "critical";

/** One advisory event: raised, or resolved. */
export interface AdvisoryEvent {
  kind: "advisory";
  /** raised: the condition began; resolved: it ended. */
  phase: "raised" | "resolved";
  /** The advisory, the same in its raised and resolved events. */
  advisory_id: string;
  /** When this event's analysis ran (the end of the minutes it looked at, capture clock), ISO 8601. */
  ts: string;
  /** What it is about. */
  type: AdvisoryType;
  /** info, warning or critical. */
  severity: AdvisorySeverity;
  /** The subject in words: "10.0.1.50", "192.168.5.0/24", "10.0.0.1 ifIndex 3 (Gi0/1)", "10.0.0.1 and 10.0.0.2". */
  subject: string;
  /** host, subnet, exporter (a NetFlow/IPFIX exporter, or a pair of them) or interface (an exporter's ifIndex). */
  subject_kind: AdvisorySubjectKind;
  /** The host's, or the (first) exporter's, address; null for a subnet. */
  ip: string | null;
  /** One sentence with the numbers, for a person ("10.0.1.50 is using 73 % of total bandwidth …"). */
  summary: string;
  /** What to do about it, in one or two sentences. */
  action: string;
  /** The facts behind it: counts, top peers and ports, thresholds; the members depend on the type. */
  evidence: Record<string, unknown>;
  /** When it was raised (the end of the run that raised it), ISO 8601. */
  raised_at: string;
  /** resolved: when the run that found the condition gone ended; null while raised. */
  resolved_at: string | null;
  /** resolved: why, in one sentence; null while raised. */
  resolution: string | null;
}
