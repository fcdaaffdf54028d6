import assert from "node:assert/strict";
import type { DeviceEvent, InterfaceJson } from "../events/mod.ts";
import { OuiRegistry } from "./oui.ts";
import { type DeviceObservation, DeviceRegistry, type DeviceRegistryOptions } from "./registry.ts";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A registry in a fresh temp dir, with its events collected; always stopped and cleaned up. */
async function withRegistry(
  fn: (r: DeviceRegistry, events: DeviceEvent[], path: string) => Promise<void> | void,
  opts: Partial<DeviceRegistryOptions> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-registry-" });
  const path = `${dir}/devices.json`;
  const events: DeviceEvent[] = [];
  const r = new DeviceRegistry({ path, publish: (e) => events.push(e), now: () => T0, ...opts });
  try {
    await fn(r, events, path);
  } finally {
    await r.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

function itf(index: number, name: string, extra: Partial<InterfaceJson> = {}): InterfaceJson {
  return {
    index,
    name,
    alias: "",
    type: "ethernetCsmacd",
    speed_bps: 1e9,
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
    ...extra,
  };
}

const SYSTEM = {
  sysDescr: "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11",
  sysObjectId: "1.3.6.1.4.1.9.1.1208",
  sysName: "sw-core",
  sysServices: 2,
  sysUpTimeCs: 123456,
};

function snmpPoll(at: number, extra: Partial<DeviceObservation> = {}): DeviceObservation {
  return {
    ip: "192.0.2.10",
    source: "snmp",
    system: { ...SYSTEM, sysUpTimeCs: SYSTEM.sysUpTimeCs + (at - T0) / 10 },
    classification: {
      type: "switch",
      rule: "bridge-mib",
      vendor: "Cisco",
      model: "C2960",
      osVersion: "15.0(2)SE11",
    },
    snmp: { status: "ok", last_success: new Date(at).toISOString(), last_error: null, poll_ms: 35 },
    interfaces: [itf(1, "Gi0/1"), itf(2, "Gi0/2")],
    seenAt: at,
    ...extra,
  };
}

Deno.test("observe() publishes found for a new device and nothing for the same sighting again", async () => {
  await withRegistry((r, events) => {
    const d = r.observe({ ip: "192.0.2.7", mac: "00-1A-2B-3C-4D-5E", source: "arp_sweep", seenAt: T0 })!;
    assert.equal(d.ip, "192.0.2.7");
    assert.equal(d.mac, "00:1a:2b:3c:4d:5e");
    assert.equal(d.type, "unknown");
    assert.equal(d.snmp.status, "not_polled");
    assert.deepEqual(d.sources, ["arp_sweep"]);
    assert.equal(d.first_seen, new Date(T0).toISOString());
    assert.deepEqual(events.map((e) => [e.action, e.device]), [["found", d]]);

    const later = r.observe({
      ip: "192.0.2.7",
      mac: "00:1a:2b:3c:4d:5e",
      source: "arp_sweep",
      seenAt: T0 + 60_000,
    })!;
    assert.equal(events.length, 1, "a repeated sighting is quiet");
    assert.equal(later.last_seen, new Date(T0 + 60_000).toISOString());
    assert.equal(later.first_seen, d.first_seen);
    assert.equal(d.last_seen, new Date(T0).toISOString(), "what was handed out earlier is not mutated");
    assert.equal(r.size, 1);
    assert.deepEqual(r.get("192.0.2.7"), later);
    assert.deepEqual(r.list(), [later]);
  });
});

Deno.test("observe() publishes updated when SNMP identifies a device, then stays quiet across routine polls", async () => {
  await withRegistry((r, events) => {
    r.observe({ ip: "192.0.2.10", mac: "00:00:0c:aa:bb:cc", source: "arp_sweep", seenAt: T0 });
    const polled = r.observe(snmpPoll(T0 + 1000))!;
    assert.deepEqual(events.map((e) => e.action), ["found", "updated"]);
    assert.equal(polled.name, "sw-core");
    assert.equal(polled.type, "switch");
    assert.equal(polled.type_rule, "bridge-mib");
    assert.equal(polled.vendor, "Cisco");
    assert.equal(polled.sys_object_id, SYSTEM.sysObjectId);
    assert.equal(polled.uptime_s, (SYSTEM.sysUpTimeCs + 100) / 100);
    assert.deepEqual(polled.sources, ["arp_sweep", "snmp"]);
    assert.equal(polled.mac, "00:00:0c:aa:bb:cc", "SNMP not knowing the MAC does not forget it");

    // Later polls: new uptime, rates and last_success, same identity and interfaces.
    for (let i = 2; i < 6; i++) {
      const at = T0 + i * 60_000;
      r.observe(snmpPoll(at, {
        interfaces: [itf(1, "Gi0/1", { in_bps: i * 1000 }), itf(2, "Gi0/2", { out_util_pct: i })],
        cpuPct: i,
      }));
    }
    assert.equal(events.length, 2, "routine polls publish no device events");
    assert.equal(r.notableChanges, 2, "nor count as changes a reader of identities must look at");
    const d = r.get("192.0.2.10")!;
    assert.equal(d.cpu_pct, 5);
    assert.equal(d.interfaces[0].in_bps, 5000);
    assert.equal(d.snmp.last_success, new Date(T0 + 5 * 60_000).toISOString());
  });
});

Deno.test("observe() publishes updated when the SNMP status, the interface set or a port's description changes", async () => {
  await withRegistry((r, events) => {
    r.observe(snmpPoll(T0));
    r.observe({ ip: "192.0.2.10", source: "snmp", snmp: { status: "no_response", last_error: "timeout" } });
    r.observe({
      ip: "192.0.2.10",
      source: "snmp",
      snmp: { status: "no_response", last_error: "timeout again" },
    });
    r.observe(snmpPoll(T0 + 1000, { interfaces: [itf(1, "Gi0/1"), itf(2, "Gi0/2"), itf(3, "Gi0/3")] }));
    r.observe(snmpPoll(T0 + 2000, { interfaces: [itf(1, "Gi0/1"), itf(2, "Gi0/2"), itf(3, "Gi0/3")] }));
    // A port's description (ifAlias) is what neighbours may name it by on the network map.
    const uplink = itf(3, "Gi0/3", { alias: "uplink to core" });
    r.observe(snmpPoll(T0 + 3000, { interfaces: [itf(1, "Gi0/1"), itf(2, "Gi0/2"), uplink] }));
    assert.deepEqual(events.map((e) => [e.action, e.device!.snmp.status, e.device!.interfaces.length]), [
      ["found", "ok", 2],
      ["updated", "no_response", 2],
      ["updated", "ok", 3],
      ["updated", "ok", 3],
    ]);
    assert.equal(r.notableChanges, 4);
    assert.equal(r.get("192.0.2.10")!.snmp.last_success, new Date(T0 + 3000).toISOString());
  });
});

Deno.test("observe() takes the vendor from the MAC's OUI unless SNMP names one, and never for a random MAC", async () => {
  const enc = new TextEncoder();
  const oui = OuiRegistry.fromFiles({
    "oui.csv": enc.encode(
      "Registry,Assignment,Organization Name,Organization Address\r\n" +
        "MA-L,3C2AF4,Brother Industries LTD.,Nagoya JP\r\nMA-L,02608C,3COM,legacy\r\n",
    ),
  });
  await withRegistry((r) => {
    assert.equal(
      r.observe({ ip: "192.0.2.20", mac: "3c:2a:f4:01:02:03", source: "arp_sweep" })!.vendor,
      "Brother Industries LTD.",
    );
    const snmp = r.observe({
      ip: "192.0.2.20",
      source: "snmp",
      classification: {
        type: "printer",
        rule: "printer-mib",
        vendor: "Brother",
        model: null,
        osVersion: null,
      },
    })!;
    assert.equal(snmp.vendor, "Brother");
    // A locally administered address that happens to fall in a legacy block names nobody.
    assert.equal(r.observe({ ip: "192.0.2.21", mac: "02:60:8c:00:00:01", source: "traffic" })!.vendor, null);
    assert.equal(r.observe({ ip: "192.0.2.22", mac: "00:00:00:00:00:01", source: "traffic" })!.vendor, null);
  }, { oui });
});

Deno.test("observe() keeps at most maxDevices, refusing and counting new ones beyond it", async () => {
  await withRegistry((r, events) => {
    for (let i = 1; i <= 5; i++) r.observe({ ip: `198.51.100.${i}`, source: "traffic" });
    assert.equal(r.size, 3);
    assert.equal(r.refused, 2);
    assert.equal(r.observe({ ip: "198.51.100.9", source: "traffic" }), null);
    assert.equal(r.refused, 3);
    assert.ok(r.observe({ ip: "198.51.100.1", source: "arp_sweep" }), "known devices still update");
    assert.equal(events.filter((e) => e.action === "found").length, 3);
  }, { maxDevices: 3 });
});

Deno.test("load() of a file with more devices than maxDevices keeps the first ones and counts the rest refused", async () => {
  await withRegistry(async (r, _events, path) => {
    const full = new DeviceRegistry({ path, publish: () => {}, maxDevices: 5 });
    for (let i = 1; i <= 5; i++) full.observe({ ip: `198.51.100.${i}`, source: "arp_sweep", seenAt: T0 });
    await full.stop();
    await r.load();
    assert.deepEqual(r.list().map((d) => d.ip).sort(), ["198.51.100.1", "198.51.100.2", "198.51.100.3"]);
    assert.equal(r.refused, 2);
  }, { maxDevices: 3 });
});

Deno.test("observe() clips text a hostile agent makes huge, and keeps a bounded interface list", async () => {
  await withRegistry((r) => {
    const many = Array.from({ length: 50 }, (_, i) => itf(50 - i, `if${50 - i}`));
    const d = r.observe(snmpPoll(T0, {
      system: { ...SYSTEM, sysDescr: "x".repeat(100_000), sysName: "n".repeat(5000) },
      interfaces: many,
    }))!;
    assert.equal(d.sys_descr!.length, 1024);
    assert.equal(d.name!.length, 1024);
    assert.deepEqual(d.interfaces.map((i) => i.index), Array.from({ length: 10 }, (_, i) => i + 1));
  }, { maxInterfaces: 10 });
});

Deno.test("observe() stores addresses canonically and refuses a non-address", async () => {
  await withRegistry((r) => {
    r.observe({ ip: "2001:DB8:0:0::0:1", source: "traffic" });
    assert.equal(r.get("2001:db8::1")!.ip, "2001:db8::1");
    assert.equal(r.get("2001:0db8::1")!.ip, "2001:db8::1");
    assert.equal(r.get("nonsense"), undefined);
    assert.throws(() => r.observe({ ip: "192.0.2.256", source: "traffic" }), RangeError);
  });
});

Deno.test("byMac() finds every address a MAC holds, in any spelling, sorted", async () => {
  await withRegistry((r) => {
    for (const ip of ["192.0.2.30", "192.0.2.4", "192.0.2.100"]) {
      r.observe({ ip, mac: "00:11:22:33:44:55", source: "arp_table" });
    }
    r.observe({ ip: "192.0.2.5", mac: "00:11:22:33:44:56", source: "arp_table" });
    assert.deepEqual(r.byMac("0011.2233.4455").map((d) => d.ip), ["192.0.2.4", "192.0.2.30", "192.0.2.100"]);
    assert.deepEqual(r.byMac("66:66:66:66:66:66"), []);
    assert.deepEqual(r.byMac("bad"), []);
  });
});

Deno.test("setInterfaceStatus() changes one interface's state without publishing", async () => {
  await withRegistry((r, events) => {
    r.observe(snmpPoll(T0));
    const before = events.length;
    const down = r.setInterfaceStatus("192.0.2.10", 2, "down")!;
    assert.equal(down.oper_status, "down");
    assert.equal(r.get("192.0.2.10")!.interfaces[1].oper_status, "down");
    assert.equal(r.get("192.0.2.10")!.interfaces[0].oper_status, "up");
    assert.equal(r.setInterfaceStatus("192.0.2.10", 99, "down"), undefined);
    assert.equal(r.setInterfaceStatus("192.0.2.99", 1, "down"), undefined);
    assert.equal(events.length, before);
  });
});

Deno.test("a registry saved and loaded again holds the same devices", async () => {
  await withRegistry(async (r, _events, path) => {
    r.observe(snmpPoll(T0));
    r.observe({ ip: "2001:db8::5", mac: "00:11:22:33:44:55", source: "traffic", name: "db", seenAt: T0 });
    await r.flush();
    const events: DeviceEvent[] = [];
    const again = new DeviceRegistry({ path, publish: (e) => events.push(e) });
    const result = await again.load();
    assert.equal(result.problem, undefined);
    assert.deepEqual(again.list(), r.list());
    // A loaded device seen again with nothing new is quiet: it is not "found" a second time.
    again.observe({ ip: "2001:db8::5", mac: "00:11:22:33:44:55", source: "traffic", seenAt: T0 + 5 });
    assert.deepEqual(events, []);
    await again.stop();
  });
});

Deno.test("a change is saved by itself after saveDelayMs, and stop() saves what is still pending", async () => {
  await withRegistry(async (r, _events, path) => {
    r.observe({ ip: "192.0.2.1", source: "arp_sweep" });
    // The debounced save comes on its own; wait for the file rather than for a time.
    while (!(await Deno.stat(path).then(() => true, () => false))) {
      await new Promise((res) => setTimeout(res, 5));
    }
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)).devices.map((d: { ip: string }) => d.ip), [
      "192.0.2.1",
    ]);
    // A quiet change waits for the long delay; stop() writes it at once.
    r.observe({ ip: "192.0.2.1", source: "arp_sweep", seenAt: T0 + 99_000 });
    await r.stop();
    const saved = JSON.parse(await Deno.readTextFile(path));
    assert.equal(saved.devices[0].last_seen, new Date(T0 + 99_000).toISOString());
  }, { saveDelayMs: 1, idleSaveDelayMs: 3_600_000 });
});

Deno.test("concurrent flushes are serialised and the file ends with the last state", async () => {
  await withRegistry(async (r, _events, path) => {
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      r.observe({ ip: `10.0.${i >> 8}.${i & 255}`, source: "traffic" });
      flushes.push(r.flush());
    }
    await Promise.all(flushes);
    const saved = JSON.parse(await Deno.readTextFile(path));
    assert.equal(saved.devices.length, 40);
    assert.equal(saved.devices[39].ip, "10.0.0.39");
    const leftovers = [...Deno.readDirSync(path.slice(0, path.lastIndexOf("/")))].map((e) => e.name);
    assert.deepEqual(leftovers, ["devices.json"], "no temp file is left behind");
  });
});

Deno.test("load() moves a corrupt devices.json aside, starts empty, and the next save is good", async () => {
  await withRegistry(async (r, _events, path) => {
    await Deno.writeTextFile(path, '{"schema":1,"devices":[{"ip":"10.');
    const result = await r.load();
    assert.ok(result.movedAside);
    assert.match(result.problem!, /not valid JSON/);
    assert.equal(r.size, 0);
    assert.equal(await Deno.readTextFile(result.movedAside!), '{"schema":1,"devices":[{"ip":"10.');
    r.observe({ ip: "192.0.2.1", source: "arp_sweep" });
    await r.flush();
    assert.equal(JSON.parse(await Deno.readTextFile(path)).devices[0].ip, "192.0.2.1");
  });
});
