import assert from "node:assert/strict";
import { TableSession } from "../../tests/helpers/table_session.ts";
import { EventBus, type InterfaceEvent, type PublishedEvent } from "../events/mod.ts";
import { OID_DOT1D_BASE_NUM_PORTS } from "../polling/capabilities.ts";
import { CredentialTable } from "../snmp/credentials.ts";
import { SnmpError, type SnmpValue } from "../snmp/snmp_types.ts";
import { Inventory } from "./inventory.ts";
import { DeviceRegistry } from "./registry.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** A Linux server's agent with one gigabit interface whose HC octet counters are `inOctets`. */
function agent(inOctets: bigint, uptimeCs: number, oper = 1): [string, SnmpValue][] {
  const sys = "1.3.6.1.2.1.1", ifT = "1.3.6.1.2.1.2.2.1", ifX = "1.3.6.1.2.1.31.1.1.1";
  return [
    [`${sys}.1.0`, text("Linux web1 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64")],
    [`${sys}.2.0`, "1.3.6.1.4.1.8072.3.2.10"],
    [`${sys}.3.0`, uptimeCs],
    [`${sys}.5.0`, text("web1")],
    [`${sys}.7.0`, 72],
    [`${ifT}.1.2`, 2],
    [`${ifT}.2.2`, text("eth0")],
    [`${ifT}.3.2`, 6],
    [`${ifT}.5.2`, 1_000_000_000],
    [`${ifT}.7.2`, 1],
    [`${ifT}.8.2`, oper],
    [`${ifT}.10.2`, 0],
    [`${ifT}.13.2`, 0],
    [`${ifT}.14.2`, 0],
    [`${ifT}.16.2`, 0],
    [`${ifT}.20.2`, 0],
    [`${ifX}.1.2`, text("eth0")],
    [`${ifX}.6.2`, inOctets],
    [`${ifX}.10.2`, 0n],
    [`${ifX}.15.2`, 1000],
    [`${ifX}.18.2`, text("uplink")],
  ];
}

async function setup(
  sessions: TableSession[],
  clock: { now: number },
  routes: [device: string, nextHop: string | null][] = [],
) {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-inventory-" });
  const bus = new EventBus();
  const events: PublishedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const registry = new DeviceRegistry({ path: `${dir}/devices.json`, publish: (e) => bus.publish(e) });
  const arp: number[] = [];
  const inventory = new Inventory({
    registry,
    bus,
    credentials: new CredentialTable({
      defaultCredentials: { version: "v2c", community: "public" },
      rules: [],
    }),
    snmp: { port: 161, timeoutMs: 100, retries: 0 },
    concurrency: 4,
    servicePorts: () => new Map([["192.0.2.20", [9100]]]),
    onArpTable: (entries) => arp.push(entries.length),
    onDefaultRoute: (device, nextHop) => routes.push([device, nextHop]),
    openSession: () => sessions.shift()!,
    now: () => clock.now,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    registry,
    inventory,
    events,
    settle,
    async close() {
      inventory.detach();
      await registry.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("Inventory.pollOne() classifies the device, keeps its interfaces and publishes their rates from the second poll", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  // 10 s apart, 12.5 MB more inbound: 10 Mbit/s on a 1 Gbit/s interface = 1 %.
  const t = await setup([
    new TableSession(agent(1_000n, 100_000)),
    new TableSession(agent(12_501_000n, 101_000)),
  ], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    clock.now += 10_000;
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    const d = t.registry.get("192.0.2.10")!;
    assert.equal(d.name, "web1");
    assert.equal(d.type, "server");
    assert.equal(d.snmp.status, "ok");
    assert.equal(d.interfaces.length, 1);
    assert.equal(d.interfaces[0].name, "eth0");
    assert.equal(d.interfaces[0].in_bps, 10_000_000);
    assert.equal(d.interfaces[0].in_util_pct, 1);
    await t.settle();
    const ifEvents = t.events.filter((e): e is InterfaceEvent & { id: number } => e.kind === "interface");
    assert.equal(ifEvents.length, 1, "the first poll has no rates and says nothing");
    assert.equal(ifEvents[0].change, "poll");
    assert.equal(ifEvents[0].interface.in_bps, 10_000_000);
    assert.deepEqual(t.inventory.pollTargets(), ["192.0.2.10"]);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.pollOne() says so when an interface that had rates has none (the agent restarted), so the old ones are not shown as current", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const t = await setup([
    new TableSession(agent(1_000n, 100_000)),
    new TableSession(agent(12_501_000n, 101_000)), // 10 Mbit/s
    new TableSession(agent(5_000n, 500)), // sysUpTime went back: restarted, counters from zero, no rate
    new TableSession(agent(12_505_000n, 1_500)), // 10 Mbit/s again
    new TableSession(agent(12_505_000n, 2_500)), // 0 bit/s
  ], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    for (let poll = 0; poll < 5; poll++) {
      if (poll > 0) clock.now += 10_000;
      assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    }
    await t.settle();
    const rates = t.events
      .filter((e): e is InterfaceEvent & { id: number } => e.kind === "interface")
      .map((e) => [e.change, e.interface.in_bps, e.interface.in_util_pct]);
    assert.deepEqual(rates, [["poll", 10_000_000, 1], ["poll", null, null], ["poll", 10_000_000, 1], [
      "poll",
      0,
      0,
    ]]);
    assert.equal(t.registry.get("192.0.2.10")!.interfaces[0].in_bps, 0);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.pollOne() hands on the default route's next hop each poll reads it, and its loss", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  // ipRouteNextHop.0.0.0.0 (RFC 1213): the default route of the polled host.
  const withRoute = [
    ...agent(1_000n, 100_000),
    ["1.3.6.1.2.1.4.21.1.7.0.0.0.0", "192.0.2.1"] as [string, SnmpValue],
  ];
  const routes: [string, string | null][] = [];
  const t = await setup(
    [new TableSession(withRoute), new TableSession(agent(2_000n, 101_000))],
    clock,
    routes,
  );
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    clock.now += 10_000;
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    assert.deepEqual(routes, [["192.0.2.10", "192.0.2.1"], ["192.0.2.10", null]]);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.pollOne() of a device already being polled joins that poll instead of opening another session", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const only = new TableSession(agent(1_000n, 100_000));
  const t = await setup([only], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    // A sweep finding the device while the poll cycle reaches it: one poll, one session, one answer.
    const [a, b] = await Promise.all([t.inventory.pollOne("192.0.2.10"), t.inventory.pollOne("192.0.2.10")]);
    assert.deepEqual([a, b], [true, true]);
    assert.equal(
      only.gets.filter((oids) => oids.includes("1.3.6.1.2.1.1.3.0")).length,
      1,
      "sysUpTime read once",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.pollOne() records a timeout as 'no_response' with the error in words, and throws nothing", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const failing = new TableSession([]).fail(
    "1.3.6.1.2.1.1",
    new SnmpError("timeout", "timeout after 100 ms × 1 try"),
  );
  const t = await setup([failing], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    assert.equal(await t.inventory.pollOne("192.0.2.10"), false);
    const d = t.registry.get("192.0.2.10")!;
    assert.equal(d.snmp.status, "no_response");
    assert.equal(d.snmp.last_error, "timeout after 100 ms × 1 try");
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.found() classifies a host without SNMP from the services it served", async () => {
  const t = await setup([], { now: Date.now() });
  try {
    t.inventory.found({ ip: "192.0.2.20", mac: "02:00:00:00:00:20", system: null, via: "arp_sweep" });
    const d = t.registry.get("192.0.2.20")!;
    assert.equal(d.type, "printer");
    assert.equal(d.snmp.status, "no_response");
    assert.equal(d.mac, "02:00:00:00:00:20");
    assert.deepEqual(t.inventory.pollTargets(), []);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory applies a linkDown trap to the interface it names and publishes link_down", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const t = await setup([new TableSession(agent(1_000n, 100_000))], clock);
  const bus = new EventBus();
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    await t.inventory.pollOne("192.0.2.10");
    t.inventory.attachTraps(bus);
    bus.publish({
      kind: "trap",
      ts: new Date(clock.now).toISOString(),
      source_ip: "192.0.2.10",
      version: "v2c",
      pdu: "trap",
      name: "linkDown",
      trap_oid: "1.3.6.1.6.3.1.1.5.3",
      uptime_cs: 100_100,
      if_index: 2,
      if_name: null,
      varbinds: [],
      reason: "linkDown from 192.0.2.10: interface 2 went down",
    });
    await t.settle();
    await t.settle();
    assert.equal(t.registry.get("192.0.2.10")!.interfaces[0].oper_status, "down");
    const e = t.events.find((e): e is InterfaceEvent & { id: number } => e.kind === "interface");
    assert.equal(e?.change, "link_down");
    assert.equal(e?.interface.index, 2);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.fromArpTable() makes a router's neighbours devices, classified without SNMP, once", async () => {
  const t = await setup([], { now: Date.now() });
  try {
    const entries = [
      {
        device: "192.0.2.1",
        ifIndex: 2,
        ip: "192.0.2.20",
        mac: "02:00:00:00:00:20",
        type: "dynamic" as const,
      },
      {
        device: "192.0.2.1",
        ifIndex: 2,
        ip: "192.0.2.21",
        mac: "02:00:00:00:00:21",
        type: "invalid" as const,
      },
    ];
    t.inventory.fromArpTable(entries, Date.UTC(2026, 10, 22));
    t.inventory.fromArpTable(entries, Date.UTC(2026, 10, 22, 0, 1));
    const d = t.registry.get("192.0.2.20")!;
    assert.equal(d.mac, "02:00:00:00:00:20");
    assert.equal(d.type, "printer", "it served port 9100 in traffic");
    assert.equal(d.snmp.status, "not_polled", "the next sweep probes it");
    assert.ok(d.sources.includes("arp_table"));
    assert.equal(d.last_seen, new Date(Date.UTC(2026, 10, 22, 0, 1)).toISOString());
    assert.equal(t.registry.get("192.0.2.21"), undefined, "an invalid entry is no evidence");
    await t.settle();
    assert.equal(t.events.filter((e) => e.kind === "device" && e.action === "found").length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.unanswered() says no_response for a known host a sweep asked in vain, once, and leaves others", async () => {
  const t = await setup([], { now: Date.now() });
  try {
    const at = Date.UTC(2026, 10, 22);
    // Known only from a router's ARP table (behind it, or Flintnet's own address): no sweep ARP answer.
    t.inventory.fromArpTable([{
      device: "192.0.2.1",
      ifIndex: 2,
      ip: "192.0.2.30",
      mac: "02:00:00:00:00:30",
      type: "dynamic",
    }], at);
    await t.settle();
    const before = t.registry.get("192.0.2.30")!;
    assert.equal(before.snmp.status, "not_polled");
    const updates = () => t.events.filter((e) => e.kind === "device" && e.action === "updated").length;
    const updatesBefore = updates();
    t.inventory.unanswered("192.0.2.30");
    t.inventory.unanswered("192.0.2.30"); // the next sweep: nothing changes
    t.inventory.unanswered("192.0.2.99"); // an empty address makes no device
    await t.settle();
    const after = t.registry.get("192.0.2.30")!;
    assert.equal(after.snmp.status, "no_response");
    assert.equal(after.snmp.last_error, "no SNMP answer to the discovery probe");
    assert.deepEqual(after.sources, before.sources, "silence is no sighting: no source added");
    assert.equal(after.last_seen, before.last_seen);
    assert.equal(updates() - updatesBefore, 1, "one 'updated' event, for the status change");
    assert.equal(t.registry.get("192.0.2.99"), undefined);
    // A device that answered SNMP before is the poller's to judge: a silent sweep does not touch it.
    t.registry.observe({
      ip: "192.0.2.31",
      source: "snmp",
      snmp: { status: "ok", last_success: "2026-11-22T00:00:00.000Z" },
    });
    t.inventory.unanswered("192.0.2.31");
    assert.equal(t.registry.get("192.0.2.31")!.snmp.status, "ok");
  } finally {
    await t.close();
  }
});

/** A switch that says it bridges only through BRIDGE-MIB (sysServices claims layers 4 and 7). */
/** The type_rule bridgeAgent() earns: BRIDGE-MIB, with the evidence classification quotes. */
const BRIDGE_RULE = "capability:bridge-mib (dot1dBaseNumPorts 8, ipForwarding not forwarding)";

function bridgeAgent(uptimeCs: number): [string, SnmpValue][] {
  return [
    ["1.3.6.1.2.1.1.1.0", text("ExampleCo ES-8 managed switch")],
    ["1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.32473.2.8"],
    ["1.3.6.1.2.1.1.3.0", uptimeCs],
    ["1.3.6.1.2.1.1.5.0", text("sw8")],
    ["1.3.6.1.2.1.1.7.0", 72],
    ["1.3.6.1.2.1.2.2.1.2.1", text("port1")],
    ["1.3.6.1.2.1.4.1.0", 2], // ipForwarding: notForwarding
    ["1.3.6.1.2.1.17.1.2.0", 8], // dot1dBaseNumPorts
  ];
}

Deno.test("Inventory.pollOne() probes capabilities on the first poll and every 10th, classifying by the last answer in between", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const sessions = Array.from({ length: 12 }, (_, i) => new TableSession(bridgeAgent(100_000 + i * 6000)));
  const t = await setup([...sessions], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    const probedAt: number[] = [];
    for (let poll = 1; poll <= 12; poll++) {
      assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
      const d = t.registry.get("192.0.2.10")!;
      assert.equal(d.type, "switch", `poll ${poll}`);
      assert.equal(d.type_rule, BRIDGE_RULE, `poll ${poll}`);
      if (sessions[poll - 1].gets.some((oids) => oids.includes(OID_DOT1D_BASE_NUM_PORTS))) {
        probedAt.push(poll);
      }
      clock.now += 60_000;
    }
    assert.deepEqual(probedAt, [1, 11]);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory.pollOne() probes capabilities again on the next poll when a probe failed", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const failing = new TableSession(bridgeAgent(100_000)).fail(
    "1.3.6.1.2.1.17",
    new SnmpError("timeout", "timeout after 100 ms × 1 try"),
  );
  const next = new TableSession(bridgeAgent(106_000));
  const t = await setup([failing, next], clock);
  try {
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    assert.notEqual(t.registry.get("192.0.2.10")!.type_rule, BRIDGE_RULE);
    clock.now += 60_000;
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    assert.equal(t.registry.get("192.0.2.10")!.type_rule, BRIDGE_RULE);
  } finally {
    await t.close();
  }
});

Deno.test("Inventory polls at most `concurrency` devices at once, counting the polls a sweep starts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-inventory-" });
  const bus = new EventBus();
  const registry = new DeviceRegistry({ path: `${dir}/devices.json`, publish: (e) => bus.publish(e) });
  let open = 0, peak = 0;
  const inventory = new Inventory({
    registry,
    bus,
    credentials: new CredentialTable({
      defaultCredentials: { version: "v2c", community: "public" },
      rules: [],
    }),
    snmp: { port: 161, timeoutMs: 100, retries: 0 },
    concurrency: 2,
    servicePorts: () => new Map(),
    onArpTable: () => {},
    openSession: () => {
      open++;
      peak = Math.max(peak, open);
      const s = new TableSession(agent(1n, 100));
      const get = s.get.bind(s);
      // Every request takes a few milliseconds, as a real agent's would, so polls overlap.
      s.get = async (oids) => (await new Promise((r) => setTimeout(r, 3)), get(oids));
      const close = s.close.bind(s);
      s.close = () => (open--, close());
      return s;
    },
  });
  try {
    const sys = {
      sysDescr: "Linux",
      sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
      sysName: "x",
      sysServices: 72,
      sysUpTimeCs: 1,
    };
    for (let i = 1; i <= 6; i++) registry.observe({ ip: `192.0.2.${i}`, source: "snmp", system: sys });
    for (let i = 7; i <= 9; i++) inventory.found({ ip: `192.0.2.${i}`, mac: null, system: sys, via: "snmp" });
    const cycle = await inventory.pollAll();
    assert.equal(cycle.devices, 9);
    assert.equal(peak, 2, "the cycle and the sweep's polls share two slots");
  } finally {
    await registry.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Inventory.fromPortCounters() makes an sFlow agent's ports the interfaces of a device without SNMP, and publishes what changed", async () => {
  const clock = { now: Date.UTC(2026, 10, 22, 8, 0, 0) };
  const t = await setup([new TableSession(agent(1_000n, 100_000))], clock);
  try {
    const port = (ifIndex: number, uptimeMs: number, inOctets: bigint, operUp = true) => ({
      exporter: "192.0.2.30",
      uptimeMs,
      ifIndex,
      ifType: 6,
      speedBps: 100_000_000,
      adminUp: true,
      operUp,
      inOctets,
      outOctets: 0n,
      inErrors: 0,
      outErrors: 0,
      inDiscards: 0,
    });
    t.registry.observe({ ip: "192.0.2.30", source: "netflow" }); // the exporter, as the collector offers it
    t.inventory.fromPortCounters([port(1, 60_000, 0n), port(2, 60_000, 0n)]);
    let d = t.registry.get("192.0.2.30")!;
    assert.deepEqual(d.interfaces.map((i) => [i.index, i.name, i.in_bps]), [[1, "ifIndex 1", null], [
      2,
      "ifIndex 2",
      null,
    ]]);
    // 20 s on the agent's clock: port 1 carried 2,500,000 octets (1 Mb/s, 1 % of 100 Mb/s); port 2 went down
    t.inventory.fromPortCounters([port(1, 80_000, 2_500_000n)]);
    t.inventory.fromPortCounters([port(2, 80_000, 0n, false)]);
    d = t.registry.get("192.0.2.30")!;
    assert.deepEqual(
      d.interfaces.map((i) => [i.index, i.in_bps, i.in_util_pct, i.oper_status]),
      [[1, 1_000_000, 1, "up"], [2, 0, 0, "down"]],
    );
    assert.deepEqual(d.sources, ["netflow"]);
    await t.settle();
    const changes = t.events.filter((e): e is InterfaceEvent & { id: number } => e.kind === "interface")
      .map((e) => [e.device_ip, e.interface.index, e.change, e.interface.in_bps]);
    // first samples have no rates and say nothing; then one event a port, for the port that changed
    assert.deepEqual(changes, [["192.0.2.30", 1, "poll", 1_000_000], ["192.0.2.30", 2, "link_down", 0]]);

    // A device that answers SNMP is described by its polls: its pushed counters are not used.
    t.registry.observe({ ip: "192.0.2.10", source: "snmp" });
    assert.equal(await t.inventory.pollOne("192.0.2.10"), true);
    t.inventory.fromPortCounters([{ ...port(7, 60_000, 0n), exporter: "192.0.2.10" }]);
    assert.deepEqual(t.registry.get("192.0.2.10")!.interfaces.map((i) => [i.index, i.name]), [[2, "eth0"]]);
  } finally {
    await t.close();
  }
});
