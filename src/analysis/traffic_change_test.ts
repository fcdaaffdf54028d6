import assert from "node:assert/strict";
import type { MinuteSubnetRow } from "../events/mod.ts";
import type { MinuteInput } from "./analyzer.ts";
import { TrafficChangeAnalyzer } from "./traffic_change.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** Minute `n` (from 0) in which each named subnet carried the octets given (absent: nothing). */
function minute(n: number, bytes: Record<string, number>): MinuteInput {
  const subnets = Object.entries(bytes).map(([cidr, b]): MinuteSubnetRow => ({
    cidr,
    bytes: b,
    sent_bytes: b,
    received_bytes: 0,
    sent_packets: 1,
    received_packets: 0,
  }));
  return {
    summary: { minuteMs: T0 + n * MINUTE, subnets, interfaces: [] },
    endMs: T0 + (n + 1) * MINUTE,
  } as unknown as MinuteInput; // the analyzer reads only these fields
}

function analyzer(maxSubjects: number) {
  return new TrafficChangeAnalyzer({
    spikeRatio: 5,
    dropRatio: 0.05,
    minBytes: 1,
    warmupMinutes: 1,
    maxSubjects,
  });
}

Deno.test("traffic_change: when full, the subject quiet the longest is forgotten, not one still carrying traffic", () => {
  const a = analyzer(2);
  assert.deepEqual(a.analyze(minute(0, { "10.0.1.0/24": 1000, "10.0.2.0/24": 1000 })), []);
  // 10.0.2.0/24 falls silent: a drop (it has a minute of baseline); 10.0.1.0/24 goes on
  const m1 = a.analyze(minute(1, { "10.0.1.0/24": 1000 }));
  assert.deepEqual(m1.map((f) => [f.type, f.key]), [["traffic_drop", "10.0.2.0/24"]]);
  // a third subnet: the one silent since minute 0 goes, although it was learned second
  const m2 = a.analyze(minute(2, { "10.0.3.0/24": 1000 }));
  assert.equal(a.evicted, 1);
  // 10.0.1.0/24 is still known (silent now: its drop), 10.0.2.0/24 is not (no second drop for it)
  assert.deepEqual(m2.map((f) => [f.type, f.key]), [["traffic_drop", "10.0.1.0/24"]]);
});

Deno.test("traffic_change: a minute with far more new subnets than it keeps forgets the overflow and keeps the latest", () => {
  const a = analyzer(100);
  const many: Record<string, number> = {};
  for (let i = 0; i < 20_000; i++) many[`10.${i >> 8}.${i & 255}.0/24`] = 1000;
  a.analyze(minute(0, many));
  assert.equal(a.evicted, 19_900);
  // the hundred kept are the last met: silent the next minute, each of them (and no other) reports a drop
  const drops = a.analyze(minute(1, {})).map((f) => f.key);
  const expected = Object.keys(many).slice(-100);
  assert.deepEqual(drops.sort(), expected.sort());
});
