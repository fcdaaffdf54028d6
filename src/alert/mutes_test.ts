import assert from "node:assert/strict";
import type { SecurityEvent, TrapEvent } from "../events/mod.ts";
import { openHistory } from "../store/history_db.ts";
import { Mutes } from "./mutes.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function security(mac: string, ip: string, type: SecurityEvent["type"] = "rogue_device"): SecurityEvent {
  return {
    kind: "security",
    ts: new Date(T0).toISOString(),
    type,
    severity: "info",
    mac,
    ip,
    vendor: null,
    explanation: `A device ${mac} appeared at ${ip}.`,
    evidence: {},
    source: "capture",
  };
}

function trap(source: string, name = "linkDown"): TrapEvent {
  return {
    kind: "trap",
    ts: new Date(T0).toISOString(),
    source_ip: source,
    version: "v2c",
    pdu: "trap",
    name,
    trap_oid: "1.3.6.1.6.3.1.1.5.3",
    uptime_cs: 100,
    if_index: 2,
    if_name: null,
    varbinds: [],
    reason: `${source} reports interface 2 down.`,
  };
}

function withMutes(fn: (m: Mutes, path: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-mutes-" });
  const h = openHistory(`${dir}/history.db`);
  try {
    fn(new Mutes(h), `${dir}/history.db`);
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("Mutes.isMuted() matches a rule by MAC, in any letter case, and only security alerts carry one", () => {
  withMutes((m) => {
    m.add({ mac: "02:AA:00:00:00:01", until: T0 + HOUR }, T0);
    assert.equal(m.isMuted(security("02:aa:00:00:00:01", "192.0.2.5"), T0 + 1), true);
    assert.equal(m.isMuted(security("02:AA:00:00:00:01", "192.0.2.6", "arp_spoof"), T0 + 1), true);
    assert.equal(m.isMuted(security("02:aa:00:00:00:02", "192.0.2.5"), T0 + 1), false);
    assert.equal(m.isMuted(sampleAnomaly(5000), T0 + 1), false);
    assert.equal(m.isMuted(trap("192.0.2.5"), T0 + 1), false);
  });
});

Deno.test("Mutes.isMuted() matches by kind, by type, and by kind and type together", () => {
  withMutes((m) => {
    m.add({ kind: "trap", until: T0 + HOUR }, T0);
    m.add({ type: "arp_spoof", until: T0 + HOUR }, T0);
    m.add({ kind: "anomaly", type: "not_this_type", until: T0 + HOUR }, T0);
    assert.equal(m.isMuted(trap("192.0.2.9", "coldStart"), T0), true);
    assert.equal(m.isMuted(security("02:00:00:00:00:01", "192.0.2.1", "arp_spoof"), T0), true);
    assert.equal(m.isMuted(security("02:00:00:00:00:01", "192.0.2.1", "rogue_device"), T0), false);
    assert.equal(m.isMuted(sampleAnomaly(5000), T0), false, "every member of a rule must match");
  });
});

Deno.test("Mutes.isMuted() matches by IP: security ip, anomaly source or destination, trap source", () => {
  withMutes((m) => {
    m.add({ ip: "192.0.2.2", until: T0 + HOUR }, T0);
    assert.equal(m.isMuted(sampleAnomaly(5000), T0), true, "dst_ip 192.0.2.2");
    assert.equal(m.isMuted({ ...sampleAnomaly(5000), dst_ip: "192.0.2.3" }, T0), false);
    assert.equal(m.isMuted({ ...sampleAnomaly(5000), src_ip: "192.0.2.2", dst_ip: "192.0.2.3" }, T0), true);
    assert.equal(m.isMuted(trap("192.0.2.2"), T0), true);
    assert.equal(m.isMuted(security("02:00:00:00:00:01", "192.0.2.2"), T0), true);
    assert.equal(m.isMuted(security("02:00:00:00:00:01", "192.0.2.20"), T0), false);
  });
});

Deno.test("Mutes ignore a rule once its window has ended, and purge it from memory and disk", () => {
  withMutes((m, path) => {
    m.add({ kind: "trap", until: T0 + HOUR }, T0);
    m.add({ kind: "anomaly", until: T0 + 2 * HOUR }, T0);
    assert.equal(m.isMuted(trap("192.0.2.1"), T0 + HOUR - 1), true);
    assert.equal(m.isMuted(trap("192.0.2.1"), T0 + HOUR), false, "until is the first instant not muted");
    assert.equal(m.size, 1);
    assert.deepEqual(m.list(T0 + HOUR).map((r) => r.kind), ["anomaly"]);
    const reopened = openHistory(path);
    try {
      assert.deepEqual(new Mutes(reopened).list(T0 + HOUR).map((r) => r.kind), ["anomaly"]);
    } finally {
      reopened.close();
    }
  });
});

Deno.test("Mutes persist across a reopen, and remove() deletes one rule", () => {
  withMutes((m, path) => {
    const a = m.add({ mac: "02:00:00:00:00:01", until: T0 + HOUR, reason: "maintenance" }, T0);
    const b = m.add({ ip: "2001:db8::1", until: T0 + HOUR }, T0);
    assert.deepEqual(a, {
      id: 1,
      mac: "02:00:00:00:00:01",
      until: T0 + HOUR,
      reason: "maintenance",
      created_at: T0,
    });
    assert.equal(m.remove(a.id), true);
    assert.equal(m.remove(a.id), false);
    const reopened = openHistory(path);
    try {
      assert.deepEqual(new Mutes(reopened).list(T0), [b]);
    } finally {
      reopened.close();
    }
  });
});

Deno.test("Mutes.add() refuses a rule that matches everything, and more than maxRules", () => {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-mutes-" });
  const h = openHistory(`${dir}/history.db`);
  try {
    const m = new Mutes(h, { maxRules: 2 });
    assert.throws(() => m.add({ until: T0 + HOUR }, T0), /at least one of mac, ip, kind, type/);
    m.add({ kind: "trap", until: T0 + HOUR }, T0);
    m.add({ kind: "anomaly", until: T0 + HOUR }, T0);
    assert.throws(() => m.add({ kind: "security", until: T0 + HOUR }, T0), /2 mute rules are active/);
    assert.equal(
      m.add({ kind: "security", until: T0 + 2 * HOUR }, T0 + HOUR).kind,
      "security",
      "expired made room",
    );
  } finally {
    h.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
