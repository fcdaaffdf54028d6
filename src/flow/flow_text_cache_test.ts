import assert from "node:assert/strict";
import { createPacketBatch } from "../decode/mod.ts";
import { addIpRow } from "../../tests/helpers/batch_rows.ts";
import { flowToJson } from "./flow_json.ts";
import { FlowTable } from "./flow_table.ts";
import { FlowTextCache } from "./flow_text_cache.ts";
import { visibilityOf } from "./flow_visibility.ts";
import { threatsOf } from "./flow_threats.ts";

const PORTS = { srcPort: 40000, dstPort: 443, proto: 6 };
const TCP = { src: "10.0.0.1", dst: "10.0.0.2", ...PORTS };

function send(t: FlowTable, rows: Parameters<typeof addIpRow>[1][]): void {
  const b = createPacketBatch(16);
  for (const r of rows) addIpRow(b, r);
  t.update(b, 0, b.count);
}

Deno.test("FlowTextCache gives the text JSON.stringify gives for the flow, and the counters of every packet", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t);
  send(t, [{ ...TCP, ipBytes: 60, tsMs: 1000 }, {
    src: "2001:db8::1",
    dst: "2001:db8::2",
    ...PORTS,
    ipBytes: 80,
    tsMs: 1000,
  }]);
  for (const id of [0, 1]) assert.equal(c.text(id, 0), JSON.stringify(flowToJson(t, id, 5)));
  assert.equal(c.text(0, 10), JSON.stringify(flowToJson(t, 0, 5)));
  assert.deepEqual({ hits: c.hits, misses: c.misses }, { hits: 1, misses: 2 });

  // Each packet changes the text at once, however young the last text is.
  send(t, [{ ...TCP, ipBytes: 1500, tsMs: 1000 }]); // same millisecond: only the counters move
  let f = JSON.parse(c.text(0, 11));
  assert.deepEqual([f.bytes, f.packets], [60 + 1500, 2]);
  send(t, [{ ...TCP, ipBytes: 40, tsMs: 2500 }]);
  f = JSON.parse(c.text(0, 12));
  assert.deepEqual([f.bytes, f.packets, f.duration_s], [1600, 3, 1.5]);
  assert.equal(c.text(0, 13), JSON.stringify(flowToJson(t, 0, 5)));
});

Deno.test("FlowTextCache renders again when the row holds another flow, and after maxAgeMs", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t, { maxAgeMs: 1000 });
  send(t, [{ ...TCP, ipBytes: 60, tsMs: 1000 }]);
  assert.equal(JSON.parse(c.text(0, 0)).dst_port, 443);
  t.expireIdle(2000);
  send(t, [{ ...TCP, dstPort: 80, ipBytes: 60, tsMs: 1000 }]); // the same counters and times, another flow
  assert.equal(t.family[0], 4, "the new flow took row 0");
  assert.equal(JSON.parse(c.text(0, 1)).dst_port, 80);

  // A name learned without a packet of the flow shows once the text is older than maxAgeMs.
  visibilityOf(t).setName(0, "example.test", 1);
  assert.equal(JSON.parse(c.text(0, 999)).server_name, null, "within maxAgeMs the text is reused");
  assert.equal(JSON.parse(c.text(0, 1001)).server_name, "example.test");
  assert.equal(c.text(0, 1002), JSON.stringify(flowToJson(t, 0, 5)));
});

Deno.test("FlowTextCache renders again when the flow's baseline took another interval", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t, { warmupIntervals: 1 });
  send(t, [{ ...TCP, ipBytes: 60, tsMs: 1000 }]);
  assert.equal(JSON.parse(c.text(0, 0)).baseline.intervals, 0);
  t.ewmaIntervals[0] = 1;
  assert.equal(JSON.parse(c.text(0, 1)).baseline.mature, true);
});

Deno.test("FlowTextCache holds at most maxEntries texts, the oldest going first", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t, { maxEntries: 8 });
  send(t, Array.from({ length: 12 }, (_, i) => ({ ...TCP, srcPort: 40000 + i, ipBytes: 60, tsMs: 1000 })));
  for (let id = 0; id < 12; id++) c.text(id, 0);
  assert.ok(c.size <= 8, `${c.size} texts held`);
  const misses = c.misses;
  c.text(11, 1); // the newest is still there
  assert.equal(c.misses, misses);
  c.text(0, 1); // the oldest went
  assert.equal(c.misses, misses + 1);
});

Deno.test("FlowTextCache.prune() forgets the texts rendered maxAgeMs ago or more and keeps the younger", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t, { maxAgeMs: 1000 });
  send(t, Array.from({ length: 3 }, (_, i) => ({ ...TCP, srcPort: 40000 + i, ipBytes: 60, tsMs: 1000 })));
  c.text(0, 0);
  c.text(1, 100);
  c.text(2, 600);
  c.text(0, 700); // reused: a text asked again is not younger for it
  c.prune(1050);
  assert.equal(c.size, 2, "the text rendered at 0 ms went");
  const misses = c.misses;
  c.text(1, 1060);
  c.text(2, 1060);
  assert.equal(c.misses, misses, "those of 100 and 600 ms are kept");
  c.text(0, 1060);
  assert.equal(c.misses, misses + 1);
  c.prune(5000);
  assert.equal(c.size, 0);
});

Deno.test("FlowTextCache shows a block-list hit at once, as /flows?blocklisted= filters on it", () => {
  const t = new FlowTable(100), c = new FlowTextCache(t, { maxAgeMs: 1000 });
  send(t, [{ ...TCP, ipBytes: 60, tsMs: 1000 }]);
  assert.equal(JSON.parse(c.text(0, 0)).blocklist, null);
  // A reloaded list names the flow's destination: no packet of the flow came since.
  const threats = threatsOf(t);
  threats.sync(0);
  threats.listed.set(0, { list: "watch", entry: "10.0.0.2/32" });
  threats.listedSide[0] = 2;
  assert.deepEqual(JSON.parse(c.text(0, 1)).blocklist, {
    list: "watch",
    entry: "10.0.0.2/32",
    listed_ip: "10.0.0.2",
  });
  threats.listed.delete(0); // and a list that drops it
  threats.listedSide[0] = 0;
  assert.equal(JSON.parse(c.text(0, 2)).blocklist, null);
  assert.equal(c.text(0, 3), JSON.stringify(flowToJson(t, 0, 5)));
});
