import assert from "node:assert/strict";
import type { AnomalyEvent } from "../events/mod.ts";
import { createPacketBatch } from "../decode/packet_batch.ts";
import { FlowTable } from "../flow/flow_table.ts";
import { FlowPipeline } from "../flow/flow_pipeline.ts";
import { EwmaAnomalyDetector, type EwmaOptions } from "./ewma_anomaly.ts";
import { addIpRow, findFlow, type FlowKeyText } from "../../tests/helpers/batch_rows.ts";

const T0 = 1_700_000_000_000; // a multiple of the interval
/** The shipped defaults (src/config.ts). */
const DEFAULTS: EwmaOptions = { alpha: 0.1, k: 4, minBytes: 1_000_000, warmupIntervals: 30, intervalS: 10 };
const IV = DEFAULTS.intervalS * 1000;

/** The Community ID spec's own TCP example, whose ID the spec gives: 1:LQU9qZlK+B5F3KDmev6m5PMibrg= */
const WEB: FlowKeyText = {
  src: "128.232.110.120",
  dst: "66.35.250.204",
  srcPort: 34855,
  dstPort: 80,
  proto: 6,
};
const WEB_COMMUNITY_ID = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";
const OTHER: FlowKeyText = { src: "192.0.2.7", dst: "192.0.2.8", srcPort: 5000, dstPort: 5001, proto: 17 };

/** A flow table, the detector and the pipeline that drives it, with events collected in order. */
function harness(options: Partial<EwmaOptions> = {}) {
  const o = { ...DEFAULTS, ...options };
  const table = new FlowTable(256);
  const events: AnomalyEvent[] = [];
  const detector = new EwmaAnomalyDetector(table, o, (e) => {
    assert.equal(e.kind, "anomaly");
    events.push(e as AnomalyEvent);
  });
  const pipeline = new FlowPipeline(table, [detector], {
    intervalMs: o.intervalS * 1000,
    idleTimeoutMs: 600_000,
    activeTimeoutMs: 86_400_000, // no record restarts inside these tests
  });
  const batch = createPacketBatch(64);
  /**
   * Sends `bytes` of `key` in interval `i` as `packets` packets spread over the interval from
   * `startOffsetMs` on (0 bytes sends nothing).
   */
  function send(key: FlowKeyText, i: number, bytes: number, packets = 4, startOffsetMs = 0): void {
    if (bytes === 0) return;
    batch.count = 0;
    const each = Math.floor(bytes / packets);
    const step = Math.floor((IV - startOffsetMs) / packets);
    for (let p = 0; p < packets; p++) {
      const ipBytes = p === packets - 1 ? bytes - each * (packets - 1) : each;
      addIpRow(batch, { ...key, tsMs: T0 + i * IV + startOffsetMs + p * step, ipBytes });
    }
    pipeline.consume(batch);
  }
  /** Sends xs[i] bytes in interval i for every i, then closes the last interval. */
  function run(key: FlowKeyText, xs: readonly number[], packets = 4): void {
    xs.forEach((x, i) => send(key, i, x, packets));
    pipeline.finish();
  }
  return { table, detector, pipeline, events, send, run };
}

/**
 * The baseline before each interval, from the textbook recurrences (Finch 2009, "Incremental
 * calculation of weighted mean and variance"), seeded with the first sample:
 *   mean ← mean + α(x − mean),  var ← (1 − α)(var + α(x − mean)²)
 */
function reference(xs: readonly number[], alpha: number): { mean: number; variance: number }[] {
  const before: { mean: number; variance: number }[] = [];
  let mean = 0, variance = 0;
  xs.forEach((x, i) => {
    before.push({ mean, variance });
    if (i === 0) {
      mean = x;
      return;
    }
    const d = x - mean;
    variance = (1 - alpha) * (variance + alpha * d * d);
    mean = mean + alpha * d;
  });
  return before;
}

/** The threshold the README promises: mean + k·σ, σ floored at 5% of the mean. */
function expectedThreshold(ref: { mean: number; variance: number }, k: number) {
  const sigma = Math.max(Math.sqrt(ref.variance), 0.05 * ref.mean);
  return { sigma, threshold: ref.mean + k * sigma };
}

/** A wobbling but normal baseline around 200–240 kB per interval. */
function normal(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => 200_000 + ((i + from) * 7919 % 41) * 1000);
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

Deno.test("EwmaAnomalyDetector raises nothing during warm-up, even for a huge spike", () => {
  const xs = normal(45);
  xs[5] = 1_000_000_000;
  xs[29] = 1_000_000_000; // the 30th interval: only 29 are in the baseline yet
  const h = harness();
  h.run(WEB, xs);
  assert.deepEqual(h.events, []);
  // The same spike one interval later, with 30 intervals behind it, alerts.
  const late = normal(45);
  late[30] = 1_000_000_000;
  const h2 = harness();
  h2.run(WEB, late);
  assert.equal(h2.events.length, 1);
});

Deno.test("EwmaAnomalyDetector raises one event for a spike after warm-up, with every field right", () => {
  const xs = normal(41);
  const spike = 40;
  xs[spike] = 5_000_000;
  const h = harness();
  xs.forEach((x, i) => h.send(WEB, i, x, i === spike ? 5 : 4));
  h.pipeline.finish();
  assert.equal(h.events.length, 1);
  const e = h.events[0];
  const ref = reference(xs, DEFAULTS.alpha)[spike];
  const { sigma, threshold } = expectedThreshold(ref, DEFAULTS.k);
  assert.ok(sigma > 0.05 * ref.mean, "this baseline's own deviation is above the floor");
  const step = IV / 5;
  assert.deepEqual(
    { ...e, ewma_bytes: 0, ewma_stddev_bytes: 0, threshold_bytes: 0, score: 0, reason: "" },
    {
      kind: "anomaly",
      ts: new Date(T0 + (spike + 1) * IV).toISOString(),
      src_ip: "128.232.110.120",
      dst_ip: "66.35.250.204",
      src_port: 34855,
      dst_port: 80,
      protocol: 6,
      bytes: 5_000_000,
      packets: 5,
      ewma_bytes: 0,
      ewma_stddev_bytes: 0,
      threshold_bytes: 0,
      min_bytes: 1_000_000,
      score: 0,
      k: 4,
      interval_s: 10,
      duration_s: (spike * IV + 4 * step) / 1000,
      flow_bytes: xs.reduce((a, b) => a + b, 0),
      flow_packets: 4 * spike + 5,
      community_id: WEB_COMMUNITY_ID,
      reason: "",
    },
  );
  near(e.ewma_bytes, ref.mean, 1, "ewma_bytes");
  near(e.ewma_stddev_bytes, sigma, 1, "ewma_stddev_bytes");
  near(e.threshold_bytes, threshold, 1, "threshold_bytes");
  near(e.score, (5_000_000 - ref.mean) / sigma, 0.006, "score");
  for (const part of ["128.232.110.120:34855", "66.35.250.204:80", "TCP", "5.0 MB"]) {
    assert.ok(e.reason.includes(part), `reason mentions ${part}: ${e.reason}`);
  }
});

Deno.test("EwmaAnomalyDetector floors σ at 5% of the mean, so a steady flow tolerates k·5% above it", () => {
  // A perfectly steady 2 MB per interval: σ is 0, floored to 100 kB; threshold 2 MB + 4 × 100 kB.
  const steady = Array.from({ length: 40 }, () => 2_000_000);
  const under = harness();
  under.run(WEB, [...steady, 2_390_000]);
  assert.deepEqual(under.events, [], "2.39 MB stays under the 2.4 MB threshold");
  const h = harness();
  h.run(WEB, [...steady, 2_410_000]);
  assert.equal(h.events.length, 1, "2.41 MB crosses it");
  const e = h.events[0];
  assert.equal(e.bytes, 2_410_000);
  near(e.ewma_stddev_bytes, 0.05 * e.ewma_bytes, 1, "σ is the floor");
  near(e.threshold_bytes, e.ewma_bytes * (1 + 4 * 0.05), 1, "threshold");
});

Deno.test("EwmaAnomalyDetector raises one event for a spike sustained over 5 intervals", () => {
  const xs = [...normal(40), ...Array(5).fill(5_000_000), ...normal(20, 45)];
  for (const k of [DEFAULTS.k, 1]) {
    if (k === 1) {
      // With k = 1 every one of the 5 intervals is over the threshold (on the reference), so only
      // the "one event per spike" rule keeps this to one event.
      const ref = reference(xs, DEFAULTS.alpha);
      for (let i = 40; i < 45; i++) {
        assert.ok(xs[i] > expectedThreshold(ref[i], k).threshold, `interval ${i}`);
      }
    }
    const h = harness({ k });
    h.run(WEB, xs);
    assert.equal(h.events.length, 1, `k = ${k}`);
    assert.equal(h.events[0].ts, new Date(T0 + 41 * IV).toISOString(), "raised when the spike began");
  }
});

Deno.test("EwmaAnomalyDetector raises a second event for a new spike after traffic returned to normal", () => {
  const first = 40, second = 40 + 5 + 150;
  const xs = [...normal(40), ...Array(5).fill(5_000_000), ...normal(150, 45), 5_000_000, ...normal(5, 200)];
  assert.equal(xs[second], 5_000_000);
  // The baseline has forgotten the first spike by then (checked on the reference, not the code).
  const ref = reference(xs, DEFAULTS.alpha)[second];
  assert.ok(expectedThreshold(ref, DEFAULTS.k).threshold < 5_000_000);
  const h = harness();
  h.run(WEB, xs);
  assert.deepEqual(
    h.events.map((e) => e.ts),
    [first + 1, second + 1].map((i) => new Date(T0 + i * IV).toISOString()),
  );
});

Deno.test("EwmaAnomalyDetector does not alert on a bursty but regular flow (0 and 2 MB alternating) once mature", () => {
  const xs = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 2_000_000 : 0));
  // Alone, the quiet intervals are gaps in the capture (folded as empty intervals) …
  const alone = harness();
  alone.run(WEB, xs);
  assert.deepEqual(alone.events, []);
  assert.ok(alone.table.ewmaIntervals[findFlow(alone.table, WEB)] >= DEFAULTS.warmupIntervals, "mature");
  // … beside another flow, they are intervals that close with 0 bytes for this flow.
  const beside = harness();
  xs.forEach((x, i) => {
    beside.send(OTHER, i, 1000, 1);
    beside.send(WEB, i, x);
  });
  beside.pipeline.finish();
  assert.deepEqual(beside.events, []);
  assert.ok(beside.table.ewmaIntervals[findFlow(beside.table, WEB)] >= DEFAULTS.warmupIntervals, "mature");
});

Deno.test("EwmaAnomalyDetector never alerts on a spike below FLINTNET_ANOMALY_MIN_BYTES", () => {
  const xs = Array.from({ length: 50 }, () => 10_000);
  xs[40] = 900_000; // 90× the baseline, but under the 1 MB floor
  const h = harness({ minBytes: 1_000_000 });
  h.run(WEB, xs);
  assert.deepEqual(h.events, []);
  // The same traffic with a lower floor does alert.
  const h2 = harness({ minBytes: 500_000 });
  h2.run(WEB, xs);
  assert.equal(h2.events.length, 1);
  assert.equal(h2.events[0].min_bytes, 500_000);
});

Deno.test("EwmaAnomalyDetector leaves a new flow's first, partial interval out of its baseline", () => {
  const h = harness();
  // The flow starts halfway through interval 0 with a burst, then sends 100 kB per interval.
  h.send(WEB, 0, 50_000_000, 4, IV / 2);
  h.pipeline.advanceTo(T0 + IV);
  const id = findFlow(h.table, WEB);
  assert.equal(h.table.ewmaIntervals[id], 0);
  assert.equal(h.table.ewmaMean[id], 0);
  h.send(WEB, 1, 100_000);
  h.pipeline.advanceTo(T0 + 2 * IV);
  assert.equal(h.table.ewmaIntervals[id], 1);
  assert.equal(h.table.ewmaMean[id], 100_000);
  // A flow whose first packet is at the very start of an interval saw all of it: that one counts.
  h.send(OTHER, 2, 7_000);
  h.pipeline.advanceTo(T0 + 3 * IV);
  const other = findFlow(h.table, OTHER);
  assert.equal(h.table.ewmaIntervals[other], 1);
  assert.equal(h.table.ewmaMean[other], 7_000);
});

Deno.test("EwmaAnomalyDetector's baseline follows the textbook EWMA recurrences", () => {
  const xs = [...normal(20), 0, 0, 3_000_000, ...normal(10, 3)];
  const h = harness();
  h.run(WEB, xs);
  const id = findFlow(h.table, WEB);
  const after = reference([...xs, 0], DEFAULTS.alpha)[xs.length];
  near(h.table.ewmaMean[id], after.mean, 1e-6 * after.mean, "mean");
  near(h.table.ewmaVar[id], after.variance, 1e-6 * after.variance, "variance");
  assert.equal(h.table.ewmaIntervals[id], xs.length);
});

Deno.test("EwmaAnomalyDetector formats IPv6 addresses in events as RFC 5952 text", () => {
  const v6: FlowKeyText = {
    src: "2001:0db8:0000:0000:0000:0000:0000:0001",
    dst: "2001:db8:0:0::2",
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
  };
  const xs = normal(41);
  xs[40] = 5_000_000;
  const h = harness();
  h.run(v6, xs);
  assert.equal(h.events.length, 1);
  const e = h.events[0];
  assert.equal(e.src_ip, "2001:db8::1");
  assert.equal(e.dst_ip, "2001:db8::2");
  // Community ID of TCP [2001:db8::1]:40000 → [2001:db8::2]:443, computed from the spec with Python's hashlib.
  assert.equal(e.community_id, "1:RYG3Msb11GthNt1OYXJouPzmrvA=");
  // RFC 5952 §6: an address with a port is bracketed, or "2001:db8::1:443" would read as one address.
  assert.ok(e.reason.startsWith("[2001:db8::1]:40000 → [2001:db8::2]:443 (TCP) "), e.reason);
});

Deno.test("EwmaAnomalyDetector names ICMP type and code in its reason, not ports", () => {
  // ICMP destination unreachable (type 3), port unreachable (code 3): the table keeps them as ports.
  const icmp: FlowKeyText = { src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3, dstPort: 3, proto: 1 };
  const xs = normal(41);
  xs[40] = 5_000_000;
  const h = harness();
  h.run(icmp, xs);
  assert.equal(h.events.length, 1);
  assert.ok(h.events[0].reason.startsWith("192.0.2.1 → 192.0.2.2 (ICMP type 3 code 3) "), h.events[0].reason);
});
