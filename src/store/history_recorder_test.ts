import assert from "node:assert/strict";
import { EventBus, type SecurityEvent, type TrapEvent } from "../events/mod.ts";
import { Mutes } from "../alert/mutes.ts";
import { type HistoryDb, openHistory } from "./history_db.ts";
import { HistoryRecorder } from "./history_recorder.ts";
import { sampleAnomaly, sampleStats } from "../../tests/helpers/sample_events.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const DAY = 86_400_000;

const SECURITY: SecurityEvent = {
  kind: "security",
  ts: "2024-05-01T11:59:00.000Z",
  type: "mac_spoof",
  severity: "critical",
  mac: "02:AB:CD:00:00:01",
  ip: "192.0.2.1",
  vendor: null,
  explanation: "192.0.2.1, the gateway, is claimed by a second MAC 02:ab:cd:00:00:01.",
  evidence: { macs: ["00:11:22:33:44:55", "02:ab:cd:00:00:01"], polled_device: "192.0.2.254" },
  source: "snmp",
};

const TRAP: TrapEvent = {
  kind: "trap",
  ts: "2024-05-01T11:58:00.000Z",
  source_ip: "192.0.2.254",
  version: "v1",
  pdu: "trap",
  name: "linkDown",
  trap_oid: "1.3.6.1.6.3.1.1.5.3",
  uptime_cs: 4200,
  if_index: 3,
  if_name: null,
  varbinds: [{ oid: "1.3.6.1.2.1.2.2.1.1.3", type: "Integer", value: "3" }],
  reason: "192.0.2.254 reports interface 3 down.",
};

function withHistory(fn: (h: HistoryDb) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-recorder-" });
  const h = openHistory(`${dir}/history.db`);
  return fn(h).finally(() => {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  });
}

function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

Deno.test("HistoryRecorder files each security, anomaly and trap event with its sentence and addresses", () =>
  withHistory(async (h) => {
    const bus = new EventBus();
    const rec = new HistoryRecorder({ history: h, retentionDays: 30, now: () => NOW });
    rec.attach(bus);
    try {
      const anomaly = {
        ...sampleAnomaly(90_000, "10.0.0.1 sent 90 kB to 10.0.0.2, ten times its usual."),
        ts: "2024-05-01T11:57:00.000Z",
      };
      bus.publish({ ...SECURITY });
      bus.publish(sampleStats(1));
      bus.publish({ ...anomaly });
      bus.publish({ ...TRAP });
      await settle();
      rec.detach();
      const rows = h.query({}, { limit: 10 }).alerts;
      assert.deepEqual(
        rows.map((
          r,
        ) => [r.ts, r.kind, r.type, r.severity, r.mac, r.ip, r.peer_ip, r.device_ip, r.summary, r.muted]),
        [
          [
            Date.parse(SECURITY.ts),
            "security",
            "mac_spoof",
            "critical",
            "02:ab:cd:00:00:01",
            "192.0.2.1",
            null,
            "192.0.2.254",
            SECURITY.explanation,
            false,
          ],
          [
            Date.parse(TRAP.ts),
            "trap",
            "linkDown",
            "warning",
            null,
            "192.0.2.254",
            null,
            "192.0.2.254",
            TRAP.reason,
            false,
          ],
          [
            Date.parse(anomaly.ts),
            "anomaly",
            "traffic_spike",
            "warning",
            null,
            anomaly.src_ip,
            anomaly.dst_ip,
            null,
            anomaly.reason,
            false,
          ],
        ],
      );
      assert.deepEqual(rows[0].event, SECURITY, "the event as published, without its bus id");
      assert.deepEqual(rows[1].event, TRAP);
      assert.deepEqual(rec.stats(), { recorded: 3, muted: 0, purged: 0, errors: 0, bus_dropped: 0 });
    } finally {
      rec.detach();
    }
  }));

Deno.test("HistoryRecorder records a muted alert with muted set", () =>
  withHistory(async (h) => {
    const bus = new EventBus();
    const mutes = new Mutes(h);
    mutes.add({ kind: "trap", until: NOW + 60_000 }, NOW);
    const rec = new HistoryRecorder({ history: h, retentionDays: 30, mutes, now: () => NOW });
    rec.attach(bus);
    try {
      bus.publish({ ...TRAP });
      bus.publish({ ...SECURITY });
      await settle();
      rec.detach();
      assert.deepEqual(h.query({ muted: true }, { limit: 10 }).alerts.map((r) => r.kind), ["trap"]);
      assert.deepEqual(h.query({ muted: false }, { limit: 10 }).alerts.map((r) => r.kind), ["security"]);
      assert.equal(rec.stats().muted, 1);
    } finally {
      rec.detach();
    }
  }));

Deno.test("HistoryRecorder purges alerts past retention at attach and on each interval", () =>
  withHistory(async (h) => {
    let now = NOW;
    const ages = [31 * DAY, 30 * DAY + 1, 30 * DAY - 1, DAY, 0];
    for (const age of ages) {
      h.insert({
        ts: NOW - age,
        kind: "trap",
        type: "coldStart",
        severity: "info",
        mac: null,
        ip: null,
        peer_ip: null,
        device_ip: null,
        summary: `age ${age}`,
        event: {},
        muted: false,
      });
    }
    const bus = new EventBus();
    const rec = new HistoryRecorder({ history: h, retentionDays: 30, now: () => now, purgeIntervalMs: 5 });
    rec.attach(bus);
    try {
      assert.deepEqual(h.query({}, { limit: 10 }).alerts.map((r) => r.summary), [
        `age 0`,
        `age ${DAY}`,
        `age ${30 * DAY - 1}`,
      ]);
      now = NOW + 2 * DAY;
      for (let i = 0; i < 100 && rec.stats().purged < 3; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(h.query({}, { limit: 10 }).alerts.map((r) => r.summary), [`age 0`, `age ${DAY}`]);
      assert.equal(rec.stats().purged, 3);
    } finally {
      rec.detach();
    }
  }));

Deno.test("HistoryRecorder keeps an anomaly episode as one alert: its closed event completes the row its open one made", () =>
  withHistory(async (h) => {
    const bus = new EventBus();
    const rec = new HistoryRecorder({ history: h, retentionDays: 30, now: () => NOW });
    rec.attach(bus);
    try {
      const open = sampleAnomaly(9_000_000, "10.0.0.1 is sending far more.", {
        episode_id: "f-kept",
        started_at: "2024-05-01T11:50:00.000Z",
        ts: "2024-05-01T11:50:20.000Z",
      });
      const host = sampleAnomaly(9_000_000, "A host received far more.", {
        episode_id: "h-other",
        scope: "host",
        subject: "10.0.0.2",
        direction: "received",
        rule: "sustained",
        src_ip: null,
        dst_ip: "10.0.0.2",
        started_at: "2024-05-01T11:50:00.000Z",
        ts: "2024-05-01T11:50:10.000Z",
      });
      bus.publish({ ...open });
      bus.publish({ ...host });
      await settle();
      const closed = {
        ...open,
        phase: "closed" as const,
        ts: "2024-05-01T11:55:00.000Z",
        reason: "It is over.",
      };
      bus.publish({ ...closed });
      // A closed event whose open one was never recorded here (before a restart, say) is filed on its own.
      const orphan = {
        ...open,
        episode_id: "f-orphan",
        phase: "closed" as const,
        ts: "2024-05-01T11:56:00.000Z",
        reason: "Over, unseen.",
      };
      bus.publish({ ...orphan });
      await settle();
      rec.detach();
      const rows = h.query({}, { limit: 10 }).alerts;
      assert.deepEqual(
        rows.map((r) => [r.ts, r.type, r.ip, r.peer_ip, r.summary, (r.event as { phase: string }).phase]),
        [
          [Date.parse(orphan.ts), "traffic_spike", "192.0.2.1", "192.0.2.2", "Over, unseen.", "closed"],
          // The episode's row keeps the time it was opened.
          [Date.parse(open.ts), "traffic_spike", "192.0.2.1", "192.0.2.2", "It is over.", "closed"],
          [Date.parse(host.ts), "traffic_sustained", "10.0.0.2", null, "A host received far more.", "open"],
        ],
      );
      assert.deepEqual(rows[1].event, closed);
      assert.equal(rec.stats().recorded, 3);
    } finally {
      rec.detach();
    }
  }));
