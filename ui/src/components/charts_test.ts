import assert from "node:assert/strict";
import { linePath, niceMax, timeRange } from "./charts.ts";

Deno.test("niceMax() rounds up to 1, 2 or 5 times a power of ten", () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(3), 5);
  assert.equal(niceMax(789), 1000);
  assert.equal(niceMax(1980), 2000);
  assert.equal(niceMax(3_900_000), 5_000_000);
});

Deno.test("linePath() maps time to x across 600 units and values to y from the bottom", () => {
  assert.equal(linePath([{ t: 0, v: 0 }, { t: 10, v: 10 }], 0, 10, 10, 100), "0.0,99.0 600.0,1.0");
  assert.equal(linePath([], 0, 10, 10, 100), "");
});

Deno.test("timeRange() starts at the first point, at least a minute and at most the span back", () => {
  const now = 10_000_000;
  assert.deepEqual(timeRange([], now, 900_000), [now - 900_000, now]);
  assert.deepEqual(timeRange([{ t: now - 120_000, v: 1 }], now, 900_000), [now - 120_000, now]);
  assert.deepEqual(timeRange([{ t: now - 4_000, v: 1 }], now, 900_000), [now - 60_000, now]);
  assert.deepEqual(timeRange([{ t: now - 2_000_000, v: 1 }, { t: now - 10, v: 1 }], now, 900_000), [
    now - 900_000,
    now,
  ]);
});
