/**
 * The seam between the analysis engine and its analyzers: once a minute (capture clock) the engine hands
 * every analyzer the minute it closed, and each answers with the conditions it finds now. The advisory
 * book (advisory_book.ts) turns the answers into raised and resolved events: an analyzer never remembers
 * what it reported, only what it needs to judge (a baseline, a sliding window).
 */
import type { AdvisorySeverity, AdvisorySubjectKind, AdvisoryType, MinuteSummary } from "../events/mod.ts";
import type { CleartextSighting } from "../detect/mod.ts";
import type { MinuteHosts } from "./minute_hosts.ts";
import type { SourceProbes } from "./probe_log.ts";

/** A condition an analyzer sees in the minute just closed. */
export interface Finding {
  /** What it is about. */
  type: AdvisoryType;
  /** The condition's identity within its type: the same key on the next run is the same advisory. */
  key: string;
  /** info, warning or critical. */
  severity: AdvisorySeverity;
  /** The subject in words. */
  subject: string;
  /** host, subnet, exporter or interface. */
  subject_kind: AdvisorySubjectKind;
  /** The host's or exporter's address; null for a subnet. */
  ip: string | null;
  /** One sentence with the numbers. */
  summary: string;
  /** What to do. */
  action: string;
  /** The numbers behind it. */
  evidence: Record<string, unknown>;
}

/** What the engine gives every analyzer once a minute. */
export interface MinuteInput {
  /** The minute: flows (the largest), hosts, subnets, exporter interfaces, totals. */
  summary: MinuteSummary;
  /** The minute's local hosts as columns (the same as `summary.hosts`, without an object per host). */
  hosts: MinuteHosts;
  /** The end of the minute, ms since the epoch (capture clock). */
  endMs: number;
  /**
   * Per source: the connection attempts nobody answered in the minute (sources with at least the engine's
   * `probeMinDistinct` distinct ports or hosts; every source with one by default).
   */
  probes: SourceProbes[];
  /** Servers seen speaking cleartext protocols in payloads during the minute. */
  cleartext: CleartextSighting[];
  /**
   * Conversations whose two directions were reported by exporters with none in common, per exporter
   * pair ("10.0.0.1|10.0.0.2", the lower address first): conversations and octets.
   */
  asymmetric: Map<string, { conversations: number; bytes: number; sample: string[] }>;
}

/** One analyzer. */
export interface Analyzer {
  /** Short name, for timing and failures (flintnet_detector_seconds_total-style). */
  readonly name: string;
  /** The advisory types it reports: an open advisory of these types not found in a run counts a miss. */
  readonly types: readonly AdvisoryType[];
  /**
   * Runs without the condition before its advisory is resolved: 1 resolves at the first minute without
   * it; more keeps a condition that comes and goes from being raised again and again.
   */
  readonly resolveAfterRuns: number;
  /** The conditions found in this minute. */
  analyze(m: MinuteInput): Finding[];
}
