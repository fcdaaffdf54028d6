/**
 * `flintnet replay` runs every detector that works from packets, with the capture's clock: the same ARP
 * frames give the same security events, word for word and with the same evidence, whether the file is
 * replayed or its frames are sent live (tcpreplay, at the capture's own pace, through a veth pair to a
 * running daemon). One capture holds a scene per rule: a rogue device after the learning period, a MAC
 * answering for its own and the gateway's address (arp_spoof), a gratuitous ARP for an address in use
 * (duplicate_ip) and a reply whose Ethernet source is not its sender (mac_spoof); then a scene per case
 * of the arp_spoof rule, with the IPv4 frames that give its evidence (traffic from outside arriving
 * through the router's MAC, a DHCP request): a poisoner claiming the gateway once and asking for it from
 * its own address, the same with a host's address, a DHCP renumbering, an old address fallen silent, two
 * addresses without evidence, a VRRP MAC, an allow-listed MAC, learned secondaries, and one incident
 * that grows and turns critical. The events replay reports are checked against what each scene was
 * written to show, and the daemon's against replay's.
 *
 * Needs root, iproute2, tcpreplay and libpcap; with CI=true a missing one fails the test.
 */
import assert from "node:assert/strict";
import type { SecurityEvent } from "../src/events/mod.ts";
import { type CaptureFrame, writePcap } from "./helpers/capture_writer.ts";
import { openSse, startDaemon } from "./helpers/daemon.ts";
import {
  arp,
  concatBytes,
  ethernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ipv4,
  macBytes,
  PROTO,
  udp,
} from "./helpers/frames.ts";
import { createVethPair, netnsUnavailable, run } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";

const CI = Deno.env.get("CI") === "true";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TOKEN = "replay-parity-token-0123456789";
const BROADCAST = "ff:ff:ff:ff:ff:ff";
/** Learning lasts 3 s from the first ARP packet; every scene plays after it. */
const LEARNING = "3s";
/** Claims 2 s apart are "at the same time": the newcomer's own address (0.3 s) is old by its scene (6.8 s). */
const WINDOW = "2s";

const ROUTER = "00:00:0c:12:34:01", HOST = "52:54:00:aa:00:02", MALLORY = "52:54:00:aa:00:66";
const NEWBIE = "52:54:00:aa:00:77", ROGUE = "00:00:0c:99:99:99", LIAR = "52:54:00:aa:00:55";
// Not 192.0.2.x: that is the default gateway of some test machines, which the daemon (not replay) knows.
const GW = "10.231.201.1",
  HOST_IP = "10.231.201.10",
  MALLORY_IP = "10.231.201.66",
  NEWBIE_IP = "10.231.201.77";

interface Arp {
  /** Seconds from the start of the capture. */
  t: number;
  op: 1 | 2;
  sha: string;
  spa: string;
  tpa: string;
  tha?: string;
  eth?: string;
}

/** A UDP datagram in an Ethernet frame; a DHCP request when `dhcp` is set. */
interface Udp {
  /** Seconds from the start of the capture. */
  t: number;
  eth: string;
  ethDst: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** A BOOTREQUEST carrying DHCPREQUEST (RFC 2131 §2, RFC 2132 §9.6) from this client MAC. */
  dhcp?: boolean;
}

/** A minimal BOOTP/DHCP request: op, htype, hlen, xid, chaddr, the magic cookie and message type 3. */
function dhcpRequest(clientMac: string): Uint8Array {
  const b = new Uint8Array(240);
  b[0] = 1; // op BOOTREQUEST
  b[1] = 1; // htype Ethernet
  b[2] = 6; // hlen
  b.set([0x46, 0x4c, 0x4e, 0x54], 4); // xid
  b.set(macBytes(clientMac), 28); // chaddr
  b.set([99, 130, 83, 99], 236); // magic cookie (RFC 2131 §3)
  return concatBytes(b, Uint8Array.of(53, 1, 3, 255)); // option 53 DHCP message type = REQUEST; end
}

function frame(t0: number, p: Arp | Udp): CaptureFrame {
  if (!("op" in p)) {
    const data = p.dhcp ? dhcpRequest(p.eth) : new Uint8Array(20);
    return {
      tsMs: t0 + p.t * 1000,
      data: ethernet(
        { src: p.eth, dst: p.ethDst, etherType: ETHERTYPE_IPV4 },
        ipv4(
          { src: p.src, dst: p.dst, proto: PROTO.UDP },
          udp({ srcPort: p.srcPort, dstPort: p.dstPort }, data),
        ),
      ),
    };
  }
  const tha = p.tha ?? (p.op === 1 ? "00:00:00:00:00:00" : BROADCAST);
  const dst = p.op === 1 || tha === "00:00:00:00:00:00" ? BROADCAST : tha;
  return {
    tsMs: t0 + p.t * 1000,
    data: ethernet(
      { src: p.eth ?? p.sha, dst, etherType: ETHERTYPE_ARP },
      arp({ op: p.op, sha: p.sha, spa: p.spa, tha, tpa: p.tpa }),
    ),
  };
}

// The arp_spoof scenes: their own MACs and addresses, so that they do not meet the scenes above.
const R2 = "00:00:0c:12:34:02", H2 = "52:54:00:bb:00:10", M1 = "52:54:00:bb:00:66", ASK = "52:54:00:bb:00:70";
const VICTIM = "52:54:00:bb:00:11", RENUM = "52:54:00:bb:00:20", SILENT = "52:54:00:bb:00:30";
const NOEVID = "52:54:00:bb:00:80", VRRP = "00:00:5e:00:01:02", ALLOWED = "52:54:00:bb:00:40";
const SEC = "52:54:00:bb:00:50", M3 = "52:54:00:bb:00:90";
const NET = "10.231.202", GW2 = `${NET}.1`, H2_IP = `${NET}.10`;

/** A request from `sha` at `spa` for the gateway GW2. */
const ask = (t: number, sha: string, spa: string, tpa = GW2): Arp => ({ t, op: 1, sha, spa, tpa });
/** A reply from `sha` claiming `spa`, sent to the host H2. */
const tell = (t: number, sha: string, spa: string): Arp => ({ t, op: 2, sha, spa, tpa: H2_IP, tha: H2 });

/** The arp_spoof scenes, after the rule scenes above. */
const SPOOF_SCENES: (Arp | Udp)[] = [
  // Learning, each device at its own address; SEC has two (learned secondaries).
  ask(0.4, R2, GW2, H2_IP),
  tell(0.45, H2, H2_IP),
  ask(0.5, M1, `${NET}.66`),
  ask(0.55, ASK, `${NET}.70`),
  ask(0.6, VICTIM, `${NET}.11`),
  ask(0.65, RENUM, `${NET}.20`),
  ask(0.7, SILENT, `${NET}.30`),
  ask(0.75, NOEVID, `${NET}.80`),
  tell(0.8, VRRP, `${NET}.2`),
  ask(0.85, ALLOWED, `${NET}.40`),
  ask(0.9, SEC, `${NET}.50`),
  ask(0.95, SEC, `${NET}.51`),
  ask(1.0, M3, `${NET}.90`),
  // Traffic from outside the network arrives through R2's MAC: its address GW2 is the gateway.
  ...Array.from({ length: 12 }, (_, i): Udp => ({
    t: 1.1 + i * 0.05,
    eth: R2,
    ethDst: H2,
    src: `198.51.100.${i + 1}`,
    dst: H2_IP,
    srcPort: 443,
    dstPort: 40000 + i,
  })),
  // A: M1 claims the gateway once, then asks who has it from its own address: critical.
  tell(9.0, M1, GW2),
  ask(9.5, M1, `${NET}.66`, GW2),
  // B: ASK claims the victim's address, then asks for it: critical without a gateway.
  tell(10.0, ASK, `${NET}.11`),
  ask(10.5, ASK, `${NET}.70`, `${NET}.11`),
  // C: RENUM does DHCP between its old address and its new one: quiet.
  ask(11.0, RENUM, `${NET}.20`),
  {
    t: 11.3,
    eth: RENUM,
    ethDst: BROADCAST,
    src: "0.0.0.0",
    dst: "255.255.255.255",
    srcPort: 68,
    dstPort: 67,
    dhcp: true,
  },
  ask(11.6, RENUM, `${NET}.21`),
  // D: SILENT's address fell silent long before its new one: quiet.
  ask(12.0, SILENT, `${NET}.31`),
  // E: NOEVID uses two addresses at once, with no evidence of renumbering: a warning.
  ask(12.5, NOEVID, `${NET}.80`),
  ask(12.8, NOEVID, `${NET}.81`),
  // F: a VRRP virtual MAC answers for two addresses: quiet.
  tell(13.0, VRRP, `${NET}.2`),
  tell(13.2, VRRP, `${NET}.3`),
  // G: an allow-listed MAC answers for several: quiet.
  tell(13.5, ALLOWED, `${NET}.41`),
  tell(13.7, ALLOWED, `${NET}.42`),
  // H: SEC alternates between its learned addresses: quiet.
  ask(14.0, SEC, `${NET}.50`),
  ask(14.2, SEC, `${NET}.51`),
  ask(14.4, SEC, `${NET}.50`),
  // I: one incident: M3 claims .91 and .92 (a warning), .93 joins (no event), then the gateway (critical).
  tell(15.0, M3, `${NET}.91`),
  tell(15.2, M3, `${NET}.92`),
  tell(15.4, M3, `${NET}.93`),
  tell(15.6, M3, GW2),
];

/** What replay must report, in order: the rule scenes, then the arp_spoof scenes. */
const EXPECTED = [
  `rogue_device info ${"00:00:0c:99:99:99"} 10.231.201.99`,
  `arp_spoof warning ${"52:54:00:aa:00:66"} 10.231.201.1`,
  `duplicate_ip warning ${"52:54:00:aa:00:77"} 10.231.201.10`,
  `rogue_device info ${"52:54:00:aa:00:55"} 10.231.201.1`,
  `mac_spoof warning ${"52:54:00:aa:00:55"} 10.231.201.1`,
  `arp_spoof critical ${M1} ${GW2}`,
  `arp_spoof critical ${ASK} ${NET}.11`,
  `arp_spoof warning ${NOEVID} ${NET}.81`,
  `arp_spoof warning ${M3} ${NET}.92`,
  `arp_spoof critical ${M3} ${GW2}`,
];

/** The scenes, in capture time (seconds). */
const SCENES: Arp[] = [
  // Learning: the router, a host, an insider and a newcomer who will not be new later.
  { t: 0, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
  { t: 0.1, op: 2, sha: HOST, spa: HOST_IP, tpa: GW, tha: ROUTER },
  { t: 0.2, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: GW },
  { t: 0.3, op: 1, sha: NEWBIE, spa: NEWBIE_IP, tpa: GW },
  // rogue_device: a MAC first seen after learning.
  { t: 4.0, op: 1, sha: ROGUE, spa: "10.231.201.99", tpa: GW },
  // arp_spoof: Mallory answers for its own address and the gateway's, back and forth.
  ...[0, 1, 2, 3, 4, 5].map((i): Arp => ({
    t: 4.5 + i * 0.25,
    op: 2,
    sha: MALLORY,
    spa: i % 2 ? MALLORY_IP : GW,
    tpa: HOST_IP,
    tha: HOST,
  })),
  // duplicate_ip: the host is seen, then the newcomer announces the host's address.
  { t: 6.5, op: 2, sha: HOST, spa: HOST_IP, tpa: GW, tha: ROUTER },
  { t: 6.8, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: HOST_IP },
  // mac_spoof: a reply for the router sent from another MAC.
  { t: 7.5, op: 2, sha: ROUTER, spa: GW, tpa: HOST_IP, tha: HOST, eth: LIAR },
];

const ipsOf = (e: SecurityEvent) => (e.evidence.ips as { ip: string }[]).map((x) => x.ip);

/** What must be equal between the two paths: everything but the id, the time and where it was seen. */
function comparable(e: SecurityEvent): Record<string, unknown> {
  const { id: _id, ts: _ts, source: _source, ...rest } = e as SecurityEvent & { id?: number };
  const evidence = { ...e.evidence };
  // Times inside the evidence are on each path's own clock (capture time vs. arrival time).
  for (const k of Object.keys(evidence)) if (/(^|_)(ts|first|last|since|at)$/.test(k)) delete evidence[k];
  return JSON.parse(JSON.stringify({ ...rest, evidence }, (_k, v) => dropTimes(v)));
}

/** Removes ISO timestamps anywhere in a value: they differ by construction between the paths. */
function dropTimes(v: unknown): unknown {
  return typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) ? "<time>" : v;
}

async function replayEvents(
  path: string,
): Promise<{ events: SecurityEvent[]; totals: Record<string, unknown> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "replay", path],
    env: {
      FLINTNET_ENV_FILE: "/dev/null",
      FLINTNET_LEARNING_PERIOD: LEARNING,
      FLINTNET_ARP_WINDOW: WINDOW,
      FLINTNET_ARP_ALLOW_MACS: ALLOWED,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  return { events: doc.events.filter((e: SecurityEvent) => e.kind === "security"), totals: doc.totals };
}

async function missingPeers(): Promise<string | null> {
  const ns = await netnsUnavailable();
  if (ns) return ns;
  const r = await run(["tcpreplay", "--version"], false).catch(() => null);
  return r ? null : "tcpreplay is missing (apt-get install tcpreplay)";
}
const missing = await missingPeers();

Deno.test({
  name: "replay and live capture give the same ARP security events for the same frames",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`cannot run: ${missing}`);
    const dir = await Deno.makeTempDir({ prefix: "flintnet-parity-" });
    const path = `${dir}/arp-scenes.pcap`;
    const frames = [...SCENES, ...SPOOF_SCENES].sort((a, b) => a.t - b.t);
    await Deno.writeFile(path, writePcap(frames.map((p) => frame(Date.UTC(2025, 0, 6, 9), p))));

    const replayed = await replayEvents(path);
    assert.deepEqual(replayed.events.map((e) => `${e.type} ${e.severity} ${e.mac} ${e.ip}`), EXPECTED);
    const [poisoner, asker, , grown, escalated] = replayed.events.slice(5);
    assert.deepEqual(poisoner.evidence.asked_for, { ip: GW2, from: `${NET}.66` });
    assert.deepEqual(poisoner.evidence.gateway, { ip: GW2, learned_from: [`traffic ${R2}`] });
    assert.deepEqual(asker.evidence.asked_for, { ip: `${NET}.11`, from: `${NET}.70` });
    assert.deepEqual(ipsOf(grown), [`${NET}.91`, `${NET}.92`]);
    assert.deepEqual(ipsOf(escalated), [`${NET}.91`, `${NET}.92`, `${NET}.93`, GW2]);
    assert.equal(escalated.evidence.escalated, true);
    const arpTotals = replayed.totals.arp as Record<string, unknown>;
    for (
      const counter of [
        "renumbered_dhcp",
        "virtual_mac_suppressed",
        "allowlist_suppressed",
        "incident_updates",
      ]
    ) {
      assert.ok((arpTotals[counter] as number) >= 1, `${counter} counted: ${JSON.stringify(arpTotals)}`);
    }
    assert.ok(
      (arpTotals.renumbered_silent as number) >= 1 && (arpTotals.secondaries_suppressed as number) >= 1,
    );
    assert.equal(arpTotals.dhcp_seen, 1);
    assert.deepEqual(arpTotals.gateways, [{ ip: GW2, learned_from: [`traffic ${R2}`] }]);
    const types = replayed.events.map((e) => e.type);
    for (const t of ["rogue_device", "arp_spoof", "duplicate_ip", "mac_spoof"]) {
      assert.ok(types.includes(t as SecurityEvent["type"]), `replay reports ${t}: got ${types.join(", ")}`);
    }
    assert.equal(
      replayed.totals.events && (replayed.totals.events as Record<string, number>).security,
      types.length,
    );
    for (const t of new Set(types)) {
      assert.equal(
        (replayed.totals.events as Record<string, number>)[`security.${t}`],
        types.filter((x) => x === t).length,
        `totals count ${t}`,
      );
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["arp-scenes.pcap"],
      "replay wrote no state",
    );

    const pair = await createVethPair({
      ns: "fnas-parity",
      hostIf: "fnas-par-h",
      nsIf: "fnas-par-n",
      hostAddr: "10.231.200.1/24",
      nsAddr: "10.231.200.2/24",
    });
    const port = freePort();
    const stateDir = `${dir}/state`;
    await Deno.mkdir(stateDir);
    const daemon = await startDaemon({
      FLINTNET_INTERFACE: pair.hostIf,
      // Not the veth's network: the daemon's own discovery must not ARP on the link under test.
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_LISTEN: `127.0.0.1:${port}`,
      FLINTNET_STATE_DIR: stateDir,
      FLINTNET_API_TOKEN: TOKEN,
      FLINTNET_TRAP_LISTEN: "off",
      // ARP, and the UDP that carries the evidence (traffic through the router, DHCP).
      FLINTNET_BPF: "arp or udp",
      FLINTNET_LEARNING_PERIOD: LEARNING,
      FLINTNET_ARP_WINDOW: WINDOW,
      FLINTNET_ARP_ALLOW_MACS: ALLOWED,
    });
    try {
      const stream = await openSse(`http://127.0.0.1:${port}/stream?types=security`, {
        authorization: `Bearer ${TOKEN}`,
      });
      // tcpreplay keeps the capture's pacing, so the learning period passes in real time as it did in capture time.
      await pair.exec(["tcpreplay", "-q", "-i", pair.nsIf, path]);
      const want = replayed.events.length;
      const until = Date.now() + 30_000;
      while (stream.events.length < want && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // anything extra would show now
      await stream.close();
      const live = stream.events.map((e) => JSON.parse(e.data) as SecurityEvent);
      assert.deepEqual(live.map(comparable), replayed.events.map(comparable));
      assert.ok(live.every((e) => e.source === "capture"));
    } catch (err) {
      console.error(daemon.lines.join("\n"));
      throw err;
    } finally {
      await daemon.kill();
      await pair.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
