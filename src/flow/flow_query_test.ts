import assert from "node:assert/strict";
import { createPacketBatch } from "../decode/packet_batch.ts";
import { FlowTable } from "./flow_table.ts";
import {
  type CidrWords,
  endpointsMatch,
  FLOW_SORTS,
  type FlowQuery,
  type FlowSort,
  queryFlows,
  type SortOrder,
  TopK,
} from "./flow_query.ts";
import { addIpRow, addressWords, findFlow, type IpRow } from "../../tests/helpers/batch_rows.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

Deno.test("TopK keeps the k greatest (value, key) pairs, greatest first, like a full sort does", () => {
  const rand = seededRng(7);
  for (const [n, k] of [[0, 1], [1, 1], [5, 10], [100, 1], [1000, 37], [1000, 1000], [3000, 100]]) {
    // Few distinct values, so ties on value are common and the key decides.
    const items = Array.from({ length: n }, (_, i) => ({ v: rand() % 20, key: i, ref: i * 3 }));
    const heap = new TopK(k);
    for (const it of items) heap.offer(it.v, it.key, it.ref);
    const expected = [...items].sort((a, b) => b.v - a.v || b.key - a.key).slice(0, k);
    const { refs, lastValue, lastKey } = heap.drain();
    assert.deepEqual(refs, expected.map((e) => e.ref), `n=${n} k=${k}`);
    if (expected.length) {
      assert.equal(lastValue, expected.at(-1)!.v);
      assert.equal(lastKey, expected.at(-1)!.key);
    }
    assert.equal(heap.size, 0);
  }
});

Deno.test("TopK refuses a capacity below 1", () => {
  assert.throws(() => new TopK(0), RangeError);
  assert.throws(() => new TopK(1.5), RangeError);
});

function cidr(family: 4 | 6, words: number[], prefix: number): CidrWords {
  const mask = new Uint32Array(4), network = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * i));
    mask[i] = bits === 0 ? 0 : Number((0xffffffffn << BigInt(32 - bits)) & 0xffffffffn);
    network[i] = (words[i] & mask[i]) >>> 0;
  }
  return { family, prefix, network, mask };
}

/** endpointsMatch() on a flow given as text. */
function matches(
  f: Parameters<typeof endpointsMatch>[0],
  src: string,
  dst: string,
  sp = 1,
  dp = 2,
  proto = 6,
) {
  const s = addressWords(src), d = addressWords(dst);
  return endpointsMatch(f, s.family, s.words, 0, d.words, 0, sp, dp, proto);
}

Deno.test("endpointsMatch() tests CIDRs on either side at word boundaries of IPv4 and IPv6", () => {
  // 10.1.2.128/25: the last octet's top bit decides
  const n25 = cidr(4, [0x0a010280, 0, 0, 0], 25);
  assert.equal(matches({ cidr: n25 }, "10.1.2.128", "192.0.2.1"), true);
  assert.equal(matches({ cidr: n25 }, "192.0.2.1", "10.1.2.255"), true);
  assert.equal(matches({ cidr: n25 }, "10.1.2.127", "192.0.2.1"), false);
  // 0.0.0.0/0 holds every IPv4 address and no IPv6 one
  assert.equal(matches({ cidr: cidr(4, [0, 0, 0, 0], 0) }, "255.255.255.255", "1.2.3.4"), true);
  assert.equal(matches({ cidr: cidr(4, [0, 0, 0, 0], 0) }, "::1", "::2"), false);
  // /32 is one address
  assert.equal(matches({ cidr: cidr(4, [0xc0000201, 0, 0, 0], 32) }, "192.0.2.1", "10.0.0.1"), true);
  assert.equal(matches({ cidr: cidr(4, [0xc0000201, 0, 0, 0], 32) }, "192.0.2.2", "10.0.0.1"), false);
  // 2001:db8:1::/48 ends inside word 1
  const n48 = cidr(6, [0x20010db8, 0x00010000, 0, 0], 48);
  assert.equal(matches({ cidr: n48 }, "2001:db8:1:ffff::1", "2001:db8:2::1"), true);
  assert.equal(matches({ cidr: n48 }, "2001:db8:2::1", "2001:db8:1::9"), true);
  assert.equal(matches({ cidr: n48 }, "2001:db8:2::1", "2001:db8:3::9"), false);
  assert.equal(matches({ cidr: n48 }, "10.0.0.1", "10.0.0.2"), false);
  // /127 and /128 in the last word; /64 exactly on a word boundary; /33 one bit into word 1
  const n127 = cidr(6, [0x20010db8, 0, 0, 2], 127);
  assert.equal(matches({ cidr: n127 }, "2001:db8::3", "::1"), true);
  assert.equal(matches({ cidr: n127 }, "2001:db8::4", "::1"), false);
  assert.equal(matches({ cidr: cidr(6, [0x20010db8, 0, 0, 1], 128) }, "::5", "2001:db8::1"), true);
  assert.equal(matches({ cidr: cidr(6, [0x20010db8, 0, 0, 1], 128) }, "::5", "2001:db8::2"), false);
  assert.equal(matches({ cidr: cidr(6, [0x20010db8, 7, 0, 0], 64) }, "2001:db8:0:7:ffff::", "::1"), true);
  assert.equal(matches({ cidr: cidr(6, [0x20010db8, 7, 0, 0], 64) }, "2001:db8:0:8::", "::1"), false);
  const n33 = cidr(6, [0x20010db8, 0x80000000, 0, 0], 33);
  assert.equal(matches({ cidr: n33 }, "2001:db8:8000::1", "::1"), true);
  assert.equal(matches({ cidr: n33 }, "2001:db8:7fff::1", "::1"), false);
});

Deno.test("endpointsMatch() tests addresses by side and ports only for TCP, UDP and SCTP", () => {
  const ip = addressWords("2001:db8::1");
  assert.equal(matches({ ip }, "2001:db8::1", "2001:db8::2"), true);
  assert.equal(matches({ ip }, "2001:db8::2", "2001:db8::1"), true);
  assert.equal(matches({ srcIp: ip }, "2001:db8::2", "2001:db8::1"), false);
  assert.equal(matches({ dstIp: ip }, "2001:db8::2", "2001:db8::1"), true);
  // An IPv4 address never equals an IPv6 one, even with the same word 0.
  assert.equal(matches({ ip: addressWords("32.1.13.184") }, "2001:db8::1", "::2"), false);
  assert.equal(matches({ port: 443 }, "10.0.0.1", "10.0.0.2", 50000, 443, 6), true);
  assert.equal(matches({ port: 443 }, "10.0.0.1", "10.0.0.2", 443, 50000, 17), true);
  assert.equal(matches({ port: 443 }, "10.0.0.1", "10.0.0.2", 443, 80, 132), true);
  assert.equal(matches({ port: 8 }, "10.0.0.1", "10.0.0.2", 8, 0, 1), false, "ICMP echo: type 8 is no port");
  assert.equal(matches({ port: 0 }, "10.0.0.1", "10.0.0.2", 0, 0, 47), false, "GRE has no ports");
  assert.equal(matches({ protocol: 17 }, "10.0.0.1", "10.0.0.2", 1, 2, 6), false);
  assert.equal(matches({}, "10.0.0.1", "10.0.0.2"), true);
});

/** A table of `n` random flows (written as rows), and what the test knows of each. */
function randomTable(n: number, seed: number) {
  const rand = seededRng(seed);
  const table = new FlowTable(n);
  const known: { key: IpRow; bytes: number; packets: number; first: number; last: number }[] = [];
  const batch = createPacketBatch(4096);
  const flush = () => {
    table.update(batch, 0, batch.count);
    batch.count = 0;
  };
  for (let i = 0; i < n; i++) {
    const v6 = i % 5 === 0;
    const key = {
      src: v6 ? `2001:db8:${i.toString(16)}::1` : `10.${i >> 8}.${i & 255}.1`,
      dst: v6 ? "2001:db8::53" : "192.0.2.53",
      srcPort: 1024 + (i % 100),
      dstPort: 53,
      proto: 17,
    };
    // Few distinct totals and times, so ties are everywhere and the id must order them.
    const packets = 1 + (rand() % 3);
    const first = 1_700_000_000_000 + (rand() % 50) * 1000;
    let bytes = 0;
    for (let p = 0; p < packets; p++) {
      const ipBytes = 100 * (1 + (rand() % 4));
      bytes += ipBytes;
      if (batch.count === batch.capacity) flush();
      addIpRow(batch, { ...key, ipBytes, tsMs: first + p * 1000 });
    }
    known.push({
      key: { ...key, ipBytes: 0, tsMs: 0 },
      bytes,
      packets,
      first,
      last: first + (packets - 1) * 1000,
    });
  }
  flush();
  return { table, known };
}

Deno.test("queryFlows() pages through 5,000 flows 37 at a time, in order, without skipping or repeating", () => {
  const { table, known } = randomTable(5000, 42);
  const value = (k: (typeof known)[number], sort: FlowSort) =>
    sort === "bytes" ? k.bytes : sort === "packets" ? k.packets : sort === "last_seen" ? k.last : k.first;
  for (const sort of FLOW_SORTS) {
    for (const order of ["desc", "asc"] as SortOrder[]) {
      const seen: number[] = [];
      let q: FlowQuery = { filter: {}, sort, order, limit: 37 };
      for (let pages = 0;; pages++) {
        assert.ok(pages <= 5000 / 37 + 1, "too many pages");
        const page = queryFlows(table, q);
        assert.equal(page.totalMatched, 5000);
        seen.push(...page.ids);
        if (page.next === null) break;
        assert.equal(page.ids.length, 37);
        q = { ...q, after: page.next };
      }
      assert.equal(seen.length, 5000, `${sort} ${order}: every flow once`);
      assert.equal(new Set(seen).size, 5000, `${sort} ${order}: no flow twice`);
      // The values the test wrote, in page order, are sorted.
      const byId = new Map(known.map((k) => [findFlow(table, k.key), value(k, sort)]));
      const values = seen.map((id) => byId.get(id)!);
      for (let i = 1; i < values.length; i++) {
        const ok = order === "desc" ? values[i - 1] >= values[i] : values[i - 1] <= values[i];
        assert.ok(ok, `${sort} ${order}: position ${i} is out of order (${values[i - 1]}, ${values[i]})`);
      }
    }
  }
});

Deno.test("queryFlows() filters on counters and time overlap and counts every match", () => {
  const { table, known } = randomTable(800, 9);
  const since = 1_700_000_020_000, until = 1_700_000_030_000;
  const want = known.filter((k) => k.bytes >= 500 && k.last >= since && k.first <= until);
  const page = queryFlows(table, {
    filter: { minBytes: 500, sinceMs: since, untilMs: until },
    sort: "bytes",
    order: "desc",
    limit: 1000,
  });
  assert.equal(page.totalMatched, want.length);
  assert.deepEqual(
    new Set(page.ids),
    new Set(want.map((k) => findFlow(table, k.key))),
  );
  assert.equal(page.next, null);
});

Deno.test("queryFlows() skips freed ids and reads an empty table as no flows", () => {
  const empty = queryFlows(new FlowTable(4), { filter: {}, sort: "bytes", order: "desc", limit: 10 });
  assert.deepEqual(empty, { ids: [], totalMatched: 0, next: null });
  const table = new FlowTable(8);
  const b = createPacketBatch(8);
  const row = { dst: "10.0.0.9", srcPort: 1, dstPort: 2, proto: 6, ipBytes: 60 };
  addIpRow(b, { ...row, src: "10.0.0.1", tsMs: 1000 });
  addIpRow(b, { ...row, src: "10.0.0.2", tsMs: 500_000 });
  table.update(b, 0, b.count);
  table.expireIdle(2000); // removes the first flow; its id stays below highWater
  const page = queryFlows(table, { filter: {}, sort: "bytes", order: "desc", limit: 10 });
  assert.deepEqual(page.ids, [findFlow(table, { ...row, src: "10.0.0.2" })]);
  assert.equal(page.totalMatched, 1);
});
