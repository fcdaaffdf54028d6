import assert from "node:assert/strict";
import { MinuteBudget } from "./minute_budget.ts";

Deno.test("MinuteBudget allows perMinute events a minute of the caller's clock and counts the rest", () => {
  const b = new MinuteBudget(3);
  assert.deepEqual([0, 10, 20, 30, 59_999].map((t) => b.allowed(t)), [true, true, true, false, false]);
  assert.equal(b.takeUnreported(), 2);
  assert.equal(b.takeUnreported(), 0, "taking resets the count");
  // A minute after the first allowed event, the budget is whole again.
  assert.deepEqual([60_000, 60_001, 60_002, 60_003].map((t) => b.allowed(t)), [true, true, true, false]);
  assert.equal(b.takeUnreported(), 1);
});

Deno.test("MinuteBudget refuses a budget that is not a whole number of at least 1", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => new MinuteBudget(bad), /perMinute must be a whole number ≥ 1/);
  }
});
