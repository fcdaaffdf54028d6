import assert from "node:assert/strict";
import { createPacketBatch } from "../decode/packet_batch.ts";
import { parseCidr } from "../net/mod.ts";
import { FlowTable } from "./flow_table.ts";
import { type FlowQuery, queryFlows } from "./flow_query.ts";
import { queryFlowsMany } from "./flow_query_many.ts";
import { visibilityOf } from "./flow_visibility.ts";
import { threatsOf } from "./flow_threats.ts";
import { addIpRow, addressWords } from "../../tests/helpers/batch_rows.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

/** 3,000 flows (IPv4 and IPv6, TCP, UDP, ICMP), a tenth of them expired so ids have holes. */
function table(): FlowTable {
  const rand = seededRng(11);
  const t = new FlowTable(5000);
  const b = createPacketBatch(64);
  for (let i = 0; i < 3000; i++) {
    const v6 = i % 7 === 0;
    const proto = [6, 17, 1][rand() % 3];
    // A fifth are answers: the service's port is their source port (a port filter matches either side).
    const client = 1024 + (rand() % 2000), service = [443, 53, 80, 22][rand() % 4], answer = i % 5 === 0;
    addIpRow(b, {
      src: v6 ? `2001:db8::${(i % 300).toString(16)}` : `10.0.${i % 40}.${i % 250}`,
      dst: v6 ? `2001:db8:1::${(i % 50).toString(16)}` : `192.0.2.${i % 90}`,
      srcPort: answer ? service : client,
      dstPort: answer ? client : service,
      proto,
      ipBytes: 40 + (rand() % 20) * 70, // few distinct values: ties are common
      tsMs: 1_000_000 + (i % 2 === 0 ? i * 10 : 50_000 - i),
    });
    if (b.count === b.capacity) {
      t.update(b, 0, b.count);
      b.count = 0;
    }
  }
  t.update(b, 0, b.count);
  t.expireIdle(1_000_300); // flows last seen before this go: holes among the ids
  return t;
}

/** Every query in the test, run through one pass together. */
const QUERIES: FlowQuery[] = [
  { filter: {}, sort: "bytes", order: "desc", limit: 50 },
  { filter: {}, sort: "bytes", order: "asc", limit: 50 },
  { filter: { protocol: 17 }, sort: "packets", order: "desc", limit: 20 },
  { filter: { port: 443 }, sort: "last_seen", order: "asc", limit: 33 },
  { filter: { minBytes: 900, sinceMs: 1_010_000 }, sort: "first_seen", order: "desc", limit: 7 },
  { filter: { untilMs: 1_005_000 }, sort: "last_seen", order: "desc", limit: 100 },
  { filter: { cidr: parseCidr("10.0.3.0/24") }, sort: "bytes", order: "desc", limit: 5 },
  { filter: { ip: addressWords("2001:db8:1::7") }, sort: "bytes", order: "asc", limit: 4 },
  { filter: { srcIp: addressWords("10.0.5.5"), protocol: 6 }, sort: "bytes", order: "desc", limit: 3 },
  { filter: {}, sort: "bytes", order: "desc", limit: 10_000 },
];

Deno.test("queryFlowsMany() gives every query the page queryFlows() gives it alone, cursors included", () => {
  const t = table();
  // Page 1 of each query, then the next page of each from its cursor, all in shared passes.
  const first = queryFlowsMany(t, QUERIES);
  assert.deepEqual(first, QUERIES.map((q) => queryFlows(t, q)));
  const follow = QUERIES.map((q, i) => ({ ...q, after: first[i].next ?? undefined })).filter((q) => q.after);
  assert.ok(follow.length >= 5, "most queries have a second page");
  assert.deepEqual(queryFlowsMany(t, follow), follow.map((q) => queryFlows(t, q)));
});

Deno.test("queryFlowsMany() pages match a full sort of the filtered flows", () => {
  const t = table();
  const pages = queryFlowsMany(t, QUERIES);
  QUERIES.forEach((q, i) => {
    const all: number[] = [];
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0) continue;
      const f = q.filter;
      if (f.protocol !== undefined && t.proto[id] !== f.protocol) continue;
      if (f.port !== undefined && !(t.srcPort[id] === f.port || t.dstPort[id] === f.port)) continue;
      if (f.port !== undefined && t.proto[id] === 1) continue;
      if (f.minBytes !== undefined && t.bytes(id) < f.minBytes) continue;
      if (f.sinceMs !== undefined && t.lastSeen(id) < f.sinceMs) continue;
      if (f.untilMs !== undefined && t.firstSeen(id) > f.untilMs) continue;
      if (f.cidr || f.ip || f.srcIp) continue; // address filters: compared with queryFlows() above
      all.push(id);
    }
    if (q.filter.cidr || q.filter.ip || q.filter.srcIp) return;
    const value = (id: number) =>
      q.sort === "bytes"
        ? t.bytes(id)
        : q.sort === "packets"
        ? t.packets(id)
        : q.sort === "last_seen"
        ? t.lastSeen(id)
        : t.firstSeen(id);
    const s = q.order === "desc" ? 1 : -1;
    all.sort((a, b) => s * (value(b) - value(a)) || s * (b - a));
    assert.deepEqual(pages[i].ids, all.slice(0, q.limit), `query ${i}`);
    assert.equal(pages[i].totalMatched, all.length, `query ${i} total`);
    assert.equal(pages[i].next === null, all.length <= q.limit, `query ${i} next`);
  });
});

Deno.test("queryFlowsMany() applies name, block-list and attack-score filters in a shared pass as queryFlows() does", () => {
  const t = table();
  // Names, list hits and scores on some flows: what the columns of the shared pass do not hold.
  const names = visibilityOf(t), threats = threatsOf(t);
  for (let id = 0; id < t.highWater; id++) {
    if (t.family[id] === 0) continue;
    if (id % 5 === 0) names.setName(id, id % 10 === 0 ? "www.example.com" : "example.org", 1);
    threats.sync(id);
    if (id % 7 === 0) threats.listed.set(id, { list: "feodo", entry: "192.0.2.0/24" });
    threats.attackScore[id] = (id % 10) / 10;
  }
  const queries: FlowQuery[] = [
    { filter: { name: "example.com" }, sort: "bytes", order: "desc", limit: 20 },
    { filter: { blocklisted: true }, sort: "last_seen", order: "asc", limit: 15 },
    { filter: { minAttackScore: 0.8, protocol: 6 }, sort: "bytes", order: "desc", limit: 9 },
    ...QUERIES.slice(0, 3),
  ];
  const alone = queries.map((q) => queryFlows(t, q));
  assert.ok(alone[0].totalMatched > 0 && alone[1].totalMatched > 0 && alone[2].totalMatched > 0);
  assert.ok(alone[0].totalMatched < alone[3].totalMatched, "the name filter keeps fewer flows than none");
  assert.deepEqual(queryFlowsMany(t, queries), alone);
});

Deno.test("queryFlowsMany() over several thousand flows (many blocks of rows) pages every query as queryFlows() does", () => {
  // 9,000 flows: the shared pass walks its columns in blocks of rows, and a query's heap, threshold and counts
  // carry from one block to the next; each page and each next page must still be what the query gives alone.
  const rand = seededRng(23);
  const t = new FlowTable(12_000);
  const b = createPacketBatch(256);
  for (let i = 0; i < 9000; i++) {
    addIpRow(b, {
      src: `10.${i >> 12}.${(i >> 6) & 63}.${i & 63}`,
      dst: `192.0.2.${i % 200}`,
      srcPort: 1024 + (rand() % 5000),
      dstPort: [443, 53, 80][rand() % 3],
      proto: [6, 17][rand() % 2],
      ipBytes: 40 + (rand() % 30) * 50,
      tsMs: 2_000_000 + (rand() % 100_000),
    });
    if (b.count === b.capacity) {
      t.update(b, 0, b.count);
      b.count = 0;
    }
  }
  t.update(b, 0, b.count);
  t.expireIdle(2_010_000); // holes among the ids
  let queries: FlowQuery[] = [
    { filter: {}, sort: "bytes", order: "desc", limit: 100 },
    { filter: { sinceMs: 2_050_000 }, sort: "bytes", order: "desc", limit: 100 },
    { filter: { sinceMs: 2_020_000, port: 53 }, sort: "last_seen", order: "asc", limit: 500 },
    { filter: { untilMs: 2_080_000, minBytes: 700 }, sort: "packets", order: "desc", limit: 1000 },
    { filter: { cidr: parseCidr("10.1.0.0/16") }, sort: "first_seen", order: "asc", limit: 250 },
    // Blocks settled by their summaries, rows tested by the pass's shared masks, chunks passed over: one
    // packet a flow makes every packets sort a run of ties, decided by the flow id.
    { filter: { protocol: 17 }, sort: "packets", order: "asc", limit: 100 },
    { filter: { protocol: 6, sinceMs: 0 }, sort: "packets", order: "desc", limit: 120 },
    { filter: { port: 443, minBytes: 500 }, sort: "bytes", order: "asc", limit: 100 },
    { filter: { sinceMs: 1 }, sort: "last_seen", order: "desc", limit: 300 },
    { filter: { protocol: 6 }, sort: "first_seen", order: "desc", limit: 101 },
    { filter: { minBytes: 1000 }, sort: "bytes", order: "desc", limit: 100 },
  ];
  for (let round = 0; queries.length > 0; round++) {
    const many = queryFlowsMany(t, queries);
    assert.deepEqual(many, queries.map((q) => queryFlows(t, q)), `round ${round}`);
    queries = queries.map((q, i) => ({ ...q, after: many[i].next ?? undefined })).filter((q) => q.after);
    assert.ok(round < 100, "pages end");
  }
});

Deno.test("queryFlowsMany() answers a pass with more different filters than it keeps masks for as queryFlows() does", () => {
  const t = table();
  // Twelve different ports and protocols: past the masks one pass keeps, the rest run alone.
  const queries: FlowQuery[] = [443, 53, 80, 22].flatMap((port, i) =>
    [
      { filter: { port }, sort: "bytes", order: "desc", limit: 10 },
      { filter: { port, protocol: 6 }, sort: "packets", order: "asc", limit: 7 },
      { filter: { port, minBytes: 300 + i }, sort: "last_seen", order: "desc", limit: 5 },
    ] as FlowQuery[]
  );
  const many = queryFlowsMany(t, queries);
  assert.deepEqual(many, queries.map((q) => queryFlows(t, q)));
  assert.ok(many.every((p) => p.totalMatched > 0), "every filter matches some flows");
});
