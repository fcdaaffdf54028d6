/**
 * topology.json: a save read back gives the same state (and so the same map); an unreadable file is
 * moved aside, byte for byte, and reported; a bad entry costs that entry only.
 */
import assert from "node:assert/strict";
import { sampleDevice } from "../../tests/helpers/sample_devices.ts";
import { loadTopologyFile, saveTopologyFile } from "./topology_file.ts";
import { TopologyStore } from "./topology_store.ts";

const DEVICES = [sampleDevice({ ip: "10.0.0.1", name: "a" }), sampleDevice({ ip: "10.0.0.2", name: "b" })];

function store() {
  return new TopologyStore({
    publish: () => {},
    devices: () => DEVICES,
    self: () => ({ name: "box", ip: "10.0.0.9" }),
    agePolls: 3,
    now: () => Date.parse("2026-03-01T00:00:00Z"),
  });
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-topology-file-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a saved topology loads back into the same map", async () => {
  await withDir(async (dir) => {
    const a = store();
    a.observePoll("10.0.0.1", {
      chassisIds: ["mac:02:00:00:00:00:01"],
      names: ["a"],
      reports: [{
        protocol: "cdp",
        localPort: { ifIndex: 4, name: "Gi0/4", aliases: ["Gi0/4"] },
        remote: {
          chassisId: null,
          name: "b",
          platform: "cisco WS-C2960",
          capabilities: ["switch"],
          addresses: ["10.0.0.2"],
          macs: [],
          port: { ifIndex: null, name: "Gi0/1", aliases: ["Gi0/1"] },
        },
      }],
      fdb: [{ mac: "02:00:00:00:00:33", ifIndex: 7 }],
    });
    a.observePoll("10.0.0.1", {
      chassisIds: ["mac:02:00:00:00:00:01"],
      names: ["a"],
      reports: [],
      fdb: null,
    });
    a.observePassive({
      tsMs: Date.parse("2026-03-01T00:00:00Z") + 0.125,
      iface: "eth0",
      vlan: 10,
      srcMac: "02:00:00:00:00:02",
      ttlS: 120,
      report: {
        protocol: "lldp",
        localPort: { ifIndex: null, name: "eth0", aliases: ["eth0"] },
        remote: {
          chassisId: "mac:02:00:00:00:00:02",
          name: "b",
          platform: null,
          capabilities: [],
          addresses: [],
          macs: ["02:00:00:00:00:02"],
          port: { ifIndex: null, name: "Gi0/9", aliases: ["Gi0/9"] },
        },
      },
      portId: "Gi0/9",
      portDescription: null,
      systemDescription: null,
      nativeVlan: 10,
    });
    const path = `${dir}/topology.json`;
    await saveTopologyFile(path, a.state(), Date.now());
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const loaded = await loadTopologyFile(path);
    assert.equal(loaded.skipped, 0);
    const b = store();
    b.restore(loaded.polled, loaded.passive);
    assert.deepEqual(b.state(), a.state());
    assert.deepEqual(b.snapshot(true), a.snapshot(true));
    assert.equal(a.snapshot().edges.length, 2);
  });
});

Deno.test("an unreadable topology.json is moved aside untouched and the map starts empty", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/topology.json`;
    await Deno.writeTextFile(path, "{ not json");
    const loaded = await loadTopologyFile(path, () => Date.parse("2026-03-01T12:00:00Z"));
    assert.equal(loaded.polled.size, 0);
    assert.equal(loaded.movedAside, `${path}.corrupt-20260301T120000000Z`);
    assert.equal(await Deno.readTextFile(loaded.movedAside!), "{ not json");
    assert.match(loaded.problem!, /unreadable/);
  });
});

Deno.test("a bad entry is skipped and the rest kept; a missing file is an empty map", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/topology.json`;
    assert.deepEqual(await loadTopologyFile(path), { polled: new Map(), passive: [], skipped: 0 });
    const good = {
      ip: "10.0.0.1",
      chassis_ids: [],
      names: ["a"],
      reports: [],
      fdb: [["02:00:00:00:00:01", 3]],
    };
    const bad = { ip: "10.0.0.2", chassis_ids: [], names: [], reports: [{ missed: -1 }], fdb: [] };
    await Deno.writeTextFile(
      path,
      JSON.stringify({ schema: 1, devices: [good, bad], passive: [{ key: 5 }] }),
    );
    const loaded = await loadTopologyFile(path);
    assert.equal(loaded.skipped, 2);
    assert.deepEqual([...loaded.polled.keys()], ["10.0.0.1"]);
    assert.deepEqual(loaded.polled.get("10.0.0.1")!.fdb, [{ mac: "02:00:00:00:00:01", ifIndex: 3 }]);
  });
});
