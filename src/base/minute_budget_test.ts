import assert from "node:assert/strict";
import { MinuteBudget } from "./minute_budget.ts";

Deno.test("MinuteBudget lets perMinute through in a minute and counts the rest as held back", () => {
  const b = new MinuteBudget(3);
  const taken = [0, 1, 2, 3, 4].map((i) => b.take(1000 + i));
  assert.deepEqual(taken, [true, true, true, false, false]);
  assert.equal(b.heldBack, 2);
  assert.equal(b.takeHeldBack(), 2);
  assert.equal(b.takeHeldBack(), 0, "the count is handed over once");
  assert.equal(b.heldBackTotal, 2, "the running total stays");
});

Deno.test("MinuteBudget opens a new minute 60 s after the first one started, not after the last take", () => {
  const b = new MinuteBudget(1);
  assert.equal(b.take(0), true);
  assert.equal(b.take(59_999), false);
  assert.equal(b.take(60_000), true);
  assert.equal(b.take(60_001), false);
});

Deno.test("MinuteBudget starts a new minute when the clock steps back a minute, not for a little disorder", () => {
  const b = new MinuteBudget(1);
  assert.equal(b.take(100_000), true);
  assert.equal(b.take(99_000), false, "a second out of order stays in the minute");
  assert.equal(b.take(5_000), true, "a clock stepped back starts afresh");
});

Deno.test("MinuteBudget.holdBack() counts without spending the allowance", () => {
  const b = new MinuteBudget(2);
  b.holdBack();
  assert.equal(b.take(0), true);
  assert.equal(b.take(1), true);
  assert.equal(b.takeHeldBack(), 1);
});

Deno.test("MinuteBudget.idle() is true only once its minute is over and nothing is held back", () => {
  const b = new MinuteBudget(1);
  b.take(0);
  b.take(1);
  assert.equal(b.idle(70_000), false, "one held back still to tell");
  b.takeHeldBack();
  assert.equal(b.idle(30_000), false, "its minute is still running");
  assert.equal(b.idle(70_000), true);
});

Deno.test("MinuteBudget refuses a perMinute that is not a positive whole number", () => {
  assert.throws(() => new MinuteBudget(0), RangeError);
  assert.throws(() => new MinuteBudget(1.5), RangeError);
});
