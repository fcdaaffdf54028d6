import assert from "node:assert/strict";
import { forEachBounded, Limiter } from "./async_pool.ts";

Deno.test("forEachBounded() never has more than `concurrency` calls in flight and calls each item once", async () => {
  let inFlight = 0, peak = 0;
  const seen: number[] = [];
  await forEachBounded(Array.from({ length: 50 }, (_, i) => i), 4, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, i % 3));
    seen.push(i);
    inFlight--;
  });
  assert.equal(peak, 4);
  assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("forEachBounded() reports a failing item and goes on; an abort stops new items", async () => {
  const failed: number[] = [];
  let calls = 0;
  await forEachBounded([1, 2, 3], 1, (i) => {
    calls++;
    return i === 2 ? Promise.reject(new Error("no")) : Promise.resolve();
  }, { onError: (i) => failed.push(i) });
  assert.deepEqual([calls, failed], [3, [2]]);
  const ac = new AbortController();
  let started = 0;
  await forEachBounded([1, 2, 3, 4], 1, () => {
    if (++started === 2) ac.abort();
    return Promise.resolve();
  }, { signal: ac.signal });
  assert.equal(started, 2);
  await assert.rejects(forEachBounded([], 0, () => Promise.resolve()), RangeError);
});

Deno.test("Limiter.run() bounds calls from every caller together and runs waiters in arrival order", async () => {
  const limiter = new Limiter(2);
  let inFlight = 0, peak = 0;
  const order: number[] = [];
  const task = (i: number) =>
    limiter.run(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      order.push(i);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (i === 3) throw new Error("a failing call frees its slot too");
      return i;
    });
  const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(task));
  assert.equal(peak, 2);
  assert.deepEqual(order, [1, 2, 3, 4, 5, 6]);
  assert.equal(results.filter((r) => r.status === "rejected").length, 1);
  assert.equal(limiter.active, 0);
  assert.throws(() => new Limiter(0), RangeError);
});
