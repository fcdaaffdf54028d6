/**
 * Topology from simulated agents: snmpsimd serving tests/fixtures/topology — a Catalyst carrying CDP
 * neighbours and an Aruba switch carrying LLDP neighbours and a Q-BRIDGE forwarding table, cabled to
 * each other — polled through the real poll path (Inventory, session, pollDevice) into the topology
 * store. The expected map is the wiring the fixtures' header comments describe, written out here; the
 * names of the neighbours are also read straight from the .snmprec lines.
 * Endpoints 127.0.110.1 and 127.0.110.2, UDP 16181.
 */
import assert from "node:assert/strict";
import { EventBus } from "../src/events/bus.ts";
import { Inventory } from "../src/devices/inventory.ts";
import { DeviceRegistry } from "../src/devices/registry.ts";
import { CredentialTable } from "../src/snmp/credentials.ts";
import { type TopologyJson, topologyPollPart, TopologyStore } from "../src/topology/mod.ts";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpsimUnavailable();
const FIXTURES = new URL("./fixtures/topology/", import.meta.url).pathname;
const PORT = 16181;
const CORE = "127.0.110.1", ACCESS = "127.0.110.2";

/** "node[port]—node[port] protocols", ends sorted: the wiring as a list of strings. */
function wiring(t: TopologyJson): string[] {
  return t.edges.map((e) => {
    const ends = [`${e.source}[${e.local_port}]`, `${e.target}[${e.remote_port}]`].sort().join("—");
    return `${ends} ${e.protocols.join("+")}`;
  }).sort();
}

/** The string values of the rows of `column` (dotted OID prefix) in a .snmprec file. */
async function column(file: string, prefix: string): Promise<string[]> {
  const lines = (await Deno.readTextFile(`${FIXTURES}${file}`)).split("\n");
  return lines.filter((l) => l.startsWith(`${prefix}.`)).map((l) => l.split("|")[2]);
}

Deno.test({
  name: "a CDP switch and an LLDP switch served by snmpsimd are polled into the map their fixtures describe",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`snmprec topology test cannot run: ${missing}`);
    const dir = await Deno.makeTempDir({ prefix: "flintnet-topology-snmprec-" });
    const sim = await startSnmpsim({
      endpoints: [`${CORE}:${PORT}`, `${ACCESS}:${PORT}`],
      dataDir: FIXTURES,
    });
    const bus = new EventBus();
    const registry = new DeviceRegistry({ path: `${dir}/devices.json`, publish: (e) => bus.publish(e) });
    let ok = false;
    try {
      const store = new TopologyStore({
        publish: (e) => bus.publish(e),
        devices: () => registry.list(),
        self: () => ({ name: "flintnet", ip: null }),
        agePolls: 3,
      });
      const inventory = new Inventory({
        registry,
        bus,
        credentials: new CredentialTable({
          defaultCredentials: { version: "v2c", community: "public" },
          rules: [
            { cidr: `${CORE}/32`, credentials: { version: "v2c", community: "cisco_c2960x_cdp" } },
            { cidr: `${ACCESS}/32`, credentials: { version: "v2c", community: "aruba_2930f_lldp" } },
          ],
        }),
        snmp: { port: PORT, timeoutMs: 2000, retries: 1 },
        concurrency: 2,
        servicePorts: () => new Map(),
        onArpTable: () => {},
        pollParts: [topologyPollPart((ip, t) => store.observePoll(ip, t))],
      });
      for (const ip of [CORE, ACCESS]) {
        const system = await inventory.probe(ip);
        assert.ok(system, `${ip} answers`);
        inventory.found({ ip, mac: null, system, via: "snmp" });
        assert.equal(await inventory.pollOne(ip), true, `${ip} polled`);
        assert.equal(registry.get(ip)?.snmp.last_error, null, "no part of the poll failed");
      }
      const map = store.snapshot();
      assert.deepEqual(wiring(map), [
        "10.20.0.1[GigabitEthernet0/0/1]—127.0.110.1[Gi1/0/48] cdp",
        "10.20.30.45[Port 1]—127.0.110.1[Gi1/0/5] cdp",
        "10.20.40.20[eno1]—127.0.110.2[20] lldp",
        "10.20.40.5[eth0]—127.0.110.2[12] lldp",
        "127.0.110.1[Gi1/0/1]—127.0.110.2[49] lldp",
        "127.0.110.2[23]—chassis:mac:b8:a4:4f:b9:3d:1a[eth0] lldp",
      ]);
      const byId = new Map(map.nodes.map((n) => [n.id, n]));
      assert.deepEqual(
        [...byId.values()].map((n) => [n.id, n.name, n.placeholder]),
        [
          ["10.20.0.1", "rtr-edge.example.net", true],
          ["10.20.30.45", "SEP001122334455", true],
          ["10.20.40.20", "fileserver", true],
          ["10.20.40.5", "ap-lobby", true],
          [CORE, "sw-core", false],
          [ACCESS, "sw-access", false],
          ["chassis:mac:b8:a4:4f:b9:3d:1a", "axis-b8a44fb93d1a", true],
        ],
      );
      assert.deepEqual(
        [byId.get("10.20.30.45")?.platform, byId.get("10.20.30.45")?.capabilities],
        ["Cisco IP Phone 8845", ["host", "telephone", "two_port_mac_relay"]],
      );
      assert.deepEqual([byId.get("10.20.40.5")?.type, byId.get("10.20.40.5")?.ip], [
        "access_point",
        "10.20.40.5",
      ]);
      assert.equal(byId.get("chassis:mac:b8:a4:4f:b9:3d:1a")?.ip, null, "0.0.0.0 is no address");
      // Every neighbour the fixtures name is a node, by the names in their own lines.
      const names = [
        ...await column("cisco_c2960x_cdp.snmprec", "1.3.6.1.4.1.9.9.23.1.2.1.1.6"),
        ...await column("aruba_2930f_lldp.snmprec", "1.0.8802.1.1.2.1.4.1.1.9"),
      ];
      assert.equal(names.length, 6);
      const nodeNames = new Set(map.nodes.map((n) => n.name));
      for (const n of names) assert.ok(nodeNames.has(n === "sw-core.example.net" ? "sw-core" : n), n);
      const uplink = map.edges.find((e) => e.source === CORE && e.target === ACCESS)!;
      assert.equal(uplink.speed_bps, 1_000_000_000, "Gi1/0/1's ifHighSpeed");

      const hosts = store.snapshot(true);
      assert.deepEqual(wiring(hosts).filter((w) => w.endsWith(" fdb")), [
        "127.0.110.2[21]—mac:3c:22:fb:00:00:21[null] fdb",
        "127.0.110.2[22]—mac:00:1b:a9:00:00:22[null] fdb",
      ]);
      assert.equal(hosts.nodes.length, map.nodes.length + 2);
      ok = true;
    } finally {
      if (!ok) console.error(`snmpsimd:\n${sim.output().slice(-4000)}`);
      await sim.stop();
      await registry.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
