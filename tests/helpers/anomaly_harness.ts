/**
 * The anomaly detector as the daemon wires it (FlowTable → FlowPipeline → VolumeAnomalyDetector), on a
 * simulated clock, for tests that state traffic interval by interval: `send(key, i, bytes)` puts `bytes`
 * of a flow into interval i, and every event the detector publishes is collected in order.
 */
import { createPacketBatch } from "../../src/decode/packet_batch.ts";
import type { AnomalyOptions } from "../../src/detect/anomaly_rules.ts";
import { VolumeAnomalyDetector, type VolumeAnomalySetup } from "../../src/detect/volume_anomaly.ts";
import type { AnomalyEvent } from "../../src/events/events.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import { parseCidr } from "../../src/net/cidr.ts";
import { addIpRow, type FlowKeyText } from "./batch_rows.ts";
import { DEFAULT_ANOMALY } from "./anomaly_scoring.ts";

/** Monday 2026-01-05 00:00 UTC: day 0 of every harness, a multiple of every interval used. */
export const DAY0 = Date.UTC(2026, 0, 5);

/** The daemon's defaults (its settings table). */
export const DEFAULTS: AnomalyOptions = DEFAULT_ANOMALY;

/** Options of {@link anomalyHarness}. */
export interface HarnessOptions {
  /** Detector knobs over DEFAULTS. */
  options?: Partial<AnomalyOptions>;
  /** Detector setup; hours are UTC and the local network is 10.0.0.0/8 and 2001:db8::/32 unless given. */
  setup?: VolumeAnomalySetup;
  /** The idle timeout, s. @default 600 */
  idleS?: number;
}

/** A detector in its pipeline, with helpers to feed it. */
export function anomalyHarness(h: HarnessOptions = {}) {
  const o: AnomalyOptions = { ...DEFAULTS, ...h.options };
  const iv = o.intervalS * 1000;
  const table = new FlowTable(4096);
  const events: AnomalyEvent[] = [];
  const detector = new VolumeAnomalyDetector(table, o, (e) => {
    if (e.kind !== "anomaly") throw new Error(`unexpected ${e.kind} event`);
    events.push(e);
  }, {
    hourOf: (ms) => new Date(ms).getUTCHours(),
    localNetworks: [parseCidr("10.0.0.0/8"), parseCidr("2001:db8::/32")],
    ...h.setup,
  });
  const pipeline = new FlowPipeline(table, [detector], {
    intervalMs: iv,
    idleTimeoutMs: (h.idleS ?? 600) * 1000,
    activeTimeoutMs: 7 * 86_400_000, // no record restarts inside these tests
  });
  const batch = createPacketBatch(4096);
  /**
   * Sends `bytes` of `key` in interval `i` as `packets` packets spread over the interval from
   * `offsetMs` on (0 bytes sends nothing).
   */
  function send(key: FlowKeyText, i: number, bytes: number, packets = 4, offsetMs = 0): void {
    if (bytes <= 0) return;
    batch.count = 0;
    const each = Math.floor(bytes / packets), step = Math.floor((iv - offsetMs) / packets);
    for (let p = 0; p < packets; p++) {
      const ipBytes = p === packets - 1 ? bytes - each * (packets - 1) : each;
      addIpRow(batch, { ...key, tsMs: DAY0 + i * iv + offsetMs + p * step, ipBytes });
    }
    pipeline.consume(batch);
  }
  /** Sends xs[j] bytes in interval `from + j` for every j. */
  function series(key: FlowKeyText, xs: readonly number[], from = 0): void {
    xs.forEach((x, j) => send(key, from + j, x));
  }
  /** Closes every interval up to the start of interval `i`. */
  function closeUpTo(i: number): void {
    pipeline.advanceTo(DAY0 + i * iv);
  }
  return {
    table,
    detector,
    pipeline,
    events,
    iv,
    send,
    series,
    closeUpTo,
    /** The open events. */
    opens: () => events.filter((e) => e.phase === "open"),
    /** The closed events. */
    closes: () => events.filter((e) => e.phase === "closed"),
    /** ISO time of the start of interval `i`. */
    at: (i: number) => new Date(DAY0 + i * iv).toISOString(),
  };
}

/** `n` copies of `x`. */
export function steady(n: number, x: number): number[] {
  return Array.from({ length: n }, () => x);
}
