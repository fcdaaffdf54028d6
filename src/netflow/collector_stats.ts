/**
 * The collector's counters as /stats shows them under `collector`: totals, malformed and refused
 * datagrams by reason, the state held (templates, waiting data sets), and per exporter. Built when
 * asked (once a second by the Worker), never on the record path.
 */
import type { ExporterCounters, ExporterState } from "./exporter_state.ts";
import { NETFLOW_MALFORMED_NAMES, NETFLOW_REFUSED_NAMES, NetflowRefused } from "./malformed.ts";
import { sourceKindName } from "./flow_record.ts";

/** One exporter in /stats. */
export interface ExporterStats extends ExporterCounters {
  /** Protocols it sent: netflow_v5, netflow_v9, ipfix. */
  versions: string[];
  /** Observation domains (v9 source IDs, IPFIX domains, v5 engines) seen. */
  domains: number;
  /** Templates held for it. */
  templates: number;
  /** FLINTNET_NETFLOW_SAMPLING for it, or null when the exporter's own rates apply. */
  sampling_override: number | null;
  /** Its last datagram, ISO 8601. */
  last_seen: string;
}

/** What the collector reports (without the listeners' kernel figures, which the Worker adds). */
export interface CollectorStats extends ExporterCounters {
  /** Malformed datagrams by reason (every reason present, 0 when none). */
  malformed_by_reason: Record<string, number>;
  /** What was refused because a bound was reached: datagrams (exporter, domain limits) and template records (template_burst). */
  refused: number;
  /** Refused datagrams by reason. */
  refused_by_reason: Record<string, number>;
  /** Options data records read (sampling rates, uptime bases). */
  options_records: number;
  /** Data records of templates that describe no flow (no address pair), skipped. */
  other_records: number;
  /** sFlow interface counters dropped because more arrived in a second than the collector hands on. */
  interface_counters_dropped: number;
  /** Exporters tracked now. */
  exporter_count: number;
  /** Templates held now, all exporters. */
  templates: number;
  /** Templates pushed out by the bounds since start. */
  templates_evicted: number;
  /** Data sets waiting for their template, and their octets. */
  pending_sets: number;
  pending_bytes: number;
  /** Per exporter, by address: the MAX_EXPORTERS_SHOWN busiest when there are more. */
  exporters: Record<string, ExporterStats>;
}

/** What {@link collectorStats} reads. */
export interface CollectorStatsInput {
  retired: ExporterCounters;
  exporters: ExporterState[];
  malformedByReason: readonly number[];
  refusedByReason: readonly number[];
  optionsRecords: number;
  otherRecords: number;
  interfaceCountersDropped: number;
  templates: number;
  templatesEvicted: number;
  pendingSets: number;
  pendingBytes: number;
}

const VERSIONS = [5, 9, 10, 16] as const;
/**
 * Exporters listed by name, busiest first: /stats is also the SSE stream's `stats` event every 2 s, so
 * thousands of (perhaps spoofed) exporters must not make it megabytes; the totals count every one.
 */
export const MAX_EXPORTERS_SHOWN = 256;

/** Builds the stats document. */
export function collectorStats(i: CollectorStatsInput): CollectorStats {
  const totals: ExporterCounters = { ...i.retired };
  const exporters: Record<string, ExporterStats> = {};
  for (const e of i.exporters) {
    for (const k of Object.keys(totals) as (keyof ExporterCounters)[]) totals[k] += e.counters[k];
  }
  const shown = i.exporters.length <= MAX_EXPORTERS_SHOWN
    ? i.exporters
    : [...i.exporters].sort((a, b) => b.counters.datagrams - a.counters.datagrams).slice(
      0,
      MAX_EXPORTERS_SHOWN,
    );
  for (const e of shown) {
    exporters[e.address] = {
      ...e.counters,
      versions: VERSIONS.filter((v) => e.versions & (1 << v)).map(sourceKindName),
      domains: e.domains.size,
      templates: e.templateQueue.size,
      sampling_override: e.samplingOverride || null,
      last_seen: new Date(e.lastSeenMs).toISOString(),
    };
  }
  const refused = i.refusedByReason.reduce((a, b) => a + b, 0);
  return {
    ...totals,
    // A datagram from an exporter past the bound has no exporter to be counted under.
    datagrams: totals.datagrams + (i.refusedByReason[NetflowRefused.ExporterLimit] ?? 0),
    malformed_by_reason: Object.fromEntries(
      NETFLOW_MALFORMED_NAMES.map((n, r) => [n, i.malformedByReason[r] ?? 0]),
    ),
    refused,
    refused_by_reason: Object.fromEntries(
      NETFLOW_REFUSED_NAMES.map((n, r) => [n, i.refusedByReason[r] ?? 0]),
    ),
    options_records: i.optionsRecords,
    other_records: i.otherRecords,
    interface_counters_dropped: i.interfaceCountersDropped,
    exporter_count: i.exporters.length,
    templates: i.templates,
    templates_evicted: i.templatesEvicted,
    pending_sets: i.pendingSets,
    pending_bytes: i.pendingBytes,
    exporters,
  };
}
