/**
 * The topology store over time: reports aging out after N polls without them, neighbours seen in
 * capture leaving when their TTL runs out, the events each change publishes, placeholders offered to
 * discovery, and a restored state giving the same map without events.
 */
import assert from "node:assert/strict";
import type { DeviceJson } from "../events/device_json.ts";
import type { TopologyEvent } from "../events/events.ts";
import { sampleDevice, sampleInterface } from "../../tests/helpers/sample_devices.ts";
import type { NeighbourReport } from "./neighbour.ts";
import type { PassiveObservation } from "./passive_report.ts";
import { MAX_REPORTS_PER_DEVICE, type TopologyPoll, TopologyStore } from "./topology_store.ts";

const A = sampleDevice({ ip: "10.0.0.1", name: "a" });
const B = sampleDevice({ ip: "10.0.0.2", name: "b" });

function report(localPort: string, remoteIp: string, remotePort: string): NeighbourReport {
  return {
    protocol: "lldp",
    localPort: { ifIndex: null, name: localPort, aliases: [localPort] },
    remote: {
      chassisId: null,
      name: null,
      platform: null,
      capabilities: [],
      addresses: [remoteIp],
      macs: [],
      port: { ifIndex: null, name: remotePort, aliases: [remotePort] },
    },
  };
}

function world(o: { agePolls?: number; devices?: DeviceJson[]; monotonic?: () => number } = {}) {
  const events: TopologyEvent[] = [];
  const offered: string[] = [];
  let now = Date.parse("2026-03-01T00:00:00Z");
  const devices = o.devices ?? [A, B];
  const store = new TopologyStore({
    publish: (e) => events.push(e),
    devices: () => devices,
    self: () => ({ name: "box", ip: null }),
    agePolls: o.agePolls ?? 2,
    offerAddress: (ip) => offered.push(ip),
    now: () => now,
    monotonic: o.monotonic,
  });
  return {
    store,
    events,
    offered,
    advance: (ms: number) => void (now += ms),
    get now() {
      return now;
    },
  };
}

const summary = (events: TopologyEvent[]) =>
  events.map((e) =>
    `${e.action} ${
      e.node?.id ?? `${e.edge?.source}[${e.edge?.local_port}]-${e.edge?.target}[${e.edge?.remote_port}]`
    }`
  );

Deno.test("an edge not reported for N polls ages out, and each change is an event", () => {
  const w = world({ agePolls: 2 });
  w.store.rebuild(); // the empty map
  w.store.observePoll("10.0.0.1", {
    chassisIds: [],
    names: [],
    reports: [report("p1", "10.0.0.2", "q1")],
    fdb: null,
  });
  assert.deepEqual(summary(w.events), [
    "node_added 10.0.0.1",
    "node_added 10.0.0.2",
    "edge_added 10.0.0.1[p1]-10.0.0.2[q1]",
  ]);
  w.events.length = 0;
  w.store.observePoll("10.0.0.1", { chassisIds: [], names: [], reports: [], fdb: null });
  assert.equal(w.store.snapshot().edges.length, 1, "one poll without it: still there");
  assert.deepEqual(w.events, []);
  w.store.observePoll("10.0.0.1", { chassisIds: [], names: [], reports: [], fdb: null });
  assert.equal(w.store.snapshot().edges.length, 0, "two polls without it: gone");
  assert.deepEqual(summary(w.events), [
    "edge_removed 10.0.0.1[p1]-10.0.0.2[q1]",
    "node_removed 10.0.0.1",
    "node_removed 10.0.0.2",
  ]);
});

Deno.test("after a slow build, changes wait for one build 20 of its durations later; a read builds at once", async () => {
  // A clock that says each build took 10 ms (it moves 10 ms from one reading to the next): a slow build.
  let t = 0;
  const w = world({ agePolls: 2, monotonic: () => (t += 10) });
  w.store.rebuild();
  const poll = (remote: string) =>
    w.store.observePoll("10.0.0.1", {
      chassisIds: [],
      names: [],
      reports: [report("p1", remote, "q1")],
      fdb: null,
    });
  poll("10.0.0.2");
  assert.deepEqual(w.events, [], "within 200 ms of the last build: nothing built yet");
  assert.equal(w.store.rebuildWaiting, true);
  poll("10.0.0.3"); // a second change joins the build that waits
  // A read builds what waits, and the events of both changes come with that build.
  assert.deepEqual(w.store.snapshot().edges.map((e) => e.target), ["10.0.0.3"]);
  assert.deepEqual(summary(w.events), [
    "node_added 10.0.0.1",
    "node_added 10.0.0.3",
    "edge_added 10.0.0.1[p1]-10.0.0.3[q1]",
  ]);
  assert.equal(w.store.rebuildWaiting, false);
  // Without a read, the waiting build runs by itself (here about 190 ms later).
  w.events.length = 0;
  poll("10.0.0.2");
  assert.deepEqual(w.events, []);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(w.store.rebuildWaiting, false);
  assert.ok(summary(w.events).includes("edge_added 10.0.0.1[p1]-10.0.0.2[q1]"), summary(w.events).join("; "));
});

Deno.test("a report seen again before it aged out starts counting afresh", () => {
  const w = world({ agePolls: 2 });
  const with1 = { chassisIds: [], names: [], reports: [report("p1", "10.0.0.2", "q1")], fdb: null };
  const without = { chassisIds: [], names: [], reports: [], fdb: null };
  for (const p of [with1, without, with1, without]) w.store.observePoll("10.0.0.1", p);
  assert.equal(w.store.snapshot().edges.length, 1);
});

Deno.test("a device gone from the registry takes its reports with it at the next tick", () => {
  const devices = [A, B];
  const w = world({ devices });
  w.store.observePoll("10.0.0.1", {
    chassisIds: [],
    names: [],
    reports: [report("p1", "10.0.0.2", "q1")],
    fdb: null,
  });
  devices.splice(0, 1);
  w.store.tick();
  assert.deepEqual(w.store.snapshot(), { nodes: [], edges: [] });
});

function observation(ttlS: number, tsMs: number, port = "Gi1/0/5"): PassiveObservation {
  return {
    tsMs,
    iface: "eth0",
    vlan: 0,
    srcMac: "00:a7:42:0a:00:01",
    ttlS,
    report: {
      protocol: "lldp",
      localPort: { ifIndex: null, name: "eth0", aliases: ["eth0"] },
      remote: {
        chassisId: "mac:00:a7:42:0a:00:01",
        name: "sw-access",
        platform: null,
        capabilities: ["bridge"],
        addresses: ["10.0.0.50"],
        macs: ["00:a7:42:0a:00:01"],
        port: { ifIndex: null, name: port, aliases: [port] },
      },
    },
    portId: port,
    portDescription: null,
    systemDescription: null,
    nativeVlan: null,
  };
}

Deno.test("a neighbour seen in capture leaves when its TTL runs out, or at once on TTL 0", () => {
  const w = world();
  w.store.rebuild();
  w.store.observePassive(observation(120, w.now));
  const t = w.store.snapshot();
  assert.deepEqual(t.edges.map((e) => [e.source, e.local_port, e.target, e.remote_port]), [
    ["10.0.0.50", "Gi1/0/5", "flintnet", "eth0"],
  ]);
  assert.deepEqual(t.nodes.map((n) => [n.id, n.type, n.placeholder]), [
    ["10.0.0.50", "switch", true],
    ["flintnet", "flintnet", false],
  ]);
  w.advance(119_000);
  w.store.tick();
  assert.equal(w.store.snapshot().edges.length, 1, "within its TTL");
  w.advance(2_000);
  w.store.tick();
  assert.equal(w.store.snapshot().edges.length, 0, "past its TTL");
  w.store.observePassive(observation(120, w.now));
  w.store.observePassive(observation(0, w.now));
  assert.equal(w.store.snapshot().edges.length, 0, "a shutdown LLDPDU");
  assert.deepEqual(w.events.map((e) => e.action).filter((a) => a.startsWith("edge")), [
    "edge_added",
    "edge_removed",
    "edge_added",
    "edge_removed",
  ]);
});

Deno.test("a placeholder's address is offered to discovery once an hour", () => {
  const w = world();
  w.store.observePassive(observation(65535, w.now));
  w.store.observePassive(observation(65535, w.now, "Gi1/0/6"));
  w.store.tick();
  assert.deepEqual(w.offered, ["10.0.0.50"]);
  w.advance(1_800_000);
  w.store.tick();
  assert.deepEqual(w.offered, ["10.0.0.50"], "half an hour later: not again");
  w.advance(1_800_000);
  w.store.tick();
  assert.deepEqual(w.offered, ["10.0.0.50", "10.0.0.50"], "an hour later: again");
});

Deno.test("a restored state gives the same map and publishes nothing", () => {
  const w = world();
  w.store.observePoll("10.0.0.1", {
    chassisIds: ["mac:02:00:00:00:00:01"],
    names: ["a"],
    reports: [report("p1", "10.0.0.2", "q1")],
    fdb: [{ mac: "02:00:00:00:00:99", ifIndex: 3 }],
  });
  w.store.observePassive(observation(120, w.now));
  const state = w.store.state();
  const again = world();
  again.store.restore(state.polled, state.passive);
  assert.deepEqual(again.store.snapshot(), w.store.snapshot());
  assert.deepEqual(again.store.snapshot(true), w.store.snapshot(true));
  assert.deepEqual(again.events, []);
});

Deno.test("a device that names new neighbours on every poll keeps a bounded number of reports", () => {
  const w = world({ agePolls: 1000 });
  const many = (poll: number) =>
    Array.from({ length: 3000 }, (_, i) => report(`p${poll}-${i}`, `10.${poll}.${i >> 8}.${i & 255}`, "x"));
  for (let poll = 0; poll < 5; poll++) {
    w.store.observePoll("10.0.0.1", { chassisIds: [], names: [], reports: many(poll), fdb: null });
  }
  assert.equal(w.store.stats().polled_reports, MAX_REPORTS_PER_DEVICE);
  const latest = new Set(many(4).map((r) => r.remote.addresses[0]));
  const kept = [...w.store.state().polled.get("10.0.0.1")!.reports.values()];
  assert.equal(
    kept.filter((r) => latest.has(r.report.remote.addresses[0])).length,
    3000,
    "the latest poll's all kept",
  );
});

/** A poll of A that reports B on its port p1. */
const aLinkedToB = () => ({
  chassisIds: [],
  names: [],
  reports: [report("p1", "10.0.0.2", "q1")],
  fdb: null,
});

Deno.test("a tick reads nothing while the registry's version stays, and takes a change in when it moves", () => {
  let version = 0, reads = 0, builds = 0;
  let devices = [A, B];
  const store = new TopologyStore({
    publish: () => {},
    devices: () => (reads++, devices),
    devicesVersion: () => version,
    self: () => (builds++, { name: "box", ip: null }), // asked once a build
    agePolls: 2,
  });
  store.observePoll("10.0.0.1", aLinkedToB());
  const nameOfB = () => store.snapshot().nodes.find((n) => n.id === "10.0.0.2")?.name;
  assert.equal(nameOfB(), "b");
  const before = reads, built = builds;
  devices = [A, { ...B, name: "b-renamed" }]; // the registry changed it, and says so only with the version
  for (let i = 0; i < 3; i++) store.tick();
  assert.equal(reads, before, "the ticks did not read the registry");
  assert.equal(builds, built, "nor build");
  assert.equal(nameOfB(), "b");
  version++;
  store.tick();
  assert.equal(nameOfB(), "b-renamed");
  assert.equal(reads, before + 1, "one read for the version");
});

Deno.test("edges show their interfaces' rates as the registry has them when the map is read, without a build", () => {
  const rated = (inBps: number) =>
    sampleDevice({ ip: "10.0.0.1", name: "a", interfaces: [sampleInterface(1, "p1", { in_bps: inBps })] });
  const registry = new Map([["10.0.0.1", rated(1000)], ["10.0.0.2", B]]);
  let reads = 0;
  const store = new TopologyStore({
    publish: () => {},
    devices: () => (reads++, [...registry.values()]),
    devicesVersion: () => 0,
    device: (ip) => registry.get(ip),
    self: () => ({ name: "box", ip: null }),
    agePolls: 2,
  });
  store.observePoll("10.0.0.1", aLinkedToB());
  assert.deepEqual(store.snapshot().edges.map((e) => [e.source, e.local_port, e.in_bps]), [[
    "10.0.0.1",
    "p1",
    1000,
  ]]);
  const before = reads;
  registry.set("10.0.0.1", rated(5000)); // a poll's new rates: a quiet change, the version stays
  store.tick();
  assert.deepEqual(store.snapshot().edges.map((e) => e.in_bps), [5000]);
  assert.deepEqual(store.snapshot(true).edges.map((e) => e.in_bps), [5000]);
  assert.equal(reads, before);
});

Deno.test("while nothing is reported the map reads no device; the first report reads them", () => {
  let reads = 0, version = 0;
  const store = new TopologyStore({
    publish: () => {},
    devices: () => (reads++, [A, B]),
    devicesVersion: () => version,
    self: () => ({ name: "box", ip: null }),
    agePolls: 2,
  });
  store.restore(new Map(), []);
  version++;
  store.tick();
  assert.deepEqual(store.snapshot(), { nodes: [], edges: [] });
  assert.equal(reads, 0);
  store.observePoll("10.0.0.1", aLinkedToB());
  assert.equal(reads, 1);
  assert.equal(store.snapshot().edges.length, 1);
});

Deno.test("a poll that repeats the last one builds nothing and leaves nothing to save; anything new does", () => {
  let builds = 0;
  const store = new TopologyStore({
    publish: () => {},
    devices: () => [A, B],
    self: () => (builds++, { name: "box", ip: null }), // asked once a build
    agePolls: 2,
  });
  const fdb = [{ mac: "52:54:00:00:00:09", ifIndex: 7 }];
  const poll = (over: Partial<TopologyPoll> = {}) =>
    store.observePoll("10.0.0.1", { ...aLinkedToB(), fdb, ...over });
  const settled = () => {
    store.markSaved(store.unsaved);
    return builds;
  };
  poll();
  let built = settled();
  poll(); // the same, in new objects
  poll({ fdb: null }); // the forwarding table not read this time: the one kept stays
  store.observePoll("10.0.0.2", { chassisIds: [], names: [], reports: [], fdb: null }); // no LLDP, no bridge
  assert.deepEqual([builds, store.unsaved], [built, 0]);

  const bridge = aLinkedToB();
  bridge.reports[0].remote.capabilities = ["bridge"]; // the same neighbour says something new of itself
  // Each step changes one thing more than the one before, so each is the only difference.
  let over: Partial<TopologyPoll> = {};
  for (
    const change of [
      { reports: bridge.reports },
      { fdb: [{ mac: "52:54:00:00:00:09", ifIndex: 8 }] },
      { names: ["sw-a"] },
      { chassisIds: ["mac:52:54:00:00:00:01"] },
      { reports: [] }, // the neighbour missing: it ages
    ]
  ) {
    over = { ...over, ...change };
    built = settled();
    poll(over);
    assert.deepEqual([builds, store.unsaved], [built + 1, 1], JSON.stringify(change));
    built = settled();
    poll(over);
    if (change.reports?.length !== 0) assert.deepEqual([builds, store.unsaved], [built, 0], "again: nothing");
  }
});
