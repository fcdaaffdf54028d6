/**
 * The history's row and size bounds on a real SQLite file: what is left is checked with SQL of its own
 * (count, min(ts), the file's pages) against the alerts written, never against the store's counters alone.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createLogger, setLogSink } from "../base/log.ts";
import { type NewAlert, openHistory } from "./history_db.ts";

const T0 = 1_700_000_000_000;

/** Trap-like alerts 1 s apart, the i-th with a payload of `payload` characters. */
function alerts(n: number, payload = 0, from = 0): NewAlert[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      ts: T0 + i * 1000,
      kind: "trap",
      type: "linkDown",
      severity: "warning",
      mac: null,
      ip: null,
      peer_ip: null,
      device_ip: "192.0.2.1",
      summary: `trap ${i}`,
      event: { kind: "trap", n: i, blob: "x".repeat(payload) },
      muted: false,
    };
  });
}

function withHistory(
  opts: { maxAlerts?: number; maxBytes?: number },
  fn: (h: ReturnType<typeof openHistory>, path: string, logs: Record<string, unknown>[]) => void,
): void {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-bounds-" });
  const logs: Record<string, unknown>[] = [];
  setLogSink((l) => logs.push(JSON.parse(l)));
  const h = openHistory(`${dir}/history.db`, { ...opts, log: createLogger("history") });
  try {
    fn(h, `${dir}/history.db`, logs);
  } finally {
    h.close();
    setLogSink(undefined);
    Deno.removeSync(dir, { recursive: true });
  }
}

/** What the file itself holds: rows, the oldest summary, pages in use × page size. */
function onDisk(path: string): { rows: number; oldest: string; usedBytes: number } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const n = (db.prepare("SELECT count(*) AS n FROM alerts").get() as { n: number }).n;
    const oldest = db.prepare("SELECT summary FROM alerts ORDER BY ts, id LIMIT 1").get() as {
      summary: string;
    };
    const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
    const free = (db.prepare("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count;
    const size = (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
    return { rows: n, oldest: oldest.summary, usedBytes: (pages - free) * size };
  } finally {
    db.close();
  }
}

Deno.test("the history keeps at most maxAlerts, removing the oldest first, counted and logged once", () => {
  withHistory({ maxAlerts: 100 }, (h, path, logs) => {
    for (let batch = 0; batch < 5; batch++) {
      for (const a of alerts(50, 0, batch * 50)) h.insert(a);
      h.flush();
    }
    const disk = onDisk(path);
    assert.ok(disk.rows <= 100, `${disk.rows} rows`);
    // Written 0…249; what is left is the newest, contiguous up to trap 249.
    const newest = h.query({}, { limit: 1 }).alerts[0];
    assert.equal(newest.summary, "trap 249");
    assert.equal(disk.oldest, `trap ${250 - disk.rows}`);
    assert.equal(h.stats().alerts, disk.rows);
    assert.equal(h.stats().pruned, 250 - disk.rows);
    const lines = logs.filter((l) => String(l.msg).startsWith("alert history at its bound"));
    assert.equal(lines.length, 1, "said once a minute at most");
  });
});

Deno.test("the history keeps the file's pages in use under maxBytes, removing the oldest first", () => {
  const maxBytes = 256 * 1024;
  withHistory({ maxBytes }, (h, path) => {
    // 300 alerts of about 4 KB each: about 1.2 MB written into a 256 KiB bound.
    for (let batch = 0; batch < 10; batch++) {
      for (const a of alerts(30, 4000, batch * 30)) h.insert(a);
      h.flush();
    }
    const disk = onDisk(path);
    assert.ok(disk.usedBytes <= maxBytes, `${disk.usedBytes} bytes in use`);
    assert.ok(disk.rows > 0 && disk.rows < 300, `${disk.rows} rows`);
    assert.equal(disk.oldest, `trap ${300 - disk.rows}`, "the newest are kept");
    assert.equal(h.stats().pruned, 300 - disk.rows);
  });
});

Deno.test("a history reopened over its bound is brought within it at the next write", () => {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-bounds-" });
  try {
    const first = openHistory(`${dir}/history.db`);
    for (const a of alerts(500)) first.insert(a);
    first.close();
    const again = openHistory(`${dir}/history.db`, { maxAlerts: 200 });
    assert.equal(again.stats().alerts, 500, "counted when first asked");
    for (const a of alerts(1, 0, 500)) again.insert(a);
    again.flush();
    assert.ok(again.stats().alerts <= 200);
    again.close();
    assert.equal(onDisk(`${dir}/history.db`).rows, again.stats().alerts);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a history counts its alerts when first needed, not at open, and the count is exact either way", () => {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-bounds-" });
  const path = `${dir}/history.db`;
  try {
    const first = openHistory(path);
    for (const a of alerts(300)) first.insert(a);
    first.close();
    // Opened, then written to before anything asked for the count: the count made at the bound's first
    // check must include both, and the bound must hold on disk.
    const again = openHistory(path, { maxAlerts: 200 });
    for (const a of alerts(10, 0, 300)) again.insert(a);
    again.flush();
    assert.equal(again.stats().alerts, onDisk(path).rows);
    assert.ok(onDisk(path).rows <= 200, `${onDisk(path).rows} alerts on disk`);
    again.close();
    // Opened with no count bound, rows added by another connection before the first stats(): counted then.
    const third = openHistory(path);
    const other = new DatabaseSync(path);
    other.exec(
      "INSERT INTO alerts (ts, kind, type, severity, summary, event) " +
        "SELECT ts + 1, kind, type, severity, summary, event FROM alerts LIMIT 5",
    );
    other.close();
    assert.equal(third.stats().alerts, onDisk(path).rows);
    third.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
