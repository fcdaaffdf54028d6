/**
 * The analysis engine with every analyzer, from the settings: one place that daemon and replay share, so
 * `flintnet replay` reports the advisories the daemon would.
 */
import type { AnalysisConfig } from "../config/mod.ts";
import type { AdvisoryEvent, MinuteSummary } from "../events/mod.ts";
import type { CidrWords, FlowTable } from "../flow/mod.ts";
import { AnalysisEngine } from "./analysis_engine.ts";
import { DnsVolumeAnalyzer } from "./dns_volume.ts";
import { FlowAsymmetryAnalyzer } from "./flow_asymmetry.ts";
import { InsecureProtocolAnalyzer } from "./insecure_protocols.ts";
import { ScanAnalyzer } from "./scan_analyzer.ts";
import { TopTalkerAnalyzer } from "./top_talkers.ts";
import { TrafficChangeAnalyzer } from "./traffic_change.ts";

/**
 * Builds the engine over `table`: advisories go to `publish`, each closed minute to `onMinute`. Scans from
 * `ownAddresses` (the appliance's, whose discovery sweeps the networks) are not reported, and a default
 * SNMP community they sent is said to be the appliance's own poll.
 */
export function createAnalysis(
  table: FlowTable,
  cfg: AnalysisConfig,
  localNetworks: readonly CidrWords[],
  publish: (e: AdvisoryEvent) => void,
  onMinute?: (s: MinuteSummary) => void,
  ownAddresses: readonly string[] = [],
  interfaceName?: (exporter: string, ifIndex: number) => string | null,
): AnalysisEngine {
  const scan = new ScanAnalyzer({
    ports: cfg.scan.ports,
    hosts: cfg.scan.hosts,
    windowMinutes: cfg.scanWindowMinutes,
    ignore: new Set(ownAddresses),
  });
  return new AnalysisEngine(table, {
    localNetworks,
    probeMinDistinct: scan.minProbeDistinct,
    publish,
    onMinute,
    flowsPerMinute: cfg.historyFlowsPerMinute,
    analyzers: [
      new TopTalkerAnalyzer({ share: cfg.topTalkerShare, minTotalBytes: cfg.topTalkerMinBytes }),
      new TrafficChangeAnalyzer({
        spikeRatio: 5,
        dropRatio: 0.05,
        minBytes: cfg.changeMinBytes,
        warmupMinutes: 10,
        interfaceName,
      }),
      new InsecureProtocolAnalyzer(ownAddresses),
      scan,
      new DnsVolumeAnalyzer(cfg.dnsQueriesPerMinute),
      new FlowAsymmetryAnalyzer(),
    ],
  });
}
