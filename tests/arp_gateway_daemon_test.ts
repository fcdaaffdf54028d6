/**
 * ARP spoofing of a gateway, end to end through the daemon, for the two ways of knowing a gateway that
 * replay cannot have (replay_live_parity_test.ts covers the one learned from traffic):
 *
 * 1. **A polled device's default route.** Debian's snmpd runs in a network namespace whose default route
 *    goes through 10.231.204.254; the daemon discovers and polls it (the route tables over SNMP), and a
 *    MAC that claims 10.231.204.254 next to its own address is a critical arp_spoof naming the device.
 * 2. **The appliance's own default route.** The daemon runs inside a namespace whose default route goes
 *    through the host end of the veth (10.231.205.1), read from that namespace's /proc/net/route; a MAC
 *    claiming it is a critical arp_spoof, reported even during the learning period.
 *
 * The frames are written here byte by byte and sent with tcpreplay. Every expectation comes from what
 * the test set up (the route it added, the frames it sent). Addresses 10.231.204.0/24, 10.231.205.0/24;
 * namespaces fnas-gwpoll, fnas-gwroute. Needs root, iproute2, tcpreplay, snmpd; with CI=true a missing
 * one fails the test.
 */
import assert from "node:assert/strict";
import type { SecurityEvent } from "../src/events/mod.ts";
import { type CaptureFrame, writePcap } from "./helpers/capture_writer.ts";
import { type Daemon, openSse, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { arp, ethernet, ETHERTYPE_ARP } from "./helpers/frames.ts";
import { createVethPair, netnsUnavailable, run, type VethPair } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";
import { type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const TOKEN = "arp-gateway-e2e-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const MALLORY = "52:54:00:cc:00:66";

async function unavailable(): Promise<string | null> {
  const ns = await netnsUnavailable();
  if (ns) return ns;
  const snmpd = await snmpdUnavailable();
  if (snmpd) return snmpd;
  const r = await run(["tcpreplay", "--version"], false).catch(() => null);
  return r ? null : "tcpreplay is missing (apt-get install tcpreplay)";
}
const missing = await unavailable();

/** Mallory asks for `peer` from its own address, then tells `peer` that `gateway` is at its MAC. */
function poisoning(net: string, peer: { ip: string; mac: string }, gateway: string): CaptureFrame[] {
  const t0 = Date.UTC(2025, 0, 6, 9);
  const own = `${net}.66`;
  return [
    {
      tsMs: t0,
      data: ethernet(
        { src: MALLORY, dst: "ff:ff:ff:ff:ff:ff", etherType: ETHERTYPE_ARP },
        arp({ op: 1, sha: MALLORY, spa: own, tpa: peer.ip }),
      ),
    },
    {
      tsMs: t0 + 500,
      data: ethernet(
        { src: MALLORY, dst: peer.mac, etherType: ETHERTYPE_ARP },
        arp({ op: 2, sha: MALLORY, spa: gateway, tha: peer.mac, tpa: peer.ip }),
      ),
    },
  ];
}

/** The daemon's /stats. */
async function stats(base: string): Promise<{ arp: { gateways: { ip: string; learned_from: string[] }[] } }> {
  const res = await fetch(`${base}/stats`, { headers: AUTH });
  assert.equal(res.status, 200);
  return await res.json();
}

/** Waits until the daemon knows `ip` as a gateway learned from `source`. */
async function gatewayKnown(base: string, ip: string, source: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    last = (await stats(base)).arp.gateways;
    if (
      (last as { ip: string; learned_from: string[] }[]).some((g) =>
        g.ip === ip && g.learned_from.includes(source)
      )
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `the daemon never knew ${ip} as a gateway from ${source}; it knows ${JSON.stringify(last)}`,
  );
}

/** Sends `frames` with tcpreplay on `iface`, inside `pair`'s namespace or on the host. */
async function send(frames: CaptureFrame[], iface: string, pair?: VethPair): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arpgw-" });
  try {
    const path = `${dir}/poison.pcap`;
    await Deno.writeFile(path, writePcap(frames));
    const cmd = ["tcpreplay", "-q", "-i", iface, path];
    await (pair ? pair.exec(cmd) : run(cmd));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The first arp_spoof event on `stream`. */
async function arpSpoof(stream: SseReader): Promise<SecurityEvent> {
  const e = await stream.waitFor(
    (e) => e.event === "security" && (JSON.parse(e.data) as SecurityEvent).type === "arp_spoof",
    10_000,
    "an arp_spoof event",
  );
  return JSON.parse(e.data) as SecurityEvent;
}

Deno.test({
  name:
    "daemon: a MAC claiming the default gateway of a polled device's routing table is a critical arp_spoof",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`cannot run: ${missing}`);
    const pair = await createVethPair({
      ns: "fnas-gwpoll",
      hostIf: "fnas-gwp-h",
      nsIf: "fnas-gwp-n",
      hostAddr: "10.231.204.1/24",
      nsAddr: "10.231.204.2/24",
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-arpgw-poll-" });
    const port = freePort(), agentPort = freePort();
    const base = `http://127.0.0.1:${port}`;
    let agent: Snmpd | undefined;
    let daemon: Daemon | undefined;
    try {
      await pair.exec(["ip", "route", "add", "default", "via", "10.231.204.254"]);
      agent = await startSnmpd({
        address: pair.nsIp,
        port: agentPort,
        netns: pair.ns,
        config: "rocommunity public 10.231.204.0/24\nsysname router-e2e",
      });
      daemon = await startDaemon({
        FLINTNET_INTERFACE: pair.hostIf,
        FLINTNET_CIDR: `${pair.nsIp}/32`,
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_BPF: "arp",
        FLINTNET_SNMP_PORT: String(agentPort),
        FLINTNET_SNMP_TIMEOUT: "300ms",
        FLINTNET_SNMP_RETRIES: "0",
        FLINTNET_LEARNING_PERIOD: "1h",
      });
      // Discovery at start finds the agent and polls it: the route tables name its default gateway.
      await gatewayKnown(base, "10.231.204.254", `poll ${pair.nsIp}`, 20_000);
      const stream = await openSse(`${base}/stream?types=security`, AUTH);
      try {
        await send(
          poisoning("10.231.204", { ip: pair.hostIp, mac: pair.hostMac }, "10.231.204.254"),
          pair.nsIf,
          pair,
        );
        const e = await arpSpoof(stream);
        assert.deepEqual([e.severity, e.mac, e.ip], ["critical", MALLORY, "10.231.204.254"]);
        assert.deepEqual(e.evidence.gateway, { ip: "10.231.204.254", learned_from: [`poll ${pair.nsIp}`] });
        assert.deepEqual((e.evidence.ips as { ip: string }[]).map((x) => x.ip), [
          "10.231.204.66",
          "10.231.204.254",
        ]);
        assert.match(
          e.explanation,
          /the default gateway in the routing table of 10\.231\.204\.2 \(polled over SNMP\)/,
        );
      } finally {
        await stream.close();
      }
    } catch (err) {
      console.error(daemon?.lines.join("\n"), agent?.output());
      throw err;
    } finally {
      await daemon?.kill();
      await agent?.stop();
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "daemon: a MAC claiming the appliance's own default gateway is a critical arp_spoof, even while learning",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`cannot run: ${missing}`);
    // The daemon lives in the namespace; the host end of the veth is its gateway (and the attacker's side).
    const pair = await createVethPair({
      ns: "fnas-gwroute",
      hostIf: "fnas-gwr-h",
      nsIf: "fnas-gwr-n",
      hostAddr: "10.231.205.1/24",
      nsAddr: "10.231.205.2/24",
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-arpgw-route-" });
    const port = freePort();
    const base = `http://${pair.nsIp}:${port}`;
    let daemon: Daemon | undefined;
    try {
      await pair.exec(["ip", "route", "add", "default", "via", pair.hostIp]);
      daemon = await startDaemon(
        {
          FLINTNET_INTERFACE: pair.nsIf,
          // Discovery probes the namespace's loopback only: nothing of its own on the link under test.
          FLINTNET_CIDR: "127.0.0.1/32",
          FLINTNET_LISTEN: `${pair.nsIp}:${port}`,
          FLINTNET_STATE_DIR: stateDir,
          FLINTNET_API_TOKEN: TOKEN,
          FLINTNET_TRAP_LISTEN: "off",
          FLINTNET_BPF: "arp",
          FLINTNET_LEARNING_PERIOD: "1h",
        },
        20_000,
        pair.ns,
      );
      await gatewayKnown(base, pair.hostIp, "route", 5_000);
      const stream = await openSse(`${base}/stream?types=security`, AUTH);
      try {
        await send(poisoning("10.231.205", { ip: pair.nsIp, mac: pair.nsMac }, pair.hostIp), pair.hostIf);
        const e = await arpSpoof(stream);
        assert.deepEqual([e.severity, e.mac, e.ip], ["critical", MALLORY, pair.hostIp]);
        assert.deepEqual(e.evidence.gateway, { ip: pair.hostIp, learned_from: ["route"] });
        assert.match(e.explanation, /10\.231\.205\.1 is a gateway \(this appliance's own default gateway\)/);
        assert.match(e.explanation, /Find 52:54:00:cc:00:66 now/);
      } finally {
        await stream.close();
      }
    } catch (err) {
      console.error(daemon?.lines.join("\n"));
      throw err;
    } finally {
      await daemon?.kill();
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
