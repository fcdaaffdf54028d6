import assert from "node:assert/strict";
import { type DeviceEvent, EventBus, type PublishedEvent } from "../events/mod.ts";
import { DiscoverySweeper } from "./sweeper.ts";
import { DiscoveryScheduler, publishSweepProgress } from "./discovery_control.ts";

function build(cidrs: string[]) {
  const bus = new EventBus();
  const events: PublishedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const probed: string[] = [];
  const sweeper = new DiscoverySweeper({
    concurrency: 8,
    snmpProbe: (ip) => {
      probed.push(ip);
      return Promise.resolve(undefined);
    },
    onProgress: (p, phase) => publishSweepProgress(bus, p, phase),
    onFound: () => {},
  });
  const scheduler = new DiscoveryScheduler({
    sweeper,
    cidrs,
    interfaces: [],
    knownHosts: () => ["10.9.9.9"],
    intervalS: 0,
  });
  return { scheduler, events, probed };
}

Deno.test("DiscoveryScheduler sweeps the networks and known hosts once at a time, and publishes the progress", async () => {
  const { scheduler, events, probed } = build(["192.0.2.0/29"]);
  const first = scheduler.sweepAtStart();
  const second = scheduler.start();
  assert.equal(first.started, true);
  assert.equal(second.started, false, "a request during a sweep joins it");
  assert.equal(second.sweep.id, first.sweep.id);
  while (scheduler.status().running) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(probed.sort(), [
    "10.9.9.9",
    "192.0.2.1",
    "192.0.2.2",
    "192.0.2.3",
    "192.0.2.4",
    "192.0.2.5",
    "192.0.2.6",
  ]);
  const actions = events.filter((e): e is DeviceEvent & { id: number } => e.kind === "device").map((e) =>
    e.action
  );
  assert.equal(actions[0], "sweep_started");
  assert.equal(actions.at(-1), "sweep_finished");
  const status = scheduler.status();
  assert.equal(status.sweep?.scanned, 7);
  assert.equal(status.next_at, null, "interval 0: no periodic sweep");
  assert.equal(scheduler.start().started, true, "a new request after the sweep starts another");
  await scheduler.stop();
});

Deno.test("DiscoveryScheduler leaves out a network too large to sweep and still probes known hosts", async () => {
  const { scheduler, probed } = build(["127.0.0.0/8"]);
  scheduler.sweepAtStart();
  while (scheduler.status().running) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(probed, ["10.9.9.9"]);
  await scheduler.stop();
});
