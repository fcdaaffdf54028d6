import assert from "node:assert/strict";
import { FlowTable } from "../flow/mod.ts";
import type { RecordRows } from "../flow/flow_table.ts";
import { type FlowMinuteRow, FlowMinutes } from "./flow_minutes.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** One record per [srcLastOctet, bytes, packets]: 10.0.0.x:1000 → 10.0.1.1:443/TCP. */
function records(list: [number, number, number][], tsMs: number): RecordRows {
  const n = list.length;
  const r = {
    family: new Uint8Array(n).fill(4),
    src: new Uint32Array(n * 4),
    dst: new Uint32Array(n * 4),
    srcPort: new Uint16Array(n).fill(1000),
    dstPort: new Uint16Array(n).fill(443),
    proto: new Uint8Array(n).fill(6),
    vlan: new Uint16Array(n),
    tcpFlags: new Uint8Array(n),
    tsMs: new Float64Array(n).fill(tsMs),
    bytes: new Float64Array(n),
    packets: new Float64Array(n),
  };
  list.forEach(([host, bytes, packets], i) => {
    r.src[i * 4] = 0x0a000000 + host;
    r.dst[i * 4] = 0x0a000101;
    r.bytes[i] = bytes;
    r.packets[i] = packets;
  });
  return r;
}

function setup(maxRows = 100) {
  const table = new FlowTable(64);
  const minutes: FlowMinuteRow[][] = [];
  const fm = new FlowMinutes(table, (rows) => minutes.push(rows), maxRows);
  const add = (list: [number, number, number][], ts: number) =>
    table.addRecords(records(list, ts), 0, list.length);
  return { table, fm, minutes, add };
}

Deno.test("FlowMinutes hands over each minute's bytes and packets per flow, biggest first", () => {
  const { fm, minutes, add } = setup();
  add([[1, 1000, 10], [2, 500, 5]], T0 + 1_000);
  fm.onInterval(T0, T0 + 10_000);
  add([[1, 200, 2]], T0 + 15_000);
  fm.onInterval(T0 + 10_000, T0 + 20_000);
  add([[2, 3000, 30]], T0 + 65_000); // the next minute
  fm.onInterval(T0 + 60_000, T0 + 70_000);
  assert.equal(minutes.length, 1, "the first minute ended");
  assert.deepEqual(minutes[0].map((r) => [r.src_ip, r.bytes, r.packets, r.minuteMs]), [
    ["10.0.0.1", 1200, 12, T0],
    ["10.0.0.2", 500, 5, T0],
  ]);
  fm.flush();
  assert.deepEqual(minutes[1].map((r) => [r.src_ip, r.bytes, r.packets, r.minuteMs]), [
    ["10.0.0.2", 3000, 30, T0 + 60_000],
  ]);
});

Deno.test("FlowMinutes counts a restarted record (active timeout) from its new start", () => {
  const { table, fm, minutes, add } = setup();
  add([[1, 1000, 10]], T0 + 1_000);
  fm.onInterval(T0, T0 + 10_000);
  table.restartRecord(0);
  add([[1, 300, 3]], T0 + 12_000);
  fm.onInterval(T0 + 10_000, T0 + 20_000);
  fm.flush();
  assert.deepEqual(minutes[0].map((r) => [r.bytes, r.packets]), [[1300, 13]]);
});

Deno.test("FlowMinutes keeps the busiest flows up to its cap and counts the rest", () => {
  const { fm, minutes, add } = setup(2);
  add([[1, 10, 1], [2, 30, 1], [3, 20, 1]], T0 + 1_000);
  fm.onInterval(T0, T0 + 10_000);
  fm.flush();
  assert.deepEqual(minutes[0].map((r) => r.src_ip), ["10.0.0.2", "10.0.0.3"]);
  assert.equal(fm.truncated, 1);
});

Deno.test("FlowMinutes keeps a flow that ended within the minute apart from the next flow in its slot", () => {
  const { table, fm, minutes, add } = setup();
  add([[1, 700, 7]], T0 + 1_000);
  fm.onInterval(T0, T0 + 10_000);
  table.expireIdle(T0 + 5_000);
  assert.equal(table.size, 0);
  add([[9, 400, 4]], T0 + 15_000);
  assert.equal(table.highWater, 1, "the new flow took the freed slot");
  fm.onInterval(T0 + 10_000, T0 + 20_000);
  fm.flush();
  assert.deepEqual(minutes[0].map((r) => [r.src_ip, r.bytes, r.packets]), [["10.0.0.1", 700, 7], [
    "10.0.0.9",
    400,
    4,
  ]]);
});
