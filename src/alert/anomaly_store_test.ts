import assert from "node:assert/strict";
import { EventBus, type StatsEvent } from "../events/mod.ts";
import { AnomalyStore } from "./anomaly_store.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";

const STATS: StatsEvent = { kind: "stats", ts: "2023-11-14T22:13:30.000Z", stats: {} };

/** Lets the bus's queued deliveries run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("AnomalyStore keeps only anomaly events, with their bus ids, oldest first", async () => {
  const bus = new EventBus();
  const store = new AnomalyStore(10);
  store.attach(bus);
  bus.publish({ ...STATS });
  bus.publish(sampleAnomaly(5000, "a", { episode_id: "f-a" }));
  bus.publish({ ...STATS });
  bus.publish(sampleAnomaly(6000, "b", { episode_id: "f-b" }));
  await settle();
  assert.equal(store.size, 2);
  assert.deepEqual(store.list().map((a) => [a.id, a.kind, a.bytes]), [[2, "anomaly", 5000], [
    4,
    "anomaly",
    6000,
  ]]);
  assert.deepEqual(store.list()[0], { ...sampleAnomaly(5000, "a", { episode_id: "f-a" }), id: 2 });
});

Deno.test("AnomalyStore holds at most its capacity, dropping the oldest", async () => {
  const bus = new EventBus();
  const store = new AnomalyStore(3);
  store.attach(bus);
  for (let i = 1; i <= 5; i++) {
    bus.publish(sampleAnomaly(i, "x", { episode_id: `f-${i}` }));
    await settle(); // one at a time, as a detector publishes them
  }
  assert.equal(store.size, 3);
  assert.deepEqual(store.list().map((a) => a.bytes), [3, 4, 5]);
});

Deno.test("AnomalyStore stops collecting after detach() and keeps what it has", async () => {
  const bus = new EventBus();
  const store = new AnomalyStore(10);
  store.detach(); // before attach: harmless
  store.attach(bus);
  bus.publish(sampleAnomaly(1, "x", { episode_id: "f-1" }));
  await settle();
  store.detach();
  bus.publish(sampleAnomaly(2, "x", { episode_id: "f-2" }));
  await settle();
  assert.deepEqual(store.list().map((a) => a.bytes), [1]);
  assert.equal(bus.subscriberCount, 0);
});

Deno.test("AnomalyStore keeps an episode once: the closed event replaces the open one where it stood", async () => {
  const bus = new EventBus();
  const store = new AnomalyStore(2);
  store.attach(bus);
  const open = sampleAnomaly(5000, "started", { episode_id: "f-a" });
  bus.publish(open);
  bus.publish(sampleAnomaly(6000, "other", { episode_id: "f-b" }));
  bus.publish({ ...open, phase: "closed", reason: "over", total_bytes: 9000 });
  await settle();
  assert.deepEqual(store.list().map((a) => [a.episode_id, a.phase, a.reason, a.id]), [
    ["f-a", "closed", "over", 3],
    ["f-b", "open", "other", 2],
  ]);
  // A new episode pushes out the oldest entry, and with it its episode: a late close of it is new again.
  bus.publish(sampleAnomaly(7000, "third", { episode_id: "f-c" }));
  bus.publish({ ...open, phase: "closed", reason: "late" });
  await settle();
  assert.deepEqual(store.list().map((a) => [a.episode_id, a.phase]), [["f-c", "open"], ["f-a", "closed"]]);
});
