import assert from "node:assert/strict";
import { FlowTable } from "../flow/mod.ts";
import { createFlowRecordBatch } from "../netflow/flow_record.ts";
import { MinuteFlows } from "./minute_flows.ts";

const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** A minute of one record per flow, flow i from source port 1000 + i with `bytes[i]` octets. */
function minuteOf(bytes: number[], capacity = Math.max(1, 4 * bytes.length)): MinuteFlows {
  const b = createFlowRecordBatch(bytes.length), table = new FlowTable(16_384);
  bytes.forEach((octets, i) => {
    b.family[i] = 4;
    b.src[i << 2] = 0x0a000001;
    b.dst[i << 2] = 0x0a000002;
    b.srcPort[i] = 1000 + i;
    b.dstPort[i] = 443;
    b.proto[i] = 6;
    b.bytes[i] = octets;
    b.packets[i] = 1;
    b.tsMs[i] = T0 + i;
  });
  b.count = bytes.length;
  table.addRecords(b, 0, b.count);
  const flows = new MinuteFlows(capacity);
  // Table ids in record order: the minute's rows follow them.
  for (let id = 0; id < table.highWater; id++) {
    flows.add(table, id, table.intervalBytes(id), table.intervalPackets(id), T0, T0);
  }
  return flows;
}

/** The source ports of the `limit` largest, most first, ties in the order added: a plain sort. */
function expected(bytes: number[], limit: number): number[] {
  return bytes.map((b, i) => ({ b, i })).sort((x, y) => y.b - x.b || x.i - y.i).slice(0, limit)
    .map((x) => 1000 + x.i);
}

Deno.test("MinuteFlows.top() keeps the flows with the most octets, most first, ties in the order first met", () => {
  let x = 5;
  const rnd = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % m;
  const bytes = Array.from({ length: 3_000 }, () => 40 * (1 + rnd(200))); // many ties
  for (const limit of [1, 100, 2_999, 3_000, 5_000]) {
    const top = minuteOf(bytes).top(limit, () => "");
    assert.equal(top.flows.count, Math.min(limit, bytes.length));
    assert.deepEqual(
      [...top.flows.srcPort.subarray(0, top.flows.count)],
      expected(bytes, limit),
      `limit ${limit}`,
    );
    assert.deepEqual(
      [...top.flows.bytes.subarray(0, top.flows.count)],
      expected(bytes, limit).map((p) => bytes[p - 1000]),
    );
  }
});

Deno.test("MinuteFlows.top() orders octet counts past 2^40 and fractional ones (sampled records) the same way", () => {
  const huge = [2 ** 50, 3, 2 ** 50, 2 ** 50 + 2, 7, 2 ** 45];
  assert.deepEqual([...minuteOf(huge).top(4, () => "").flows.srcPort.subarray(0, 4)], expected(huge, 4));
  const sampled = [10.5, 10.25, 10.5, 99.9, 0.5, 10.5];
  assert.deepEqual([...minuteOf(sampled).top(6, () => "").flows.srcPort], expected(sampled, 6));
  assert.equal(minuteOf([]).top(10, () => "").flows.count, 0);
});

Deno.test("MinuteFlows grows its rows as a minute needs them, and past its capacity counts the flows it does not keep", () => {
  const bytes = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 1000 + 1);
  const grown = minuteOf(bytes);
  assert.equal(grown.size, 10_000);
  assert.deepEqual([...grown.top(10_000, () => "").flows.srcPort], expected(bytes, 10_000));
  const bounded = minuteOf(bytes, 6_000);
  assert.equal(bounded.size, 6_000);
  assert.equal(bounded.notKept, 4_000);
  assert.deepEqual([...bounded.top(100, () => "").flows.srcPort], expected(bytes.slice(0, 6_000), 100));
});
