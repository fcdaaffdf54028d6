/**
 * The anomaly rule Flintnet shipped before issue 19, kept only so the bench can measure it beside the
 * current one on the same simulated traffic: an EWMA mean and variance of each flow's raw octets per
 * interval (West 1979), and
 *
 *   alert  ⇔  mature ∧ x > mean + k·σ ∧ x ≥ minBytes      (σ floored at 5 % of the mean)
 *
 * once per run of intervals over the threshold. Empty intervals count as 0 octets. Its state is in the
 * flow table's baseline columns, as it was then (never run it beside the current detector).
 */
import type { Detector } from "../../src/flow/detector.ts";
import type { FlowTable } from "../../src/flow/flow_table.ts";
import { formatIp } from "../../src/net/address.ts";

/** What the old rule reported. */
export interface LegacyEvent {
  tsMs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  bytes: number;
  mean: number;
  score: number;
}

/** Its knobs (the same names as the current options). */
export interface LegacyOptions {
  alpha: number;
  k: number;
  minBytes: number;
  warmupIntervals: number;
}

const SIGMA_FLOOR_OF_MEAN = 0.05;
const MAX_EMPTY_UPDATES = 64;

/** The old EWMA detector, as it was in src/detect/ewma_anomaly.ts. */
export class LegacyEwmaDetector implements Detector {
  readonly name = "legacy-ewma";
  #t: FlowTable;
  #o: LegacyOptions;
  #emit: (e: LegacyEvent) => void;

  constructor(table: FlowTable, o: LegacyOptions, emit: (e: LegacyEvent) => void) {
    this.#t = table;
    this.#o = o;
    this.#emit = emit;
  }

  onInterval(startMs: number, endMs: number, emptyAfter: number): void {
    const t = this.#t, { alpha, k, minBytes, warmupIntervals } = this.#o;
    const mean = t.ewmaMean, variance = t.ewmaVar, n = t.ewmaIntervals, active = t.anomalyActive;
    const empty = Math.min(emptyAfter, MAX_EMPTY_UPDATES);
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0) continue;
      const x = t.intervalBytes(id);
      t.resetInterval(id);
      if (t.firstSeen(id) > startMs && n[id] === 0) continue;
      const m = mean[id];
      if (n[id] === 0) {
        mean[id] = x;
        variance[id] = 0;
      } else {
        if (n[id] >= warmupIntervals) {
          const sigma = Math.max(Math.sqrt(variance[id]), m * SIGMA_FLOOR_OF_MEAN, 1);
          if (x > m + k * sigma && x >= minBytes) {
            if (active[id] === 0) {
              active[id] = 1;
              const a = id << 2;
              this.#emit({
                tsMs: endMs,
                src: formatIp(t.family[id], t.src, a),
                dst: formatIp(t.family[id], t.dst, a),
                srcPort: t.srcPort[id],
                dstPort: t.dstPort[id],
                bytes: x,
                mean: m,
                score: (x - m) / sigma,
              });
            }
          } else active[id] = 0;
        }
        const diff = x - m, incr = alpha * diff;
        mean[id] = m + incr;
        variance[id] = (1 - alpha) * (variance[id] + diff * incr);
      }
      n[id]++;
      for (let i = 0; i < empty; i++) {
        const m2 = mean[id];
        mean[id] = m2 - alpha * m2;
        variance[id] = (1 - alpha) * (variance[id] + alpha * m2 * m2);
        n[id]++;
      }
      if (empty > 0) active[id] = 0;
    }
  }
}
