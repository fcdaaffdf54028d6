import assert from "node:assert/strict";
import { EventBus } from "./bus.ts";
import type { PublishedEvent } from "./events.ts";
import { setLogSink } from "../base/log.ts";
import { sampleAnomaly, sampleStats } from "../../tests/helpers/sample_events.ts";

/** Lets queued microtasks (the bus's deliveries) and anything they schedule run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("EventBus.publish() numbers events from 1, one more each time", () => {
  const bus = new EventBus();
  assert.equal(bus.lastId, 0);
  const ids = [sampleStats(0), sampleAnomaly(5), sampleStats(1)].map((e) => bus.publish(e).id);
  assert.deepEqual(ids, [1, 2, 3]);
  assert.equal(bus.lastId, 3);
});

Deno.test("EventBus delivers asynchronously, never inside publish(), and in publish order", async () => {
  const bus = new EventBus();
  const got: number[] = [];
  bus.subscribe((e) => got.push(e.id));
  for (let i = 0; i < 100; i++) {
    bus.publish(sampleStats(i));
    assert.equal(got.length, 0, "nothing delivered during publishing");
  }
  await settle();
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i + 1));
});

Deno.test("EventBus delivers to a subscriber only the kinds it asked for", async () => {
  const bus = new EventBus();
  const anomalies: PublishedEvent[] = [], all: PublishedEvent[] = [];
  bus.subscribe((e) => anomalies.push(e), { kinds: ["anomaly"] });
  bus.subscribe((e) => all.push(e));
  bus.publish(sampleStats(0));
  bus.publish(sampleAnomaly(5));
  bus.publish(sampleStats(1));
  bus.publish(sampleAnomaly(6));
  await settle();
  assert.deepEqual(anomalies.map((e) => [e.kind, e.id]), [["anomaly", 2], ["anomaly", 4]]);
  assert.deepEqual(all.map((e) => e.id), [1, 2, 3, 4]);
});

Deno.test("EventBus keeps delivering when a handler throws: to the others and to that handler's later events", async () => {
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  try {
    const bus = new EventBus();
    const thrower: number[] = [], other: number[] = [];
    bus.subscribe((e) => {
      thrower.push(e.id);
      if (e.id === 2) throw new Error("handler broke");
    }, { name: "fragile" });
    bus.subscribe((e) => other.push(e.id));
    for (let i = 0; i < 4; i++) bus.publish(sampleStats(i));
    await settle();
    assert.deepEqual(thrower, [1, 2, 3, 4]);
    assert.deepEqual(other, [1, 2, 3, 4]);
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    assert.equal(errors.length, 1, lines.join("\n"));
    assert.equal(errors[0].subscriber, "fragile");
    assert.equal(errors[0].error, "handler broke");
  } finally {
    setLogSink(undefined);
  }
});

Deno.test("EventBus drops a stalled subscriber's oldest events past its capacity and counts them; others get everything", async () => {
  const bus = new EventBus();
  const slow: number[] = [], fast: number[] = [];
  // The publisher never yields, so neither queue is drained until it is done: the one bounded at
  // 10 keeps the newest 10 of 25.
  const slowSub = bus.subscribe((e) => slow.push(e.id), { capacity: 10, name: "slow" });
  const fastSub = bus.subscribe((e) => fast.push(e.id));
  for (let i = 0; i < 25; i++) bus.publish(sampleStats(i));
  await settle();
  assert.deepEqual(slow, Array.from({ length: 10 }, (_, i) => 16 + i));
  assert.equal(slowSub.dropped, 15);
  assert.deepEqual(fast, Array.from({ length: 25 }, (_, i) => 1 + i));
  assert.equal(fastSub.dropped, 0);
  // Once it has caught up, nothing more is lost.
  for (let i = 0; i < 5; i++) bus.publish(sampleStats(i));
  await settle();
  assert.deepEqual(slow.slice(10), [26, 27, 28, 29, 30]);
  assert.equal(slowSub.dropped, 15);
});

Deno.test("EventBus stops delivering after unsubscribe(), events already queued included", async () => {
  const bus = new EventBus();
  const got: number[] = [];
  const sub = bus.subscribe((e) => got.push(e.id));
  assert.equal(bus.subscriberCount, 1);
  bus.publish(sampleStats(0));
  await settle();
  bus.publish(sampleStats(1)); // queued, not yet delivered
  sub.unsubscribe();
  bus.publish(sampleStats(2));
  await settle();
  assert.deepEqual(got, [1]);
  assert.equal(bus.subscriberCount, 0);
});

Deno.test("EventBus.countsByKind() counts every published event by kind, with or without subscribers", async () => {
  const bus = new EventBus();
  assert.deepEqual(bus.countsByKind(), {});
  bus.publish(sampleAnomaly(1));
  bus.publish(sampleStats(0));
  bus.publish(sampleAnomaly(2));
  bus.subscribe(() => {}, { kinds: ["stats"] });
  bus.publish(sampleAnomaly(3));
  await settle();
  assert.deepEqual(bus.countsByKind(), { anomaly: 3, stats: 1 });
});

Deno.test("EventBus delivers an event published from inside a handler after the current one", async () => {
  const bus = new EventBus();
  const got: string[] = [];
  bus.subscribe((e) => {
    got.push(`${e.kind}#${e.id}`);
    if (e.kind === "anomaly") bus.publish(sampleStats(0));
  });
  bus.publish(sampleAnomaly(1));
  bus.publish(sampleAnomaly(2));
  await settle();
  assert.deepEqual(got, ["anomaly#1", "anomaly#2", "stats#3", "stats#4"]);
});
