import assert from "node:assert/strict";
import { ArpHistory } from "../devices/arp_history.ts";
import type { ArpRow } from "../../tests/helpers/arp_rows.ts";
import { arpWatcher, brief } from "../../tests/helpers/arp_watcher.ts";
import type { ArpSecurityDetector, ArpSecurityOptions } from "./arp_security.ts";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const S = 1000;
/** Learning lasts 600 s from the first packet; scenarios act after AFTER. */
const AFTER = T0 + 1000 * S;

const ROUTER = "00:11:22:33:44:01", HOST = "00:11:22:33:44:02", MALLORY = "00:11:22:33:44:66";
const NEWBIE = "00:11:22:33:44:77", VRRP = "00:00:5e:00:01:0a";
const GW = "192.168.1.1", HOST_IP = "192.168.1.10", MALLORY_IP = "192.168.1.66";

type Arp = ArpRow;

function setup(opts: Partial<ArpSecurityOptions> = {}) {
  const w = arpWatcher(opts);
  // A non-ARP row first, which the detector must skip.
  const feed = (...pkts: Arp[]) =>
    w.feed({ t: pkts[0]?.t ?? T0, eth: ROUTER, src: GW, dst: HOST_IP }, ...pkts);
  return { ...w, feed };
}

/** The network during learning: the router, a host and Mallory (an insider) each use their address. */
function learnNetwork(feed: (...p: Arp[]) => void): void {
  feed(
    { t: T0, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: T0 + S, op: 2, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: T0 + 2 * S, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: GW },
  );
}

/** Six replies 5 s apart from Mallory to the host, claiming the gateway's address and its own in turn. */
function malloryAlternatesWithGateway(feed: (...p: Arp[]) => void): void {
  for (let i = 0; i < 6; i++) {
    feed({
      t: AFTER + i * 5 * S,
      op: 2,
      sha: MALLORY,
      spa: i % 2 ? MALLORY_IP : GW,
      tpa: HOST_IP,
      tha: HOST,
    });
  }
}

Deno.test("ArpSecurityDetector learns quietly during the learning period and reports a new MAC after it", () => {
  const { det, events, feed } = setup({ vendor: (m) => m.startsWith("00:11:22") ? "Example Corp" : null });
  assert.equal(det.learning, true);
  learnNetwork(feed);
  assert.deepEqual(brief(events), []);
  assert.equal(det.learning, true);
  feed({ t: AFTER, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  assert.equal(det.learning, false);
  assert.deepEqual(brief(events), [`rogue_device info ${NEWBIE} 192.168.1.77`]);
  assert.equal(events[0].vendor, "Example Corp");
  assert.equal(events[0].source, "capture");
  assert.equal(events[0].ts, new Date(AFTER).toISOString());
  assert.equal(events[0].evidence.packet, "request");
  assert.match(
    events[0].explanation,
    /never seen before.*00:11:22:33:44:77 \(Example Corp\), using 192\.168\.1\.77/,
  );
  const c = det.counters();
  assert.equal(c.learned, 3);
  assert.equal(c.new_macs, 4);
  assert.equal(c.rogue_device, 1);
});

Deno.test("ArpSecurityDetector publishes at most 60 events of a type a minute, and the next one says how many it held back", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  const flood: Arp[] = [];
  for (let i = 0; i < 200; i++) {
    const m = `02:ee:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }`;
    flood.push({ t: AFTER + i * 100, op: 1, sha: m, spa: "0.0.0.0", tpa: `10.9.${i >> 8}.${i & 255}` });
  }
  feed(...flood);
  assert.equal(events.length, 60);
  assert.ok(events.every((e) => e.type === "rogue_device" && e.evidence.unreported_before === 0));
  assert.equal(det.counters().rate_limited, 140);
  // Each type has its own allowance: a spoof in the same minute still goes out.
  feed({ t: AFTER + 30 * S, op: 2, sha: ROUTER, spa: GW, tpa: HOST_IP, tha: HOST, eth: MALLORY });
  assert.deepEqual(brief(events.slice(60)), [`mac_spoof warning ${MALLORY} ${GW}`]);
  events.pop();
  feed({ t: AFTER + 60 * S, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  assert.deepEqual(brief(events.slice(60)), [`rogue_device info ${NEWBIE} 192.168.1.77`]);
  assert.equal(events[60].evidence.unreported_before, 140);
  assert.match(events[60].explanation, /140 more rogue_device alerts were left unreported/);
  assert.equal(det.counters().rogue_device, 61);
});

Deno.test("ArpSecurityDetector.learningPeriodS changes the learning period at runtime, counted from the same start", () => {
  const { det, events, feed } = setup({ learningPeriodS: 600 });
  learnNetwork(feed);
  det.learningPeriodS = 2000; // learning started at T0: it now ends at T0 + 2000 s, after AFTER
  assert.equal(det.learningPeriodS, 2000);
  feed({ t: AFTER, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  assert.equal(det.learning, true);
  assert.deepEqual(brief(events), [], "learned quietly under the longer period");
  det.learningPeriodS = 0;
  assert.equal(det.learning, false);
  feed({ t: AFTER + S, op: 1, sha: "00:11:22:33:44:88", spa: "192.168.1.88", tpa: GW });
  assert.deepEqual(brief(events), ["rogue_device info 00:11:22:33:44:88 192.168.1.88"]);
  assert.equal(events[0].evidence.learning_ended_at, new Date(T0).toISOString());
  for (const bad of [-1, Number.NaN, Infinity]) {
    assert.throws(() => det.learningPeriodS = bad, RangeError, String(bad));
  }
  assert.equal(det.learningPeriodS, 0, "a refused value changes nothing");
});

Deno.test("ArpSecurityDetector marks a randomised MAC locally administered, with no vendor", () => {
  const { events, feed } = setup({ vendor: () => "should not be asked" });
  learnNetwork(feed);
  feed({ t: AFTER, op: 1, sha: "da:a1:19:12:34:56", spa: "0.0.0.0", tpa: "192.168.1.80" });
  assert.deepEqual(brief(events), ["rogue_device info da:a1:19:12:34:56 192.168.1.80"]);
  assert.equal(events[0].vendor, null);
  assert.equal(events[0].evidence.locally_administered, true);
  assert.equal(events[0].evidence.packet, "probe");
  assert.match(events[0].explanation, /locally administered/);
});

Deno.test("ArpSecurityDetector stays quiet for re-claims of known bindings", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  for (let i = 0; i < 50; i++) {
    feed(
      { t: AFTER + i * S, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
      { t: AFTER + i * S, op: 2, sha: HOST, spa: HOST_IP, tpa: GW, tha: ROUTER },
    );
  }
  assert.deepEqual(brief(events), []);
  assert.equal(det.counters().arp_packets, 103);
});

Deno.test("ArpSecurityDetector reports a reply claiming the gateway's address while the gateway is live as a critical mac_spoof, once", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + 10 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
    { t: AFTER + 20 * S, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + 30 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`mac_spoof critical ${MALLORY} ${GW}`]);
  const claimed = (events[0].evidence.claimed_by as { mac: string }[]).map((c) => c.mac).sort();
  assert.deepEqual(claimed, [MALLORY, ROUTER].sort());
  assert.equal(events[0].evidence.packet, "reply");
  assert.deepEqual(events[0].evidence.gateway, { ip: GW, learned_from: ["route"] });
  // Say what was seen (who claimed it first), not a guess at how long (the old "for a long time").
  assert.match(
    events[0].explanation,
    /00:11:22:33:44:01 claimed 192\.168\.1\.1 before 00:11:22:33:44:66 did\./,
  );
  assert.match(events[0].explanation, /192\.168\.1\.1 is a gateway \(this appliance's own default gateway\)/);
  assert.doesNotMatch(events[0].explanation, /long time|probably/);
  assert.ok(det.counters().repeats_suppressed >= 1);
});

Deno.test("ArpSecurityDetector reports a reply claiming an address nothing calls a gateway as a warning mac_spoof", () => {
  const { events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + 10 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
  );
  assert.deepEqual(brief(events), [`mac_spoof warning ${MALLORY} ${GW}`]);
  assert.equal(events[0].evidence.gateway, null);
  assert.doesNotMatch(events[0].explanation, /gateway/);
});

Deno.test("ArpSecurityDetector reports one MAC alternating between its own and the gateway's address as a critical arp_spoof", () => {
  const { det, events, feed } = setup({ routeGateways: () => [GW] });
  learnNetwork(feed);
  malloryAlternatesWithGateway(feed);
  assert.deepEqual(brief(events), [`arp_spoof critical ${MALLORY} ${GW}`]);
  assert.deepEqual(
    (events[0].evidence.ips as { ip: string }[]).map((x) => x.ip).sort(),
    [GW, MALLORY_IP].sort(),
  );
  assert.deepEqual(events[0].evidence.gateway, { ip: GW, learned_from: ["route"] });
  assert.equal(
    det.counters().lease_changes,
    1,
    "the router was silent: its address moving is a lease change",
  );
});

Deno.test("ArpSecurityDetector does not call a change of a MAC's address spoofing once the old one fell silent", () => {
  const { history, events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: AFTER + 65 * S, op: 1, sha: HOST, spa: "192.168.1.11", tpa: GW },
    { t: AFTER + 70 * S, op: 1, sha: HOST, spa: "192.168.1.11", tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  assert.deepEqual(history.toJson(HOST)!.ip_changes.map((c) => c.ip), [HOST_IP, "192.168.1.11"]);
});

Deno.test("ArpSecurityDetector does not report a host alternating between addresses it held stably (learned secondaries)", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  feed({ t: T0 + 3 * S, op: 1, sha: HOST, spa: "192.168.1.11", tpa: GW });
  for (let i = 0; i < 6; i++) {
    feed({ t: AFTER + i * S, op: 1, sha: HOST, spa: i % 2 ? "192.168.1.11" : HOST_IP, tpa: GW });
  }
  assert.deepEqual(brief(events), []);
  assert.ok(det.counters().secondaries_suppressed > 0);
});

Deno.test("ArpSecurityDetector records an address moving after the old MAC fell silent as a lease change, not an alert", () => {
  const { det, history, events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: AFTER + 120 * S, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: GW },
    { t: AFTER + 125 * S, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: GW },
  );
  assert.deepEqual(brief(events), [`rogue_device info ${NEWBIE} ${HOST_IP}`]);
  assert.equal(det.counters().lease_changes, 1);
  assert.equal(history.toJson(NEWBIE)!.ip_changes[0].previous_mac, HOST);
});

Deno.test("ArpSecurityDetector reports the old MAC coming back to a moved address (A→B→A) as duplicate_ip", () => {
  const { events, feed } = setup({ learningPeriodS: 1000 });
  feed(
    { t: T0, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: T0 + 200 * S, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: GW },
    { t: T0 + 210 * S, op: 1, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: T0 + 220 * S, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: GW },
  );
  assert.deepEqual(brief(events), [`duplicate_ip warning ${NEWBIE} ${HOST_IP}`]);
  assert.equal(events[0].evidence.flip_flop, true);
  assert.match(events[0].explanation, /flip-flopped between 00:11:22:33:44:02 and 00:11:22:33:44:77/);
});

Deno.test("ArpSecurityDetector reports a gratuitous ARP for an address in use as duplicate_ip", () => {
  const { events, feed } = setup();
  learnNetwork(feed);
  feed(
    { t: AFTER, op: 2, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: AFTER + 5 * S, op: 1, sha: MALLORY, spa: HOST_IP, tpa: HOST_IP },
  );
  assert.deepEqual(brief(events), [`duplicate_ip warning ${MALLORY} ${HOST_IP}`]);
  assert.equal(events[0].evidence.packet, "gratuitous");
});

Deno.test("ArpSecurityDetector ignores a probe for an address in use unless the prober then announces it", () => {
  const { events, feed } = setup({ learningPeriodS: 1000 });
  feed(
    { t: T0, op: 2, sha: HOST, spa: HOST_IP, tpa: GW },
    { t: T0 + 10 * S, op: 1, sha: NEWBIE, spa: "0.0.0.0", tpa: HOST_IP },
    { t: T0 + 20 * S, op: 1, sha: "00:11:22:33:44:78", spa: "0.0.0.0", tpa: HOST_IP },
  );
  assert.deepEqual(brief(events), [], "probes alone");
  // The owner fell silent, but the prober was told the address was taken and announces it anyway.
  feed({ t: T0 + 65 * S, op: 1, sha: NEWBIE, spa: HOST_IP, tpa: HOST_IP });
  assert.deepEqual(brief(events), [`duplicate_ip warning ${NEWBIE} ${HOST_IP}`]);
  assert.deepEqual((events[0].evidence.probe as { owners: string[] }).owners, [HOST]);
});

Deno.test("ArpSecurityDetector reports a reply whose Ethernet source is not its ARP sender as mac_spoof of the frame's sender", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  feed({ t: AFTER, op: 2, sha: ROUTER, spa: GW, tpa: HOST_IP, tha: HOST, eth: MALLORY });
  assert.deepEqual(brief(events), [`mac_spoof warning ${MALLORY} ${GW}`]);
  assert.equal(events[0].evidence.eth_src_mismatch, true);
  assert.equal(events[0].evidence.eth_src, MALLORY);
  assert.equal(events[0].evidence.arp_sender_mac, ROUTER);
  assert.equal(det.counters().eth_src_mismatch, 1);
});

Deno.test("ArpSecurityDetector does not report a VRRP virtual MAC sharing the gateway address with the router", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  feed({ t: T0 + 3 * S, op: 2, sha: VRRP, spa: GW, tpa: GW });
  for (let i = 0; i < 6; i++) {
    feed({ t: AFTER + i * S, op: 2, sha: i % 2 ? ROUTER : VRRP, spa: GW, tpa: HOST_IP });
  }
  feed({ t: AFTER + 7 * S, op: 2, sha: VRRP, spa: "192.168.1.2", tpa: HOST_IP });
  feed({ t: AFTER + 8 * S, op: 2, sha: VRRP, spa: GW, tpa: HOST_IP });
  assert.deepEqual(brief(events), []);
  assert.ok(det.counters().virtual_mac_suppressed > 0);
});

Deno.test("ArpSecurityDetector never reports an allow-listed MAC", () => {
  const { det, events, feed } = setup({ allowMacs: [MALLORY.toUpperCase(), NEWBIE] });
  learnNetwork(feed);
  feed({ t: AFTER, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  malloryAlternatesWithGateway(feed);
  assert.deepEqual(brief(events), []);
  assert.ok(det.counters().allowlist_suppressed >= 2);
});

Deno.test("ArpSecurityDetector.acknowledge() makes a MAC known, refusing ones never seen", () => {
  const { det, history, feed, events } = setup({ history: new ArpHistory({ maxMacs: 2 }) });
  learnNetwork(feed);
  feed({ t: AFTER, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  assert.equal(events.length, 1);
  assert.equal(det.acknowledge(NEWBIE), true);
  assert.equal(det.acknowledge("00:11:22:33:44:99"), false);
  assert.equal(det.acknowledge("nonsense"), false);
  // Evicted from the history by two other MACs, it comes back: known, so not news.
  feed({ t: AFTER + 200 * S, op: 1, sha: HOST, spa: HOST_IP, tpa: GW });
  feed({ t: AFTER + 300 * S, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP });
  assert.equal(history.toJson(NEWBIE), null);
  feed({ t: AFTER + 400 * S, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW });
  assert.equal(events.length, 1);
});

Deno.test("ArpSecurityDetector.observeArpTable() finds conflicts in polled ARP tables and skips unusable rows", () => {
  const { det, events, feed } = setup();
  learnNetwork(feed);
  const row = (mac: string, ip: string, type: "dynamic" | "invalid" = "dynamic") => ({
    device: "192.168.1.1",
    ifIndex: 2,
    ip,
    mac,
    type,
  });
  det.observeArpTable([row(HOST, HOST_IP), row(ROUTER, GW)], AFTER);
  det.observeArpTable([
    row(MALLORY, HOST_IP),
    row("zz", "1.2.3.4"),
    row(HOST, "300.0.0.1"),
    row(NEWBIE, "192.168.1.7", "invalid"),
  ], AFTER + 30 * S);
  assert.deepEqual(brief(events), [`mac_spoof warning ${MALLORY} ${HOST_IP}`]);
  assert.equal(events[0].source, "snmp");
  assert.equal(events[0].evidence.polled_device, "192.168.1.1");
  assert.equal(events[0].evidence.if_index, 2);
  assert.equal(det.counters().snmp_invalid, 3);
  assert.equal(det.counters().snmp_entries, 3);
});

Deno.test("ArpSecurityDetector ignores ARP with a zero or broadcast sender MAC without throwing", () => {
  const { det, events, feed } = setup();
  feed(
    { t: T0, op: 2, sha: "00:00:00:00:00:00", spa: GW, tpa: GW, eth: ROUTER },
    { t: T0, op: 2, sha: "ff:ff:ff:ff:ff:ff", spa: GW, tpa: GW },
  );
  assert.deepEqual(brief(events), []);
  assert.equal(det.counters().ignored, 2);
  assert.equal(det.counters().errors, 0);
});

Deno.test("ArpSecurityDetector does not re-alert a standing condition after a restart from saved state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-sec-" });
  try {
    const path = `${dir}/arp-state.json`;
    const first = setup({ history: new ArpHistory({ path }) });
    learnNetwork(first.feed);
    const spoof = (t: number) =>
      first.feed(
        { t, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
        { t: t + S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
      );
    spoof(AFTER);
    assert.equal(first.events.length, 1);
    await first.history.save();
    const second = setup({ history: await ArpHistory.load(path) });
    assert.equal(second.det.learning, false, "the learning period is not restarted");
    second.feed(
      { t: AFTER + 30 * S, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
      { t: AFTER + 31 * S, op: 2, sha: MALLORY, spa: GW, tpa: HOST_IP, tha: HOST },
      { t: AFTER + 32 * S, op: 1, sha: NEWBIE, spa: "192.168.1.77", tpa: GW },
    );
    assert.deepEqual(brief(second.events), [`rogue_device info ${NEWBIE} 192.168.1.77`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ArpSecurityDetector refuses a malformed allow-list MAC and a negative window", () => {
  assert.throws(() => setup({ allowMacs: ["00:11:22"] }), /allow-listed MAC "00:11:22" is not valid/);
  assert.throws(() => setup({ conflictWindowS: -1 }), /conflictWindowS must be ≥ 0/);
});

Deno.test("ArpSecurityDetector.gatewayAsksKnownNeighbour: a gateway at its own MAC asking for a host that claimed its address, and nothing else; asking learns nothing", () => {
  const mac = (m: string) => parseInt(m.replaceAll(":", ""), 16);
  const ip = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const NEW_IP = "192.168.1.20";
  // By this appliance's route: the gateway is 192.168.1.1 and the router holds it.
  const byRoute = setup({ routeGateways: () => [GW] });
  learnNetwork(byRoute.feed);
  const asks = (w: { det: ArpSecurityDetector }, sha: string, spa: string, tpa: string) =>
    w.det.gatewayAsksKnownNeighbour(mac(sha), ip(spa), ip(tpa));
  assert.equal(
    asks(byRoute, ROUTER, GW, HOST_IP),
    true,
    "the gateway asks for a host that claimed its address",
  );
  assert.equal(asks(byRoute, ROUTER, GW, NEW_IP), false, "an address nobody claimed");
  assert.equal(asks(byRoute, MALLORY, GW, HOST_IP), false, "another MAC asking from the gateway's address");
  assert.equal(asks(byRoute, MALLORY, MALLORY_IP, HOST_IP), false, "a host that is no gateway");
  assert.equal(asks(byRoute, ROUTER, GW, GW), false, "its own address, claimed by no other MAC");
  // The route's gateway is a second address of the router (a VRRP address it answers with its own MAC): its
  // requests from its own address are a gateway's too.
  const vip = setup({ routeGateways: () => ["192.168.1.254"] });
  learnNetwork(vip.feed);
  assert.equal(asks(vip, ROUTER, GW, HOST_IP), false, "before the router holds the gateway's address");
  vip.feed({ t: T0 + 3 * S, op: 1, sha: ROUTER, spa: "192.168.1.254", tpa: "192.168.1.254" });
  assert.equal(asks(vip, ROUTER, GW, HOST_IP), true, "the MAC holding the gateway's address, from another");
  assert.equal(asks(vip, MALLORY, MALLORY_IP, HOST_IP), false, "a MAC that holds no gateway's address");
  // By traffic: no route, but the router forwards from many sources; nothing learned by asking.
  const byTraffic = arpWatcher();
  learnNetwork(byTraffic.feed);
  assert.equal(asks(byTraffic, ROUTER, GW, HOST_IP), false, "not routing yet");
  for (let i = 0; i < 40; i++) {
    byTraffic.feed({ t: T0 + 10 * S + i, eth: ROUTER, src: `203.0.113.${i}`, dst: HOST_IP });
  }
  const gateways = byTraffic.det.counters().gateways;
  assert.equal(
    asks(byTraffic, ROUTER, GW, HOST_IP),
    true,
    "the MAC that routes, at the address it claimed first",
  );
  assert.equal(asks(byTraffic, ROUTER, GW, NEW_IP), false);
  assert.deepEqual(byTraffic.det.counters().gateways, gateways, "asking learned no gateway");
  // The column the host-sweep count reads: each request judged as it came, before the rows after it in the
  // batch (here the new host's answer, which makes it known only for the next request).
  byRoute.feed(
    { t: AFTER, op: 1, sha: ROUTER, spa: GW, tpa: HOST_IP },
    { t: AFTER + 1, op: 1, sha: ROUTER, spa: GW, tpa: NEW_IP },
    { t: AFTER + 2, op: 2, sha: NEWBIE, spa: NEW_IP, tpa: GW },
    { t: AFTER + 3, op: 1, sha: ROUTER, spa: GW, tpa: NEW_IP },
    { t: AFTER + 4, op: 1, sha: MALLORY, spa: MALLORY_IP, tpa: HOST_IP },
  );
  // row 0 is the IP row setup() puts first
  assert.deepEqual([...byRoute.det.neighbourRequests.subarray(1, 6)], [1, 0, 0, 1, 0]);
});
