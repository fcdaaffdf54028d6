import assert from "node:assert/strict";
import type { MinuteSummary } from "../events/mod.ts";
import { FlowHistory } from "./flow_history.ts";
import { FlowHistoryDb } from "./flow_history_db.ts";

const MINUTE = 60_000;
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

/** A flow as the test writes it. */
interface F {
  src: number;
  dst: number;
  sp: number;
  dp: number;
  proto: number;
  bytes: number;
  flags?: number;
}

function minute(minuteMs: number, flows: F[]): MinuteSummary {
  const n = flows.length;
  const col = {
    count: n,
    family: new Uint8Array(n).fill(4),
    src: new Uint32Array(n * 4),
    dst: new Uint32Array(n * 4),
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    proto: new Uint8Array(n),
    tcpFlags: new Uint8Array(n),
    bytes: new Float64Array(n),
    packets: new Float64Array(n),
    firstMs: new Float64Array(n),
    lastMs: new Float64Array(n),
    exporter: new Uint16Array(n),
    exporterMask: new Uint32Array(n),
    inIf: new Uint32Array(n),
    outIf: new Uint32Array(n),
    srcAs: new Uint32Array(n),
    dstAs: new Uint32Array(n),
  };
  flows.forEach((f, r) => {
    col.src[r * 4] = f.src;
    col.dst[r * 4] = f.dst;
    col.srcPort[r] = f.sp;
    col.dstPort[r] = f.dp;
    col.proto[r] = f.proto;
    col.tcpFlags[r] = f.flags ?? 0;
    col.bytes[r] = f.bytes;
    col.packets[r] = Math.ceil(f.bytes / 1000);
    col.firstMs[r] = minuteMs + 1000;
    col.lastMs[r] = minuteMs + 59_000;
  });
  return {
    minuteMs,
    flows: col,
    exporters: [],
    hosts: [],
    subnets: [],
    interfaces: [],
    totals: { bytes: 0, packets: 0, flows: n, flows_not_kept: 0 },
  };
}

const ip = (s: string) => s.split(".").reduce((a, b) => a * 256 + Number(b), 0);

Deno.test("flowHistory answers the top flows of a period from its Worker, summed per 5-tuple over the minutes", async () => {
  const dir = await Deno.makeTempDir();
  const h = await FlowHistory.open(`${dir}/flows.sqlite`, 72 * 3600_000);
  try {
    // Three minutes; the same conversation in all three with different octets, others in one each.
    const written: F[][] = [];
    for (let m = 0; m < 3; m++) {
      const flows: F[] = [
        {
          src: ip("10.0.0.5"),
          dst: ip("52.94.1.1"),
          sp: 50000,
          dp: 443,
          proto: 6,
          bytes: 1000 * (m + 1),
          flags: 1 << m,
        },
        { src: ip("10.0.0.6"), dst: ip("10.0.0.1"), sp: 40000 + m, dp: 53, proto: 17, bytes: 700 },
        { src: ip("10.0.0.7"), dst: ip("192.168.1.1"), sp: 1234, dp: 22, proto: 6, bytes: 5000 - m },
      ];
      written.push(flows);
      h.write(minute(BASE + m * MINUTE, flows));
    }
    const page = await h.query({
      sinceMs: BASE,
      untilMs: BASE + 3 * MINUTE,
      sort: "bytes",
      offset: 0,
      limit: 10,
    });
    // What the test wrote, summed by 5-tuple here.
    const sums = new Map<string, number>();
    for (const f of written.flat()) {
      const k = `${f.src}|${f.dst}|${f.sp}|${f.dp}|${f.proto}`;
      sums.set(k, (sums.get(k) ?? 0) + f.bytes);
    }
    const expected = [...sums.values()].sort((a, b) => b - a);
    assert.deepEqual(page.flows.map((f) => f.bytes), expected);
    assert.equal(page.flows[0].src_ip, "10.0.0.7");
    assert.equal(page.flows[0].minutes, 3);
    const https = page.flows.find((f) => f.dst_port === 443)!;
    assert.equal(https.bytes, 6000);
    assert.equal(https.tcp_flags, 0b111);
    assert.equal(https.first_seen, new Date(BASE + 1000).toISOString());
    assert.equal(https.last_seen, new Date(BASE + 2 * MINUTE + 59_000).toISOString());

    // Filters, a minute range, pages.
    const one = await h.query({
      sinceMs: BASE + MINUTE,
      untilMs: BASE + 2 * MINUTE,
      sort: "bytes",
      offset: 0,
      limit: 10,
    });
    assert.deepEqual(one.flows.map((f) => f.bytes), [4999, 2000, 700]);
    const dns = await h.query({
      sinceMs: BASE,
      untilMs: BASE + 3 * MINUTE,
      port: 53,
      sort: "bytes",
      offset: 0,
      limit: 10,
    });
    assert.equal(dns.flows.length, 3);
    const inNet = await h.query({
      sinceMs: BASE,
      untilMs: BASE + 3 * MINUTE,
      v4Range: [ip("192.168.0.0"), ip("192.168.255.255")],
      sort: "bytes",
      offset: 0,
      limit: 10,
    });
    assert.deepEqual(inNet.flows.map((f) => f.dst_ip), ["192.168.1.1"]);
    const second = await h.query({
      sinceMs: BASE,
      untilMs: BASE + 3 * MINUTE,
      sort: "bytes",
      offset: 1,
      limit: 1,
    });
    assert.equal(second.flows[0].bytes, expected[1]);
    assert.equal(h.stats().minutes_written, 3);
    assert.equal(h.stats().rows_written, 9);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flowHistoryDb.prune() deletes the minutes before the cutoff and keeps the rest", () => {
  const db = new FlowHistoryDb(":memory:");
  try {
    for (let m = 0; m < 5; m++) {
      db.write(minute(BASE + m * MINUTE, [{ src: 1, dst: 2, sp: 3, dp: 4, proto: 6, bytes: 10 }]));
    }
    assert.equal(db.prune(BASE + 2 * MINUTE + 5), 2);
    assert.equal(db.rows(), 3);
    const page = db.query({ sinceMs: 0, untilMs: BASE + 10 * MINUTE, sort: "bytes", offset: 0, limit: 10 });
    assert.equal(page.oldestMs, BASE + 2 * MINUTE);
    assert.equal(page.flows[0].bytes, 30);
  } finally {
    db.close();
  }
});

/** `n` distinct flows of one minute (a busy network's minute). */
function busyMinute(minuteMs: number, n: number): MinuteSummary {
  return minute(
    minuteMs,
    Array.from({ length: n }, (_, i) => ({
      src: ip("10.0.0.0") + i,
      dst: ip("192.0.2.1"),
      sp: 1024 + (i % 60000),
      dp: 443,
      proto: 6,
      bytes: 1000 + i,
    })),
  );
}

Deno.test("flowHistoryDb.enforceSize() removes the oldest minutes down to under the bound and keeps the newest", () => {
  const db = new FlowHistoryDb(":memory:");
  try {
    for (let m = 0; m < 30; m++) db.write(busyMinute(BASE + m * MINUTE, 500));
    const full = db.usedBytes();
    const bound = Math.floor(full / 3);
    assert.equal(db.enforceSize(full + 1), 0, "under its bound nothing goes");
    const deleted = db.enforceSize(bound);
    assert.ok(db.usedBytes() <= bound, `${db.usedBytes()} bytes in use over a bound of ${bound}`);
    assert.equal(db.rows() + deleted, 30 * 500);
    assert.equal(db.rows() % 500, 0, "whole minutes go");
    // The oldest went, the newest stayed: what is left is the last minutes, without a gap.
    const page = db.query({ sinceMs: 0, untilMs: BASE + 60 * MINUTE, sort: "bytes", offset: 0, limit: 1 });
    assert.equal(page.oldestMs, BASE + (30 - db.rows() / 500) * MINUTE);
    // A bound below one minute keeps that minute (the newest) rather than an empty history.
    db.enforceSize(1);
    assert.equal(db.rows(), 500);
  } finally {
    db.close();
  }
});

Deno.test("FlowHistory keeps its file within FLINTNET_FLOW_HISTORY_MAX_MB as minutes keep coming, and counts what went", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-history-size-" });
  const path = `${dir}/flows.sqlite`;
  const bound = 2 * 1024 * 1024;
  const h = await FlowHistory.open(path, 72 * 3_600_000, bound);
  try {
    // 40 minutes of 2,000 flows: several times what 2 MiB holds.
    for (let m = 0; m < 40; m++) {
      h.write(busyMinute(BASE - 40 * MINUTE + m * MINUTE, 2000));
      while (h.stats().pending > 0) await new Promise((r) => setTimeout(r, 5));
    }
    const s = h.stats();
    assert.equal(s.rows_written, 80_000);
    assert.ok(s.rows_pruned_size > 0, "minutes went for size");
    assert.equal(s.write_errors, 0);
    await h.close();
    // The file as the filesystem sees it (after close, which checkpoints the WAL into it): about the bound,
    // not the ~10 MiB 80,000 rows take.
    const size = (await Deno.stat(path)).size;
    assert.ok(size <= bound * 1.25, `flows.sqlite is ${size} bytes for a bound of ${bound}`);
    const db = new FlowHistoryDb(path);
    try {
      assert.equal(db.rows(), 80_000 - s.rows_pruned_size, "every row is written or counted as pruned");
    } finally {
      db.close();
    }
    // Opened again with a smaller bound (a setting lowered): the file is brought within it before any minute.
    const smaller = await FlowHistory.open(path, 72 * 3_600_000, bound / 2);
    await smaller.close();
    const again = new FlowHistoryDb(path);
    try {
      assert.ok(
        again.usedBytes() <= bound / 2,
        `${again.usedBytes()} bytes in use for a bound of ${bound / 2}`,
      );
      assert.ok(again.rows() > 0);
    } finally {
      again.close();
    }
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
