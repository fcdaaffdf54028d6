import assert from "node:assert/strict";
import { HourOfDayBaselines } from "./hour_of_day.ts";

/** The documented weights, computed here on their own: 1/n until memoryDays × perHour samples, then fixed. */
function reference(ys: number[], perHour: number, days: number): { mean: number; mad: number } {
  let mean = 0, mad = 0;
  ys.forEach((y, i) => {
    const n = i + 1, w = Math.max(1 / n, 1 / (perHour * days));
    if (n === 1) mean = y;
    else {
      const before = mean;
      mean += w * (y - before);
      mad += w * (Math.abs(y - before) - mad);
    }
  });
  return { mean, mad };
}

Deno.test("HourOfDayBaselines learns each hour on its own, with the documented weights", () => {
  const bank = new HourOfDayBaselines(4, 600, () => {}, 2); // 6 intervals an hour, two days of memory
  const e = bank.create("f|x", 0);
  const ys = Array.from({ length: 40 }, (_, i) => 10 + Math.sin(i) * 0.5);
  ys.forEach((y, i) => bank.learn(e, 9, y, y, i));
  bank.learn(e, 10, 3, 3, 41);
  const want = reference(ys, 6, 2);
  assert.ok(Math.abs(bank.mean(e, 9) - want.mean) < 1e-5, `${bank.mean(e, 9)} vs ${want.mean}`);
  assert.ok(Math.abs(bank.mad(e, 9) - want.mad) < 1e-5, `${bank.mad(e, 9)} vs ${want.mad}`);
  assert.equal(bank.samples(e, 9), 40);
  assert.deepEqual([bank.mean(e, 10), bank.samples(e, 10), bank.samples(e, 11)], [3, 1, 0]);
});

Deno.test("HourOfDayBaselines calls an hour ready after two hours' worth of samples (two days of it)", () => {
  const bank = new HourOfDayBaselines(4, 600, () => {});
  const e = bank.create("h|s|10.0.0.5", 0);
  for (let i = 0; i < 11; i++) bank.learn(e, 8, 12, 12, i);
  assert.equal(bank.ready(e, 8), false);
  bank.learn(e, 8, 12, 12, 11);
  assert.equal(bank.ready(e, 8), true);
  assert.equal(bank.ready(e, 9), false);
});

Deno.test("HourOfDayBaselines, when full, gives the entry updated longest ago to a new subject, telling its holder", () => {
  const told: [number, number][] = [];
  const bank = new HourOfDayBaselines(2, 600, (scope, slot) => told.push([scope, slot]));
  const a = bank.create("a", 100), b = bank.create("b", 50);
  bank.attach(a, 0, 7);
  bank.attach(b, 1, 3);
  bank.learn(a, 0, 1, 1, 200);
  const c = bank.create("c", 300);
  assert.equal(c, b, "b was updated longest ago");
  assert.deepEqual(told, [[1, 3]]);
  assert.deepEqual([bank.find("a"), bank.find("b"), bank.find("c")], [a, -1, c]);
  assert.equal(bank.evicted, 1);
  // Taking an entry held by another slot tells that slot too; a detached entry tells nobody.
  bank.attach(a, 2, 9);
  assert.deepEqual(told, [[1, 3], [0, 7]]);
  bank.detach(a);
  bank.attach(a, 0, 1);
  assert.equal(told.length, 2);
});

Deno.test("HourOfDayBaselines shifts every hour for a new normal, and keeps a subject's recent baseline", () => {
  const bank = new HourOfDayBaselines(2, 600, () => {});
  const e = bank.create("f|y", 0);
  bank.learn(e, 3, 10, 10, 1);
  bank.learn(e, 4, 11, 11, 2);
  bank.shift(e, 1.5);
  assert.deepEqual([bank.mean(e, 3), bank.mean(e, 4)], [11.5, 12.5]);
  bank.snapshot(e, 13.25, 0.5, 99, 13);
  assert.deepEqual(bank.recent(e), { mean: 13.25, mad: 0.5, count: 99, level: 13 });
  assert.equal(bank.restore("f|y", 5, bank.recent(e), bank.hours(e)), -1, "a key is restored once");
});
