/**
 * Reports → graph. Each test wires a small network in words (who is on which port of whom), writes the
 * reports the devices would give, and checks the graph against the wiring: one edge per cable, whatever
 * reported it, and the right node at each end.
 */
import assert from "node:assert/strict";
import type { DeviceJson, InterfaceJson } from "../events/device_json.ts";
import { sampleDevice, sampleInterface as itf } from "../../tests/helpers/sample_devices.ts";
import { DeviceKeys } from "./device_keys.ts";
import { withFdbHosts } from "./fdb_hosts.ts";
import { buildGraph, type GraphInput } from "./graph_builder.ts";
import { graphToJson } from "./graph_json.ts";
import type { NeighbourReport, RemoteSystem } from "./neighbour.ts";
import type { TopologyJson } from "../events/topology_json.ts";

function polledDevice(
  ip: string,
  name: string,
  type: DeviceJson["type"],
  interfaces: InterfaceJson[],
): DeviceJson {
  return sampleDevice({
    ip,
    name,
    type,
    interfaces,
    mac: null,
    snmp: { status: "ok", last_success: "2026-01-02T00:00:00.000Z", last_error: null, poll_ms: 5 },
  });
}

function remote(over: Partial<Omit<RemoteSystem, "port">> & { port: string }): RemoteSystem {
  return {
    chassisId: null,
    name: null,
    platform: null,
    capabilities: [],
    addresses: [],
    macs: [],
    ...over,
    port: { ifIndex: null, name: over.port, aliases: [over.port] },
  };
}

function lldp(localIf: number, localName: string, r: RemoteSystem): NeighbourReport {
  return {
    protocol: "lldp",
    localPort: { ifIndex: localIf, name: localName, aliases: [localName] },
    remote: r,
  };
}

function cdp(localIf: number, localName: string, r: RemoteSystem): NeighbourReport {
  return { ...lldp(localIf, localName, r), protocol: "cdp" };
}

const SELF = { name: "flintnet-box", ip: "10.9.9.9" };

function graph(
  devices: DeviceJson[],
  polled: GraphInput["polled"],
  passive: NeighbourReport[] = [],
): TopologyJson {
  return graphToJson(buildGraph({ devices: DeviceKeys.of(devices), polled, passive, self: SELF }));
}

/** Edges as unordered "node[port]—node[port]" strings with their protocols, sorted. */
function wiring(t: TopologyJson): string[] {
  return t.edges.map((e) => {
    const ends = [`${e.source}[${e.local_port}]`, `${e.target}[${e.remote_port}]`].sort();
    return `${ends.join("—")} ${e.protocols.join("+")}`;
  }).sort();
}

const CORE = polledDevice("10.0.0.1", "core", "switch", [
  itf(1, "Gi1/0/1"),
  itf(2, "Gi1/0/2"),
  itf(3, "Gi1/0/3"),
]);
const EDGE = polledDevice("10.0.0.2", "edge", "switch", [itf(49, "Gi1/0/49"), itf(50, "Gi1/0/50")]);

Deno.test("a link reported from both ends is one edge, with the ports each end names", () => {
  const t = graph(
    [CORE, EDGE],
    new Map([
      ["10.0.0.1", {
        chassisIds: ["mac:00:00:00:00:00:01"],
        names: ["core"],
        reports: [lldp(1, "Gi1/0/1", remote({ addresses: ["10.0.0.2"], name: "edge", port: "Gi1/0/49" }))],
      }],
      ["10.0.0.2", {
        chassisIds: ["mac:00:00:00:00:00:02"],
        names: ["edge"],
        reports: [lldp(49, "Gi1/0/49", remote({ chassisId: "mac:00:00:00:00:00:01", port: "Gi1/0/1" }))],
      }],
    ]),
  );
  assert.deepEqual(wiring(t), ["10.0.0.1[Gi1/0/1]—10.0.0.2[Gi1/0/49] lldp"]);
  assert.deepEqual(t.nodes.map((n) => [n.id, n.name, n.type, n.status, n.placeholder]), [
    ["10.0.0.1", "core", "switch", "up", false],
    ["10.0.0.2", "edge", "switch", "up", false],
  ]);
});

Deno.test("parallel links between the same pair stay separate edges", () => {
  const t = graph(
    [CORE, EDGE],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [
          lldp(1, "Gi1/0/1", remote({ addresses: ["10.0.0.2"], port: "Gi1/0/49" })),
          lldp(2, "Gi1/0/2", remote({ addresses: ["10.0.0.2"], port: "Gi1/0/50" })),
        ],
      }],
    ]),
  );
  assert.deepEqual(wiring(t), [
    "10.0.0.1[Gi1/0/1]—10.0.0.2[Gi1/0/49] lldp",
    "10.0.0.1[Gi1/0/2]—10.0.0.2[Gi1/0/50] lldp",
  ]);
});

Deno.test("LLDP from one end and CDP from the other, in Cisco's two spellings of a port, are one edge", () => {
  const t = graph(
    [CORE, EDGE],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [
          cdp(1, "GigabitEthernet1/0/1", remote({ name: "edge.example.net", port: "GigabitEthernet1/0/49" })),
        ],
      }],
      ["10.0.0.2", {
        chassisIds: [],
        names: [],
        reports: [lldp(49, "Gi1/0/49", remote({ name: "core", port: "Gi1/0/1" }))],
      }],
    ]),
  );
  assert.deepEqual(wiring(t), ["10.0.0.1[Gi1/0/1]—10.0.0.2[Gi1/0/49] cdp+lldp"]);
});

Deno.test("an unknown neighbour heard by two devices is one placeholder with what they said", () => {
  const ap = { name: "ap-lobby", platform: "cisco AIR-AP2802I-E-K9", addresses: ["10.0.5.20"] };
  const t = graph(
    [CORE, EDGE],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [
          lldp(
            3,
            "Gi1/0/3",
            remote({
              ...ap,
              chassisId: "mac:00:11:22:33:44:55",
              capabilities: ["wlan_access_point", "bridge"],
              port: "Gi0",
            }),
          ),
        ],
      }],
      ["10.0.0.2", {
        chassisIds: [],
        names: [],
        reports: [
          cdp(
            50,
            "Gi1/0/50",
            remote({
              name: "AP-Lobby.example.net",
              capabilities: ["router", "bridge"],
              port: "GigabitEthernet1",
            }),
          ),
        ],
      }],
    ]),
  );
  const placeholders = t.nodes.filter((n) => n.placeholder);
  assert.deepEqual(placeholders, [{
    id: "10.0.5.20",
    name: "ap-lobby",
    type: "access_point",
    status: "unknown",
    ip: "10.0.5.20",
    placeholder: true,
    platform: "cisco AIR-AP2802I-E-K9",
    capabilities: ["bridge", "router", "wlan_access_point"],
  }]);
  assert.deepEqual(wiring(t), [
    "10.0.0.1[Gi1/0/3]—10.0.5.20[Gi0] lldp",
    "10.0.0.2[Gi1/0/50]—10.0.5.20[GigabitEthernet1] cdp",
  ]);
});

Deno.test("neighbours are joined to devices by chassis ID, system name and MAC", () => {
  const server = sampleDevice({ ip: "10.0.0.30", mac: "52:54:00:aa:bb:cc", name: null });
  const byName = polledDevice("10.0.0.40", "fw-1", "firewall", []);
  const t = graph(
    [CORE, EDGE, server, byName],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [
          lldp(1, "Gi1/0/1", remote({ chassisId: "local:FOC2233X0AB", port: "Gi1/0/49" })),
          lldp(2, "Gi1/0/2", remote({ chassisId: "mac:52:54:00:aa:bb:cc", port: "eth0" })),
          lldp(3, "Gi1/0/3", remote({ name: "FW-1.corp.example", port: "port1" })),
        ],
      }],
      ["10.0.0.2", { chassisIds: ["local:FOC2233X0AB"], names: [], reports: [] }],
    ]),
  );
  assert.deepEqual(wiring(t), [
    "10.0.0.1[Gi1/0/1]—10.0.0.2[Gi1/0/49] lldp",
    "10.0.0.1[Gi1/0/2]—10.0.0.30[eth0] lldp",
    "10.0.0.1[Gi1/0/3]—10.0.0.40[port1] lldp",
  ]);
  assert.equal(t.nodes.filter((n) => n.placeholder).length, 0);
});

Deno.test("a name or MAC two systems go by joins neither: the neighbour becomes a placeholder", () => {
  const fwA = sampleDevice({ ip: "10.0.0.40", name: "fw-1" });
  const fwB = sampleDevice({ ip: "10.0.0.41", name: "FW-1.branch.example" }); // the same name key
  const dist = sampleDevice({ ip: "10.0.0.50", name: "dist" }); // also what the edge switch calls itself
  const hostA = sampleDevice({ ip: "10.0.0.60", mac: "52:54:00:00:00:01", name: null });
  const hostB = sampleDevice({ ip: "10.0.0.61", mac: "52:54:00:00:00:01", name: null });
  const t = graph(
    [CORE, EDGE, fwA, fwB, dist, hostA, hostB],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [
          lldp(1, "Gi1/0/1", remote({ name: "fw-1", port: "port1" })),
          lldp(2, "Gi1/0/2", remote({ name: "dist", port: "Gi0/1" })),
          lldp(3, "Gi1/0/3", remote({ chassisId: "mac:52:54:00:00:00:01", port: "eth0" })),
        ],
      }],
      // The edge switch names itself "dist" and "fw-1" (a second and a third system by those names) and
      // "edge" (its own device's name).
      ["10.0.0.2", { chassisIds: [], names: ["dist", "fw-1", "EDGE"], reports: [] }],
      ["10.0.0.3", {
        chassisIds: [],
        names: [],
        reports: [lldp(7, "Gi0/7", remote({ name: "edge", port: "x" }))],
      }],
    ]),
  );
  const placeholders = t.nodes.filter((n) => n.placeholder).map((n) => n.id).sort();
  assert.deepEqual(placeholders, ["chassis:mac:52:54:00:00:00:01", "name:dist", "name:fw-1"]);
  // 10.0.0.3 is not a device, so its report is not read; the edge switch's own names are still its own.
  assert.equal(t.edges.length, 3);
});

Deno.test("a port is its interface by ifIndex, else the first whose name, then whose alias, it goes by", () => {
  const sw = polledDevice("10.0.0.1", "core", "switch", [
    itf(5, "Gi1/0/5"),
    itf(6, "uplink", { alias: "Gi1/0/9" }),
    itf(9, "GigabitEthernet1/0/9"),
    itf(10, "Te1/1/1", { alias: "to-core" }),
  ]);
  const leaf = (i: number) => sampleDevice({ ip: `10.0.1.${i}` });
  const port = (ifIndex: number | null, name: string, aliases: string[]) => ({ ifIndex, name, aliases });
  const far = (p: ReturnType<typeof port>): NeighbourReport => ({
    protocol: "lldp",
    localPort: port(null, "eth0", []),
    remote: { ...remote({ addresses: ["10.0.0.1"], port: "" }), port: p },
  });
  const reports = [
    far(port(5, "whatever", [])), // by ifIndex
    far(port(null, "gi1/0/9", [])), // a name (index 9) before an alias (index 6)
    far(port(null, "nothing", ["TO-CORE"])), // an alias, case aside
    far(port(42, "Gi1/0/5", [])), // an ifIndex it does not have: then by name
    far(port(null, "Gi9/9/9", [])), // none: named as the report says
  ];
  const t = graph(
    [sw, ...[1, 2, 3, 4, 5].map(leaf)],
    new Map(reports.map((r, k) => [`10.0.1.${k + 1}`, { chassisIds: [], names: [], reports: [r] }])),
  );
  const portOn = (leafIp: string) => {
    const e = t.edges.find((e) => e.source === leafIp || e.target === leafIp)!;
    return e.source === "10.0.0.1" ? e.local_port : e.remote_port;
  };
  assert.deepEqual(
    ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"].map(portOn),
    ["Gi1/0/5", "GigabitEthernet1/0/9", "Te1/1/1", "Gi1/0/5", "Gi9/9/9"],
  );
});

Deno.test("a neighbour seen in capture is linked to Flintnet's own node on the capture interface", () => {
  const passive: NeighbourReport = {
    protocol: "lldp",
    localPort: { ifIndex: null, name: "eth0", aliases: ["eth0"] },
    remote: remote({ addresses: ["10.0.0.1"], port: "Gi1/0/3" }),
  };
  const t = graph([CORE], new Map(), [passive]);
  assert.deepEqual(wiring(t), ["10.0.0.1[Gi1/0/3]—10.9.9.9[eth0] lldp"]);
  const self = t.nodes.find((n) => n.id === "10.9.9.9")!;
  assert.deepEqual([self.type, self.name, self.placeholder], ["flintnet", "flintnet-box", false]);
});

Deno.test("an edge carries the speed and rates of the polled interface, swapped when read at the far end", () => {
  const rated = polledDevice("10.0.0.1", "core", "switch", [
    itf(1, "Gi1/0/1", {
      in_bps: 1000,
      out_bps: 2000,
      in_util_pct: 0.1,
      out_util_pct: 0.2,
      speed_bps: 10_000_000_000,
    }),
  ]);
  const leaf = sampleDevice({ ip: "10.0.0.0" }); // sorts before the core: it is the edge's source
  const t = graph(
    [rated, leaf],
    new Map([
      ["10.0.0.1", {
        chassisIds: [],
        names: [],
        reports: [lldp(1, "Gi1/0/1", remote({ addresses: ["10.0.0.0"], port: "eth0" }))],
      }],
    ]),
  );
  const [e] = t.edges;
  assert.deepEqual([e.source, e.target], ["10.0.0.0", "10.0.0.1"]);
  assert.deepEqual(
    [e.speed_bps, e.in_bps, e.out_bps, e.in_util_pct, e.out_util_pct],
    [10_000_000_000, 2000, 1000, 0.2, 0.1],
  );
});

Deno.test("forwarding-table hosts hang off the access port with the fewest MACs, never an uplink", () => {
  const polled: GraphInput["polled"] = new Map([
    ["10.0.0.1", {
      chassisIds: [],
      names: [],
      reports: [lldp(1, "Gi1/0/1", remote({ addresses: ["10.0.0.2"], port: "Gi1/0/49" }))],
    }],
  ]);
  const known = sampleDevice({ ip: "10.0.0.77", mac: "02:00:00:00:07:07", name: "printer" });
  const g = buildGraph({ devices: DeviceKeys.of([CORE, EDGE, known]), polled, passive: [], self: SELF });
  const fdb = new Map([
    // core learns both hosts on its uplink Gi1/0/1 (towards edge) and one on Gi1/0/3
    ["10.0.0.1", [{ mac: "02:00:00:00:00:aa", ifIndex: 1 }, { mac: "02:00:00:00:07:07", ifIndex: 1 }, {
      mac: "02:00:00:00:00:bb",
      ifIndex: 3,
    }]],
    // edge: the first host and the printer on Gi1/0/50, each alone there
    ["10.0.0.2", [{ mac: "02:00:00:00:00:aa", ifIndex: 50 }, { mac: "02:00:00:00:07:07", ifIndex: 50 }]],
  ]);
  const t = graphToJson(withFdbHosts(g, fdb));
  assert.ok(wiring(t).includes("10.0.0.1[Gi1/0/1]—10.0.0.2[Gi1/0/49] lldp"), "the LLDP edge stays");
  const hostEdges = t.edges.filter((e) => e.protocols.includes("fdb")).map((e) =>
    `${e.source}[${e.local_port}]—${e.target}`
  );
  assert.deepEqual(hostEdges.sort(), [
    "10.0.0.1[Gi1/0/3]—mac:02:00:00:00:00:bb",
    "10.0.0.2[Gi1/0/50]—10.0.0.77",
    "10.0.0.2[Gi1/0/50]—mac:02:00:00:00:00:aa",
  ]);
  assert.equal(t.nodes.find((n) => n.id === "10.0.0.77")?.name, "printer");
  assert.equal(t.nodes.find((n) => n.id === "mac:02:00:00:00:00:aa")?.type, "host");
});

Deno.test("a neighbour's own MAC learned on another port of the same switch adds no host beside it", () => {
  const polled: GraphInput["polled"] = new Map([
    ["10.0.0.1", {
      chassisIds: [],
      names: [],
      reports: [
        lldp(2, "Gi1/0/2", remote({ chassisId: "mac:00:11:22:33:44:55", name: "ap-1", port: "eth0" })),
      ],
    }],
  ]);
  const g = buildGraph({ devices: DeviceKeys.of([CORE]), polled, passive: [], self: SELF });
  const t = graphToJson(withFdbHosts(g, new Map([["10.0.0.1", [{ mac: "00:11:22:33:44:55", ifIndex: 3 }]]])));
  assert.deepEqual(wiring(t), ["10.0.0.1[Gi1/0/2]—chassis:mac:00:11:22:33:44:55[eth0] lldp"]);
});
