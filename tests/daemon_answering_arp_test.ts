/**
 * The running daemon on a mirror port: a busy server's broadcast requests for clients that had sent it
 * traffic are answers, not a sweep; its `nmap -sn` of empty addresses in the same minute is a host sweep of
 * exactly those. The replay test in advisories_netns_test.ts judges the same traffic from a file; this one
 * judges it live, with the flow table the capture fills and the minute closing on the daemon's clock.
 *
 * Namespaces fan-ds (the server, 10.231.68.2) and fan-dc (60 clients, .10–.69) are cabled together; tc
 * mirrors everything the server's interface sends and receives (u32 match-all, mirred) into a veth whose
 * other end, fandmh in the host namespace, is the daemon's capture interface: a switch's SPAN port. tcpdump
 * captures fandmh too, and tshark's reading of that file is what the daemon's counts are compared with.
 */
import assert from "node:assert/strict";
import type { AdvisoryEvent } from "../src/events/mod.ts";
import { type Daemon, openSse, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { NetnsLab, udpEchoIn, udpRoundTrips } from "./helpers/netns_lab.ts";
import { run } from "./helpers/netns.ts";
import { advisoryToolsMissing, broadcastRequestsFrom, earlyInMinute } from "./helpers/advisory_capture.ts";
import { watchChild, type WatchedChild } from "./helpers/child_process.ts";
import { freePort } from "./helpers/ports.ts";

const CI = Deno.env.get("CI") === "true";
const SERVER_NS = "fan-ds", CLIENT_NS = "fan-dc";
const SERVER_IF = "fands0", CLIENT_IF = "fandc0", MIRROR_TX = "fandm0", MIRROR_RX = "fandmh";
const SERVER = "10.231.68.2";
const TOKEN = "answering-arp-daemon-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

const missing = await advisoryToolsMissing(
  ["/usr/bin/nmap", "/usr/bin/tcpdump", "/usr/bin/tshark", "/usr/sbin/tc"],
  "nmap tcpdump tshark iproute2",
);

Deno.test({
  name:
    "daemon on a mirror port: a server answering 60 clients by broadcast ARP sweeps no one; its nmap -sn " +
    "in the same minute is a host sweep of the addresses nmap asked for",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`daemon answering-ARP test cannot run: ${missing}`);
    const clients = Array.from({ length: 60 }, (_, i) => `10.231.68.${10 + i}`);
    const lab = new NetnsLab();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-answering-daemon-" });
    const children: WatchedChild[] = [];
    let daemon: Daemon | undefined;
    let stream: SseReader | undefined;
    try {
      await lab.namespace(SERVER_NS);
      await lab.namespace(CLIENT_NS);
      await lab.cable(SERVER_NS, SERVER_IF, CLIENT_NS, CLIENT_IF);
      await lab.exec(SERVER_NS, ["ip", "addr", "add", `${SERVER}/24`, "dev", SERVER_IF]);
      for (const a of clients) await lab.exec(CLIENT_NS, ["ip", "addr", "add", `${a}/24`, "dev", CLIENT_IF]);
      // The SPAN port: both directions of the server's interface copied out of MIRROR_TX to the host.
      await run(["ip", "link", "del", MIRROR_RX], false);
      await run([
        "ip",
        "link",
        "add",
        MIRROR_RX,
        "type",
        "veth",
        "peer",
        "name",
        MIRROR_TX,
        "netns",
        SERVER_NS,
      ]);
      await run(["sysctl", "-qw", `net.ipv6.conf.${MIRROR_RX}.disable_ipv6=1`]);
      await run(["ip", "link", "set", MIRROR_RX, "up"]);
      await lab.exec(SERVER_NS, ["ip", "link", "set", MIRROR_TX, "up"]);
      await lab.exec(SERVER_NS, ["tc", "qdisc", "add", "dev", SERVER_IF, "clsact"]);
      for (const direction of ["ingress", "egress"]) {
        await lab.exec(SERVER_NS, [
          ...["tc", "filter", "add", "dev", SERVER_IF, direction, "protocol", "all"],
          ...["u32", "match", "u32", "0", "0", "action", "mirred", "egress", "mirror", "dev", MIRROR_TX],
        ]);
      }
      const echo = udpEchoIn(SERVER_NS, [SERVER], 7000);
      children.push(echo);
      for (let i = 0; i < 100 && !echo.output().includes("ready"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }

      const port = freePort();
      const base = `http://127.0.0.1:${port}`;
      daemon = await startDaemon({
        FLINTNET_STATE_DIR: dir,
        FLINTNET_INTERFACE: MIRROR_RX,
        FLINTNET_CIDR: "10.231.68.0/24",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_DISCOVERY_INTERVAL: "0",
      });
      stream = await openSse(`${base}/stream?types=advisory`, AUTH);
      const pcap = `${dir}/mirror.pcap`;
      const dump = watchChild(
        new Deno.Command("tcpdump", {
          args: ["--immediate-mode", "-i", MIRROR_RX, "-w", pcap, "-U", "-s", "256"],
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
      children.push(dump);
      for (let i = 0; i < 100 && !dump.output().includes("listening on"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }

      await earlyInMinute();
      // Each client sends the server a datagram, which it answers after asking for the client by broadcast;
      // its neighbour cache then loses them (as past gc_thresh1), and the next datagrams do it again.
      const toServer = clients.map(() => SERVER);
      assert.equal(await udpRoundTrips(lab, CLIENT_NS, clients, toServer, 7000), clients.length);
      await lab.exec(SERVER_NS, ["ip", "neigh", "flush", "dev", SERVER_IF]);
      assert.equal(await udpRoundTrips(lab, CLIENT_NS, clients, toServer, 7000), clients.length);
      // A sweep from the same server: the empty upper half of its subnet.
      await lab.exec(SERVER_NS, ["nmap", "-n", "-sn", "-T5", "-e", SERVER_IF, "10.231.68.128/25"]);

      // The minute closes on the daemon's clock: at most a minute and a tick after the sweep.
      const ev = await stream.waitFor(
        (e) => e.event === "advisory" && JSON.parse(e.data).type === "host_sweep",
        90_000,
        "a host_sweep advisory on /stream",
      );
      await new Promise((r) => setTimeout(r, 2_000)); // a second sweep advisory would be in the same minute
      await dump.stop();
      const sweeps = stream.events.filter((e) => e.event === "advisory").map((e) => JSON.parse(e.data))
        .filter((a: AdvisoryEvent) => a.type === "host_sweep");
      assert.equal(sweeps.length, 1, JSON.stringify(sweeps.map((a: AdvisoryEvent) => a.summary)));
      const sweep = JSON.parse(ev.data) as AdvisoryEvent;
      assert.equal(sweep.ip, SERVER);

      // tshark on the mirror: the server's broadcast requests, for its clients and for what nmap tried.
      const asked = await broadcastRequestsFrom(pcap, SERVER);
      const isClient = new Set(clients);
      const forClients = asked.filter(([, ip]) => isClient.has(ip));
      assert.ok(new Set(forClients.map(([, ip]) => ip)).size >= clients.length, JSON.stringify(forClients));
      const from = Date.parse(sweep.evidence.minute_start as string) / 1000;
      const to = Date.parse(sweep.evidence.minute_end as string) / 1000;
      const swept = new Set(
        asked.filter(([t, ip]) => !isClient.has(ip) && t >= from && t < to).map(([, ip]) => ip),
      );
      assert.ok(swept.size >= 100, `nmap asked for ${swept.size} hosts`);
      assert.equal(sweep.evidence.hosts, swept.size, "the sweep counts nmap's addresses, not the clients");
      const stats = await (await fetch(`${base}/stats`, { headers: AUTH })).json();
      assert.equal(stats.analysis.answering_arp_requests, forClients.length);
    } catch (e) {
      for (const c of children) console.error(c.output());
      if (daemon) console.error(daemon.lines.join("\n"));
      throw e;
    } finally {
      await stream?.close();
      await daemon?.kill();
      for (const c of children) await c.stop();
      await run(["ip", "link", "del", MIRROR_RX], false).catch(() => {});
      await lab.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
