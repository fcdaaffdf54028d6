/**
 * The FLINTNET_* settings of the advisories (src/analysis/) and the flow history: how often the analysis
 * runs is fixed (a minute, on the pipeline's clock), what it reports is tuned here. The ones replay needs
 * too (thresholds) are read with the detector settings.
 */
import { duration, intRange, numberRange, type Parser, Rejected } from "./parsers.ts";
import { setting, value, type Vars } from "./setting.ts";

/** FLINTNET_SCAN_THRESHOLD as read. */
export interface ScanThreshold {
  /** Distinct destination ports a source probes in a minute (or the window) to be scanning. */
  ports: number;
  /** Distinct hosts to be sweeping. */
  hosts: number;
}

/** Resolved analysis settings. */
export interface AnalysisConfig {
  /** Port scan and host sweep thresholds. */
  scan: ScanThreshold;
  /** Minutes of the slow-scan sliding window. */
  scanWindowMinutes: number;
  /** DNS queries a host sends in a minute for a DNS-volume advisory. */
  dnsQueriesPerMinute: number;
  /** Share of a minute's octets (0 … 1) that makes a host a top talker. */
  topTalkerShare: number;
  /** Octets a minute must carry before top talkers are reported. */
  topTalkerMinBytes: number;
  /** Octets a minute a subnet's or interface's baseline needs before spikes and drops are reported. */
  changeMinBytes: number;
  /** Seconds of flow history kept. */
  flowRetentionS: number;
  /** Flows kept per minute in the history (the largest by octets). */
  historyFlowsPerMinute: number;
  /** MiB the flow history's file may hold at most; the oldest minutes go first. */
  historyMaxMb: number;
}

/** `PORTS/HOSTS`, or PORTS alone (hosts stay 100). */
const scanThreshold: Parser<ScanThreshold> = {
  accepted: "PORTS/HOSTS (distinct ports, distinct hosts, each a whole number from 2 to 65535), e.g. 500/100",
  parse(text) {
    const m = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(text.trim());
    if (!m) throw new Rejected();
    const ports = Number(m[1]), hosts = m[2] === undefined ? 100 : Number(m[2]);
    if (ports < 2 || ports > 65535 || hosts < 2 || hosts > 65535) throw new Rejected();
    return { ports, hosts };
  },
  format: (v) => `${v.ports}/${v.hosts}`,
};

/** The settings table rows of this file, in `--help` order. */
export const ANALYSIS_SETTINGS = {
  scan: setting({
    name: "FLINTNET_SCAN_THRESHOLD",
    description: "A source that probes this many distinct ports, or hosts, in 60 s (or in the slow-scan " +
      "window) raises a port-scan or host-sweep advisory.",
    parser: scanThreshold,
    fallback: { ports: 500, hosts: 100 },
  }),
  scanWindowMinutes: setting({
    name: "FLINTNET_SCAN_WINDOW",
    description: "Sliding window for slow scans, in whole minutes: probes spread over it add up.",
    parser: duration(60, 3600),
    fallback: 900,
  }),
  dnsQueriesPerMinute: setting({
    name: "FLINTNET_DNS_QUERY_THRESHOLD",
    description: "DNS queries a host sends in a minute that raise a DNS-volume advisory.",
    parser: intRange(10, 10_000_000),
    fallback: 1000,
  }),
  topTalkerShare: setting({
    name: "FLINTNET_TOP_TALKER_SHARE",
    description: "Share of a minute's traffic (0.1 to 1) one host must carry to be reported as a top talker.",
    parser: numberRange(0.1, 1),
    fallback: 0.5,
  }),
  topTalkerMinBytes: setting({
    name: "FLINTNET_TOP_TALKER_MIN_BYTES",
    description: "Octets a minute must carry before top talkers are reported (60000000: 8 Mbit/s).",
    parser: intRange(0),
    fallback: 60_000_000,
  }),
  changeMinBytes: setting({
    name: "FLINTNET_TRAFFIC_CHANGE_MIN_BYTES",
    description: "Octets a minute a subnet or exporter interface usually carries before its spikes and " +
      "drops are reported.",
    parser: intRange(0),
    fallback: 1_000_000,
  }),
  flowRetentionS: setting({
    name: "FLINTNET_FLOW_RETENTION",
    description: "How long per-minute flow history is kept (state dir, SQLite); 0 keeps none.",
    parser: duration(0, 365 * 86_400),
    fallback: 72 * 3600,
  }),
  historyFlowsPerMinute: setting({
    name: "FLINTNET_FLOW_HISTORY_FLOWS",
    description: "Flows kept in history per minute: the largest by octets of up to four times as many " +
      "followed (the host, subnet and interface sums count every flow).",
    parser: intRange(100, 1_000_000),
    fallback: 20_000,
  }),
  historyMaxMb: setting({
    name: "FLINTNET_FLOW_HISTORY_MAX_MB",
    description: "MiB of the state dir the flow history may fill at most; above it the oldest minutes are " +
      "removed before the retention would (a minute of 20000 flows takes 3 to 5 MiB).",
    parser: intRange(16, 1_000_000),
    fallback: 2048,
  }),
};

/** Reads the analysis settings. */
export function analysisSettings(vars: Vars): { analysis: AnalysisConfig } {
  const S = ANALYSIS_SETTINGS;
  const windowS = value(S.scanWindowMinutes, vars);
  return {
    analysis: {
      scan: value(S.scan, vars),
      scanWindowMinutes: Math.max(1, Math.round(windowS / 60)),
      dnsQueriesPerMinute: value(S.dnsQueriesPerMinute, vars),
      topTalkerShare: value(S.topTalkerShare, vars),
      topTalkerMinBytes: value(S.topTalkerMinBytes, vars),
      changeMinBytes: value(S.changeMinBytes, vars),
      flowRetentionS: value(S.flowRetentionS, vars),
      historyFlowsPerMinute: value(S.historyFlowsPerMinute, vars),
      historyMaxMb: value(S.historyMaxMb, vars),
    },
  };
}
