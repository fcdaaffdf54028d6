/**
 * Advisories from real tools, captured between network namespaces and replayed with `flintnet replay`:
 * `nmap -sS` (a half-open SYN scan, every probe one packet) must give a port_scan advisory, `nmap -sn`
 * over an empty subnet (ARP pings) a host_sweep, `curl -u` against a plain-HTTP server, `snmpget -v2c -c
 * public` against snmpd, and the telnet and ftp clients against listeners on ports 23 and 21 must give
 * insecure_protocol advisories. The numbers in the advisories are compared with what tshark reads from
 * the same capture.
 *
 * Namespaces fan-scan (10.231.60.1, 10.231.61.1) and fan-tgt (10.231.60.2), one veth between them;
 * tcpdump records in fan-scan.
 */
import assert from "node:assert/strict";
import { askForGateway, NetnsLab, udpEchoIn, udpRoundTrips } from "./helpers/netns_lab.ts";
import { run } from "./helpers/netns.ts";
import { type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";
import { watchChild, type WatchedChild } from "./helpers/child_process.ts";
import {
  advisoryToolsMissing,
  broadcastRequestsFrom,
  earlyInMinute,
  replayAdvisories,
  replayAnalysis,
  startTcpdump,
  tshark,
} from "./helpers/advisory_capture.ts";

const CI = Deno.env.get("CI") === "true";
const SCANNER = "10.231.60.1", TARGET = "10.231.60.2", SWEEPER = "10.231.61.1";

const missing = await snmpdUnavailable() ?? await advisoryToolsMissing(
  ["/usr/bin/tshark", "/usr/bin/tcpdump", "/usr/bin/nmap", "/usr/bin/curl", "/usr/bin/telnet"],
  "tshark tcpdump nmap curl inetutils-telnet",
);

/** Debian's python3 running `code` in namespace `ns`, its output watched. */
function pythonIn(ns: string, code: string): WatchedChild {
  return watchChild(
    new Deno.Command("ip", {
      args: ["netns", "exec", ns, "/usr/bin/python3", "-u", "-c", code],
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
}

/** A TCP listener in `ns` on `port` that greets each client with `banner` and reads until it hangs up. */
function bannerServer(ns: string, port: number, banner: string): WatchedChild {
  const code = `
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("${TARGET}", ${port})); s.listen(5); print("ready", flush=True)
def serve(c):
    c.sendall(${JSON.stringify(banner)}.encode())
    while c.recv(4096): c.sendall(b"530 no\\r\\n")
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
`;
  return pythonIn(ns, code);
}

async function ready(child: WatchedChild, word: string): Promise<void> {
  for (let i = 0; i < 100 && !child.output().includes(word); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(child.output().includes(word), `not ready: ${child.output()}`);
}

/** One datagram to each of `addresses` on `port` from `ns`, waiting for each answer: how many came back. */
async function askEach(lab: NetnsLab, ns: string, addresses: string[], port: number): Promise<number> {
  const code = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); n = 0
for a in ${JSON.stringify(addresses)}:
    s.sendto(b"hello", (a, ${port}))
    try: s.recvfrom(2048); n += 1
    except socket.timeout: pass
print(n)
`;
  return Number((await lab.exec(ns, ["/usr/bin/python3", "-c", code])).trim());
}

/**
 * Runs `body` with a lab of namespaces and a temporary directory, both removed after; the children `body`
 * hands to `watch` are stopped after, and what they printed is shown when it fails.
 */
async function inLab(
  prefix: string,
  body: (lab: NetnsLab, dir: string, watch: (child: WatchedChild) => WatchedChild) => Promise<void>,
): Promise<void> {
  const lab = new NetnsLab();
  const dir = await Deno.makeTempDir({ prefix });
  const children: WatchedChild[] = [];
  try {
    await body(lab, dir, (child) => (children.push(child), child));
  } catch (e) {
    for (const c of children) console.error(c.output());
    throw e;
  } finally {
    for (const c of children) await c.stop();
    await lab.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "a host that finds 110 neighbours by broadcast ARP is a host sweep; its kernel re-checking them by " +
    "unicast ARP is not",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    const ROUTER = "10.231.62.1";
    const neighbours = Array.from({ length: 110 }, (_, i) => `10.231.62.${10 + i}`);
    await inLab("flintnet-recheck-", async (lab, dir, watch) => {
      await lab.namespace("fan-rtr");
      await lab.namespace("fan-lan");
      await lab.cable("fan-rtr", "fanrtr0", "fan-lan", "fanlan0");
      await lab.exec("fan-rtr", ["ip", "addr", "add", `${ROUTER}/24`, "dev", "fanrtr0"]);
      for (const a of neighbours) {
        await lab.exec("fan-lan", ["ip", "addr", "add", `${a}/24`, "dev", "fanlan0"]);
      }
      // The kernel's neighbour timers shortened (defaults 30 s and 5 s): an entry is stale after about a second
      // and, used again, re-checked one second later, by unicast to the MAC it holds (RFC 1122 §2.3.2.1).
      await lab.exec("fan-rtr", [
        "sysctl",
        "-q",
        "-w",
        "net.ipv4.neigh.fanrtr0.base_reachable_time_ms=1000",
        "net.ipv4.neigh.fanrtr0.delay_first_probe_time=1",
      ]);
      await ready(watch(udpEchoIn("fan-lan", neighbours, 7000)), "ready");

      // First the router finds its 110 neighbours (every datagram answered: the ARP requests are the probes)…
      await earlyInMinute();
      const found = `${dir}/found.pcap`, rechecked = `${dir}/rechecked.pcap`;
      let dump = watch(await startTcpdump("fan-rtr", "fanrtr0", found));
      assert.equal(await askEach(lab, "fan-rtr", neighbours, 7000), neighbours.length);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();
      // …then, the entries stale, talks to them again: the kernel re-checks each.
      await new Promise((r) => setTimeout(r, 3000));
      await earlyInMinute();
      dump = watch(await startTcpdump("fan-rtr", "fanrtr0", rechecked));
      assert.equal(await askEach(lab, "fan-rtr", neighbours, 7000), neighbours.length);
      await new Promise((r) => setTimeout(r, 3000));
      await dump.stop();

      const requests = (file: string, to: string) =>
        tshark(file, `arp.opcode==1 && arp.src.proto_ipv4==${ROUTER} && ${to}`, ["arp.dst.proto_ipv4"])
          .then((rows) => new Set(rows.map(([ip]) => ip)).size);
      const BROADCAST = "eth.dst==ff:ff:ff:ff:ff:ff", UNICAST = "eth.dst!=ff:ff:ff:ff:ff:ff";
      assert.deepEqual([await requests(found, BROADCAST), await requests(found, UNICAST)], [110, 0]);
      const again = [await requests(rechecked, BROADCAST), await requests(rechecked, UNICAST)];
      assert.ok(again[0] < 100 && again[1] >= 100, `re-checks by broadcast, unicast: ${again}`);

      const first = (await replayAdvisories(found)).filter((a) => a.type === "host_sweep");
      assert.deepEqual(first.map((a) => [a.phase, a.ip, a.evidence.hosts]), [["raised", ROUTER, 110]]);
      const second = (await replayAdvisories(rechecked)).filter((a) => a.type === "host_sweep");
      assert.deepEqual(second, [], "re-checking known neighbours is no sweep");
    });
  },
});

Deno.test({
  name:
    "a gateway whose neighbour cache lost its entries finds 60 hosts that claimed their addresses again by " +
    "broadcast ARP: no host sweep (50 make one here)",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    const GATEWAY = "10.231.64.1";
    // The hosts share the namespace's one MAC, so they are fewer than the 64 addresses the ARP history keeps a
    // MAC (110 hosts of one MAC push each other out); the sweep threshold is lowered to match.
    const hosts = Array.from({ length: 60 }, (_, i) => `10.231.64.${10 + i}`);
    const outside = Array.from({ length: 20 }, (_, i) => `10.231.65.${10 + i}`);
    await inLab("flintnet-regather-", async (lab, dir, watch) => {
      // A router (fan-gw) between a LAN of 60 hosts (fan-hosts) and the outside (fan-wan, 20 addresses).
      await lab.namespace("fan-gw");
      await lab.namespace("fan-hosts");
      await lab.namespace("fan-wan");
      await lab.cable("fan-gw", "fangw0", "fan-hosts", "fanhosts0");
      await lab.cable("fan-gw", "fangw1", "fan-wan", "fanwan0");
      await lab.exec("fan-gw", ["ip", "addr", "add", `${GATEWAY}/24`, "dev", "fangw0"]);
      await lab.exec("fan-gw", ["ip", "addr", "add", "10.231.65.1/24", "dev", "fangw1"]);
      await lab.exec("fan-gw", ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      for (const a of hosts) {
        await lab.exec("fan-hosts", ["ip", "addr", "add", `${a}/24`, "dev", "fanhosts0"]);
      }
      await lab.exec("fan-hosts", ["ip", "route", "add", "default", "via", GATEWAY]);
      for (const a of outside) await lab.exec("fan-wan", ["ip", "addr", "add", `${a}/24`, "dev", "fanwan0"]);
      await lab.exec("fan-wan", ["ip", "route", "add", "10.231.64.0/24", "via", "10.231.65.1"]);
      await ready(watch(udpEchoIn("fan-hosts", hosts, 7000)), "ready");

      await earlyInMinute();
      const pcap = `${dir}/regather.pcap`;
      const dump = watch(await startTcpdump("fan-gw", "fangw0", pcap));
      // Each host asks for its gateway by broadcast, as a host does: it claims its address on the LAN.
      await askForGateway(lab, "fan-hosts", "fanhosts0", hosts, GATEWAY);
      // The router's neighbour cache loses them, as Linux past gc_thresh1 (128 entries) drops entries left
      // stale a minute; then traffic from outside arrives for each host.
      await new Promise((r) => setTimeout(r, 300));
      await lab.exec("fan-gw", ["ip", "neigh", "flush", "dev", "fangw0"]);
      // A burst from every outside address to one host: the router holds it while it asks for the host, then
      // forwards it from its one MAC (its traffic says it routes); then one datagram to each host.
      const burst = await udpRoundTrips(lab, "fan-wan", outside, outside.map(() => hosts[0]), 7000, {
        burst: true,
      });
      const answered = burst + await udpRoundTrips(lab, "fan-wan", outside, hosts, 7000);
      assert.equal(answered, outside.length + hosts.length);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      // tshark: every host claimed its address, and then the router asked for every one of them by broadcast.
      const claimed = await tshark(pcap, `arp.opcode==1 && arp.dst.proto_ipv4==${GATEWAY}`, [
        "arp.src.proto_ipv4",
      ]);
      assert.equal(new Set(claimed.map(([ip]) => ip)).size, hosts.length);
      const asked = await tshark(
        pcap,
        `arp.opcode==1 && arp.src.proto_ipv4==${GATEWAY} && eth.dst==ff:ff:ff:ff:ff:ff`,
        ["arp.dst.proto_ipv4"],
      );
      assert.equal(new Set(asked.map(([ip]) => ip)).size, hosts.length);
      const threshold = { FLINTNET_SCAN_THRESHOLD: "500/50" };
      const sweeps = (await replayAdvisories(pcap, threshold)).filter((a) => a.type === "host_sweep");
      assert.deepEqual(sweeps.map((a) => [a.phase, a.ip, a.evidence.hosts]), []);
    });
  },
});

Deno.test({
  name:
    "a server asking by broadcast ARP for 60 clients that had each sent it a query, to answer them, sweeps no " +
    "one; its nmap -sn of empty addresses in the same minute is a host sweep of those alone",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    const SERVER = "10.231.67.2";
    // The clients share their namespace's one MAC: fewer than the 64 addresses the ARP history keeps a MAC.
    const clients = Array.from({ length: 60 }, (_, i) => `10.231.67.${10 + i}`);
    await inLab("flintnet-answer-", async (lab, dir, watch) => {
      await lab.namespace("fan-fs");
      await lab.namespace("fan-cl");
      await lab.cable("fan-fs", "fanfs0", "fan-cl", "fancl0");
      await lab.exec("fan-fs", ["ip", "addr", "add", `${SERVER}/24`, "dev", "fanfs0"]);
      for (const a of clients) await lab.exec("fan-cl", ["ip", "addr", "add", `${a}/24`, "dev", "fancl0"]);
      await ready(watch(udpEchoIn("fan-fs", [SERVER], 7000)), "ready");

      await earlyInMinute();
      const pcap = `${dir}/answer.pcap`;
      // On the server's own port: what a mirror of it shows.
      const dump = watch(await startTcpdump("fan-fs", "fanfs0", pcap));
      // Each client sends the server a datagram; to answer, the server asks for the client by broadcast (all
      // but the one whose own request for the server it saw). Then its neighbour cache loses them, as Linux
      // past gc_thresh1 (128 entries) drops entries left stale a minute, and the next datagrams make it ask
      // for every one again.
      const toServer = clients.map(() => SERVER);
      assert.equal(await udpRoundTrips(lab, "fan-cl", clients, toServer, 7000), clients.length);
      await lab.exec("fan-fs", ["ip", "neigh", "flush", "dev", "fanfs0"]);
      assert.equal(await udpRoundTrips(lab, "fan-cl", clients, toServer, 7000), clients.length);
      // A sweep from the same server: the empty upper half of its subnet.
      await lab.exec("fan-fs", ["nmap", "-n", "-sn", "-T5", "-e", "fanfs0", "10.231.67.128/25"]);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      // tshark: the server's broadcast requests, for clients and for the addresses nmap tried.
      const asked = await broadcastRequestsFrom(pcap, SERVER);
      const isClient = new Set(clients);
      const forClients = asked.filter(([, ip]) => isClient.has(ip));
      assert.ok(new Set(forClients.map(([, ip]) => ip)).size >= clients.length, JSON.stringify(forClients));
      // each client's first datagram to the server came before the server's first request for it
      const firstSent = new Map<string, number>();
      for (const [t, ip] of await tshark(pcap, `udp && ip.dst==${SERVER}`, ["frame.time_epoch", "ip.src"])) {
        if (!firstSent.has(ip)) firstSent.set(ip, Number(t));
      }
      for (const [t, ip] of forClients) assert.ok(firstSent.get(ip)! < t, `${ip} asked for first`);

      const { advisories, analysis } = await replayAnalysis(pcap);
      const sweeps = advisories.filter((a) => a.type === "host_sweep" && a.phase === "raised");
      assert.equal(sweeps.length, 1, JSON.stringify(advisories.map((a) => a.summary)));
      assert.equal(sweeps[0].ip, SERVER);
      const from = Date.parse(sweeps[0].evidence.minute_start as string) / 1000;
      const to = Date.parse(sweeps[0].evidence.minute_end as string) / 1000;
      const swept = new Set(
        asked.filter(([t, ip]) => !isClient.has(ip) && t >= from && t < to).map(([, ip]) => ip),
      );
      assert.equal(sweeps[0].evidence.hosts, swept.size);
      assert.ok(swept.size >= 100, `nmap asked for ${swept.size} hosts`);
      assert.equal(analysis.answering_arp_requests, forClients.length);
    });
  },
});

Deno.test({
  name: "replay of nmap -sS and nmap -sn between namespaces raises a port scan and a host sweep with " +
    "tshark's counts",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    const lab = new NetnsLab();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-scan-" });
    const pcap = `${dir}/scan.pcap`;
    let dump: WatchedChild | undefined;
    try {
      await lab.namespace("fan-scan");
      await lab.namespace("fan-tgt");
      await lab.cable("fan-scan", "fanscan0", "fan-tgt", "fantgt0");
      await lab.exec("fan-scan", ["ip", "addr", "add", `${SCANNER}/24`, "dev", "fanscan0"]);
      await lab.exec("fan-scan", ["ip", "addr", "add", `${SWEEPER}/24`, "dev", "fanscan0"]);
      await lab.exec("fan-tgt", ["ip", "addr", "add", `${TARGET}/24`, "dev", "fantgt0"]);
      dump = await startTcpdump("fan-scan", "fanscan0", pcap);
      await earlyInMinute();
      await lab.exec("fan-scan", ["nmap", "-n", "-Pn", "-sS", "-T5", "-p", "1-1000", TARGET]);
      await earlyInMinute();
      await lab.exec("fan-scan", ["nmap", "-n", "-sn", "-T5", "-e", "fanscan0", "10.231.61.0/24"]);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      const advisories = await replayAdvisories(pcap);
      const scan = advisories.find((a) => a.type === "port_scan" && a.phase === "raised");
      assert.ok(scan, `no port_scan advisory in ${JSON.stringify(advisories, null, 1)}`);
      assert.equal(scan.ip, SCANNER);
      assert.equal(scan.severity, "warning");
      // tshark: distinct destination ports of SYNs without ACK from the scanner, within the advisory's minute.
      const from = Date.parse(scan.evidence.minute_start as string) / 1000;
      const to = Date.parse(scan.evidence.minute_end as string) / 1000;
      const syns = await tshark(
        pcap,
        `ip.src==${SCANNER} && tcp.flags.syn==1 && tcp.flags.ack==0 && frame.time_epoch >= ${from} && ` +
          `frame.time_epoch < ${to}`,
        ["tcp.dstport"],
      );
      const ports = new Set(syns.map(([p]) => p));
      assert.equal(scan.evidence.ports, ports.size);
      assert.ok(ports.size >= 500, `nmap probed ${ports.size} ports`);
      assert.equal(scan.evidence.top_target, TARGET);
      assert.match(
        scan.summary,
        new RegExp(`^${SCANNER.replaceAll(".", "\\.")} contacted [\\d,]+ unique ports`),
      );

      const sweep = advisories.find((a) => a.type === "host_sweep" && a.phase === "raised");
      assert.ok(sweep, `no host_sweep advisory in ${JSON.stringify(advisories.map((a) => a.summary))}`);
      assert.equal(sweep.ip, SWEEPER);
      const sFrom = Date.parse(sweep.evidence.minute_start as string) / 1000;
      const sTo = Date.parse(sweep.evidence.minute_end as string) / 1000;
      // nmap also asks for its own address (sender = target): that asks no other host, and is not counted.
      const asks = await tshark(
        pcap,
        `arp.opcode==1 && eth.dst==ff:ff:ff:ff:ff:ff && arp.src.proto_ipv4==${SWEEPER} && ` +
          `arp.dst.proto_ipv4!=${SWEEPER} && frame.time_epoch >= ${sFrom} && frame.time_epoch < ${sTo}`,
        ["arp.dst.proto_ipv4"],
      );
      const hosts = new Set(asks.map(([h]) => h));
      assert.equal(sweep.evidence.hosts, hosts.size);
      assert.ok(hosts.size >= 100, `nmap asked for ${hosts.size} hosts`);
    } catch (e) {
      if (dump) console.error(dump.output());
      throw e;
    } finally {
      await dump?.stop();
      await lab.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "replay of curl basic auth over HTTP, snmpget v2c public, telnet and ftp raises one insecure-protocol " +
    "advisory each, for the servers tshark sees",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    const lab = new NetnsLab();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-insecure-" });
    const pcap = `${dir}/insecure.pcap`;
    const children: WatchedChild[] = [];
    let agent: Snmpd | undefined;
    try {
      await lab.namespace("fan-cli");
      await lab.namespace("fan-srv");
      await lab.cable("fan-cli", "fancli0", "fan-srv", "fansrv0");
      await lab.exec("fan-cli", ["ip", "addr", "add", `${SCANNER}/24`, "dev", "fancli0"]);
      await lab.exec("fan-srv", ["ip", "addr", "add", `${TARGET}/24`, "dev", "fansrv0"]);
      const http = watchChild(
        new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            "fan-srv",
            "/usr/bin/python3",
            "-m",
            "http.server",
            "8080",
            "--bind",
            TARGET,
          ],
          stdout: "piped",
          stderr: "piped",
          cwd: dir,
        }).spawn(),
      );
      children.push(http);
      const telnetd = bannerServer("fan-srv", 23, "login: ");
      const ftpd = bannerServer("fan-srv", 21, "220 ready\r\n");
      children.push(telnetd, ftpd);
      await ready(telnetd, "ready");
      await ready(ftpd, "ready");
      agent = await startSnmpd({
        address: TARGET,
        port: 161,
        netns: "fan-srv",
        config: "rocommunity public 10.231.60.0/24\nsysname fan-srv",
      });
      const dump = await startTcpdump("fan-cli", "fancli0", pcap);
      children.push(dump);
      let served = false;
      for (let i = 0; i < 150 && !served; i++) {
        const r = await run([
          "ip",
          "netns",
          "exec",
          "fan-cli",
          "curl",
          "-s",
          "-o",
          "/dev/null",
          "-u",
          "alice:secret",
          `http://${TARGET}:8080/`,
        ], false);
        served = r.code === 0;
        if (served) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(served, `the HTTP server never answered curl: ${http.output()}`);
      await lab.exec("fan-cli", [
        "snmpget",
        "-v2c",
        "-c",
        "public",
        "-t",
        "2",
        "-r",
        "1",
        `${TARGET}:161`,
        "1.3.6.1.2.1.1.5.0",
      ]);
      // The real clients: telnet gets a login prompt, ftp a greeting; both are sent a user name.
      await run([
        "sh",
        "-c",
        `(sleep 0.5; echo alice; sleep 0.5) | ip netns exec fan-cli telnet ${TARGET} 23`,
      ], false);
      await run([
        "sh",
        "-c",
        `(sleep 0.5; echo 'user alice'; sleep 0.5) | ip netns exec fan-cli ftp -n ${TARGET}`,
      ], false);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      const advisories = (await replayAdvisories(pcap)).filter((a) => a.type === "insecure_protocol");
      const protocols = new Map(advisories.map((a) => [a.evidence.protocol as string, a]));
      // tshark sees the Authorization header, the community, and the two servers' greetings.
      const auth = await tshark(pcap, "http.authorization", ["ip.dst", "tcp.dstport", "http.authorization"]);
      assert.ok(auth.length >= 1 && auth[0][2].startsWith("Basic "), JSON.stringify(auth));
      const basic = protocols.get("http_basic_auth");
      assert.ok(basic, `no basic-auth advisory in ${JSON.stringify(advisories.map((a) => a.summary))}`);
      assert.equal(basic.ip, auth[0][0]);
      assert.equal(basic.evidence.port, Number(auth[0][1]));
      assert.ok(
        !JSON.stringify(basic).includes("secret") && !JSON.stringify(basic).includes("YWxpY2U6c2VjcmV0"),
      );

      const community = await tshark(pcap, 'snmp.community == "public"', [
        "ip.src",
        "ip.dst",
        "snmp.community",
      ]);
      assert.ok(community.length >= 2, JSON.stringify(community)); // the get and its response
      const snmp = protocols.get("snmp_v2c_public");
      assert.ok(snmp, `no SNMP advisory in ${JSON.stringify(advisories.map((a) => a.summary))}`);
      assert.equal(snmp.ip, community[0][1]);

      for (const [name, port] of [["telnet", 23], ["FTP", 21]] as const) {
        const synAcks = await tshark(pcap, `tcp.srcport==${port} && tcp.flags.syn==1 && tcp.flags.ack==1`, [
          "ip.src",
        ]);
        assert.equal(synAcks[0]?.[0], TARGET, `tshark sees no ${name} handshake`);
        const a = protocols.get(name);
        assert.ok(a, `no ${name} advisory in ${JSON.stringify(advisories.map((a) => a.summary))}`);
        assert.equal(a.ip, TARGET);
        assert.equal(a.evidence.client, SCANNER);
      }
      assert.equal(advisories.length, 4, JSON.stringify(advisories.map((a) => a.summary)));
    } catch (e) {
      for (const c of children) console.error(c.output());
      if (agent) console.error(agent.output());
      throw e;
    } finally {
      for (const c of children) await c.stop();
      await agent?.stop();
      await lab.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "replay of a burst of dig queries against dnsmasq raises a DNS-volume advisory with tshark's count of queries",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`advisory netns test cannot run: ${missing}`);
    await inLab("flintnet-dns-", async (lab, dir, watch) => {
      const pcap = `${dir}/dns.pcap`;
      await lab.namespace("fan-dcl");
      await lab.namespace("fan-dns");
      await lab.cable("fan-dcl", "fandcl0", "fan-dns", "fandns0");
      await lab.exec("fan-dcl", ["ip", "addr", "add", "10.231.63.1/24", "dev", "fandcl0"]);
      await lab.exec("fan-dns", ["ip", "addr", "add", "10.231.63.2/24", "dev", "fandns0"]);
      // dnsmasq answers every name with one address, from its own config only.
      watch(watchChild(
        new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            "fan-dns",
            "dnsmasq",
            "--no-daemon",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--listen-address=10.231.63.2",
            "--bind-interfaces",
            "--address=/#/192.0.2.80",
            "--log-facility=-",
            "--pid-file=",
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      ));
      for (let i = 0; i < 100; i++) {
        const r = await run([
          "ip",
          "netns",
          "exec",
          "fan-dcl",
          "dig",
          "+short",
          "+time=1",
          "+tries=1",
          "@10.231.63.2",
          "ready.test",
        ], false);
        if (r.stdout.includes("192.0.2.80")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const names = Array.from({ length: 400 }, (_, i) => `host${i}.burst.test`).join("\n");
      await Deno.writeTextFile(`${dir}/names.txt`, names + "\n");
      const dump = watch(await startTcpdump("fan-dcl", "fandcl0", pcap));
      await earlyInMinute();
      await lab.exec("fan-dcl", [
        "dig",
        "@10.231.63.2",
        "+short",
        "+time=1",
        "+tries=1",
        "-f",
        `${dir}/names.txt`,
      ]);
      await new Promise((r) => setTimeout(r, 300));
      await dump.stop();

      const advisories = await replayAdvisories(pcap, { FLINTNET_DNS_QUERY_THRESHOLD: "300" });
      const dns = advisories.filter((a) => a.type === "dns_volume" && a.phase === "raised");
      assert.equal(dns.length, 1, JSON.stringify(advisories.map((a) => a.summary)));
      assert.equal(dns[0].ip, "10.231.63.1");
      const queries = await tshark(pcap, "ip.src==10.231.63.1 && udp.dstport==53 && dns.flags.response==0", [
        "dns.qry.name",
      ]);
      assert.equal(dns[0].evidence.dns_queries, queries.length);
      assert.ok(queries.length >= 400, `dig sent ${queries.length} queries`);
      // The resolver answered: it is not a DNS-volume host itself, and no other advisory comes of it.
      assert.deepEqual(advisories.filter((a) => a.type !== "dns_volume"), []);
    });
  },
});
