import assert from "node:assert/strict";
import { ArpHistory } from "../devices/arp_history.ts";
import type { SecurityEvent } from "../events/mod.ts";
import { arpWatcher, brief, type IpFrom, type WatchedRow } from "../../tests/helpers/arp_watcher.ts";
import type { ArpSecurityOptions } from "./arp_security.ts";

const T0 = Date.UTC(2024, 4, 2, 8, 0, 0);
const S = 1000;
/** Learning lasts 600 s from the first packet; scenarios act after AFTER. */
const AFTER = T0 + 1000 * S;

const ROUTER = "00:00:0c:12:34:01", HOST = "00:11:22:33:44:02", MALLORY = "00:11:22:33:44:66";
const VICTIM = "00:11:22:33:44:03", VRRP = "00:00:5e:00:01:07";
const GW = "192.168.7.1", HOST_IP = "192.168.7.10", MALLORY_IP = "192.168.7.66", VICTIM_IP = "192.168.7.11";

type Row = WatchedRow;
type Ip = IpFrom;

function setup(opts: Partial<ArpSecurityOptions> = {}) {
  return arpWatcher({ vendor: (m) => m.startsWith("00:00:0c") ? "Cisco Systems, Inc" : null, ...opts });
}

/** The LAN during learning: the router, a host, a victim and Mallory (an insider) each use their address. */
function learnNetwork(feed: (...r: Row[]) => void): void {
  feed(
    { t: T0, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: T0 + S, op: 2, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: T0 + 2 * S, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: GW },
    { t: T0 + 3 * S, op: 1, sha: VICTIM, spa: VICTIM_IP, tpa: GW },
  );
}

/** The poisoner's pattern: one unsolicited reply claiming `claimed`, then a request from its own address for it. */
function claimThenAsk(claimed: string, at = AFTER): Row[] {
  return [
    { t: at, op: 2, sha: MALLORY, spa: claimed, tpa: HOST_IP, tha: HOST },
    { t: at + 3 * S, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: claimed },
  ];
}

/** Packets from the Internet arriving through `eth`: many sources, one MAC. */
function internetThrough(eth: string, at: number, n = 12): Ip[] {
  return Array.from({ length: n }, (_, i) => ({ t: at + i, eth, src: `198.51.100.${i + 1}`, dst: HOST_IP }));
}

const ips = (e: SecurityEvent) => (e.evidence.ips as { ip: string }[]).map((x) => x.ip);

Deno.test("arp_spoof: a MAC claiming the appliance's default gateway once, then asking for it from its own address, is one critical event", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(...claimThenAsk(GW));
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  const e = events[0];
  assert.deepEqual(ips(e), [MALLORY_IP, GW], "oldest claim first");
  assert.deepEqual(e.evidence.asked_for, { ip: GW, from: MALLORY_IP });
  assert.deepEqual(e.evidence.gateway, { ip: GW, learned_from: ["route"] });
  assert.equal(e.evidence.packet, "request");
  assert.match(e.explanation, /^00:11:22:33:44:66 \(vendor unknown\) claimed 2 IPv4 addresses within 60 s: /);
  assert.match(e.explanation, /: 192\.168\.7\.66, 192\.168\.7\.1 \(a gateway\)\./);
  assert.match(e.explanation, /asked, from 192\.168\.7\.66, who has 192\.168\.7\.1/);
  assert.match(e.explanation, /192\.168\.7\.1 is a gateway \(this appliance's own default gateway\)/);
  assert.match(e.explanation, /Find 00:11:22:33:44:66 now/);
  assert.deepEqual(det.counters().gateways, [{ ip: GW, learned_from: ["route"] }]);
});

Deno.test("arp_spoof: claiming another host's address and then asking who has it is critical without any gateway", () => {
  const { events, feed } = setup();
  learnNetwork(feed);
  feed(...claimThenAsk(VICTIM_IP));
  // The first reply was also a claim of an address the victim holds: the conflict rule's mac_spoof is
  // not raised, since the victim was last seen long before the window.
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${VICTIM_IP}`]);
  assert.deepEqual(events[0].evidence.gateway, null);
  assert.deepEqual(events[0].evidence.asked_for, { ip: VICTIM_IP, from: MALLORY_IP });
});

Deno.test("arp_spoof: claiming the live gateway's address while using its own is one arp_spoof naming both MACs, no separate mac_spoof", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + S, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 3 * S, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + 4 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  const gw = (events[0].evidence.ips as { ip: string; also_claimed_by: { mac: string }[] }[])
    .find((x) => x.ip === GW)!;
  assert.deepEqual(gw.also_claimed_by.map((p) => p.mac), [ROUTER]);
  assert.match(events[0].explanation, /192\.168\.7\.1 \(a gateway, also claimed by 00:00:0c:12:34:01\)/);
  assert.equal(det.counters().mac_spoof, 0);
});

Deno.test("arp_spoof: the next hop of a polled device's default route is a gateway", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  det.notePolledGateway("192.168.7.250", GW);
  feed(
    { t: AFTER, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.deepEqual(events[0].evidence.gateway, { ip: GW, learned_from: ["poll 192.168.7.250"] });
  assert.match(
    events[0].explanation,
    /default gateway in the routing table of 192\.168\.7\.250 \(polled over SNMP\)/,
  );
  // A poll that finds no default route any more takes the gateway back.
  det.notePolledGateway("192.168.7.250", null);
  assert.deepEqual(det.counters().gateways, []);
});

Deno.test("arp_spoof: the address of the MAC that traffic from outside arrives through is a gateway", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  feed(...internetThrough(ROUTER, AFTER - 10 * S));
  feed(
    { t: AFTER, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.deepEqual(events[0].evidence.gateway, { ip: GW, learned_from: [`traffic ${ROUTER}`] });
  assert.match(events[0].explanation, /the MAC through which traffic from outside the network arrives/);
  assert.deepEqual(det.counters().gateways, [{ ip: GW, learned_from: [`traffic ${ROUTER}`] }]);
});

Deno.test("arp_spoof: a host sending from its two addresses in turn is not taken for a router", () => {
  const { events, feed } = setup();
  learnNetwork(feed);
  const alternating: Ip[] = Array.from({ length: 40 }, (_, i) => ({
    t: AFTER - 10 * S + i,
    eth: HOST,
    src: i % 2 ? HOST_IP : "192.168.7.12",
    dst: "198.51.100.1",
  }));
  feed(...alternating);
  feed(
    { t: AFTER, op: 2, sha: MALLORY, spa: HOST_IP, tpa: GW },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: GW },
  );
  // Filed under the address it claimed last: the host's.
  assert.deepEqual(brief(events), [`arp_spoof warning ${MALLORY} ${HOST_IP}`]);
});

Deno.test("arp_spoof: a DHCP exchange just before the new address makes a renumbering, which stays quiet", () => {
  const { det, events, history, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    // DHCPREQUEST: 0.0.0.0:68 → 255.255.255.255:67 from the host's MAC.
    {
      t: AFTER + 5 * S,
      eth: HOST,
      src: "0.0.0.0",
      dst: "255.255.255.255",
      proto: 17,
      srcPort: 68,
      dstPort: 67,
    },
    { t: AFTER + 6 * S, op: 1, sha: HOST, spa: "192.168.7.20", tpa: GW },
    { t: AFTER + 9 * S, op: 1, sha: HOST, spa: "192.168.7.20", tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  const c = det.counters();
  assert.equal(c.renumbered_dhcp, 1);
  assert.equal(c.dhcp_seen, 1);
  assert.deepEqual(history.toJson(HOST)!.ip_changes.map((x) => x.ip), [HOST_IP, "192.168.7.20"]);
});

Deno.test("arp_spoof: DHCP does not excuse claiming a gateway's address", () => {
  const { events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, eth: MALLORY, src: "0.0.0.0", dst: "255.255.255.255", proto: 17, srcPort: 68, dstPort: 67 },
    { t: AFTER + S, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.equal(events[0].evidence.dhcp_seen_at, new Date(AFTER).toISOString());
  assert.match(events[0].explanation, /DHCP hands out no address that is a gateway/);
});

Deno.test("arp_spoof: a new address after the old one fell silent for longer than the window is a renumbering", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: AFTER + 61 * S, op: 1, sha: HOST, spa: "192.168.7.20", tpa: GW },
    { t: AFTER + 70 * S, op: 1, sha: HOST, spa: "192.168.7.20", tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  assert.equal(det.counters().renumbered_silent, 1);
});

Deno.test("arp_spoof: two addresses within the window with no evidence of renumbering is a warning", () => {
  const { events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: AFTER + 5 * S, op: 1, sha: HOST, spa: "192.168.7.20", tpa: GW },
  );
  assert.deepEqual(brief(events), [`arp_spoof warning ${HOST} 192.168.7.20`]);
  assert.deepEqual(ips(events[0]), [HOST_IP, "192.168.7.20"]);
  assert.match(events[0].explanation, /add it to FLINTNET_ARP_ALLOW_MACS/);
});

Deno.test("arp_spoof: one incident is one event; later addresses update it, and turning critical is said once more", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 2, sha: MALLORY, spa: HOST_IP, tpa: VICTIM_IP, tha: VICTIM },
    { t: AFTER + S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: VICTIM_IP, tha: VICTIM },
    { t: AFTER + 2 * S, op: 2, sha: MALLORY, spa: VICTIM_IP, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 3 * S, op: 2, sha: MALLORY, spa: HOST_IP, tpa: VICTIM_IP, tha: VICTIM },
  );
  assert.deepEqual(brief(events), [`arp_spoof warning ${MALLORY} ${HOST_IP}`]);
  assert.deepEqual(ips(events[0]), [MALLORY_IP, HOST_IP]);
  assert.equal(det.counters().incident_updates, 1, "the third address joined the incident");
  feed({ t: AFTER + 4 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST });
  assert.deepEqual(brief(events).slice(1), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.equal(events[1].evidence.escalated, true);
  assert.deepEqual(ips(events[1]), [MALLORY_IP, HOST_IP, VICTIM_IP, GW]);
  assert.match(events[1].explanation, /reported as a warning before; it is critical now/);
  feed(
    { t: AFTER + 5 * S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 6 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.equal(events.length, 2, "nothing more while the incident stands");
  assert.equal(det.counters().escalations, 1);
  // An hour without the MAC claiming several addresses ends the incident; the next one is news.
  feed(
    { t: AFTER + 4000 * S, op: 2, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 4001 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events).slice(2), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.equal(events[2].evidence.escalated, false);
});

Deno.test("arp_spoof: a router answering for its own gateway address and a new one is a warning, not critical", () => {
  const { events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + S, op: 1, sha: ROUTER, spa: "192.168.7.254", tpa: HOST_IP },
  );
  assert.deepEqual(brief(events), [`arp_spoof warning ${ROUTER} 192.168.7.254`]);
  assert.equal(events[0].vendor, "Cisco Systems, Inc");
  assert.match(events[0].explanation, /^00:00:0c:12:34:01 \(Cisco Systems, Inc\) claimed 2 IPv4 addresses/);
});

Deno.test("arp_spoof: the routing MAC answering for another host's address in Flintnet's first hour claims no gateway of its own", () => {
  // Seen on a lab LAN: traffic from outside arrives through ROUTER, whose address GW is therefore a gateway;
  // within the hour that makes GW ROUTER's own, ROUTER also claims the victim's address.
  const { events, feed } = setup({ learningPeriodS: 24 * 3600 });
  learnNetwork(feed);
  feed(...internetThrough(ROUTER, T0 + 5 * S));
  feed({ t: T0 + 20 * S, op: 2, sha: ROUTER, spa: VICTIM_IP, tpa: HOST_IP, tha: HOST });
  // Reported (another MAC holds that address), as a warning: GW is ROUTER's own, not a gateway it took.
  assert.deepEqual(brief(events), [`arp_spoof warning ${ROUTER} ${VICTIM_IP}`]);
  assert.equal(events[0].evidence.gateway, null);
  assert.deepEqual(
    (events[0].evidence.ips as { ip: string; gateway: boolean }[]).map((x) => [x.ip, x.gateway]),
    [
      [GW, false],
      [VICTIM_IP, false],
    ],
  );
  assert.doesNotMatch(events[0].explanation, /is a gateway/);
  // Another MAC claiming GW in that hour is still the critical claim of a gateway.
  feed({ t: T0 + 30 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST });
  assert.deepEqual(brief(events).slice(1), [`arp_spoof critical ${MALLORY} ${GW}`]);
});

Deno.test("arp_spoof: the routing MAC answering for a thousand addresses of its own during learning is learned quietly, each claim judged on its new address alone", () => {
  // The benchmark capture's router: its own claims once taught a gateway each, so that every claim walked
  // all of its addresses again (0.2 s of a replay).
  const { det, events, feed } = setup({ learningPeriodS: 24 * 3600 });
  learnNetwork(feed);
  feed(...internetThrough(ROUTER, T0 + 5 * S));
  const claims: Row[] = Array.from({ length: 1000 }, (_, i) => ({
    t: T0 + 20 * S + i,
    op: 1,
    sha: ROUTER,
    spa: `10.${(i >> 8) & 255}.${i & 255}.1`,
    tpa: HOST_IP,
  }));
  feed(...claims);
  assert.deepEqual(brief(events), []);
  const c = det.counters();
  assert.deepEqual([c.gateways, c.secondaries_suppressed], [[], 1000]);
});

Deno.test("arp_spoof: a VRRP virtual MAC answering for two addresses is not spoofing", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 2, sha: VRRP, spa: GW, tpa: HOST_IP },
    { t: AFTER + S, op: 2, sha: VRRP, spa: "192.168.7.2", tpa: HOST_IP },
  );
  assert.deepEqual(brief(events).filter((e) => !e.startsWith("rogue_device")), []);
  assert.ok(det.counters().virtual_mac_suppressed > 0);
});

Deno.test("arp_spoof: an allow-listed MAC claiming the gateway and asking for it is not reported", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW], allowMacs: [MALLORY] });
  learnNetwork(feed);
  feed(...claimThenAsk(GW));
  assert.deepEqual(brief(events), []);
  assert.ok(det.counters().allowlist_suppressed > 0);
});

Deno.test("arp_spoof: during learning a MAC with several addresses is learned quietly, a critical claim is not", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: T0 + 10 * S, op: 1, sha: HOST, spa: "192.168.7.12", tpa: GW },
    { t: T0 + 11 * S, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  assert.equal(det.learning, true);
  // After learning, the two are established secondaries.
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: "192.168.7.12", tpa: GW },
    { t: AFTER + S, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  assert.ok(det.counters().secondaries_suppressed >= 2);
  // A gateway claim during learning is reported at once.
  const other = setup({ routeGateways: () => [GW] });
  learnNetwork(other.feed);
  other.feed(...claimThenAsk(GW, T0 + 20 * S));
  assert.deepEqual(brief(other.events), [`arp_spoof critical ${MALLORY} ${GW}`]);
});

Deno.test("arp_spoof: an incident reported before a restart is not reported again from the saved state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-spoof-" });
  try {
    const path = `${dir}/arp-state.json`;
    const first = setup({ history: new ArpHistory({ path }), routeGateways: () => [GW] });
    learnNetwork(first.feed);
    first.feed(...claimThenAsk(GW));
    assert.equal(first.events.length, 1);
    await first.history.save();
    const second = setup({ history: await ArpHistory.load(path), routeGateways: () => [GW] });
    second.feed(...claimThenAsk(GW, AFTER + 30 * S));
    assert.deepEqual(brief(second.events), []);
    assert.ok(second.det.counters().repeats_suppressed > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("arp_spoof: a MAC learned quietly with many addresses is reported once another MAC claims an old one of them, or one becomes a gateway", () => {
  // The walk over a MAC's addresses is skipped while nothing it read changed (arp_spoof_rule.ts #stillQuiet):
  // a change to an address other than the one claimed now must still be seen at the next claim.
  const FLOOD = "02:00:00:00:00:09";
  const flood = (from: number, n: number, first = 100): Row[] =>
    Array.from({ length: n }, (_, i) => ({
      t: from + i * 10,
      op: 1,
      sha: FLOOD,
      spa: `192.168.7.${first + i}`,
      tpa: GW,
    }));
  const contested = setup();
  learnNetwork(contested.feed);
  contested.feed(...flood(T0 + 70 * S, 20));
  assert.deepEqual(brief(contested.events), [], "during learning, its own addresses are learned quietly");
  const quiet = contested.det.counters().secondaries_suppressed;
  assert.ok(quiet >= 18, `suppressed ${quiet}`);
  // The victim, its own address silent for longer than the window, claims the flooder's third address
  // (renumbered, for the victim: one address within the window); the flooder's next claim is of a new one.
  contested.feed({ t: T0 + 71 * S, op: 2, sha: VICTIM, spa: "192.168.7.102", tpa: GW });
  contested.feed(...flood(T0 + 71 * S + 100, 1, 150));
  assert.deepEqual(
    brief(contested.events.filter((e) => e.mac === FLOOD)),
    [`arp_spoof warning ${FLOOD} 192.168.7.150`],
  );
  const reported = contested.events.find((e) => e.mac === FLOOD)!;
  assert.ok(ips(reported).includes("192.168.7.102"), "the contested address in the evidence");

  // The appliance's default route turns out to go through the flooder's first address.
  let routes: string[] = [];
  const gateway = setup({ routeGateways: () => routes });
  learnNetwork(gateway.feed);
  gateway.feed(...flood(T0 + 10 * S, 20));
  assert.deepEqual(brief(gateway.events), []);
  routes = ["192.168.7.100"];
  // The routes are read again after a batch once a window of capture time has passed since the last read
  // (after the first batch, at T0 + 3 s); the flood's addresses are still within the window at T0 + 65 s.
  gateway.feed({ t: T0 + 64 * S, op: 1, sha: HOST, spa: HOST_IP, tpa: GW });
  gateway.feed(...flood(T0 + 65 * S, 1, 160));
  assert.deepEqual(brief(gateway.events), [`arp_spoof critical ${FLOOD} 192.168.7.100`]);
});
