/**
 * Per-flow volume anomalies: each flow's octets per interval are compared with an exponentially
 * weighted moving mean and variance of its own past intervals (West 1979's incremental form).
 *
 *   flag when  mature  ∧  x > mean + k·σ  ∧  x ≥ minBytes
 *
 * An immature baseline (fewer than `warmupIntervals` complete intervals) never alerts: the first
 * hours of a deployment are where naive detectors cry wolf. One spike gives one event: a flow stays
 * "in anomaly" until an interval falls back under the threshold.
 */
import type { AnomalyEvent, Publish } from "../events/mod.ts";
import { communityId, type Detector, type FlowTable } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";

/** The knobs (FLINTNET_EWMA_ALPHA, FLINTNET_ANOMALY_*). */
export interface EwmaOptions {
  /** Weight of the newest interval, 0 < α ≤ 1. */
  alpha: number;
  /** Deviations above the mean that count as anomalous. */
  k: number;
  /** Octets per interval below which nothing is anomalous. */
  minBytes: number;
  /** Complete intervals before a baseline may alert. */
  warmupIntervals: number;
  /** Interval length in seconds. */
  intervalS: number;
}

/**
 * σ is floored at this share of the mean so that a perfectly steady flow (σ ≈ 0) does not alert on a
 * wobble of a few percent.
 */
export const SIGMA_FLOOR_OF_MEAN = 0.05;
/** After this many empty intervals in a row the baseline has decayed to ~0 anyway; stop iterating. */
const MAX_EMPTY_UPDATES = 64;

/** The EWMA detector; its state lives in the flow table's ewma* columns. */
export class EwmaAnomalyDetector implements Detector {
  readonly name = "ewma";
  #t: FlowTable;
  #o: EwmaOptions;
  #publish: Publish;
  /** Anomalies raised. */
  raised = 0;

  constructor(table: FlowTable, options: EwmaOptions, publish: Publish) {
    this.#t = table;
    this.#o = options;
    this.#publish = publish;
  }

  onInterval(startMs: number, endMs: number, emptyAfter: number): void {
    const t = this.#t;
    const { alpha, k, minBytes, warmupIntervals } = this.#o;
    const empty = Math.min(emptyAfter, MAX_EMPTY_UPDATES);
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0) continue;
      const x = t.intervalBytes(id);
      const packets = t.intervalPackets(id);
      t.resetInterval(id);
      // A flow that started inside this interval only has part of one: not a fair sample.
      if (t.firstSeen(id) > startMs && t.ewmaIntervals[id] === 0) continue;
      const mean = t.ewmaMean[id];
      if (t.ewmaIntervals[id] === 0) {
        t.ewmaMean[id] = x;
        t.ewmaVar[id] = 0;
      } else {
        if (t.ewmaIntervals[id] >= warmupIntervals) {
          const sigma = Math.max(Math.sqrt(t.ewmaVar[id]), mean * SIGMA_FLOOR_OF_MEAN, 1);
          const threshold = mean + k * sigma;
          if (x > threshold && x >= minBytes) {
            if (t.anomalyActive[id] === 0) {
              t.anomalyActive[id] = 1;
              this.raised++;
              this.#publish(this.#event(id, endMs, x, packets, mean, sigma, threshold));
            }
          } else {
            t.anomalyActive[id] = 0;
          }
        }
        const diff = x - mean;
        const incr = alpha * diff;
        t.ewmaMean[id] = mean + incr;
        t.ewmaVar[id] = (1 - alpha) * (t.ewmaVar[id] + diff * incr);
      }
      t.ewmaIntervals[id]++;
      for (let i = 0; i < empty; i++) {
        const m = t.ewmaMean[id];
        t.ewmaMean[id] = m - alpha * m;
        t.ewmaVar[id] = (1 - alpha) * (t.ewmaVar[id] + alpha * m * m);
        t.ewmaIntervals[id]++;
      }
      if (empty > 0) t.anomalyActive[id] = 0;
    }
  }

  #event(
    id: number,
    endMs: number,
    x: number,
    packets: number,
    mean: number,
    sigma: number,
    threshold: number,
  ): AnomalyEvent {
    const t = this.#t;
    const a = id << 2;
    const fam = t.family[id];
    const src = formatIp(fam, t.src, a), dst = formatIp(fam, t.dst, a);
    const score = (x - mean) / sigma;
    const { intervalS, k, minBytes } = this.#o;
    const ratio = mean > 0
      ? `${(x / mean).toFixed(1)}× its usual ${fmtBytes(mean)}`
      : "with no usual traffic";
    return {
      kind: "anomaly",
      ts: new Date(endMs).toISOString(),
      src_ip: src,
      dst_ip: dst,
      src_port: t.srcPort[id],
      dst_port: t.dstPort[id],
      protocol: t.proto[id],
      bytes: x,
      packets,
      ewma_bytes: Math.round(mean),
      ewma_stddev_bytes: Math.round(sigma),
      threshold_bytes: Math.round(threshold),
      min_bytes: minBytes,
      score: Math.round(score * 100) / 100,
      k,
      interval_s: intervalS,
      duration_s: Math.round(t.lastSeen(id) - t.firstSeen(id)) / 1000,
      flow_bytes: t.bytes(id),
      flow_packets: t.packets(id),
      community_id: communityId(fam, t.src, a, t.dst, a, t.proto[id], t.srcPort[id], t.dstPort[id]),
      reason: `${endpoints(src, dst, t.proto[id], t.srcPort[id], t.dstPort[id])} sent ` +
        `${fmtBytes(x)} in ${intervalS} s, ${ratio} per ${intervalS} s — ${score.toFixed(1)} deviations ` +
        `above its baseline (alert threshold ${k}).`,
    };
  }
}

function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}

/** "a:1 → b:2 (TCP)", or for ICMP, whose "ports" are type and code, "a → b (ICMP type 3 code 3)". */
function endpoints(src: string, dst: string, proto: number, sp: number, dp: number): string {
  if (proto === 1 || proto === 58) return `${src} → ${dst} (${protoName(proto)} type ${sp} code ${dp})`;
  const wrap = (ip: string) => ip.includes(":") ? `[${ip}]` : ip;
  return `${wrap(src)}:${sp} → ${wrap(dst)}:${dp} (${protoName(proto)})`;
}

function protoName(p: number): string {
  return p === 6 ? "TCP" : p === 17 ? "UDP" : p === 1 ? "ICMP" : p === 58 ? "ICMPv6" : `IP proto ${p}`;
}
