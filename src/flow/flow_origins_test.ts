import assert from "node:assert/strict";
import { FlowTable } from "./flow_table.ts";
import { MAX_EXPORTER_IDS, RecordDirection } from "./flow_origins.ts";
import { createFlowRecordBatch, type FlowRecordBatch } from "../netflow/flow_record.ts";
import { parseIp } from "../net/mod.ts";
import { batchOf } from "../../tests/helpers/batch_rows.ts";

interface Rec {
  src: string;
  dst: string;
  exporter: string;
  inIf?: number;
  outIf?: number;
  srcAs?: number;
  dstAs?: number;
  direction?: number;
  /** The exporter's times of the flow; by default each record ends when it arrives and lasted 500 ms. */
  startMs?: number;
  endMs?: number;
  bytes?: number;
  packets?: number;
}

function records(rs: Rec[], tsMs = 1000): FlowRecordBatch {
  const b = createFlowRecordBatch(Math.max(1, rs.length));
  rs.forEach((r, i) => {
    const s = parseIp(r.src)!, d = parseIp(r.dst)!, e = parseIp(r.exporter)!;
    b.family[i] = s.family;
    b.src.set(s.words, i << 2);
    b.dst.set(d.words, i << 2);
    b.exporter.set(e.words, i << 2);
    b.exporterFamily[i] = e.family;
    b.srcPort[i] = 40000;
    b.dstPort[i] = 443;
    b.proto[i] = 6;
    b.bytes[i] = r.bytes ?? 1000;
    b.packets[i] = r.packets ?? 2;
    b.tsMs[i] = tsMs;
    b.endMs[i] = r.endMs ?? tsMs;
    b.startMs[i] = r.startMs ?? b.endMs[i] - 500;
    b.inIf[i] = r.inIf ?? 0;
    b.outIf[i] = r.outIf ?? 0;
    b.srcAs[i] = r.srcAs ?? 0;
    b.dstAs[i] = r.dstAs ?? 0;
    b.direction[i] = r.direction ?? RecordDirection.Unknown;
  });
  b.count = rs.length;
  return b;
}

const find = (t: FlowTable, src: string, dst: string) =>
  t.find(4, parseIp(src)!.words, parseIp(dst)!.words, 40000, 443, 6);

Deno.test("flowTable.addRecords() keeps the latest record's exporter, interfaces and AS beside the flow", () => {
  const t = new FlowTable(16);
  t.addRecords(
    records([{
      src: "10.0.0.1",
      dst: "192.0.2.9",
      exporter: "10.231.240.1",
      inIf: 3,
      outIf: 7,
      srcAs: 0,
      dstAs: 64500,
    }]),
    0,
    1,
  );
  const id = find(t, "10.0.0.1", "192.0.2.9");
  const o = t.origins!;
  assert.equal(o.exporterAddress(o.exporter[id]), "10.231.240.1");
  assert.deepEqual([o.inIf[id], o.outIf[id], o.srcAs[id], o.dstAs[id]], [3, 7, 0, 64500]);
});

Deno.test("flowTable.addRecords() collects every exporter that reported a flow in its exporter set, counting the first", () => {
  const t = new FlowTable(16);
  const a = { src: "10.0.0.1", dst: "192.0.2.9" };
  t.addRecords(
    records([
      { ...a, exporter: "10.231.240.1", inIf: 4 },
      { ...a, exporter: "2001:db8::1", inIf: 9 }, // the same traffic, seen by a second router
      { ...a, exporter: "10.231.240.1", inIf: 5 },
    ]),
    0,
    3,
  );
  const id = find(t, a.src, a.dst), o = t.origins!;
  assert.equal(o.exporterAddress(o.exporter[id]), "10.231.240.1", "the exporter counted");
  assert.equal(o.exporterMask[id], 0b11);
  assert.equal(o.inIf[id], 5, "its latest record's");
  assert.deepEqual([t.bytes(id), t.recordsSeenTwice], [2000, 1]);
});

Deno.test("flowTable: a new flow in a reused id starts without an origin, and captured flows have none", () => {
  const t = new FlowTable(1);
  t.addRecords(records([{ src: "10.0.0.1", dst: "192.0.2.9", exporter: "10.231.240.1", inIf: 4 }]), 0, 1);
  t.update(
    batchOf([{
      src: "10.0.0.2",
      dst: "192.0.2.9",
      srcPort: 1,
      dstPort: 2,
      proto: 17,
      ipBytes: 60,
      tsMs: 2000,
    }]),
    0,
    1,
  );
  assert.equal(t.size, 1);
  const id = t.find(4, parseIp("10.0.0.2")!.words, parseIp("192.0.2.9")!.words, 1, 2, 17);
  assert.deepEqual([t.origins!.exporter[id], t.origins!.exporterMask[id], t.origins!.inIf[id]], [0, 0, 0]);
  const captured = new FlowTable(4);
  captured.update(
    batchOf([{ src: "10.0.0.2", dst: "192.0.2.9", srcPort: 1, dstPort: 2, proto: 17, ipBytes: 60, tsMs: 0 }]),
    0,
    1,
  );
  assert.equal(captured.origins, undefined, "no columns without records");
});

Deno.test("flowOrigins numbers at most MAX_EXPORTER_IDS exporters and counts the rest", () => {
  const t = new FlowTable(4);
  const n = MAX_EXPORTER_IDS + 10;
  const b = records([{ src: "10.0.0.1", dst: "192.0.2.9", exporter: "10.0.0.0" }]);
  for (let i = 0; i < n; i++) {
    b.exporter[0] = 0x0a000000 + i; // 10.0.0.0 + i: a new exporter each time
    t.addRecords(b, 0, 1);
  }
  const o = t.origins!;
  assert.equal(o.exporters, MAX_EXPORTER_IDS);
  assert.equal(o.unnumbered, 10);
  assert.equal(o.exporterAddress(MAX_EXPORTER_IDS), "10.0.255.254");
  assert.equal(o.exporterAddress(0), "");
  const id = find(t, "10.0.0.1", "192.0.2.9");
  assert.equal(o.exporter[id], 0, "the latest exporter had no number");
  assert.equal(o.exporterMask[id], 0xffffffff);
});

Deno.test("flowTable.addRecords(): a router's egress record of a flow its ingress records count is not counted again", () => {
  const t = new FlowTable(16);
  const a = { src: "10.0.0.1", dst: "192.0.2.9", exporter: "10.231.240.1", inIf: 4, outIf: 9 };
  const { Ingress, Egress, Unknown } = RecordDirection;
  // One export cycle of a router with NetFlow ingress and egress on both interfaces the flow crosses.
  t.addRecords(records([{ ...a, direction: Ingress }, { ...a, direction: Egress }]), 0, 2);
  const id = find(t, a.src, a.dst), o = t.origins!;
  assert.deepEqual([t.bytes(id), t.packets(id), t.recordsSeenTwice], [1000, 2, 1]);
  const summed: number[][] = [];
  o.takeSeen((...row) => void summed.push(row));
  assert.deepEqual(summed, [], "the same interfaces: not summed on them a second time");
  // The next cycle (an active timeout): the ingress record counts again, the egress one does not.
  t.addRecords(records([{ ...a, direction: Egress }, { ...a, direction: Ingress }], 61_000), 0, 2);
  assert.deepEqual([t.bytes(id), t.recordsSeenTwice], [2000, 2]);
  // Records that do not say their direction are all counted when they are not twins (a long flow's next ones).
  const u = new FlowTable(16);
  u.addRecords(
    records([
      { ...a, direction: Unknown, startMs: 0, endMs: 100 },
      { ...a, direction: Egress, startMs: 60_000, endMs: 60_100 },
      { ...a, direction: Unknown, startMs: 120_000, endMs: 120_100 },
    ]),
    0,
    3,
  );
  const uid = find(u, a.src, a.dst);
  assert.deepEqual([u.bytes(uid), u.recordsSeenTwice], [3000, 0], "the first record said nothing: counted");
  u.addRecords(records([{ ...a, direction: Ingress, startMs: 180_000 }]), 0, 1);
  assert.deepEqual(
    [u.bytes(uid), u.recordsSeenTwice],
    [3000, 1],
    "once one said egress, ingress is the other",
  );
  // Another exporter's record of the other direction is another router's: the first-exporter rule decides.
  const v = new FlowTable(16);
  v.addRecords(
    records([{ ...a, direction: Ingress }, { ...a, exporter: "10.231.240.2", direction: Egress }]),
    0,
    2,
  );
  const vid = find(v, a.src, a.dst);
  assert.deepEqual([v.bytes(vid), v.recordsSeenTwice], [1000, 1]);
  const other: number[][] = [];
  v.origins!.takeSeen((...row) => void other.push(row));
  assert.equal(other.length, 2, "a second router's interfaces carried it: summed on them");
});

Deno.test("flowTable.addRecords(): the twin of the record counted last (ingress and egress v5) is not counted again", () => {
  const t = new FlowTable(16);
  const a = { src: "10.0.0.1", dst: "192.0.2.9", exporter: "10.231.240.1", inIf: 4, outIf: 9 };
  const first = { ...a, startMs: 1_796_600_000_000, endMs: 1_796_600_004_321, bytes: 6_000, packets: 5 };
  // One export of a router with ingress and egress on, in NetFlow v5: the same record twice, the second
  // placed on the calendar 1 ms later by its datagram's header.
  t.addRecords(records([first, { ...first, startMs: first.startMs + 1, endMs: first.endMs + 1 }]), 0, 2);
  const id = find(t, a.src, a.dst), o = t.origins!;
  assert.deepEqual([t.bytes(id), t.packets(id), t.recordsSeenTwice], [6_000, 5, 1]);
  const summed: number[][] = [];
  o.takeSeen((...row) => void summed.push(row));
  assert.deepEqual(summed, [], "the same interfaces: not summed on them a second time");
  // The flow's next records (an active timeout later) with the same counts, as a constant-rate stream has:
  // counted, and their twin is not.
  const next = { ...first, startMs: first.endMs + 55_679, endMs: first.endMs + 115_679 };
  t.addRecords(records([next, next, { ...next, startMs: next.endMs + 1, endMs: next.endMs + 60_001 }]), 0, 3);
  assert.deepEqual([t.bytes(id), t.recordsSeenTwice], [18_000, 2]);
  // Not twins: another duration, other counts, other interfaces, a start 3 ms off, another exporter.
  const last = { ...next, startMs: next.endMs + 60_001, endMs: next.endMs + 120_001 };
  const u = new FlowTable(16);
  u.addRecords(
    records([
      last,
      { ...last, endMs: last.endMs + 1 },
      { ...last, bytes: 6_001 },
      { ...last, packets: 6 },
      { ...last, inIf: 5 },
      { ...last, outIf: 8 },
      { ...last, startMs: last.startMs + 3, endMs: last.endMs + 3 },
    ]),
    0,
    7,
  );
  const uid = find(u, a.src, a.dst);
  assert.deepEqual([u.bytes(uid), u.recordsSeenTwice], [42_001, 0]);
  // Octets past 2³² are compared whole: a record 2³² octets larger is no twin; the same again is.
  const big = { ...last, bytes: 2 ** 33 + 7 };
  const v = new FlowTable(16);
  v.addRecords(
    records([big, { ...big, bytes: big.bytes + 2 ** 32 }, { ...big, bytes: big.bytes + 2 ** 32 }]),
    0,
    3,
  );
  assert.deepEqual([v.bytes(find(v, a.src, a.dst)), v.recordsSeenTwice], [2 * big.bytes + 2 ** 32, 1]);
});

Deno.test("flowOrigins.seenTwiceByExporter() names the exporters whose records were the traffic again", () => {
  const t = new FlowTable(16);
  const a = { src: "10.0.0.1", dst: "192.0.2.9", inIf: 4, outIf: 9 };
  const { Ingress, Egress } = RecordDirection;
  t.addRecords(
    records([
      { ...a, exporter: "10.231.240.1", direction: Ingress }, // counted
      { ...a, exporter: "10.231.240.1", direction: Egress }, // its other direction
      { ...a, exporter: "10.231.240.2" }, // a second router on the path
      { ...a, exporter: "10.231.240.2" },
      { ...a, exporter: "10.231.240.3", src: "10.0.0.2" }, // another flow, counted
    ]),
    0,
    5,
  );
  assert.equal(t.recordsSeenTwice, 3);
  assert.deepEqual(t.origins!.seenTwiceByExporter(), { "10.231.240.1": 1, "10.231.240.2": 2 });
});
