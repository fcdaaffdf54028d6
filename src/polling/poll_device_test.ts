import assert from "node:assert/strict";
import { createDevicePollState, pollDevice } from "./poll_device.ts";
import { InterfacePoller } from "./interface_poller.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError, type SnmpSession, type SnmpValue } from "../snmp/snmp_types.ts";

function device(): TableSession {
  return new TableSession([
    ["1.3.6.1.2.1.1.1.0", octets("Linux fw1 6.1.0")],
    ["1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.8072.3.2.10"],
    ["1.3.6.1.2.1.1.3.0", 4200],
    ["1.3.6.1.2.1.1.5.0", octets("fw1")],
    ["1.3.6.1.2.1.2.2.1.2.1", octets("eth0")],
    ["1.3.6.1.2.1.2.2.1.3.1", 6],
    ["1.3.6.1.2.1.25.3.3.1.2.1", 40],
    ["1.3.6.1.2.1.4.22.1.2.1.192.0.2.7", new Uint8Array([2, 0, 0, 0, 0, 7])],
    ["1.3.6.1.2.1.4.22.1.4.1.192.0.2.7", 3],
  ]);
}

Deno.test("pollDevice() composes the system group, interfaces, host resources and the ARP table", async () => {
  const poll = await pollDevice(device(), { interfaces: new InterfacePoller() }, 0);
  assert.equal(poll.system.sysName, "fw1");
  assert.equal(poll.system.sysUpTimeCs, 4200);
  assert.deepEqual(poll.interfaces.map((i) => [i.index, i.name, i.type]), [[1, "eth0", "ethernetCsmacd"]]);
  assert.equal(poll.cpuPct, 40);
  assert.equal(poll.memoryPct, null);
  assert.deepEqual(poll.arp, [{
    device: "192.0.2.10",
    ifIndex: 1,
    ip: "192.0.2.7",
    mac: "02:00:00:00:00:07",
    type: "dynamic",
  }]);
  assert.ok(poll.pollMs >= 0);
  assert.deepEqual(poll.warnings, []);
});

Deno.test("pollDevice() still succeeds when host resources and the ARP table fail, and says why", async () => {
  const s = device()
    .fail("1.3.6.1.2.1.25", new SnmpError("timeout", "timeout after 5 ms × 1 try"))
    .fail("1.3.6.1.2.1.4.22", new SnmpError("error", "the agent answered error-status genErr"));
  const poll = await pollDevice(s, { interfaces: new InterfacePoller() }, 0);
  assert.equal(poll.cpuPct, null);
  assert.deepEqual(poll.arp, []);
  assert.deepEqual(poll.warnings, [
    "host resources: timeout after 5 ms × 1 try",
    "ARP table: the agent answered error-status genErr",
  ]);
  assert.equal(poll.interfaces.length, 1);
});

Deno.test("pollDevice() rejects with the system group's SnmpError", async () => {
  const s = device().fail("1.3.6.1.2.1.1", new SnmpError("auth_failure", "auth failure: unknown user name"));
  await assert.rejects(pollDevice(s, { interfaces: new InterfacePoller() }, 0), {
    failure: "auth_failure",
    message: "auth failure: unknown user name",
  });
});

/** Whether any request of `s` asked for something under one of `bases`. */
function asked(s: TableSession, ...bases: string[]): boolean {
  return s.walked.some((o) => bases.some((b) => o === b || o.startsWith(`${b}.`)));
}

const HOST_RESOURCES = "1.3.6.1.2.1.25";
const ARP_TABLES = ["1.3.6.1.2.1.4.22", "1.3.6.1.2.1.4.35"];
const IFX_TABLE = "1.3.6.1.2.1.31.1.1";

/** sysUpTime of an agent up for a day, in centiseconds: long past the first minutes in which tables fill in. */
const UP_A_DAY_CS = 8_640_000;

/**
 * A switch agent without HOST-RESOURCES-MIB, ARP tables or ifXTable; the engine objects follow, as on real
 * agents. Up for a day unless `upTimeCs` says otherwise.
 */
function bareSwitch(extra: [string, SnmpValue][] = [], upTimeCs = UP_A_DAY_CS): TableSession {
  return new TableSession([
    ["1.3.6.1.2.1.1.1.0", octets("ExampleCo ES-8 switch")],
    ["1.3.6.1.2.1.1.3.0", upTimeCs],
    ["1.3.6.1.2.1.1.5.0", octets("sw8")],
    ...Array.from(
      { length: 8 },
      (_, i): [string, SnmpValue] => [`1.3.6.1.2.1.2.2.1.2.${i + 1}`, octets(`p${i + 1}`)],
    ),
    ["1.3.6.1.6.3.10.2.1.1.0", octets("engine")],
    ...extra,
  ]);
}

Deno.test("pollDevice() skips the tables an agent lacked on the next polls and looks again every 10th", async () => {
  const state = createDevicePollState();
  const askedAt: number[] = [];
  for (let poll = 1; poll <= 21; poll++) {
    const s = bareSwitch();
    const p = await pollDevice(s, state, poll * 60_000);
    assert.equal(p.interfaces.length, 8);
    const hr = asked(s, HOST_RESOURCES), arp = asked(s, ...ARP_TABLES), ifx = asked(s, IFX_TABLE);
    assert.equal(hr, arp, `poll ${poll}`);
    assert.equal(hr, ifx, `poll ${poll}`);
    if (hr) askedAt.push(poll);
  }
  assert.deepEqual(askedAt, [1, 11, 21]);
});

Deno.test("pollDevice() reads a table that appeared at the recheck poll, and on every poll after", async () => {
  const state = createDevicePollState();
  const load: [string, SnmpValue] = ["1.3.6.1.2.1.25.3.3.1.2.1", 35];
  const cpu: (number | null)[] = [];
  for (let poll = 1; poll <= 13; poll++) {
    // The agent gains HOST-RESOURCES-MIB (an upgrade) before poll 5.
    const p = await pollDevice(bareSwitch(poll >= 5 ? [load] : []), state, poll);
    cpu.push(p.cpuPct);
  }
  assert.deepEqual(cpu, [null, null, null, null, null, null, null, null, null, null, 35, 35, 35]);
});

Deno.test("pollDevice() asks an agent up for under 10 minutes for every table, so what fills in after a start is read at once", async () => {
  // Net-SNMP lists its processors from the start but has their hrProcessorLoad only after a minute; a switch's
  // forwarding table and LLDP neighbours fill in as traffic and announcements come. Polls a minute apart from
  // an agent started 6 s before the first; the load appears at the second poll.
  const state = createDevicePollState();
  const load: [string, SnmpValue] = ["1.3.6.1.2.1.25.3.3.1.2.1", 35];
  const cpu: (number | null)[] = [];
  const askedHr: boolean[] = [];
  for (let poll = 1; poll <= 3; poll++) {
    const s = bareSwitch(poll >= 2 ? [load] : [], 600 + (poll - 1) * 6000);
    cpu.push((await pollDevice(s, state, poll * 60_000)).cpuPct);
    askedHr.push(asked(s, HOST_RESOURCES));
  }
  assert.deepEqual(cpu, [null, 35, 35]);
  // Past its first 10 minutes, a table the agent still lacks is looked for only every 10th poll again.
  const later = createDevicePollState();
  for (const upTimeCs of [59_000, 65_000, 71_000]) {
    const s = bareSwitch([], upTimeCs);
    await pollDevice(s, later, upTimeCs * 10);
    askedHr.push(asked(s, HOST_RESOURCES));
  }
  assert.deepEqual(askedHr, [true, true, true, true, false, false]);
});

Deno.test("pollDevice() without remembered state asks for every table on every poll", async () => {
  const state = { interfaces: new InterfacePoller() };
  for (let poll = 1; poll <= 3; poll++) {
    const s = bareSwitch();
    await pollDevice(s, state, poll);
    assert.ok(asked(s, HOST_RESOURCES) && asked(s, ...ARP_TABLES));
  }
});

Deno.test("pollDevice() does not count a table that timed out as absent", async () => {
  const state = createDevicePollState();
  const first = bareSwitch().fail(HOST_RESOURCES, new SnmpError("timeout", "timeout after 5 ms × 1 try"));
  assert.deepEqual((await pollDevice(first, state, 1)).warnings, [
    "host resources: timeout after 5 ms × 1 try",
  ]);
  const second = bareSwitch();
  await pollDevice(second, state, 2);
  assert.ok(asked(second, HOST_RESOURCES));
});

Deno.test("pollDevice() has at most one request in flight", async () => {
  const inner = device();
  let inFlight = 0, most = 0, requests = 0;
  const slow = <T>(p: () => Promise<T>) => async (): Promise<T> => {
    inFlight++, requests++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    try {
      return await p();
    } finally {
      inFlight--;
    }
  };
  const s: SnmpSession = {
    target: inner.target,
    get: (oids) => slow(() => inner.get(oids))(),
    walk: (oid, max) => slow(() => inner.walk(oid, max))(),
    getBulk: (oids, reps) => slow(() => inner.getBulk(oids, reps))(),
    close: () => inner.close(),
  };
  const poll = await pollDevice(s, createDevicePollState(), 0);
  assert.equal(poll.cpuPct, 40);
  assert.equal(poll.arp.length, 1);
  assert.ok(requests >= 4);
  assert.equal(most, 1);
});
