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
  bus.publish(sampleAnomaly(5000));
  bus.publish({ ...STATS });
  bus.publish(sampleAnomaly(6000));
  await settle();
  assert.equal(store.size, 2);
  assert.deepEqual(store.list().map((a) => [a.id, a.kind, a.bytes]), [[2, "anomaly", 5000], [
    4,
    "anomaly",
    6000,
  ]]);
  assert.deepEqual(store.list()[0], { ...sampleAnomaly(5000), id: 2 });
});

Deno.test("AnomalyStore holds at most its capacity, dropping the oldest", async () => {
  const bus = new EventBus();
  const store = new AnomalyStore(3);
  store.attach(bus);
  for (let i = 1; i <= 5; i++) {
    bus.publish(sampleAnomaly(i));
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
  bus.publish(sampleAnomaly(1));
  await settle();
  store.detach();
  bus.publish(sampleAnomaly(2));
  await settle();
  assert.deepEqual(store.list().map((a) => a.bytes), [1]);
  assert.equal(bus.subscriberCount, 0);
});
