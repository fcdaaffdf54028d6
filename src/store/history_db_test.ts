import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { AlertKind, AlertSeverity } from "./alert_row.ts";
import {
  type AlertFilter,
  type AlertRecord,
  MAX_EVENT_JSON,
  type NewAlert,
  openHistory,
} from "./history_db.ts";
import { HISTORY_MIGRATIONS } from "./history_schema.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

/** 2023-11-14T22:13:20.000Z */
const T0 = 1_700_000_000_000;

const KINDS: AlertKind[] = ["security", "anomaly", "trap"];
const SEVERITIES: AlertSeverity[] = ["info", "warning", "critical"];
const SUMMARIES = [
  "New device 50% of the time",
  "ARP_spoof of the gateway",
  "link down on ge-0/0/1",
  "plain",
];

/** `n` varied alerts; a few share a timestamp, so the id breaks ties. */
function makeAlerts(n: number, seed = 1): NewAlert[] {
  const rand = seededRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[rand() % xs.length];
  return Array.from({ length: n }, (_, i) => {
    const kind = pick(KINDS);
    const ts = T0 + (rand() % 30) * 60_000;
    return {
      ts,
      kind,
      type: kind === "security"
        ? pick(["rogue_device", "arp_spoof"])
        : kind === "anomaly"
        ? "traffic_spike"
        : "linkDown",
      severity: pick(SEVERITIES),
      mac: kind === "security" ? `02:00:00:00:00:0${rand() % 4}` : null,
      ip: `192.0.2.${1 + (rand() % 5)}`,
      peer_ip: kind === "anomaly" ? `198.51.100.${1 + (rand() % 3)}` : null,
      device_ip: kind === "trap" ? `192.0.2.${1 + (rand() % 5)}` : null,
      summary: `${pick(SUMMARIES)} #${i}`,
      event: { kind, ts: new Date(ts).toISOString(), n: i },
      muted: rand() % 5 === 0,
    };
  });
}

/** What the history should hold for `alerts` inserted in order into a new file. */
function expected(alerts: NewAlert[]): AlertRecord[] {
  return alerts.map((a, i) => ({
    ...a,
    id: i + 1,
    acked_at: null,
    acked_by: null,
    ack_note: null,
  }));
}

const newestFirst = (a: AlertRecord, b: AlertRecord) => b.ts - a.ts || b.id - a.id;

function tempDb(): { dir: string; path: string } {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-history-" });
  return { dir, path: `${dir}/history.db` };
}

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

Deno.test("HistoryDb writes queued alerts together on the next tick", async () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    for (const a of makeAlerts(50)) h.insert(a);
    assert.deepEqual(h.stats(), {
      pending: 50,
      written: 0,
      dropped: 0,
      write_errors: 0,
      alerts: 0,
      pruned: 0,
    });
    await tick();
    assert.deepEqual(h.stats(), {
      pending: 0,
      written: 50,
      dropped: 0,
      write_errors: 0,
      alerts: 50,
      pruned: 0,
    });
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb.query() pages through every alert newest first, ties by id, as inserted", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    const alerts = makeAlerts(203);
    for (const a of alerts) h.insert(a);
    const got: AlertRecord[] = [];
    let after: { ts: number; id: number } | undefined;
    for (let pages = 0;; pages++) {
      assert.ok(pages < 40, "pagination ends");
      const page = h.query({}, { limit: 10, after });
      assert.equal(page.totalMatched, 203);
      got.push(...page.alerts);
      if (page.next === null) break;
      after = page.next;
    }
    assert.deepEqual(got, expected(alerts).sort(newestFirst));
    assert.ok(new Set(alerts.map((a) => a.ts)).size < 203, "some timestamps are shared");
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb.query() filters by kind, type, severity, mac, ip, time, acked, muted and text", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    const alerts = makeAlerts(300, 7);
    for (const a of alerts) h.insert(a);
    h.flush();
    h.ack(3, "api", "seen", T0);
    h.ack(10, "api", null, T0);
    const all = expected(alerts).map((r) => r.id === 3 || r.id === 10 ? { ...r, acked_at: T0 } : r);
    const cases: [AlertFilter, (r: AlertRecord) => boolean][] = [
      [{ kind: "trap" }, (r) => r.kind === "trap"],
      [{ type: "arp_spoof" }, (r) => r.type === "arp_spoof"],
      [{ severity: "critical" }, (r) => r.severity === "critical"],
      [{ mac: "02:00:00:00:00:01" }, (r) => r.mac === "02:00:00:00:00:01"],
      [{ ip: "198.51.100.2" }, (r) => r.peer_ip === "198.51.100.2"],
      [{ ip: "192.0.2.3" }, (r) => r.ip === "192.0.2.3" || r.device_ip === "192.0.2.3"],
      [{ sinceMs: T0 + 600_000, untilMs: T0 + 900_000 }, (r) => r.ts >= T0 + 600_000 && r.ts <= T0 + 900_000],
      [{ acked: true }, (r) => r.acked_at !== null],
      [{ acked: false }, (r) => r.acked_at === null],
      [{ muted: true }, (r) => r.muted],
      [{ q: "arp_" }, (r) => r.summary.toLowerCase().includes("arp_")],
      [{ q: "50%" }, (r) => r.summary.includes("50%")],
      [
        { kind: "security", severity: "info", muted: false },
        (r) => r.kind === "security" && r.severity === "info" && !r.muted,
      ],
    ];
    for (const [filter, keep] of cases) {
      const want = all.filter(keep).sort(newestFirst);
      assert.ok(want.length > 0 && want.length < 300, `${JSON.stringify(filter)} selects some`);
      const page = h.query(filter, { limit: 1000 });
      assert.equal(page.totalMatched, want.length, JSON.stringify(filter));
      assert.deepEqual(page.alerts.map((r) => r.id), want.map((r) => r.id), JSON.stringify(filter));
    }
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb.purgeOlderThan() removes exactly the alerts before the cutoff", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    const alerts = makeAlerts(120, 3);
    for (const a of alerts) h.insert(a);
    const cutoff = T0 + 15 * 60_000;
    const old = alerts.filter((a) => a.ts < cutoff).length;
    assert.ok(old > 0 && old < 120);
    assert.equal(h.purgeOlderThan(cutoff), old);
    const left = h.query({}, { limit: 1000 }).alerts;
    assert.deepEqual(
      left.map((r) => r.id),
      expected(alerts).filter((r) => r.ts >= cutoff).sort(newestFirst).map((r) => r.id),
    );
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb.ack() persists across a reopen; an unknown id is undefined", () => {
  const { dir, path } = tempDb();
  try {
    const h = openHistory(path);
    for (const a of makeAlerts(5)) h.insert(a);
    const acked = h.ack(2, "api", "known printer", T0 + 5);
    assert.equal(acked?.acked_at, T0 + 5);
    assert.equal(h.ack(99, "api", null), undefined);
    h.close();
    const again = openHistory(path);
    const r = again.get(2);
    assert.deepEqual([r?.acked_at, r?.acked_by, r?.ack_note], [T0 + 5, "api", "known printer"]);
    assert.equal(again.get(1)?.acked_at, null);
    again.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openHistory() moves a file that is not a database aside, says so, and starts anew", () => {
  const { dir, path } = tempDb();
  try {
    const garbage = new TextEncoder().encode("this is not SQLite, just text ".repeat(200));
    Deno.writeFileSync(path, garbage);
    const lines: string[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (m: string) => void lines.push(m) };
    const h = openHistory(path, { log, now: () => T0 });
    try {
      assert.ok(h.recovered);
      assert.equal(h.recovered.movedTo, `${path}.corrupt-2023-11-14T22-13-20-000Z`);
      assert.deepEqual(Deno.readFileSync(h.recovered.movedTo), garbage);
      assert.equal(lines.length, 1);
      h.insert(makeAlerts(1)[0]);
      assert.equal(h.query({}, { limit: 10 }).totalMatched, 1);
    } finally {
      h.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openHistory() refuses a file whose schema is newer than it knows, and leaves it alone", () => {
  const { dir, path } = tempDb();
  try {
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    db.prepare("INSERT INTO schema_version VALUES (?)").run(HISTORY_MIGRATIONS.length + 1);
    db.close();
    assert.throws(() => openHistory(path), /schema version 2, newer than this Flintnet knows \(1\)/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["history.db"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openHistory() creates the file readable by its owner only, in WAL mode", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    const mode = h.sqlite.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    assert.equal(mode.journal_mode, "wal");
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb stores an oversized event without its evidence, within the bound", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path);
  try {
    const a = makeAlerts(1)[0];
    h.insert({
      ...a,
      event: { kind: "security", ts: "x", evidence: { blob: "z".repeat(MAX_EVENT_JSON) }, id: 9 },
    });
    const event = h.get(1)?.event;
    assert.equal(event?.truncated, true);
    assert.equal(event?.id, undefined, "the bus id is not stored");
    assert.match(String(event?.evidence), /characters left out/);
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("HistoryDb takes 100,000 alerts and pages them through its indexes", () => {
  const { dir, path } = tempDb();
  const h = openHistory(path, { maxPending: 200_000 });
  try {
    const base = makeAlerts(1000, 11);
    for (let i = 0; i < 100_000; i++) h.insert(base[i % 1000]);
    assert.equal(h.flush(), 100_000);
    const first = h.query({}, { limit: 100 });
    assert.equal(first.totalMatched, 100_000);
    assert.equal(first.alerts.length, 100);
    const plans: [AlertFilter, RegExp][] = [
      [{}, /USING INDEX alerts_ts\b/],
      [{ mac: "02:00:00:00:00:01" }, /USING INDEX alerts_mac_ts\b/],
      [{ kind: "trap" }, /USING INDEX alerts_kind_ts\b/],
      [{ acked: false }, /USING INDEX alerts_unacked_ts\b/],
    ];
    for (const [filter, index] of plans) {
      const plan = h.explainQuery(filter, { limit: 100, after: { ts: T0 + 60_000, id: 50_000 } });
      assert.match(plan.join("\n"), index, `${JSON.stringify(filter)}: ${plan.join(" | ")}`);
      assert.doesNotMatch(plan.join("\n"), /TEMP B-TREE/, `${JSON.stringify(filter)} needs no sort`);
    }
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
