/**
 * Runs simulated traffic (tests/helpers/traffic_sim.ts) through the real pipeline — FlowTable,
 * FlowPipeline and an anomaly detector, on the simulated clock — and scores what came out: false alerts
 * on benign days, and how soon each attack was caught. Used by tests/anomaly_precision_test.ts and by
 * the bench (tests/bench/anomaly_precision.ts), with the detector of this version or the one before it.
 */
import type { AnomalyEvent, FlintnetEvent } from "../../src/events/events.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import type { AnomalyOptions } from "../../src/detect/anomaly_rules.ts";
import { loadDetectorConfig } from "../../src/config/load.ts";
import { VolumeAnomalyDetector, type VolumeAnomalyStats } from "../../src/detect/volume_anomaly.ts";
import type { Detector } from "../../src/flow/detector.ts";
import {
  type Attack,
  EXFIL_DST,
  hostIp,
  longFlow,
  type SimOptions,
  type SimTruth,
  simulate,
} from "./traffic_sim.ts";
import { type LegacyEvent, LegacyEwmaDetector } from "./legacy_ewma_detector.ts";
import { parseCidr } from "../../src/net/cidr.ts";

/** The daemon's defaults, from its settings table (no environment, no env file). */
export const DEFAULT_ANOMALY: AnomalyOptions = (() => {
  const { storeSize: _, ...o } =
    loadDetectorConfig({}, { defaultEnvFile: "/nonexistent/flintnet.env" }).anomaly;
  return o;
})();

/** The simulated LAN (FLINTNET_CIDR): the hosts of traffic_sim.ts; servers and the exfiltration target lie outside. */
export const LAN = "10.231.180.0/24";

/** The daemon's flow timeouts (FLINTNET_FLOW_IDLE_TIMEOUT, FLINTNET_FLOW_ACTIVE_TIMEOUT). */
const IDLE_MS = 120_000, ACTIVE_MS = 1_800_000;

/** An alert as scored: when, about what. */
export interface Alert {
  /** When it was raised (end of the interval), ms. */
  tsMs: number;
  scope: "flow" | "host" | "subnet";
  /** Flow: "src:sport>dst:dport"; host: its address; subnet: its network. */
  subject: string;
  /** The event's sentence. */
  reason: string;
}

/** One simulated run. */
export interface SimRun {
  /** Alerts raised (for the new detector: episodes opened and reported). */
  alerts: Alert[];
  /** Every anomaly event (open and closed) of the new detector; empty for the old one. */
  events: AnomalyEvent[];
  truth: SimTruth;
  /** The new detector's counters; null for the old one. */
  stats: VolumeAnomalyStats | null;
  /** Wall time of the run, ms. */
  wallMs: number;
}

/** Which detector. */
export type DetectorKind = "new" | "old";

function flowSubject(k: { src: string; dst: string; srcPort: number; dstPort: number }): string {
  return `${k.src}:${k.srcPort}>${k.dst}:${k.dstPort}`;
}

/** Runs `sim` through the pipeline with `kind`'s detector at `options` (the defaults when absent). */
export function runSim(sim: SimOptions, kind: DetectorKind, options: Partial<AnomalyOptions> = {}): SimRun {
  const o = { ...DEFAULT_ANOMALY, ...options, intervalS: sim.intervalS };
  const table = new FlowTable(65_536);
  const alerts: Alert[] = [], events: AnomalyEvent[] = [];
  let detector: Detector, stats: () => VolumeAnomalyStats | null;
  if (kind === "new") {
    const d = new VolumeAnomalyDetector(table, o, (e: FlintnetEvent) => {
      if (e.kind !== "anomaly") return;
      events.push(e);
      if (e.phase !== "open") return;
      const subject = e.scope === "flow"
        ? flowSubject({ src: e.src_ip!, dst: e.dst_ip!, srcPort: e.src_port!, dstPort: e.dst_port! })
        : e.scope === "host"
        ? (e.src_ip ?? e.dst_ip)!
        : e.cidr!;
      alerts.push({ tsMs: Date.parse(e.ts), scope: e.scope, subject, reason: e.reason });
    }, { hourOf: (ms) => new Date(ms).getUTCHours(), localNetworks: [parseCidr(LAN)] });
    detector = d;
    stats = () => d.stats();
  } else {
    detector = new LegacyEwmaDetector(table, o, (e: LegacyEvent) => {
      alerts.push({
        tsMs: e.tsMs,
        scope: "flow",
        subject: flowSubject({ src: e.src, dst: e.dst, srcPort: e.srcPort, dstPort: e.dstPort }),
        reason: `${e.bytes} bytes, ${(e.bytes / e.mean).toFixed(1)}× the EWMA, score ${e.score.toFixed(1)}`,
      });
    });
    stats = () => null;
  }
  const pipeline = new FlowPipeline(table, [detector], {
    intervalMs: sim.intervalS * 1000,
    idleTimeoutMs: IDLE_MS,
    activeTimeoutMs: ACTIVE_MS,
  });
  const started = performance.now();
  const truth = simulate(sim, (b) => pipeline.consume(b));
  pipeline.finish();
  return { alerts, events, truth, stats: stats(), wallMs: performance.now() - started };
}

/** Alerts per subject-day on a benign run, by scope (from `fromMs` on: earlier days are learning). */
export interface FalseAlertFigures {
  /** Alerts on flows ÷ (long-lived flows × days): the "per flow per day". */
  perFlowDay: number;
  /** The most alerts any one flow had in one day. */
  worstFlowDay: number;
  /** Alerts on hosts ÷ (host directions × days) and on subnets ÷ (subnet directions × days). */
  perHostDay: number;
  perSubnetDay: number;
  /** Every alert counted. */
  total: number;
  alerts: Alert[];
}

/** Scores a benign run: every alert from `fromMs` on is a false one. */
export function falseAlerts(run: SimRun, sim: SimOptions, fromMs: number): FalseAlertFigures {
  const alerts = run.alerts.filter((a) => a.tsMs >= fromMs);
  const days = (sim.startMs + sim.days * 86_400_000 - fromMs) / 86_400_000;
  const perDay = new Map<string, number>();
  for (const a of alerts.filter((a) => a.scope === "flow")) {
    const key = `${a.subject}@${Math.floor((a.tsMs - fromMs) / 86_400_000)}`;
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }
  const count = (scope: string) => alerts.filter((a) => a.scope === scope).length;
  return {
    perFlowDay: count("flow") / (sim.flows * days),
    worstFlowDay: Math.max(0, ...perDay.values()),
    perHostDay: count("host") / (sim.hosts * 2 * days),
    perSubnetDay: count("subnet") / (2 * days),
    total: alerts.length,
    alerts,
  };
}

/** How one attack was caught. */
export interface Detection {
  /** Intervals from the attack's start to the end of the interval whose alert caught it; null: missed. */
  delayIntervals: number | null;
  /** The alert that caught it. */
  alert: Alert | null;
  /** Other alerts while the attack ran (and 10 minutes after): false ones, or the same attack seen elsewhere. */
  others: Alert[];
}

/** The subjects an attack can be caught on: its flow (and host); exfiltration: its host (and subnet). */
function targets(sim: SimOptions, a: Attack): string[] {
  if (a.kind === "exfil") return [hostIp(a.host), `${hostIp(a.host).replace(/\.\d+$/, ".0")}/24`];
  return [flowSubject(longFlow(sim, a.flow)), hostIp(a.flow % sim.hosts)];
}

/** When `a` ends, ms. */
function attackEnd(a: Attack): number {
  return a.atMs + (a.kind === "climb" ? a.rampS + a.holdS : a.durationS) * 1000;
}

/** Scores one attack of an attack run: the first alert on its subject at or after its start. */
export function detection(run: SimRun, sim: SimOptions, a: Attack): Detection {
  const subjects = targets(sim, a), end = attackEnd(a) + 600_000;
  const during = run.alerts.filter((x) => x.tsMs > a.atMs && x.tsMs <= end);
  const hit = during.find((x) => subjects.includes(x.subject)) ?? null;
  return {
    delayIntervals: hit ? (hit.tsMs - a.atMs) / (sim.intervalS * 1000) : null,
    alert: hit,
    others: during.filter((x) =>
      x !== hit && !subjects.includes(x.subject) && !x.subject.includes(EXFIL_DST)
    ),
  };
}
