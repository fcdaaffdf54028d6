/**
 * The host-sweep count in the running daemon, on a switch port that sees only broadcasts (the appliance
 * plugged into an ordinary port, not a mirror): the daemon's namespace has its default route through a Linux
 * router whose LAN side is a bridge (a SOHO router's built-in switch) with 60 hosts on another port. The
 * hosts ask for their gateway (each claims its address); the router's neighbour cache is flushed, as Linux
 * past gc_thresh1 drops entries left stale for a minute; traffic from outside then makes the router ask for
 * every host again by broadcast. In the same minute `nmap -sn` from one of the hosts sweeps the upper half of
 * the subnet. The minute's advisories: the nmap host's sweep, with tshark's count of the hosts it asked for,
 * and none for the router, whose requests `/stats` counts as a gateway's (`analysis.gateway_arp_requests`):
 * as many as tshark counts broadcast requests by the router for the hosts.
 *
 * Namespaces fan-dgw (router: bridge fandbr0 10.231.66.1/24, fandgw1 10.231.67.1/24), fan-dmon (the daemon:
 * fandmon0 10.231.66.2, its API on a management veth 10.231.68.2), fan-dhost (10.231.66.10–69), fan-dwan
 * (10.231.67.10–29).
 */
import assert from "node:assert/strict";
import type { AdvisoryEvent } from "../src/events/mod.ts";
import { type Daemon, openSse, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { askForGateway, NetnsLab, udpEchoIn, udpRoundTrips } from "./helpers/netns_lab.ts";
import { run } from "./helpers/netns.ts";
import { advisoryToolsMissing, earlyInMinute, startTcpdump, tshark } from "./helpers/advisory_capture.ts";
import { freePort } from "./helpers/ports.ts";
import type { WatchedChild } from "./helpers/child_process.ts";

const CI = Deno.env.get("CI") === "true";
const TOKEN = "gateway-arp-daemon-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const GATEWAY = "10.231.66.1", APPLIANCE = "10.231.66.2", MGMT = "10.231.68.2";
const HOSTS = Array.from({ length: 60 }, (_, i) => `10.231.66.${10 + i}`);
const OUTSIDE = Array.from({ length: 20 }, (_, i) => `10.231.67.${10 + i}`);

const missing = await advisoryToolsMissing(
  ["/usr/bin/nmap", "/usr/bin/tcpdump", "/usr/bin/tshark", "/usr/bin/python3"],
  "nmap tcpdump tshark python3-scapy",
);

Deno.test({
  name: "daemon: a gateway asking again for the hosts it lost by broadcast ARP is no host sweep; nmap -sn " +
    "beside it is one",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`daemon gateway ARP test cannot run: ${missing}`);
    const lab = new NetnsLab();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-gateway-arp-" });
    const children: WatchedChild[] = [];
    let daemon: Daemon | undefined;
    let stream: SseReader | undefined;
    try {
      for (const ns of ["fan-dgw", "fan-dmon", "fan-dhost", "fan-dwan"]) await lab.namespace(ns);
      await lab.exec("fan-dgw", ["ip", "link", "add", "fandbr0", "type", "bridge"]);
      await lab.exec("fan-dgw", ["ip", "link", "set", "fandbr0", "up"]);
      await lab.exec("fan-dgw", ["ip", "addr", "add", `${GATEWAY}/24`, "dev", "fandbr0"]);
      for (
        const [port, ns, nsIf] of [["fandgm0", "fan-dmon", "fandmon0"], ["fandgh0", "fan-dhost", "fandhost0"]]
      ) {
        await lab.cable("fan-dgw", port, ns, nsIf);
        await lab.exec("fan-dgw", ["ip", "link", "set", port, "master", "fandbr0"]);
      }
      await lab.cable("fan-dgw", "fandgw1", "fan-dwan", "fandwan0");
      await lab.exec("fan-dgw", ["ip", "addr", "add", "10.231.67.1/24", "dev", "fandgw1"]);
      await lab.exec("fan-dgw", ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      await lab.exec("fan-dmon", ["ip", "addr", "add", `${APPLIANCE}/24`, "dev", "fandmon0"]);
      await lab.exec("fan-dmon", ["ip", "route", "add", "default", "via", GATEWAY]);
      for (const a of HOSTS) {
        await lab.exec("fan-dhost", ["ip", "addr", "add", `${a}/24`, "dev", "fandhost0"]);
      }
      await lab.exec("fan-dhost", ["ip", "route", "add", "default", "via", GATEWAY]);
      for (const a of OUTSIDE) {
        await lab.exec("fan-dwan", ["ip", "addr", "add", `${a}/24`, "dev", "fandwan0"]);
      }
      await lab.exec("fan-dwan", ["ip", "route", "add", "10.231.66.0/24", "via", "10.231.67.1"]);
      // The appliance's management port, where the API listens (deleted with the namespace).
      await run([
        "ip",
        "link",
        "add",
        "fandmgmt-h",
        "type",
        "veth",
        "peer",
        "name",
        "fandmgmt-n",
        "netns",
        "fan-dmon",
      ]);
      await run(["ip", "addr", "add", "10.231.68.1/30", "dev", "fandmgmt-h"]);
      await run(["ip", "link", "set", "fandmgmt-h", "up"]);
      await lab.exec("fan-dmon", ["ip", "addr", "add", `${MGMT}/30`, "dev", "fandmgmt-n"]);
      await lab.exec("fan-dmon", ["ip", "link", "set", "fandmgmt-n", "up"]);
      const echo = udpEchoIn("fan-dhost", HOSTS, 7000);
      children.push(echo);
      for (let i = 0; i < 100 && !echo.output().includes("ready"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }

      const port = freePort();
      const base = `http://${MGMT}:${port}`;
      daemon = await startDaemon(
        {
          FLINTNET_INTERFACE: "fandmon0",
          FLINTNET_CIDR: "127.0.0.1/32", // no discovery sweep of the LAN under test
          FLINTNET_LISTEN: `${MGMT}:${port}`,
          FLINTNET_STATE_DIR: dir,
          FLINTNET_API_TOKEN: TOKEN,
          FLINTNET_TRAP_LISTEN: "off",
          FLINTNET_SCAN_THRESHOLD: "500/50",
        },
        20_000,
        "fan-dmon",
      );
      stream = await openSse(`${base}/stream?types=advisory`, AUTH);
      const stats = async () => await (await fetch(`${base}/stats`, { headers: AUTH })).json();
      // Its own default route makes the router a gateway (read once a window: asked for until it is known).
      for (let i = 0; i < 100; i++) {
        const gateways = (await stats()).arp.gateways as { ip: string }[];
        if (gateways.some((g) => g.ip === GATEWAY)) break;
        await new Promise((r) => setTimeout(r, 200));
      }

      await earlyInMinute();
      const pcap = `${dir}/port.pcap`;
      const dump = await startTcpdump("fan-dmon", "fandmon0", pcap);
      children.push(dump);
      // The appliance talks through its gateway once (the router's answer is its claim of its address), and
      // each host asks for the gateway.
      // (its kernel may have found the router already, before the capture ran: it is made to ask again)
      await lab.exec("fan-dmon", ["ip", "neigh", "flush", "dev", "fandmon0"]);
      await lab.exec("fan-dmon", ["ping", "-c", "1", "-W", "2", GATEWAY]);
      await askForGateway(lab, "fan-dhost", "fandhost0", HOSTS, GATEWAY);
      await lab.exec("fan-dgw", ["ip", "neigh", "flush", "dev", "fandbr0"]);
      assert.equal(await udpRoundTrips(lab, "fan-dwan", OUTSIDE, HOSTS, 7000), HOSTS.length);
      await lab.exec("fan-dhost", ["nmap", "-n", "-sn", "-T5", "-e", "fandhost0", "10.231.66.128/25"]);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      const ev = await stream.waitFor(
        (e) => e.event === "advisory" && JSON.parse(e.data).type === "host_sweep",
        90_000,
        "a host_sweep advisory on /stream",
      );
      const sweeper = (JSON.parse(ev.data) as AdvisoryEvent).ip;
      // The minute's other advisories arrive with it.
      await new Promise((r) => setTimeout(r, 1000));
      const sweeps = stream.events.map((e) => JSON.parse(e.data) as AdvisoryEvent)
        .filter((a) => a.type === "host_sweep");
      const asked = async (filter: string) =>
        (await tshark(pcap, `arp.opcode==1 && eth.dst==ff:ff:ff:ff:ff:ff && ${filter}`, [
          "arp.dst.proto_ipv4",
        ]))
          .map(([ip]) => ip);
      const bySweeper = new Set(await asked(`arp.src.proto_ipv4==${sweeper}`));
      assert.ok(bySweeper.size >= 100, `nmap asked for ${bySweeper.size} addresses`);
      assert.deepEqual(sweeps.map((a) => [a.phase, a.ip, a.evidence.hosts]), [[
        "raised",
        sweeper,
        bySweeper.size,
      ]]);

      const byRouter = (await asked(`arp.src.proto_ipv4==${GATEWAY}`)).filter((ip) => HOSTS.includes(ip));
      assert.equal(new Set(byRouter).size, HOSTS.length, "the router asked for every host again");
      // The router's answer to the appliance (its claim of its address) came before it asked for the hosts.
      const first = async (filter: string) => Number((await tshark(pcap, filter, ["frame.number"]))[0]?.[0]);
      assert.ok(
        await first(`arp.opcode==2 && arp.src.proto_ipv4==${GATEWAY}`) <
          await first(`arp.opcode==1 && arp.src.proto_ipv4==${GATEWAY}`),
      );
      assert.equal((await stats()).analysis.gateway_arp_requests, byRouter.length);
    } catch (e) {
      for (const c of children) console.error(c.output());
      console.error(daemon?.lines.join("\n"));
      throw e;
    } finally {
      await stream?.close();
      await daemon?.kill();
      for (const c of children) await c.stop();
      await lab.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
