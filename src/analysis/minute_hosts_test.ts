import assert from "node:assert/strict";
import { parseCidr, parseIp } from "../net/mod.ts";
import { MinuteAggregates } from "./minute_aggregates.ts";
import { DNS_QUERIES, SENT_BYTES } from "./minute_hosts.ts";

/** One flow's key as the flow table holds it (four words a side). */
function flow(src: string, dst: string) {
  const s = parseIp(src)!, d = parseIp(dst)!;
  assert.equal(s.family, d.family);
  return { family: s.family, src: Uint32Array.from(s.words), dst: Uint32Array.from(d.words) };
}

Deno.test("a minute's host rows carry each local host's sums, named in the order the hosts were first met", () => {
  const sums = new MinuteAggregates([parseCidr("10.0.0.0/8"), parseCidr("a00::/16")]);
  const a = flow("10.0.1.50", "10.0.0.53"),
    b = flow("10.0.1.50", "8.8.8.8"),
    c = flow("a00:132::1", "2001:db8::1");
  sums.addFlow(a.family, a.src, a.dst, 0, 53, 17, 140, 2);
  sums.addFlow(b.family, b.src, b.dst, 0, 443, 6, 1000, 10);
  sums.addFlow(c.family, c.src, c.dst, 0, 80, 6, 600, 4);
  const { hosts } = sums.take();
  assert.deepEqual(hosts.rows(), [
    {
      ip: "10.0.1.50",
      sent_bytes: 1140,
      received_bytes: 0,
      sent_packets: 12,
      received_packets: 0,
      flows: 2,
      dns_queries: 2,
      dns_served: 0,
    },
    {
      ip: "10.0.0.53",
      sent_bytes: 0,
      received_bytes: 140,
      sent_packets: 0,
      received_packets: 2,
      flows: 1,
      dns_queries: 0,
      dns_served: 2,
    },
    {
      ip: "a00:132::1",
      sent_bytes: 600,
      received_bytes: 0,
      sent_packets: 4,
      received_packets: 0,
      flows: 1,
      dns_queries: 0,
      dns_served: 0,
    },
  ]);
  assert.equal(hosts.rows(), hosts.rows(), "made once");
  assert.equal(hosts.get(0, SENT_BYTES), 1140);
  assert.equal(hosts.get(1, DNS_QUERIES), 0);
  // 10.0.1.50 and a00:132::1 share their first word (0x0a000132): only the family and all words tell them apart.
  assert.equal(hosts.is(0, 4, a.src, 0), true);
  assert.equal(hosts.is(0, 6, c.src, 0), false);
  assert.equal(hosts.is(2, 6, c.src, 0), true);
  assert.equal(hosts.is(2, 4, a.src, 0), false);
  assert.equal(hosts.is(2, 6, Uint32Array.of(0x0a000132, 0, 0, 2), 0), false);
});

Deno.test("taking a minute starts the next one empty, and the rows taken keep their numbers", () => {
  const sums = new MinuteAggregates([parseCidr("10.0.0.0/8")]);
  const a = flow("10.0.0.1", "10.0.0.2");
  sums.addFlow(a.family, a.src, a.dst, 0, 80, 6, 100, 1);
  const first = sums.take();
  sums.addFlow(a.family, a.dst, a.src, 0, 80, 6, 7, 1);
  const second = sums.take();
  assert.deepEqual(first.hosts.rows().map((h) => [h.ip, h.sent_bytes, h.received_bytes]), [
    ["10.0.0.1", 100, 0],
    ["10.0.0.2", 0, 100],
  ]);
  assert.deepEqual(second.hosts.rows().map((h) => [h.ip, h.sent_bytes, h.received_bytes]), [
    ["10.0.0.2", 7, 0],
    ["10.0.0.1", 0, 7],
  ]);
});
