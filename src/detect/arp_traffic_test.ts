import assert from "node:assert/strict";
import { createPacketBatch, type PacketBatch } from "../decode/packet_batch.ts";
import { addIpRowFrom, ipv4Number, macNumber } from "../../tests/helpers/arp_rows.ts";
import { MIN_ROUTER_SCORE, type RouterGuess, TrafficFacts } from "./arp_traffic.ts";

const ROUTER = "00:00:0c:12:34:01", HOST = "02:00:00:00:00:02", OTHER = "02:00:00:00:00:03";
const WINDOW = 60_000;

interface Row {
  t: number;
  eth: string;
  src: string;
  dst?: string;
  proto?: number;
  srcPort?: number;
  dstPort?: number;
}

function batch(rows: Row[]): PacketBatch {
  const b = createPacketBatch(Math.max(1, rows.length));
  for (const r of rows) {
    addIpRowFrom(b, r.eth, {
      src: r.src,
      dst: r.dst ?? "10.231.200.10",
      srcPort: r.srcPort ?? 443,
      dstPort: r.dstPort ?? 40000,
      proto: r.proto ?? 6,
      ipBytes: 60,
      tsMs: r.t,
    });
  }
  return b;
}

function observeAll(f: TrafficFacts, rows: Row[]): void {
  const b = batch(rows);
  for (let i = 0; i < b.count; i++) f.observe(b, i);
}

Deno.test("TrafficFacts notes a DHCP client message (UDP 68 → 67) for its Ethernet source only", () => {
  const f = new TrafficFacts(WINDOW);
  observeAll(f, [
    { t: 1000, eth: HOST, src: "0.0.0.0", dst: "255.255.255.255", proto: 17, srcPort: 68, dstPort: 67 },
    // The server's answer (67 → 68) and a TCP segment on the same ports are not a client's request.
    { t: 1001, eth: OTHER, src: "10.231.200.1", proto: 17, srcPort: 67, dstPort: 68 },
    { t: 1002, eth: OTHER, src: "10.231.200.3", proto: 6, srcPort: 68, dstPort: 67 },
  ]);
  assert.equal(f.dhcpSeen, 1);
  assert.equal(f.dhcpSince(macNumber(HOST), 0), 1000);
  assert.equal(f.dhcpSince(macNumber(HOST), 1001), null, "too long ago for the window asked");
  assert.equal(f.dhcpSince(macNumber(OTHER), 0), null);
});

Deno.test("TrafficFacts calls the MAC that forwards from many source addresses the router", () => {
  const f = new TrafficFacts(WINDOW);
  const rows: Row[] = [];
  for (let i = 0; i < 20; i++) {
    rows.push({ t: i * 10, eth: HOST, src: "10.231.200.10", dst: `198.51.100.${i + 1}` });
    rows.push({ t: i * 10 + 1, eth: ROUTER, src: `198.51.100.${i + 1}` });
    rows.push({ t: i * 10 + 2, eth: ROUTER, src: `203.0.113.${i + 1}` });
  }
  observeAll(f, rows);
  const r = f.router();
  assert.ok(r, "a router");
  assert.equal(r.mac, macNumber(ROUTER));
  assert.ok(r.score >= 20);
});

Deno.test("TrafficFacts does not take a host for a router: one address, or two in turn", () => {
  const f = new TrafficFacts(WINDOW);
  const rows: Row[] = [];
  for (let i = 0; i < 200; i++) {
    rows.push({ t: i, eth: HOST, src: i % 2 ? "10.231.200.10" : "10.231.200.12" });
    rows.push({ t: i, eth: OTHER, src: "10.231.200.11" });
  }
  observeAll(f, rows);
  assert.equal(f.router(), null);
});

Deno.test("TrafficFacts does not take a host sending from eight addresses it claims in ARP for a router", () => {
  const own = new Set(Array.from({ length: 8 }, (_, i) => ipv4Number(`10.231.200.${10 + i}`)));
  const f = new TrafficFacts(WINDOW, undefined, (mac) => mac === macNumber(HOST) ? own : undefined);
  const rows: Row[] = [];
  for (let i = 0; i < 200; i++) {
    rows.push({ t: i * 10, eth: HOST, src: `10.231.200.${10 + (i % 8)}` });
    // The router forwards from addresses nobody here claims, and is still found beside the host.
    if (i % 4 === 0) {
      rows.push({ t: i * 10 + 1, eth: ROUTER, src: `198.51.100.${(i % 200) + 1}` });
      rows.push({ t: i * 10 + 2, eth: ROUTER, src: `203.0.113.${(i % 200) + 1}` });
    }
  }
  observeAll(f, rows);
  assert.equal(f.router()?.mac, macNumber(ROUTER));
  // Without the ARP claims the same rows make the host the router (what the check is for).
  const blind = new TrafficFacts(WINDOW);
  observeAll(blind, rows);
  assert.equal(blind.router()?.mac, macNumber(HOST));
});

Deno.test("TrafficFacts halves scores every window and reports the router before each halving", () => {
  const told: RouterGuess[] = [];
  const f = new TrafficFacts(WINDOW, (g) => void told.push(g));
  const burst = (t: number) =>
    Array.from(
      { length: 2 * MIN_ROUTER_SCORE },
      (_, i): Row => ({ t, eth: ROUTER, src: `198.51.100.${i + 1}` }),
    );
  observeAll(f, burst(0));
  assert.ok(f.router());
  observeAll(f, [{ t: WINDOW + 1, eth: HOST, src: "10.231.200.10" }]);
  assert.deepEqual(told.map((g) => g.mac), [macNumber(ROUTER)], "told once, before halving");
  observeAll(f, [{ t: 3 * WINDOW, eth: HOST, src: "10.231.200.10" }]);
  assert.equal(f.router(), null, "halved below the bar");
});

Deno.test("TrafficFacts keeps at most 4096 MACs that did DHCP, forgetting the oldest", () => {
  const f = new TrafficFacts(WINDOW);
  const rows: Row[] = [];
  for (let i = 0; i < 5000; i++) {
    const mac = `02:ee:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }`;
    rows.push({ t: 1000, eth: mac, src: "0.0.0.0", proto: 17, srcPort: 68, dstPort: 67 });
  }
  observeAll(f, rows);
  assert.equal(f.dhcpSeen, 5000);
  assert.equal(f.dhcpSince(macNumber("02:ee:00:00:00:00"), 0), null, "the first was forgotten");
  assert.equal(f.dhcpSince(macNumber("02:ee:00:00:13:87"), 0), 1000, "the last is held");
});

Deno.test("TrafficFacts ignores rows without an Ethernet source", () => {
  const f = new TrafficFacts(WINDOW);
  const b = batch([{ t: 0, eth: HOST, src: "0.0.0.0", proto: 17, srcPort: 68, dstPort: 67 }]);
  b.ethSrc[0] = 0;
  f.observe(b, 0);
  assert.equal(f.dhcpSeen, 0);
});
