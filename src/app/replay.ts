/**
 * `flintnet replay FILE`: the whole pipeline over a capture file, as fast as it goes, with capture
 * timestamps as the clock, so the same file and settings always give the same document.
 */
import { join } from "node:path";
import { type FileStream, openCaptureStream } from "../capture/mod.ts";
import {
  type AnalysisConfig,
  type ArpWatchConfig,
  type VisibilityConfig,
  visibilitySettings,
} from "../config/mod.ts";
import { createAnalysis } from "../analysis/mod.ts";
import {
  ALLOWLIST_FILE,
  type AnomalyOptions,
  AttackAllowlist,
  createPacketDetectors,
  type DnsQueryJson,
  PRIVATE_NETWORKS,
  ThreatLists,
  VolumeAnomalyDetector,
} from "../detect/mod.ts";
import { parseCidr } from "../net/mod.ts";
import { ArpHistory, OuiSearch, type VendorLookup } from "../devices/mod.ts";
import { type AnomalyEvent, EventBus, type PublishedEvent } from "../events/mod.ts";
import { type FlowJson, FlowPipeline, FlowTable, flowToJson, topFlowsByBytes } from "../flow/mod.ts";
import { createLogger } from "../base/mod.ts";
import { PassiveDiscovery, type PassiveNeighbourJson, PassiveNeighbours } from "../topology/mod.ts";

/** What replay needs to know. */
export interface ReplayOptions {
  /** Report every flow instead of the top 100 by bytes. */
  allFlows: boolean;
  /** Flow table bound. */
  maxFlows: number;
  /** Idle timeout, seconds. */
  flowIdleTimeoutS: number;
  /** Active timeout, seconds. */
  flowActiveTimeoutS: number;
  /** Detector settings. */
  anomaly: AnomalyOptions;
  /** ARP watcher settings (learning period measured on the capture's clock, allow-list). */
  arp: ArpWatchConfig;
  /** Names and TCP health settings. @default the settings' defaults */
  visibility?: VisibilityConfig;
  /** Advisory thresholds (the analysis runs each minute of the capture's clock). */
  analysis?: AnalysisConfig;
  /** A state directory whose attack-allowlist.txt applies (nothing else in it is read or written). @default none */
  stateDir?: string | null;
  /** MAC vendors for the events' wording; the IEEE registry of ieee-data by default. */
  oui?: VendorLookup;
  /** Log progress on stderr for files larger than this many bytes (default 64 MiB). */
  progressAboveBytes?: number;
}

/** The replay document. */
export interface ReplayResult {
  file: string;
  format: string;
  totals: Record<string, unknown>;
  flows: FlowJson[];
  anomalies: (AnomalyEvent & { id: number })[];
  events: PublishedEvent[];
  /** LLDP and CDP neighbours seen in the capture. */
  neighbours: PassiveNeighbourJson[];
  /** Each host's DNS queries with their answers (docs/visibility.md), by host address. */
  dns: Record<string, DnsQueryJson[]>;
  elapsed_s: number;
  packets_per_s: number;
}

const TOP_FLOWS = 100;

/** Runs the pipeline over `path` and returns the document `replay` prints. */
export async function replayFile(path: string, o: ReplayOptions): Promise<ReplayResult> {
  // Block lists are read once (a replay is over before a list would change), before the clock starts:
  // packets_per_s measures the packets; the lists' load time is in totals.blocklists.
  const lists = new ThreatLists((o.visibility ?? visibilitySettings({})).blocklists);
  await lists.refresh();
  const allowlist = new AttackAllowlist(o.stateDir ? join(o.stateDir, ALLOWLIST_FILE) : null);
  await allowlist.refresh();
  const started = performance.now();
  // The reading Worker starts now, so its start-up overlaps building the table and the detectors.
  const source = openCaptureStream(path);
  try {
    return await replayFrom(path, source, o, lists, allowlist, started);
  } catch (err) {
    source.cancel();
    throw err;
  }
}

async function replayFrom(
  path: string,
  source: FileStream,
  o: ReplayOptions,
  lists: ThreatLists,
  allowlist: AttackAllowlist,
  started: number,
): Promise<ReplayResult> {
  const log = createLogger("replay");
  const warmup = o.anomaly.warmupIntervals;
  const finished: FlowJson[] = []; // flows that left the table (idle, full) or rolled over
  const keepFinished = (json: FlowJson) => {
    if (o.allFlows) return void finished.push(json);
    // keep only what can still make the top list
    finished.push(json);
    if (finished.length > TOP_FLOWS * 4) {
      finished.sort((a, b) => b.bytes - a.bytes);
      finished.length = TOP_FLOWS;
    }
  };
  const table = new FlowTable(o.maxFlows, (id) => keepFinished(flowToJson(table, id, warmup)));
  const bus = new EventBus();
  const events: PublishedEvent[] = [];
  bus.subscribe((e) => events.push(e), { name: "replay", capacity: Number.MAX_SAFE_INTEGER });
  // Hosts of private networks get baselines (replay has no FLINTNET_CIDR); nothing is saved.
  const anomalyDetector = new VolumeAnomalyDetector(table, o.anomaly, (e) => bus.publish(e));
  // The IEEE registries are read only if an alert needs a vendor name (most captures raise none), and parsed
  // only if many do: the few asked for are searched for in the files. Parsed whole at the first alert, they
  // took 0.13 s of a replay that takes 0.75 s. (Reading them ahead on Deno's threads cost every replay 12 ms.)
  const oui = o.oui ?? new OuiSearch();
  // The same packet-level detectors as the daemon, with a history that lives only as long as the run:
  // replay never writes the daemon's state files.
  const vis = o.visibility ?? visibilitySettings({});
  const packet = createPacketDetectors({
    arpHistory: new ArpHistory(),
    publish: (e) => bus.publish(e),
    learningPeriodS: o.arp.learningPeriodS,
    allowMacs: o.arp.allowMacs,
    windowS: o.arp.windowS,
    vendor: (mac) => oui.vendor(mac),
    table,
    retransmissions: { rate: vis.retransRate, minSegments: vis.retransMinSegments },
    dns: { perHost: vis.dnsHistory, hosts: vis.dnsHosts },
    blocklists: lists,
    attack: { threshold: vis.attackScore, synMin: vis.attackSynMin, allowlist },
  });
  const neighbours = new PassiveNeighbours(65_536);
  const passive = new PassiveDiscovery((o) => neighbours.observe(o));
  // The analysis reads each interval's counters before the anomaly detector starts the next interval.
  const analysis = o.analysis
    ? createAnalysis(table, o.analysis, PRIVATE_NETWORKS.map(parseCidr), (e) => bus.publish(e))
    : undefined;
  if (analysis) {
    analysis.cleartext = () => packet.cleartext.take();
    analysis.gatewayRequest = (row) => packet.arp.neighbourRequests[row] === 1;
  }
  const pipeline = new FlowPipeline(table, [
    ...(analysis ? [analysis] : []),
    anomalyDetector,
    ...packet.all,
    ...(analysis ? [analysis.arpProbes] : []), // after the ARP watcher, whose judgment of each request it reads
    passive,
  ], {
    intervalMs: o.anomaly.intervalS * 1000,
    idleTimeoutMs: o.flowIdleTimeoutS * 1000,
    activeTimeoutMs: o.flowActiveTimeoutS * 1000,
  }, (id) => keepFinished(flowToJson(table, id, warmup)));
  let lastProgress = started;
  const progressAbove = o.progressAboveBytes ?? 64 * 1024 * 1024;
  // Reading and decoding run in a Worker, the flow table and detectors here: two cores, one pipeline.
  const { stats, decode } = await source.run(pipeline, {
    onProgress(read, total) {
      const now = performance.now();
      if (total < progressAbove || now - lastProgress < 1000) return;
      lastProgress = now;
      log.info("replay progress", { percent: Math.round((read / total) * 100), bytes_read: read });
    },
  });
  pipeline.finish();
  analysis?.finish();
  // The bus delivers in a microtask queued as the last interval published: one more turn of the microtask
  // queue lets it run (a timer would add up to 15 ms of waiting on a busy machine).
  await new Promise<void>((r) => queueMicrotask(r));
  const elapsed = (performance.now() - started) / 1000;

  let flows: FlowJson[];
  const live = o.allFlows
    ? Array.from({ length: table.highWater }, (_, id) => id).filter((id) => table.family[id] !== 0)
    : topFlowsByBytes(table, TOP_FLOWS);
  flows = live.map((id) => flowToJson(table, id, warmup)).concat(finished);
  flows.sort((a, b) => b.bytes - a.bytes);
  if (!o.allFlows) flows = flows.slice(0, TOP_FLOWS);

  return {
    file: path,
    format: stats.format,
    totals: {
      frames: stats.frames,
      wire_bytes: stats.bytes,
      truncated_file: stats.truncatedTail,
      skipped_blocks: stats.skippedBlocks,
      bad_records: stats.badRecords,
      decode,
      flows_created: table.created,
      flows_active: table.size,
      flows_expired_idle: table.expiredIdle,
      flows_evicted_full: table.evictedFull,
      flows_records_seen_twice: table.recordsSeenTwice,
      flows_rolled_over: pipeline.rolledOver,
      intervals: pipeline.intervalsClosed,
      anomalies: anomalyDetector.raised,
      anomaly_episodes: anomalyDetector.stats(),
      events: countEvents(events),
      arp: packet.arp.counters(),
      names: { ...packet.names.counters, dns: packet.names.book.counters, ...packet.names.book.sizes },
      tcp: packet.tcp.totals,
      ...(analysis ? { analysis: analysis.stats() } : {}),
      blocklists: { lists: lists.status(), ...packet.blocklists.counters },
      attack: { ...packet.attack.counters, open_episodes: packet.attack.openEpisodes },
    },
    flows,
    anomalies: events.filter((e): e is AnomalyEvent & { id: number } => e.kind === "anomaly"),
    events,
    neighbours: neighbours.toJson(),
    dns: packet.names.book.toJson(),
    elapsed_s: Math.round(elapsed * 1000) / 1000,
    packets_per_s: Math.round(stats.frames / Math.max(elapsed, 1e-9)),
  };
}

/**
 * The document as `JSON.stringify(result)` writes it, byte for byte, with each anomaly serialised once: the
 * same objects are in `anomalies` and in `events`, and a capture with a thousand of them spent about 40 ms
 * (of a 1.1 s replay) writing them twice.
 */
export function replayJson(result: ReplayResult): string {
  const written = new Map<object, string>();
  const list = (items: readonly object[]) => {
    const parts = items.map((e) => {
      let text = written.get(e);
      if (text === undefined) written.set(e, text = JSON.stringify(e));
      return text;
    });
    return `[${parts.join(",")}]`;
  };
  // a member whose value is undefined is left out, as JSON.stringify leaves it out
  const members = Object.entries(result).filter(([, value]) => value !== undefined).map(([key, value]) =>
    `${JSON.stringify(key)}:${key === "anomalies" || key === "events" ? list(value) : JSON.stringify(value)}`
  );
  return `{${members.join(",")}}`;
}

/**
 * Events by kind, security events also by type ("security.arp_spoof") and advisories by type and phase
 * ("advisory.port_scan.raised"), for `totals.events`.
 */
function countEvents(events: readonly PublishedEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (key: string) => void (counts[key] = (counts[key] ?? 0) + 1);
  for (const e of events) {
    add(e.kind);
    if (e.kind === "security") add(`security.${e.type}`);
    if (e.kind === "advisory") add(`advisory.${e.type}.${e.phase}`);
  }
  return counts;
}
