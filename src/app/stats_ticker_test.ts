import assert from "node:assert/strict";
import { setLogSink } from "../base/log.ts";
import { EventBus, type PublishedEvent } from "../events/mod.ts";
import { StatsTicker } from "./stats_ticker.ts";

Deno.test("StatsTicker publishes a stats event on the bus every interval, stamped with the wall clock", async () => {
  const bus = new EventBus();
  const seen: PublishedEvent[] = [];
  const sub = bus.subscribe((e) => seen.push(e), { kinds: ["stats"] });
  let n = 0;
  const ticker = new StatsTicker({
    publish: (e) => bus.publish(e),
    snapshot: () => ({ n: ++n }),
    intervalMs: 5,
    now: () => Date.UTC(2024, 4, 1, 12, 0, 0),
  });
  ticker.start();
  try {
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
  } finally {
    ticker.stop();
    sub.unsubscribe();
  }
  assert.deepEqual(seen.slice(0, 2).map((e) => e.kind === "stats" && [e.ts, e.stats.n]), [
    ["2024-05-01T12:00:00.000Z", 1],
    ["2024-05-01T12:00:00.000Z", 2],
  ]);
  assert.ok(seen[0].id < seen[1].id, "each has a bus id");
});

Deno.test("StatsTicker keeps going when a snapshot throws once, and says so in the log", () => {
  const logs: string[] = [];
  setLogSink((l) => logs.push(l));
  const published: unknown[] = [];
  let calls = 0;
  const ticker = new StatsTicker({
    publish: (e) => published.push(e),
    snapshot: () => {
      if (++calls === 1) throw new Error("snapshot failed");
      return { calls };
    },
  });
  try {
    ticker.tick();
    ticker.tick();
  } finally {
    setLogSink(undefined);
  }
  assert.equal(published.length, 1);
  assert.deepEqual((published[0] as { stats: unknown }).stats, { calls: 2 });
  assert.ok(logs.some((l) => l.includes("snapshot failed")));
});

Deno.test("new StatsTicker() refuses an interval that is not positive", () => {
  assert.throws(
    () => new StatsTicker({ publish: () => {}, snapshot: () => ({}), intervalMs: 0 }),
    RangeError,
  );
});
