/**
 * Flow records (NetFlow, IPFIX) into the flow table and the pipeline: each record's own counts, the
 * same flow as a captured packet of the same 5-tuple (counted once), the same eviction, and intervals
 * closed by the records' arrival times.
 */
import assert from "node:assert/strict";
import { createFlowRecordBatch, type FlowRecordBatch } from "../netflow/flow_record.ts";
import type { Detector } from "./detector.ts";
import { FlowTable } from "./flow_table.ts";
import { FlowPipeline } from "./flow_pipeline.ts";
import {
  addIpRow,
  addressWords,
  batchOf,
  findFlow,
  flowCounters,
  type FlowKeyText,
} from "../../tests/helpers/batch_rows.ts";

const T0 = 1_700_000_000_000;
const A: FlowKeyText = { src: "10.231.126.1", dst: "10.231.126.2", srcPort: 40000, dstPort: 443, proto: 6 };
const B: FlowKeyText = { src: "2001:db8::1", dst: "2001:db8::2", srcPort: 5353, dstPort: 53, proto: 17 };

/** Appends a record of `key` with its counts, arriving at `tsMs`. */
function addRecord(
  b: FlowRecordBatch,
  key: FlowKeyText,
  tsMs: number,
  packets: number,
  bytes: number,
  flags = 0,
) {
  const r = b.count++, a = r << 2;
  const s = addressWords(key.src), d = addressWords(key.dst);
  b.src.set(s.words, a);
  b.dst.set(d.words, a);
  b.family[r] = s.family;
  b.srcPort[r] = key.srcPort;
  b.dstPort[r] = key.dstPort;
  b.proto[r] = key.proto;
  b.tcpFlags[r] = flags;
  b.tsMs[r] = tsMs;
  b.packets[r] = packets;
  b.bytes[r] = bytes;
}

Deno.test("flowTable.addRecords() adds each record's counts to its flow, created once", () => {
  const t = new FlowTable(16);
  const b = createFlowRecordBatch(8);
  addRecord(b, A, T0, 10, 5000, 0x02);
  addRecord(b, B, T0 + 5, 1, 80);
  addRecord(b, A, T0 + 10, 30, 45000, 0x10);
  t.addRecords(b, 0, b.count);
  assert.equal(t.size, 2);
  const a = flowCounters(t, findFlow(t, A)), v6 = flowCounters(t, findFlow(t, B));
  assert.deepEqual([a.packets, a.bytes, a.tcpFlags, a.firstSeen, a.lastSeen], [40, 50000, 0x12, T0, T0 + 10]);
  assert.deepEqual([v6.packets, v6.bytes], [1, 80]);
  assert.deepEqual([a.intervalBytes, a.intervalPackets], [50000, 40]);
});

Deno.test("flowTable: a record of a captured flow is the same traffic seen again, not counted twice", () => {
  const t = new FlowTable(16);
  t.update(batchOf([{ ...A, tsMs: T0, ipBytes: 60 }]), 0, 1);
  const b = createFlowRecordBatch(8);
  addRecord(b, A, T0 + 1, 3, 300);
  t.addRecords(b, 0, 1);
  assert.equal(t.size, 1);
  const c = flowCounters(t, findFlow(t, A));
  assert.deepEqual([c.packets, c.bytes, t.recordsSeenTwice], [1, 60, 1]);
});

Deno.test("flowTable: a flow reported first is counted from its records until it is captured, then from the capture", () => {
  const t = new FlowTable(16);
  const b = createFlowRecordBatch(8);
  addRecord(b, A, T0, 3, 300);
  addRecord(b, A, T0 + 1, 2, 200); // the same exporter's next record
  t.addRecords(b, 0, b.count);
  t.update(batchOf([{ ...A, tsMs: T0 + 2, ipBytes: 60 }]), 0, 1);
  const later = createFlowRecordBatch(8);
  addRecord(later, A, T0 + 3, 1, 100);
  t.addRecords(later, 0, later.count);
  const c = flowCounters(t, findFlow(t, A));
  assert.deepEqual([c.packets, c.bytes, t.recordsSeenTwice], [6, 560, 1]);
});

Deno.test("flowTable.addRecords() evicts as packets do when the table is full", () => {
  const t = new FlowTable(2);
  const b = createFlowRecordBatch(8);
  addRecord(b, A, T0, 1, 1);
  addRecord(b, B, T0, 1, 1);
  addRecord(b, { ...A, srcPort: 1 }, T0, 1, 1);
  t.addRecords(b, 0, b.count);
  assert.deepEqual([t.size, t.evictedFull, t.created], [2, 1, 3]);
});

Deno.test("flowPipeline.consumeRecords() starts the clock and closes intervals at the records' arrival times", () => {
  const t = new FlowTable(16);
  const closes: [number, number][] = [];
  let rowCalls = 0;
  const watcher: Detector = {
    name: "watcher",
    onRows: () => void rowCalls++,
    onInterval(start) {
      const id = findFlow(t, A);
      closes.push([start - T0, t.intervalBytes(id)]);
      t.resetInterval(id);
    },
  };
  const p = new FlowPipeline(t, [watcher], {
    intervalMs: 10_000,
    idleTimeoutMs: 60_000,
    activeTimeoutMs: 60_000,
  });
  const b = createFlowRecordBatch(8);
  addRecord(b, A, T0 + 1000, 1, 100);
  addRecord(b, A, T0 + 9000, 1, 200);
  addRecord(b, A, T0 + 12_000, 1, 400); // the next interval: the first closes before it is counted
  p.consumeRecords(b);
  p.finish();
  assert.deepEqual(closes, [[0, 300], [10_000, 400]]);
  assert.deepEqual([p.records, rowCalls], [3, 0], "records are not packets: onRows is not called");
  // Packets still go through as before, into the same flow.
  const packets = batchOf([]);
  addIpRow(packets, { ...A, tsMs: T0 + 21_000, ipBytes: 50 });
  p.consume(packets);
  assert.deepEqual([flowCounters(t, findFlow(t, A)).bytes, rowCalls], [750, 1]);
});
