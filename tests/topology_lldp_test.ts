/**
 * End to end, through public surfaces only (REST API, /stream, the state dir): three "switches" in
 * network namespaces, each running Debian's snmpd with lldpd's AgentX subagent (LLDP-MIB served for
 * real), cabled to each other by veth pairs — two parallel cables between s1 and s2, one between s2
 * and s3 — and to a bridge where Flintnet runs. The map GET /topology returns must be the cabling the
 * test made, edge for edge; unplugging the s2–s3 cable must age that edge out (and say so on the
 * stream); and a restarted daemon that can no longer poll must still know the map from topology.json.
 *
 * Oracles: the cables the test created (names and namespaces), `ip -j link` in each namespace.
 * Addresses 10.231.100.0/24 (bridge .1, switches .11–.13), namespaces fntp-s1..3, HTTP 127.0.0.1:18471,
 * agents on UDP 16161 inside the namespaces.
 */
import assert from "node:assert/strict";
import type { TopologyEvent } from "../src/events/events.ts";
import type { TopologyJson } from "../src/topology/mod.ts";
import { type Daemon, openSse, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { type Lldpd, lldpdUnavailable, startLldpd } from "./helpers/lldpd.ts";
import { netnsUnavailable } from "./helpers/netns.ts";
import { NetnsLab } from "./helpers/netns_lab.ts";
import { type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const HTTP_PORT = 18471;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const TOKEN = "topology-lldp-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const COMMUNITY = "fntp-topo";
const AGENT_PORT = 16161;
const BRIDGE = "fntpbr0";

/** The switches: namespace, management address, system name. */
const SWITCHES = [1, 2, 3].map((i) => ({ ns: `fntp-s${i}`, ip: `10.231.100.1${i}`, name: `tpnode${i}` }));
/** The cables: [switch, interface, switch, interface]. */
const CABLES: [number, string, number, string][] = [
  [0, "fntp12a", 1, "fntp21a"],
  [0, "fntp12b", 1, "fntp21b"],
  [1, "fntp23", 2, "fntp32"],
];

async function unavailable(): Promise<string | null> {
  return await netnsUnavailable() ?? await snmpdUnavailable() ?? await lldpdUnavailable();
}
const missing = await unavailable();

/** A cable as the test wrote it: "ip[iface]—ip[iface]", ends sorted. */
function cable([a, ifA, b, ifB]: [number, string, number, string]): string {
  return [`${SWITCHES[a].ip}[${ifA}]`, `${SWITCHES[b].ip}[${ifB}]`].sort().join("—");
}

/** The API's edges the same way. */
function edgesOf(t: TopologyJson): string[] {
  return t.edges.map((e) =>
    [`${e.source}[${e.local_port}]`, `${e.target}[${e.remote_port}]`].sort().join("—")
  ).sort();
}

async function topology(): Promise<TopologyJson> {
  const res = await fetch(`${BASE}/topology`, { headers: AUTH });
  assert.equal(res.status, 200);
  return await res.json();
}

/** Waits until GET /topology satisfies `pred`; rejects with the last answer after `ms`. */
async function waitForMap(
  pred: (t: TopologyJson) => boolean,
  ms: number,
  what: string,
): Promise<TopologyJson> {
  const until = Date.now() + ms;
  let last: TopologyJson | undefined;
  while (Date.now() < until) {
    last = await topology();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no map with ${what} within ${ms} ms; the last one:\n${JSON.stringify(last, null, 1)}`);
}

function daemonEnv(stateDir: string, community: string): Record<string, string> {
  return {
    FLINTNET_STATE_DIR: stateDir,
    FLINTNET_INTERFACE: BRIDGE,
    FLINTNET_CIDR: "10.231.100.0/24",
    FLINTNET_LISTEN: `127.0.0.1:${HTTP_PORT}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_SNMP_COMMUNITY: community,
    FLINTNET_SNMP_PORT: String(AGENT_PORT),
    FLINTNET_SNMP_TIMEOUT: "300ms",
    FLINTNET_SNMP_RETRIES: "0",
    FLINTNET_SNMP_POLL_INTERVAL: "10s",
    FLINTNET_TOPOLOGY_AGE_POLLS: "2",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_TRAP_LISTEN: "off",
  };
}

Deno.test({
  name:
    "three lldpd switches polled over LLDP-MIB give the map they are cabled as, an unplugged cable ages " +
    "out, and the map survives a restart",
  ignore: missing !== null && !CI,
  async fn(t) {
    if (missing) throw new Error(`topology end-to-end test cannot run: ${missing}`);
    const lab = new NetnsLab();
    const sockets = await Deno.makeTempDir({ prefix: "flintnet-agentx-" });
    await Deno.chmod(sockets, 0o755);
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-topology-" });
    const agents: Snmpd[] = [];
    const lldpds: Lldpd[] = [];
    let daemon: Daemon | undefined;
    let stream: SseReader | undefined;
    let ok = false;
    try {
      await lab.bridge(BRIDGE, "10.231.100.1/24");
      for (const [i, s] of SWITCHES.entries()) {
        await lab.namespace(s.ns);
        await lab.toBridge(s.ns, `fntpm${i + 1}`, `fntpm${i + 1}h`, BRIDGE, `${s.ip}/24`);
      }
      for (const [a, ifA, b, ifB] of CABLES) await lab.cable(SWITCHES[a].ns, ifA, SWITCHES[b].ns, ifB);
      for (const [i, s] of SWITCHES.entries()) {
        const agentx = `${sockets}/s${i + 1}.agentx`;
        agents.push(
          await startSnmpd({
            address: s.ip,
            port: AGENT_PORT,
            netns: s.ns,
            config: [
              `rocommunity ${COMMUNITY} 10.231.100.0/24`,
              `sysname ${s.name}`,
              "master agentx",
              `agentXSocket unix:${agentx}`,
              "agentXPerms 0777 0777",
            ].join("\n"),
          }),
        );
        const data = CABLES.flatMap(([a, ifA, b, ifB]) => a === i ? [ifA] : b === i ? [ifB] : []);
        lldpds.push(
          await startLldpd({
            netns: s.ns,
            hostname: s.name,
            interfaces: data,
            managementIp: s.ip,
            agentxSocket: agentx,
          }),
        );
      }
      // Each lldpd has heard every cable's far end before Flintnet looks.
      await Promise.all(lldpds.map((l, i) => l.waitForNeighbours(i === 1 ? 3 : i === 0 ? 2 : 1, 20_000)));

      daemon = await startDaemon(daemonEnv(stateDir, COMMUNITY));
      stream = await openSse(`${BASE}/stream?types=topology`, AUTH);
      const wired = CABLES.map(cable).sort();

      await t.step("the map is the cabling, edge for edge, between the three switches", async () => {
        const map = await waitForMap(
          (m) => edgesOf(m).join() === wired.join() && m.nodes.every((n) => !n.placeholder),
          60_000,
          "the three cables between known switches",
        );
        assert.deepEqual(edgesOf(map), wired);
        assert.deepEqual(
          map.nodes.map((n) => [n.id, n.name, n.ip, n.status, n.placeholder]),
          SWITCHES.map((s) => [s.ip, s.name, s.ip, "up", false]),
        );
        for (const e of map.edges) assert.deepEqual(e.protocols, ["lldp"]);
        // Ports are the switches' own interfaces: their speed comes from the polled IF-MIB.
        for (const e of map.edges) assert.equal(typeof e.speed_bps, "number", e.id);
      });

      await t.step(
        "an unplugged cable ages out after FLINTNET_TOPOLOGY_AGE_POLLS polls, with an event",
        async () => {
          await lab.unplug(SWITCHES[1].ns, "fntp23");
          const left = CABLES.slice(0, 2).map(cable).sort();
          await waitForMap((m) => edgesOf(m).join() === left.join(), 60_000, "the s2–s3 cable gone");
          const removed = await stream!.waitFor(
            (e) => {
              const d = JSON.parse(e.data) as TopologyEvent;
              return d.action === "edge_removed" && d.edge !== undefined &&
                [`${d.edge.source}[${d.edge.local_port}]`, `${d.edge.target}[${d.edge.remote_port}]`].sort()
                    .join("—") ===
                  cable(CABLES[2]);
            },
            5_000,
            "edge_removed for the s2–s3 cable",
          );
          assert.equal(removed.event, "topology");
          assert.deepEqual(edgesOf(await topology()), left);
        },
      );

      await t.step("a restarted daemon that cannot poll still has the map, from topology.json", async () => {
        const before = await topology();
        await stream!.close();
        stream = undefined;
        const stopped = await daemon!.terminate();
        assert.equal(stopped.code, 0);
        daemon = undefined;
        const saved = JSON.parse(await Deno.readTextFile(`${stateDir}/topology.json`));
        assert.equal(saved.schema, 1);
        daemon = await startDaemon(daemonEnv(stateDir, "not-the-community"));
        const after = await topology();
        assert.deepEqual(edgesOf(after), edgesOf(before));
        assert.deepEqual(after.nodes.map((n) => n.id), before.nodes.map((n) => n.id));
      });
      ok = true;
    } finally {
      if (!ok) {
        if (daemon) console.error(`daemon log:\n${daemon.lines.join("\n")}`);
        for (const l of lldpds) console.error(`lldpd:\n${l.output()}`);
        for (const a of agents) console.error(`snmpd:\n${a.output()}`);
      }
      await stream?.close();
      await daemon?.kill();
      for (const l of lldpds) await l.stop();
      for (const a of agents) await a.stop();
      await lab.destroy();
      await Deno.remove(sockets, { recursive: true }).catch(() => {});
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    }
  },
});
