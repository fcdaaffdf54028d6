import assert from "node:assert/strict";
import { PassiveNeighbours } from "./passive_neighbours.ts";
import type { PassiveObservation } from "./passive_report.ts";

/** An LLDP frame from chassis `name` (one port each) at `tsMs`, asking to be kept two minutes. */
function frame(name: string, tsMs: number, ttlS = 120): PassiveObservation {
  return {
    tsMs,
    iface: "eth0",
    vlan: 0,
    srcMac: "02:00:00:00:00:01",
    ttlS,
    report: {
      protocol: "lldp",
      localPort: { ifIndex: null, name: "eth0", aliases: [] },
      remote: {
        chassisId: `local:${name}`,
        name,
        platform: null,
        capabilities: [],
        addresses: [],
        macs: [],
        port: { ifIndex: null, name: "ge-0/0/1", aliases: [] },
      },
    },
    portId: "ge-0/0/1",
    portDescription: null,
    systemDescription: null,
    nativeVlan: null,
  };
}

const names = (n: PassiveNeighbours) => n.list().map((e) => e.last.report.remote.name);

Deno.test("passive neighbours: when full, the entry whose latest frame is oldest goes; the list stays in first-seen order", () => {
  const n = new PassiveNeighbours(3);
  n.observe(frame("a", 1000));
  n.observe(frame("b", 2000));
  n.observe(frame("c", 3000));
  n.observe(frame("a", 4000)); // a speaks again: b is now the quietest
  n.observe(frame("d", 5000));
  assert.deepEqual(names(n), ["a", "c", "d"]);
  assert.equal(n.evicted, 1);
  n.observe(frame("e", 6000));
  assert.deepEqual(names(n), ["a", "d", "e"]);
});

Deno.test("passive neighbours: entries gone by shutdown or expiry are never chosen for eviction", () => {
  const n = new PassiveNeighbours(3);
  n.observe(frame("a", 1000));
  n.observe(frame("b", 2000, 1)); // asks to be kept one second
  n.observe(frame("c", 3000));
  n.observe(frame("a", 3500, 0)); // a shuts down
  assert.equal(n.expire(4000), true); // b's second ran out
  n.observe(frame("d", 5000));
  n.observe(frame("e", 6000));
  assert.deepEqual(names(n), ["c", "d", "e"]);
  assert.equal(n.evicted, 0);
  n.observe(frame("f", 7000));
  assert.deepEqual(names(n), ["d", "e", "f"]);
  assert.equal(n.evicted, 1);
});

Deno.test("passive neighbours: restored entries are evicted by their saved times, not the order restored", () => {
  const saved = new PassiveNeighbours(3);
  saved.observe(frame("a", 1000));
  saved.observe(frame("b", 2000));
  saved.observe(frame("c", 3000));
  saved.observe(frame("a", 9000)); // first seen first, heard from last
  const n = new PassiveNeighbours(3);
  for (const e of saved.list()) n.restore(e);
  n.observe(frame("d", 10_000));
  assert.deepEqual(names(n), ["a", "c", "d"]);
});

Deno.test("passive neighbours: a flood of ever new senders keeps the bound", () => {
  const n = new PassiveNeighbours(1024);
  for (let i = 0; i < 50_000; i++) n.observe(frame(`forged-${i}`, 1000 + i));
  assert.equal(n.size, 1024);
  assert.equal(n.evicted, 50_000 - 1024);
  assert.deepEqual(names(n).slice(0, 2), ["forged-48976", "forged-48977"]);
});
