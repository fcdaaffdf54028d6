import assert from "node:assert/strict";
import { baselineDocument, restoreBaselines } from "./baseline_file.ts";
import { flowToJson } from "../flow/flow_json.ts";
import { findFlow, type FlowKeyText } from "../../tests/helpers/batch_rows.ts";
import { anomalyHarness } from "../../tests/helpers/anomaly_harness.ts";

const MB = 1_000_000;
/** Ten-minute intervals: six an hour, so days pass in a few hundred intervals. */
const OPTIONS = { intervalS: 600, warmupIntervals: 3 };
const PER_DAY = 144;
const OFFICE: FlowKeyText = { src: "10.0.1.5", dst: "198.51.100.7", srcPort: 40000, dstPort: 445, proto: 6 };

/** A small wobble (±10 %, alternating), so that no baseline is perfectly steady. */
function wobble(i: number): number {
  return i % 2 === 0 ? 1.1 : 1 / 1.1;
}

/** An office's day: 20 kB an interval at night, 3 MB from 08:00 to 18:00 (UTC). */
function officeDay(i: number): number {
  const hour = Math.floor((i % PER_DAY) / 6);
  return Math.round((hour >= 8 && hour < 18 ? 3 * MB : 20_000) * wobble(i));
}

Deno.test("VolumeAnomalyDetector flags the office opening on the first two mornings, then knows the hour", () => {
  const h = anomalyHarness({ options: OPTIONS });
  for (let i = 0; i < 4 * PER_DAY; i++) h.send(OFFICE, i, officeDay(i));
  h.pipeline.finish();
  const mornings = h.opens().map((e) => [e.started_at, e.rule, e.baseline.source]);
  assert.deepEqual(mornings, [
    ["2026-01-05T08:00:00.000Z", "spike", "recent"],
    ["2026-01-06T08:00:00.000Z", "spike", "recent"],
  ], "from the third day on, 08:00 has two days behind it and 3 MB is what that hour carries");
  assert.deepEqual(h.closes().map((e) => e.close_reason), ["new_normal", "new_normal"]);
});

Deno.test("VolumeAnomalyDetector catches a slow climb to 3× against the hour of day, which the recent baseline follows", () => {
  const h = anomalyHarness({ options: OPTIONS });
  const climbFrom = 3 * PER_DAY + 6 * 6; // day 3, 06:00
  const level = (i: number) => i < climbFrom ? 1 : Math.min(3, 1 + (2 * (i - climbFrom)) / 12); // 3× in 2 h
  for (let i = 0; i < 3 * PER_DAY + 14 * 6; i++) h.send(OFFICE, i, Math.round(2 * MB * level(i) * wobble(i)));
  h.pipeline.finish();
  const opens = h.opens();
  assert.equal(opens.length, 1, JSON.stringify(opens.map((e) => e.reason)));
  const e = opens[0];
  assert.equal(e.rule, "sustained");
  assert.equal(e.baseline.source, "hour_of_day");
  assert.equal(e.ratio_min, 2, "a lasting rise needs √R");
  assert.ok(e.ratio >= 2 && e.ratio < 3, `caught on the way up, at ${e.ratio}×`);
  assert.ok(Date.parse(e.ts) <= Date.parse(h.at(climbFrom + 12)), "before the climb reached 3×");
  assert.ok(e.reason.includes("over the last minutes"), e.reason);
  assert.ok(e.reason.includes("for this hour of the day"), e.reason);
});

Deno.test("VolumeAnomalyDetector takes its baselines back from the state file: no second warm-up after a restart", () => {
  const before = anomalyHarness({ options: OPTIONS });
  for (let i = 0; i < 2 * PER_DAY; i++) before.send(OFFICE, i, Math.round(2 * MB * wobble(i)));
  before.closeUpTo(2 * PER_DAY);
  const saved = baselineDocument(before.detector.hourOfDay, 600, Date.parse(before.at(2 * PER_DAY)));
  // A new daemon, restored from the file; the flow comes back in the next interval and spikes in the third.
  const after = anomalyHarness({ options: OPTIONS });
  // The flow, its host and its subnet (each sent what the flow carried).
  assert.deepEqual(restoreBaselines(saved, after.detector.hourOfDay, 600), { restored: 3, skipped: 0 });
  const i0 = 2 * PER_DAY;
  after.series(OFFICE, [2 * MB, 2 * MB, 100 * MB, 2 * MB, 2 * MB, 2 * MB, 2 * MB], i0);
  after.pipeline.finish();
  assert.equal(after.detector.stats().restored, 3);
  assert.deepEqual(after.opens().map((e) => e.started_at), [after.at(i0 + 2)]);
  const base = flowToJson(after.table, findFlow(after.table, OFFICE), 3).baseline;
  assert.ok(base.intervals > 2 * PER_DAY - 5, `learned intervals carried over: ${base.intervals}`);
  // Without the file the same traffic is only the start of a warm-up.
  const fresh = anomalyHarness({ options: OPTIONS });
  fresh.series(OFFICE, [2 * MB, 2 * MB, 100 * MB, 2 * MB, 2 * MB], i0);
  fresh.pipeline.finish();
  assert.deepEqual(fresh.opens(), []);
});
