import assert from "node:assert/strict";
import { setLogSink } from "../base/log.ts";
import { createPacketBatch, type PacketBatch, RowKind } from "../decode/packet_batch.ts";
import type { Detector } from "./detector.ts";
import { ExpiryReason, FlowTable } from "./flow_table.ts";
import { FlowPipeline, type PipelineOptions } from "./flow_pipeline.ts";
import {
  addIpRow,
  batchOf,
  findFlow,
  flowCounters,
  type FlowKeyText,
  type IpRow,
} from "../../tests/helpers/batch_rows.ts";

/** A multiple of every interval used here, so interval boundaries fall on round offsets from it. */
const T0 = 1_700_000_000_000;
const IV = 10_000;

const A: FlowKeyText = { src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 443, proto: 6 };
const B: FlowKeyText = { src: "2001:db8::1", dst: "2001:db8::2", srcPort: 5353, dstPort: 53, proto: 17 };

function at(key: FlowKeyText, offsetMs: number, ipBytes: number): IpRow {
  return { ...key, tsMs: T0 + offsetMs, ipBytes };
}

interface Close {
  start: number;
  end: number;
  emptyAfter: number;
  /** intervalBytes of flow A and B at the close (-1 when the flow is not in the table). */
  a: number;
  b: number;
}

/**
 * A detector that records what the pipeline shows it and, like the EWMA detector, starts a new
 * interval for every flow after reading it.
 */
class RecordingDetector implements Detector {
  readonly name = "recording";
  closes: Close[] = [];
  rows: [number, number][] = [];
  constructor(readonly table: FlowTable) {}
  onRows(_b: PacketBatch, from: number, to: number): void {
    this.rows.push([from, to]);
  }
  onInterval(start: number, end: number, emptyAfter: number): void {
    const t = this.table;
    const bytesOf = (k: FlowKeyText) => {
      const id = findFlow(t, k);
      return id < 0 ? -1 : flowCounters(t, id).intervalBytes;
    };
    this.closes.push({ start: start - T0, end: end - T0, emptyAfter, a: bytesOf(A), b: bytesOf(B) });
    for (let id = 0; id < t.highWater; id++) if (t.family[id] !== 0) t.resetInterval(id);
  }
}

function setup(o: Partial<PipelineOptions> = {}, onRollover?: (id: number) => void) {
  const expired: [string, number][] = [];
  const table: FlowTable = new FlowTable(64, (id, reason) => expired.push([`${table.srcPort[id]}`, reason]));
  const det = new RecordingDetector(table);
  const options = { intervalMs: IV, idleTimeoutMs: 60_000, activeTimeoutMs: 3_600_000, ...o };
  const pipeline = new FlowPipeline(table, [det], options, onRollover);
  return { table, det, pipeline, expired };
}

Deno.test("FlowPipeline aligns intervals to multiples of intervalMs since the epoch", () => {
  const { det, pipeline } = setup();
  assert.ok(Number.isNaN(pipeline.intervalStart), "no interval before the first packet");
  pipeline.consume(batchOf([at(A, 3_500, 100)]));
  assert.equal(pipeline.intervalStart, T0);
  pipeline.consume(batchOf([at(A, 12_000, 100)]));
  assert.equal(pipeline.intervalStart, T0 + IV);
  assert.deepEqual(det.closes, [{ start: 0, end: IV, emptyAfter: 0, a: 100, b: -1 }]);
});

Deno.test("FlowPipeline.consume() splits a batch that crosses interval boundaries so each packet counts in its own interval", () => {
  const { det, pipeline } = setup();
  const b = batchOf([
    at(A, 1_000, 100),
    at(B, 5_000, 10),
    at(A, 9_999, 100),
    at(A, 10_000, 200), // exactly on the boundary: belongs to the second interval
    at(B, 15_000, 20),
    at(A, 25_000, 300),
  ]);
  pipeline.consume(b);
  assert.deepEqual(det.rows, [[0, 3], [3, 5], [5, 6]]);
  assert.deepEqual(det.closes, [
    { start: 0, end: 10_000, emptyAfter: 0, a: 200, b: 10 },
    { start: 10_000, end: 20_000, emptyAfter: 0, a: 200, b: 20 },
  ]);
  pipeline.finish();
  assert.deepEqual(det.closes[2], { start: 20_000, end: 30_000, emptyAfter: 0, a: 300, b: 0 });
  assert.equal(pipeline.rows, 6);
  assert.equal(pipeline.intervalsClosed, 3);
});

Deno.test("FlowPipeline.consume() reports the empty intervals skipped over a time gap in emptyAfter", () => {
  const { det, pipeline } = setup();
  pipeline.consume(batchOf([at(A, 1_000, 100), at(A, 45_000, 50)]));
  // [10 s, 20 s), [20 s, 30 s) and [30 s, 40 s) had no packets at all.
  assert.deepEqual(det.closes, [{ start: 0, end: 10_000, emptyAfter: 3, a: 100, b: -1 }]);
  assert.equal(pipeline.intervalStart, T0 + 40_000);
  pipeline.finish();
  assert.deepEqual(det.closes[1], { start: 40_000, end: 50_000, emptyAfter: 0, a: 50, b: -1 });
});

Deno.test("FlowPipeline.advanceTo() closes intervals without packets", () => {
  const { det, pipeline } = setup();
  pipeline.advanceTo(T0 + 100_000);
  assert.equal(det.closes.length, 0, "nothing to close before the first packet");
  pipeline.consume(batchOf([at(A, 1_000, 100)]));
  pipeline.advanceTo(T0 + 9_999);
  assert.equal(det.closes.length, 0, "the interval is still open");
  pipeline.advanceTo(T0 + 10_000);
  pipeline.advanceTo(T0 + 25_000);
  pipeline.advanceTo(T0 + 55_000);
  assert.deepEqual(det.closes, [
    { start: 0, end: 10_000, emptyAfter: 0, a: 100, b: -1 },
    { start: 10_000, end: 20_000, emptyAfter: 0, a: 0, b: -1 },
    { start: 20_000, end: 30_000, emptyAfter: 2, a: 0, b: -1 },
  ]);
  assert.equal(pipeline.intervalStart, T0 + 50_000);
});

Deno.test("FlowPipeline.finish() closes the open interval", () => {
  const { det, pipeline } = setup();
  pipeline.finish();
  assert.equal(det.closes.length, 0, "nothing to close before the first packet");
  pipeline.consume(batchOf([at(A, 21_000, 100), at(B, 22_000, 7)]));
  pipeline.finish();
  assert.deepEqual(det.closes, [{ start: 20_000, end: 30_000, emptyAfter: 0, a: 100, b: 7 }]);
  assert.equal(pipeline.intervalsClosed, 1);
});

Deno.test("FlowPipeline counts every row, ARP included, and an empty batch changes nothing", () => {
  const { det, pipeline, table } = setup();
  pipeline.consume(createPacketBatch(4));
  assert.ok(Number.isNaN(pipeline.intervalStart));
  const b = batchOf([at(A, 1_000, 100), at(B, 2_000, 10)]);
  b.kind[1] = RowKind.Arp;
  pipeline.consume(b);
  assert.equal(pipeline.rows, 2);
  assert.equal(table.size, 1);
  assert.deepEqual(det.rows, [[0, 2]], "detectors see ARP rows too");
});

Deno.test("FlowPipeline expires idle flows when an interval closes, not before", () => {
  const { table, pipeline, expired } = setup({ idleTimeoutMs: 30_000 });
  pipeline.consume(batchOf([at(A, 1_000, 100)]));
  // The close at 31 s (of [20 s, 30 s)) has cutoff 1 s: A, last seen at 1 s, is not older and stays.
  for (const off of [5_000, 15_000, 25_000, 31_000, 39_000]) pipeline.consume(batchOf([at(B, off, 10)]));
  // A has now been idle for 38 s > 30 s, but no interval has closed since [30 s, 40 s) began.
  assert.ok(findFlow(table, A) >= 0);
  assert.deepEqual(expired, []);
  pipeline.consume(batchOf([at(B, 40_000, 10)]));
  // Closing [30 s, 40 s) at 40 s: the cutoff is 10 s; A (last seen 1 s) goes, B (39 s) stays.
  assert.equal(findFlow(table, A), -1);
  assert.ok(findFlow(table, B) >= 0);
  assert.deepEqual(expired, [["40000", ExpiryReason.Idle]]);
  assert.equal(table.expiredIdle, 1);
});

Deno.test("FlowPipeline restarts a flow's counters at the active timeout, keeping its baseline", () => {
  const rolled: { bytes: number; packets: number; firstSeen: number; lastSeen: number }[] = [];
  const { table, pipeline } = setup({ activeTimeoutMs: 25_000 }, (id) => {
    const c = flowCounters(table, id);
    rolled.push({
      bytes: c.bytes,
      packets: c.packets,
      firstSeen: c.firstSeen - T0,
      lastSeen: c.lastSeen - T0,
    });
  });
  const b = createPacketBatch(1);
  for (let off = 0; off <= 25_000; off += 5_000) {
    b.count = 0;
    addIpRow(b, { ...at(A, off, 100), tcpFlags: 0x10 });
    pipeline.consume(b);
  }
  const id = findFlow(table, A);
  // Stand-in baseline, as the EWMA detector would have left it.
  table.ewmaMean[id] = 777;
  table.ewmaVar[id] = 55;
  table.ewmaIntervals[id] = 3;
  table.anomalyActive[id] = 1;
  // The packet at 30 s closes [20 s, 30 s): the flow has then been seen for 30 s ≥ 25 s.
  b.count = 0;
  addIpRow(b, { ...at(A, 30_000, 60), tcpFlags: 0x01 });
  pipeline.consume(b);
  assert.deepEqual(rolled, [{ bytes: 600, packets: 6, firstSeen: 0, lastSeen: 25_000 }]);
  assert.equal(pipeline.rolledOver, 1);
  assert.equal(findFlow(table, A), id, "the flow stays in the table");
  const c = flowCounters(table, id);
  // The new record starts where the last one ended and holds only the packet after the rollover.
  assert.equal(c.bytes, 60);
  assert.equal(c.packets, 1);
  assert.equal(c.tcpFlags, 0x01);
  assert.equal(c.firstSeen, T0 + 25_000);
  assert.equal(c.lastSeen, T0 + 30_000);
  assert.deepEqual(
    [table.ewmaMean[id], table.ewmaVar[id], table.ewmaIntervals[id], table.anomalyActive[id]],
    [777, 55, 3, 1],
  );
});

Deno.test("FlowPipeline keeps running the other detectors when one throws, and counts the failures by name", () => {
  setLogSink(() => {});
  try {
    const table = new FlowTable(64);
    const healthy = new RecordingDetector(table);
    const broken: Detector = {
      name: "broken",
      onRows() {
        throw new Error("a bug in a detector");
      },
    };
    const pipeline = new FlowPipeline(table, [broken], {
      intervalMs: IV,
      idleTimeoutMs: 60_000,
      activeTimeoutMs: 3_600_000,
    });
    pipeline.add(healthy);
    pipeline.consume(batchOf([at(A, 1_000, 100), at(B, 2_000, 200)]));
    pipeline.consume(batchOf([at(A, 12_000, 100)]));
    assert.deepEqual(healthy.rows, [[0, 2], [0, 1]], "the detector after the broken one saw every row");
    assert.equal(healthy.closes.length, 1);
    assert.equal(flowCounters(table, findFlow(table, A)).packets, 2, "the table counted every row");
    const stats = Object.fromEntries(pipeline.detectorStats().map((s) => [s.name, s]));
    assert.equal(stats.broken.failures, 2);
    assert.equal(stats.broken.last_error, "a bug in a detector");
    assert.equal(stats.recording.failures, 0);
    assert.equal(stats.recording.runs, 3, "two batches of rows and one closed interval");
  } finally {
    setLogSink(undefined);
  }
});
