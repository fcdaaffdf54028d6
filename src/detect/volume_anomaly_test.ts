import assert from "node:assert/strict";
import { flowToJson } from "../flow/flow_json.ts";
import { findFlow, type FlowKeyText } from "../../tests/helpers/batch_rows.ts";
import { anomalyHarness, steady } from "../../tests/helpers/anomaly_harness.ts";

/** The Community ID spec's own TCP example, whose ID the spec gives: 1:LQU9qZlK+B5F3KDmev6m5PMibrg= */
const WEB: FlowKeyText = {
  src: "128.232.110.120",
  dst: "66.35.250.204",
  srcPort: 34855,
  dstPort: 80,
  proto: 6,
};
const MB = 1_000_000;

/** The threshold the docs promise for a steady flow of `x` octets per interval: R × (x + 1500) − 1500. */
function steadyThreshold(x: number, ratio = 4): number {
  return ratio * (x + 1500) - 1500;
}

Deno.test("VolumeAnomalyDetector raises nothing during the warm-up, even for a 1000× spike", () => {
  const h = anomalyHarness();
  // Interval 29 comes after 29 learned intervals, one short of the 30 a baseline needs.
  h.series(WEB, [...steady(5, MB), 1000 * MB, ...steady(23, MB), 1000 * MB, ...steady(5, MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.events, []);
  const late = anomalyHarness();
  late.series(WEB, [...steady(30, MB), 1000 * MB, ...steady(5, MB)]);
  late.pipeline.finish();
  assert.equal(late.opens().length, 1, "one interval later it is mature");
  assert.equal(late.opens()[0].baseline.intervals, 30);
});

Deno.test("VolumeAnomalyDetector opens one episode for a spike and closes it with the summary when traffic is back", () => {
  const h = anomalyHarness();
  h.series(WEB, [...steady(40, MB), 5 * MB, 6 * MB, 5.5 * MB, MB, MB, MB, MB, ...steady(20, MB)]);
  h.pipeline.finish();
  assert.deepEqual(
    h.events.map((e) => e.phase),
    ["open", "closed"],
    "one episode, not one event per interval",
  );
  const [open, closed] = h.events;
  // Opened by the second high interval: the two together carry more than twice the threshold.
  assert.equal(open.ts, h.at(42));
  assert.equal(open.started_at, h.at(40));
  assert.equal(open.rule, "spike");
  assert.equal(open.scope, "flow");
  assert.equal(open.subject, "128.232.110.120:34855 → 66.35.250.204:80 (TCP)");
  assert.equal(open.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  assert.equal(open.bytes, 6 * MB);
  assert.equal(open.packets, 4);
  // A steady flow's spread is the floor, σ = 0.05: a spread factor of e^0.05.
  assert.deepEqual(open.baseline, {
    source: "recent",
    typical_bytes: MB,
    spread_factor: Math.round(Math.exp(0.05) * 1000) / 1000,
    intervals: 40,
    mature: true,
  });
  assert.equal(open.ratio, 6);
  assert.equal(open.threshold_bytes, steadyThreshold(MB));
  // A steady flow's spread is the 5 % floor: (ln(6 MB + 1500) − ln(1 MB + 1500)) / 0.05.
  assert.equal(open.score, Math.round(Math.log((6 * MB + 1500) / (MB + 1500)) / 0.05 * 100) / 100);
  assert.deepEqual([open.k, open.ratio_min, open.min_bytes, open.interval_s], [4, 4, MB, 10]);
  for (
    const part of [
      "sent 6.0 MB in 10 s",
      "6.0× its usual 1.0 MB",
      "needs 4.0× and 4 spreads",
      "at least 1.0 MB",
    ]
  ) {
    assert.ok(open.reason.includes(part), `reason says "${part}": ${open.reason}`);
  }
  // Closed after three intervals back at 1 MB; the summary covers the three anomalous intervals only.
  assert.equal(closed.episode_id, open.episode_id);
  assert.equal(closed.ts, h.at(46));
  assert.equal(closed.ended_at, h.at(43));
  assert.equal(closed.duration_s, 30);
  assert.equal(closed.close_reason, "back_to_normal");
  assert.equal(closed.peak_bytes, 6 * MB);
  assert.equal(closed.total_bytes, 16.5 * MB);
  assert.equal(closed.excess_bytes, 13.5 * MB);
  assert.equal(closed.intervals, 3);
  assert.ok(closed.reason.includes("is back to normal after 30 s: peak 6.0 MB"), closed.reason);
  assert.ok(closed.reason.includes("16.5 MB in all, 13.5 MB more than usual"), closed.reason);
  // The anomaly taught the baseline nothing.
  assert.equal(flowToJson(h.table, findFlow(h.table, WEB), 30).baseline.typical_bytes, MB);
});

Deno.test("VolumeAnomalyDetector leaves a lone high interval out of the baseline and raises nothing for it", () => {
  const h = anomalyHarness();
  h.series(WEB, [...steady(40, MB), 5 * MB, ...steady(10, MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.events, [], "one interval at 5× is not an anomaly (it needs a second)");
  assert.equal(flowToJson(h.table, findFlow(h.table, WEB), 30).baseline.typical_bytes, MB);
});

Deno.test("VolumeAnomalyDetector catches an attack that starts mid-interval at its first full interval", () => {
  const h = anomalyHarness();
  h.series(WEB, steady(40, MB));
  // 4 MB a second more from 3.7 s into interval 40: 1 + 6.3 × 0.4 ≈ 3.5 MB, then 5 MB an interval.
  h.send(WEB, 40, MB);
  h.send(WEB, 40, 2.52 * MB, 4, 3700);
  h.series(WEB, steady(5, 5 * MB), 41);
  h.closeUpTo(46);
  assert.equal(h.opens().length, 1);
  assert.equal(h.opens()[0].ts, h.at(42), "at the end of its second interval");
});

Deno.test("VolumeAnomalyDetector needs the ratio: a steady flow 3.5× higher is no anomaly at R = 4, one at R = 3", () => {
  const xs = [...steady(40, MB), ...steady(6, 3.5 * MB), ...steady(10, MB)];
  const four = anomalyHarness();
  four.series(WEB, xs);
  four.pipeline.finish();
  assert.deepEqual(four.events, []);
  const three = anomalyHarness({ options: { ratio: 3 } });
  three.series(WEB, xs);
  three.pipeline.finish();
  assert.equal(three.opens().length, 1);
  assert.ok(three.opens()[0].reason.includes("needs 3.0× and 4 spreads"), three.opens()[0].reason);
});

Deno.test("VolumeAnomalyDetector needs the floor: 90× a small flow is nothing under FLINTNET_ANOMALY_MIN_BYTES", () => {
  const xs = [...steady(40, 10_000), 900_000, 900_000, ...steady(10, 10_000)];
  const h = anomalyHarness();
  h.series(WEB, xs);
  h.pipeline.finish();
  assert.deepEqual(h.events, []);
  const lower = anomalyHarness({ options: { minBytes: 500_000 } });
  lower.series(WEB, xs);
  lower.pipeline.finish();
  assert.equal(lower.opens().length, 1);
  assert.equal(lower.opens()[0].min_bytes, 500_000);
});

Deno.test("VolumeAnomalyDetector needs k spreads: on a flow that doubles and halves, 20× is ordinary", () => {
  // |ln 2| every interval: σ = √(π/2) · ln 2 ≈ 0.87, so 4 spreads is e^3.5 ≈ 32× (and 20× is 3.4 spreads).
  const wobbly = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? 2 * MB : MB / 2));
  const h = anomalyHarness();
  h.series(WEB, [...wobbly, 20 * MB, 20 * MB, ...wobbly]);
  h.pipeline.finish();
  assert.deepEqual(h.opens(), []);
  const big = anomalyHarness();
  big.series(WEB, [...wobbly, 40 * MB, 40 * MB, ...wobbly]);
  big.pipeline.finish();
  assert.equal(big.opens().length, 1);
  assert.ok(big.opens()[0].baseline.spread_factor > 2.3, JSON.stringify(big.opens()[0].baseline));
});

Deno.test("VolumeAnomalyDetector opens at once on one interval at twice the distance (R² and 2k spreads)", () => {
  const h = anomalyHarness();
  h.series(WEB, [...steady(40, MB), 100 * MB, ...steady(10, MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.events.map((e) => [e.phase, e.ts]), [["open", h.at(41)], ["closed", h.at(44)]]);
  assert.equal(h.events[0].started_at, h.at(40));
});

Deno.test("VolumeAnomalyDetector takes pauses in its stride: a flow that stops and resumes at its rate raises nothing", () => {
  const h = anomalyHarness();
  h.series(WEB, [...steady(40, MB), 0, 0, 0, 0, 0, 0, ...steady(20, MB), 0, 0, ...steady(20, MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.events, []);
});

Deno.test("VolumeAnomalyDetector takes a level that stays an hour as the new normal, and says so", () => {
  const h = anomalyHarness();
  h.series(WEB, [...steady(40, MB), ...steady(400, 8 * MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.events.map((e) => [e.phase, e.close_reason]), [["open", null], [
    "closed",
    "new_normal",
  ]]);
  assert.ok(
    h.events[1].reason.includes("Flintnet now takes this level as its usual one"),
    h.events[1].reason,
  );
  assert.ok(h.events[1].duration_s >= 3600);
});

Deno.test("VolumeAnomalyDetector reports one episode of a flow per 15 minutes, and the next says how many it held back", () => {
  const h = anomalyHarness();
  const spike = [5 * MB, 5 * MB, ...steady(10, MB)];
  // Episodes at intervals 40, 52 and 64 (within 15 minutes), then one at 140 (more than 15 minutes on).
  h.series(WEB, [...steady(40, MB), ...spike, ...spike, ...spike, ...steady(64, MB), ...spike]);
  h.pipeline.finish();
  const opens = h.opens();
  assert.deepEqual(opens.map((e) => [e.started_at, e.unreported_same]), [[h.at(40), 0], [h.at(140), 2]]);
  assert.ok(
    opens[1].reason.endsWith(
      "Before this one, 2 more anomalies of this subject were not reported (one per 15 min at most).",
    ),
    opens[1].reason,
  );
  assert.equal(h.closes().length, 2, "held-back episodes publish no end either");
  assert.equal(h.detector.stats().held_same_subject, 2);
});

Deno.test("VolumeAnomalyDetector closes the episode of a flow that goes quiet, or that leaves the table", () => {
  const quiet = anomalyHarness({ idleS: 60 });
  quiet.series(WEB, [...steady(40, MB), 5 * MB, 5 * MB]);
  for (let i = 43; i <= 50; i++) quiet.closeUpTo(i); // three empty intervals close it before it expires
  assert.deepEqual(quiet.events.map((e) => [e.phase, e.close_reason]), [
    ["open", null],
    ["closed", "back_to_normal"],
  ]);
  const gone = anomalyHarness({ idleS: 10 });
  gone.series(WEB, [...steady(40, MB), 5 * MB, 5 * MB]);
  for (let i = 43; i <= 50; i++) gone.closeUpTo(i); // the flow expires after one empty interval
  assert.deepEqual(gone.events.map((e) => [e.phase, e.close_reason]), [["open", null], [
    "closed",
    "subject_gone",
  ]]);
  assert.ok(gone.events[1].reason.includes("ended 20 s into the anomaly"), gone.events[1].reason);
});

Deno.test("VolumeAnomalyDetector names IPv6 flows as RFC 5952 text and ICMP by type and code", () => {
  const v6: FlowKeyText = {
    src: "2001:0db8::1",
    dst: "2001:db8:0:0::2",
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
  };
  const icmp: FlowKeyText = { src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3, dstPort: 3, proto: 1 };
  const h = anomalyHarness();
  [...steady(40, MB), 100 * MB, ...steady(5, MB)].forEach((x, i) => {
    h.send(v6, i, x);
    h.send(icmp, i, x);
  });
  h.pipeline.finish();
  const flows = h.opens().filter((e) => e.scope === "flow");
  assert.deepEqual(flows.map((e) => e.subject).sort(), [
    "192.0.2.1 → 192.0.2.2 (ICMP type 3 code 3)",
    "[2001:db8::1]:40000 → [2001:db8::2]:443 (TCP)",
  ]);
  // Community ID of TCP [2001:db8::1]:40000 → [2001:db8::2]:443, computed from the spec with Python's hashlib.
  assert.equal(flows.find((e) => e.protocol === 6)!.community_id, "1:RYG3Msb11GthNt1OYXJouPzmrvA=");
});
