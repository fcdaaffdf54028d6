import assert from "node:assert/strict";
import {
  IF_ENTRY,
  ifTypeName,
  IFX_ENTRY,
  InterfacePoller,
  oidToIfStatus,
  speedBps,
} from "./interface_poller.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError, type SnmpValue } from "../snmp/snmp_types.ts";

/** An agent with two interfaces: 1 = a 1 Gb/s port with HC counters, 2 = a 10 Mb/s port with only 32-bit ones. */
function agent(
  o: { hcIn: bigint; in32: number; inErrors: number; extra?: [string, SnmpValue][] },
): TableSession {
  return new TableSession([
    [`${IF_ENTRY}.2.1`, octets("GigabitEthernet0/1")],
    [`${IF_ENTRY}.2.2`, octets("Serial0")],
    [`${IF_ENTRY}.3.1`, 6],
    [`${IF_ENTRY}.3.2`, 22],
    [`${IF_ENTRY}.5.1`, 1_000_000_000],
    [`${IF_ENTRY}.5.2`, 10_000_000],
    [`${IF_ENTRY}.7.1`, 1],
    [`${IF_ENTRY}.7.2`, 2],
    [`${IF_ENTRY}.8.1`, 1],
    [`${IF_ENTRY}.8.2`, 7],
    [`${IF_ENTRY}.10.1`, 0],
    [`${IF_ENTRY}.10.2`, o.in32],
    [`${IF_ENTRY}.13.1`, 0],
    [`${IF_ENTRY}.14.1`, o.inErrors],
    [`${IF_ENTRY}.16.1`, 0],
    [`${IF_ENTRY}.16.2`, 0],
    [`${IF_ENTRY}.20.1`, 0],
    // Columns the poller does not need (ifMtu, ifPhysAddress) must not be walked.
    [`${IF_ENTRY}.4.1`, 1500],
    [`${IF_ENTRY}.6.1`, new Uint8Array(6)],
    [`${IFX_ENTRY}.1.1`, octets("Gi0/1")],
    [`${IFX_ENTRY}.6.1`, o.hcIn],
    [`${IFX_ENTRY}.10.1`, 0n],
    [`${IFX_ENTRY}.15.1`, 1000],
    [`${IFX_ENTRY}.15.2`, 0],
    [`${IFX_ENTRY}.18.1`, octets("uplink to core")],
    ...(o.extra ?? []),
  ]);
}

Deno.test("InterfacePoller.poll() fills every field from ifTable and ifXTable on the first poll", async () => {
  const p = new InterfacePoller();
  const list = await p.poll(agent({ hcIn: 0n, in32: 0, inErrors: 0 }), 1000, 0);
  assert.deepEqual(list, [
    {
      index: 1,
      name: "Gi0/1",
      alias: "uplink to core",
      type: "ethernetCsmacd",
      speed_bps: 1_000_000_000,
      oper_status: "up",
      admin_status: "up",
      in_util_pct: null,
      out_util_pct: null,
      in_bps: null,
      out_bps: null,
      in_errors_per_s: null,
      out_errors_per_s: null,
      in_discards_per_s: null,
      counters: "hc64",
    },
    {
      index: 2,
      name: "Serial0",
      alias: "",
      type: "propPointToPointSerial",
      speed_bps: 10_000_000,
      oper_status: "lower_layer_down",
      admin_status: "down",
      in_util_pct: null,
      out_util_pct: null,
      in_bps: null,
      out_bps: null,
      in_errors_per_s: null,
      out_errors_per_s: null,
      in_discards_per_s: null,
      counters: "c32",
    },
  ]);
});

Deno.test("InterfacePoller.poll() reports rates since the previous poll of the same device", async () => {
  const p = new InterfacePoller();
  await p.poll(agent({ hcIn: 0n, in32: 4294967000, inErrors: 0 }), 1000, 0);
  // 10 s later: 125,000,000 octets on the 1 Gb/s port (10 %); the 32-bit counter of port 2 wrapped.
  const [gi, se] = await p.poll(agent({ hcIn: 125_000_000n, in32: 1000, inErrors: 50 }), 2000, 10_000);
  assert.equal(gi.in_bps, 100_000_000);
  assert.equal(gi.in_util_pct, 10);
  assert.equal(gi.out_util_pct, 0);
  assert.equal(gi.in_errors_per_s, 5);
  assert.equal(gi.in_discards_per_s, 0);
  assert.equal(gi.out_errors_per_s, 0);
  assert.equal(se.in_bps, Math.round(((4294967296 - 4294967000 + 1000) * 8) / 10)); // 1,036.8: a whole bit
  assert.equal(se.in_errors_per_s, null); // the agent has no ifInErrors for port 2
});

Deno.test("InterfacePoller.poll() keeps full 64-bit counters between polls and forgets an interface that went away", async () => {
  const p = new InterfacePoller();
  const near = 0xffff_ffff_ffff_0000n; // within 2^16 of the Counter64 maximum: a double would lose it
  const port3 = (
    hcIn: bigint,
  ): [string, SnmpValue][] => [[`${IF_ENTRY}.2.3`, octets("Gi0/3")], [`${IFX_ENTRY}.6.3`, hcIn], [
    `${IFX_ENTRY}.10.3`,
    0n,
  ], [`${IFX_ENTRY}.15.3`, 1000]];
  await p.poll(agent({ hcIn: near, in32: 0, inErrors: 0, extra: port3(near) }), 1000, 0);
  const second = await p.poll(agent({ hcIn: near + 1250n, in32: 0, inErrors: 0 }), 2000, 10_000);
  assert.equal(second[0].in_bps, 1000); // 1,250 octets in 10 s
  assert.deepEqual(second.map((i) => i.index), [1, 2]);
  // Port 3 is back, but its sample went with it: no rate across the gap.
  const third = await p.poll(
    agent({ hcIn: near + 2500n, in32: 0, inErrors: 0, extra: port3(near + 9n) }),
    3000,
    20_000,
  );
  assert.equal(third[0].in_bps, 1000);
  assert.equal(third[2].index, 3);
  assert.equal(third[2].in_bps, null);
});

Deno.test("InterfacePoller.poll() walks only the columns it needs", async () => {
  const s = agent({ hcIn: 0n, in32: 0, inErrors: 0 });
  await new InterfacePoller().poll(s, 1, 0);
  assert.ok(!s.walked.includes(`${IF_ENTRY}.4`) && !s.walked.includes(`${IF_ENTRY}.6`));
  assert.ok(s.walked.includes(`${IF_ENTRY}.10`) && s.walked.includes(`${IFX_ENTRY}.6`));
});

Deno.test("InterfacePoller.poll() reports interfaces an agent lists only in ifXTable", async () => {
  const s = new TableSession([
    [`${IFX_ENTRY}.1.3`, octets("Gi1/0/3")],
    [`${IFX_ENTRY}.6.3`, 77n],
    [`${IFX_ENTRY}.10.3`, 88n],
    [`${IFX_ENTRY}.15.3`, 1000],
    [`${IFX_ENTRY}.18.3`, octets("desk 3")],
  ]);
  const [i] = await new InterfacePoller().poll(s, 1, 0);
  assert.deepEqual(
    [i.index, i.name, i.alias, i.speed_bps, i.oper_status, i.type, i.counters],
    [3, "Gi1/0/3", "desk 3", 1_000_000_000, "unknown", "", "hc64"],
  );
});

Deno.test("InterfacePoller.poll() reads ifTable and ifXTable row by row, each table's columns in one GETBULK", async () => {
  const s = agent({ hcIn: 0n, in32: 0, inErrors: 0 });
  await new InterfacePoller().poll(s, 1, 0);
  assert.deepEqual(s.bulks[0].oids, [2, 3, 5, 7, 8, 10, 13, 14, 16, 20].map((c) => `${IF_ENTRY}.${c}`));
  const ifx = s.bulks.find((b) => b.oids[0].startsWith(IFX_ENTRY))!;
  assert.deepEqual(ifx.oids, [1, 6, 10, 15, 18].map((c) => `${IFX_ENTRY}.${c}`));
});

Deno.test("InterfacePoller.poll() keeps at most maxInterfaces rows", async () => {
  const rows: [string, SnmpValue][] = [];
  for (let i = 1; i <= 50; i++) {
    rows.push([`${IF_ENTRY}.2.${i}`, octets(`eth${i}`)], [`${IF_ENTRY}.3.${i}`, 6]);
  }
  const list = await new InterfacePoller({ maxInterfaces: 8 }).poll(new TableSession(rows), 1, 0);
  assert.deepEqual(list.map((i) => i.index), [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("InterfacePoller.poll() rejects with the session's error", async () => {
  const s = agent({ hcIn: 0n, in32: 0, inErrors: 0 }).fail(
    IFX_ENTRY,
    new SnmpError("timeout", "timeout after 5 ms × 1 try"),
  );
  await assert.rejects(new InterfacePoller().poll(s, 1, 0), { failure: "timeout" });
});

Deno.test("oidToIfStatus() names IF-MIB's statuses and calls anything else unknown", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 0, 99].map(oidToIfStatus), [
    "up",
    "down",
    "testing",
    "unknown",
    "dormant",
    "not_present",
    "lower_layer_down",
    "unknown",
    "unknown",
  ]);
});

Deno.test("ifTypeName() names common IANAifType values and keeps others as numbers", () => {
  assert.equal(ifTypeName(6), "ethernetCsmacd");
  assert.equal(ifTypeName(24), "softwareLoopback");
  assert.equal(ifTypeName(161), "ieee8023adLag");
  assert.equal(ifTypeName(4242), "4242");
});

Deno.test("speedBps() prefers ifHighSpeed and falls back to ifSpeed below 1 Mb/s", () => {
  assert.equal(speedBps(10_000, 4294967295), 10_000_000_000);
  assert.equal(speedBps(0, 64_000), 64_000);
  assert.equal(speedBps(null, 100_000_000), 100_000_000);
  assert.equal(speedBps(0, 0), null);
});
