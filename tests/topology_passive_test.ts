/**
 * Passive LLDP and CDP, end to end: lldpd at the far end of two veth pairs — one speaking LLDP, one
 * sending CDPv2 (`-ccccc`) — and Flintnet capturing both host ends, without any SNMP. Flintnet must
 * know which neighbour, and which of its ports, each of its own interfaces is plugged into (GET
 * /topology), and `replay` of a capture of the same frames must list the neighbours with the values
 * tshark reads from those frames.
 *
 * lldpd sends CDP and LLDP on one port only when it hears an LLDP peer there (it answers in the protocols
 * its peers speak, forced ones aside), and Flintnet never speaks: hence one port per protocol.
 * Addresses 10.231.101.0/24 and 10.231.102.0/24, namespaces fntp-p1 and fntp-p2, HTTP 127.0.0.1:18472.
 */
import assert from "node:assert/strict";
import type { PassiveNeighbourJson, TopologyJson } from "../src/topology/mod.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { type Lldpd, lldpdUnavailable, startLldpd } from "./helpers/lldpd.ts";
import { createVethPair, netnsUnavailable, run, type VethPair } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const HTTP_PORT = 18472;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const TOKEN = "topology-passive-token-0123456789ab";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

async function unavailable(): Promise<string | null> {
  const other = await netnsUnavailable() ?? await lldpdUnavailable();
  if (other) return other;
  for (const tool of ["/usr/bin/tshark", "/usr/bin/tcpdump"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install tshark tcpdump`;
    }
  }
  return null;
}
const missing = await unavailable();

/** Captures `count` frames matching `filter` on `iface` into `path` (tcpdump), within 20 s. */
async function capture(iface: string, filter: string, count: number, path: string): Promise<void> {
  const child = new Deno.Command("/usr/bin/tcpdump", {
    args: ["-i", iface, "-w", path, "-c", String(count), "-U", filter],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const out = await child.output();
  clearTimeout(timer);
  assert.equal(out.code, 0, `tcpdump on ${iface}: ${new TextDecoder().decode(out.stderr)}`);
}

/** tshark's view of a capture: one array of field values per frame. */
async function tshark(path: string, fields: string[]): Promise<string[][]> {
  const r = await run([
    "tshark",
    "-r",
    path,
    "-T",
    "fields",
    "-E",
    "separator=\t",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  return r.stdout.trim().split("\n").map((l) => l.split("\t"));
}

/** `main.ts replay FILE`, as a user runs it. */
async function replayNeighbours(path: string, dir: string): Promise<PassiveNeighbourJson[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN, "replay", path],
    cwd: dir,
    env: { FLINTNET_ENV_FILE: "/dev/null", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout)).neighbours;
}

/** "1796391035.484550000" → the ISO time replay prints (whole milliseconds, truncated). */
function isoOf(epoch: string): string {
  const [s, frac = "0"] = epoch.split(".");
  return new Date(Number(s) * 1000 + Number(frac.padEnd(9, "0").slice(0, 3))).toISOString();
}

async function topology(): Promise<TopologyJson> {
  const res = await fetch(`${BASE}/topology`, { headers: AUTH });
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test({
  name:
    "neighbours heard in capture over LLDP and CDP are on /topology at Flintnet's own ports, and replay " +
    "lists what tshark reads in the frames",
  ignore: missing !== null && !CI,
  async fn(t) {
    if (missing) throw new Error(`passive topology test cannot run: ${missing}`);
    const dir = await Deno.makeTempDir({ prefix: "flintnet-passive-" });
    const pairs: VethPair[] = [];
    const agents: Lldpd[] = [];
    let daemon: Daemon | undefined;
    let ok = false;
    try {
      pairs.push(
        await createVethPair({
          ns: "fntp-p1",
          hostIf: "fntpp1h",
          nsIf: "fntpp1n",
          hostAddr: "10.231.101.1/24",
          nsAddr: "10.231.101.2/24",
        }),
        await createVethPair({
          ns: "fntp-p2",
          hostIf: "fntpp2h",
          nsIf: "fntpp2n",
          hostAddr: "10.231.102.1/24",
          nsAddr: "10.231.102.2/24",
        }),
      );
      const [lldpPair, cdpPair] = pairs;
      const lldpPcap = `${dir}/lldp.pcap`, cdpPcap = `${dir}/cdp.pcap`;
      // The captures start before the agents, so they hold the first frames too.
      const captured = Promise.all([
        capture(lldpPair.hostIf, "ether proto 0x88cc", 3, lldpPcap),
        capture(cdpPair.hostIf, "ether dst 01:00:0c:cc:cc:cc", 3, cdpPcap),
      ]);
      await new Promise((r) => setTimeout(r, 500));
      agents.push(
        await startLldpd({
          netns: lldpPair.ns,
          hostname: "tplldpsw",
          interfaces: [lldpPair.nsIf],
          managementIp: lldpPair.nsIp,
        }),
        await startLldpd({
          netns: cdpPair.ns,
          hostname: "tpcdpsw",
          interfaces: [cdpPair.nsIf],
          managementIp: cdpPair.nsIp,
          cdp: true,
        }),
      );
      daemon = await startDaemon({
        FLINTNET_STATE_DIR: dir,
        FLINTNET_INTERFACE: `${lldpPair.hostIf},${cdpPair.hostIf}`,
        FLINTNET_CIDR: "10.231.101.0/24,10.231.102.0/24",
        FLINTNET_LISTEN: `127.0.0.1:${HTTP_PORT}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_SNMP_TIMEOUT: "200ms",
        FLINTNET_SNMP_RETRIES: "0",
        FLINTNET_DISCOVERY_INTERVAL: "0",
        FLINTNET_TRAP_LISTEN: "off",
      });

      await t.step("each capture interface is linked to the neighbour and port heard on it", async () => {
        const want = [
          `10.231.101.1[fntpp1h]—10.231.101.2[fntpp1n] lldp`,
          `10.231.101.1[fntpp2h]—10.231.102.2[fntpp2n] cdp`,
        ];
        const edges = (m: TopologyJson) =>
          m.edges.map((e) => {
            const ends = [`${e.source}[${e.local_port}]`, `${e.target}[${e.remote_port}]`].sort().join("—");
            return `${ends} ${e.protocols.join("+")}`;
          }).sort();
        let map = await topology();
        for (const until = Date.now() + 20_000; edges(map).join() !== want.join() && Date.now() < until;) {
          await new Promise((r) => setTimeout(r, 300));
          map = await topology();
        }
        assert.deepEqual(edges(map), want, JSON.stringify(map, null, 1));
        const byId = new Map(map.nodes.map((n) => [n.id, n]));
        assert.deepEqual([byId.get("10.231.101.1")?.type, byId.get("10.231.101.1")?.status], [
          "flintnet",
          "up",
        ]);
        assert.equal(byId.get("10.231.101.2")?.name, "tplldpsw");
        assert.equal(byId.get("10.231.102.2")?.name, "tpcdpsw");
        assert.deepEqual(byId.get("10.231.102.2")?.capabilities, ["host"], "CDP capabilities lldpd sends");
        assert.equal(byId.get("10.231.102.2")?.platform, "Linux", "CDP platform lldpd sends");
        const stats = await (await fetch(`${BASE}/stats`, { headers: AUTH })).json();
        assert.ok(
          stats.topology.lldp_frames > 0 && stats.topology.cdp_frames > 0,
          JSON.stringify(stats.topology),
        );
      });

      await t.step("replay of a capture lists each neighbour with the TLV values tshark reads", async () => {
        await captured;
        const lldpFields = [
          "frame.time_epoch",
          "eth.src",
          "lldp.chassis.id.mac",
          "lldp.port.id.mac",
          "lldp.port.desc",
          "lldp.tlv.system.name",
          "lldp.tlv.system.desc",
          "lldp.mgn.addr.ip4",
          "lldp.time_to_live",
        ];
        const l = await tshark(lldpPcap, lldpFields);
        const [lt, src, chassis, portMac, desc, name, sysDesc, ip, ttl] = l[l.length - 1];
        assert.deepEqual(await replayNeighbours(lldpPcap, dir), [{
          protocol: "lldp",
          interface: null,
          src_mac: src,
          vlan: 0,
          chassis_id: `mac:${chassis}`,
          port_id: portMac,
          port: desc,
          port_description: desc,
          system_name: name,
          system_description: sysDesc,
          platform: null,
          capabilities: ["station_only"],
          management_addresses: [ip],
          native_vlan: null,
          ttl_s: Number(ttl),
          first_seen: isoOf(l[0][0]),
          last_seen: isoOf(lt),
          frames: l.length,
        }]);
        assert.equal(name, "tplldpsw");
        const cdpFields = [
          "frame.time_epoch",
          "eth.src",
          "cdp.deviceid",
          "cdp.portid",
          "cdp.platform",
          "cdp.software_version",
          "cdp.nrgyz.ip_address",
          "cdp.ttl",
        ];
        const c = await tshark(cdpPcap, cdpFields);
        const [ct, csrc, device, port, platform, version, cip, cttl] = c[c.length - 1];
        assert.deepEqual(await replayNeighbours(cdpPcap, dir), [{
          protocol: "cdp",
          interface: null,
          src_mac: csrc,
          vlan: 0,
          chassis_id: null,
          port_id: port,
          port,
          port_description: null,
          system_name: device,
          system_description: version,
          platform,
          capabilities: ["host"],
          management_addresses: [cip],
          native_vlan: null,
          ttl_s: Number(cttl),
          first_seen: isoOf(c[0][0]),
          last_seen: isoOf(ct),
          frames: c.length,
        }]);
        assert.equal(device, "tpcdpsw");
      });
      ok = true;
    } finally {
      if (!ok) {
        if (daemon) console.error(`daemon log:\n${daemon.lines.join("\n")}`);
        for (const a of agents) console.error(`lldpd:\n${a.output()}`);
      }
      await daemon?.kill();
      for (const a of agents) await a.stop();
      for (const p of pairs) await p.destroy();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
