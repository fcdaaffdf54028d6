import assert from "node:assert/strict";
import type { SecurityEvent } from "../events/mod.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";
import { Cooldown, cooldownKey } from "./cooldown.ts";

const MIN = 60_000;

function security(type: SecurityEvent["type"], mac: string, ip = "192.0.2.9"): SecurityEvent {
  return {
    kind: "security",
    ts: "2023-11-14T22:13:20.000Z",
    type,
    severity: "warning",
    mac,
    ip,
    vendor: null,
    explanation: "x",
    evidence: {},
    source: "capture",
  };
}

Deno.test("Cooldown.admit() lets the first alert out and holds back repeats within the cooldown", () => {
  const c = new Cooldown({ cooldownMs: 5 * MIN });
  assert.equal(c.admit("k", 0), true);
  assert.equal(c.takeSuppressed("k"), null);
  assert.equal(c.admit("k", 1 * MIN), false);
  assert.equal(c.admit("k", 2 * MIN), false);
  assert.equal(c.admit("k", 5 * MIN - 1), false);
  assert.equal(c.admit("k", 5 * MIN), true);
  assert.deepEqual(c.takeSuppressed("k"), { count: 3, sinceMs: 0 });
  assert.equal(c.takeSuppressed("k"), null, "the count is taken once");
  assert.equal(c.admit("k", 6 * MIN), false);
  assert.equal(c.admit("k", 10 * MIN), true);
  assert.deepEqual(c.takeSuppressed("k"), { count: 1, sinceMs: 5 * MIN });
});

Deno.test("Cooldown keeps keys apart", () => {
  const c = new Cooldown({ cooldownMs: 5 * MIN });
  assert.equal(c.admit("a", 0), true);
  assert.equal(c.admit("b", 0), true);
  assert.equal(c.admit("a", 1), false);
  assert.equal(c.takeSuppressed("b"), null);
});

Deno.test("Cooldown with 0 ms admits everything", () => {
  const c = new Cooldown({ cooldownMs: 0 });
  for (let i = 0; i < 5; i++) assert.equal(c.admit("k", 100), true);
});

Deno.test("Cooldown.cooldownMs can be changed at runtime", () => {
  const c = new Cooldown({ cooldownMs: 5 * MIN });
  c.admit("k", 0);
  c.cooldownMs = 1 * MIN;
  assert.equal(c.admit("k", 1 * MIN), true);
  assert.throws(() => (c.cooldownMs = -1), RangeError);
});

Deno.test("cooldownKey() is per device and type for security events, per subject for anomalies", () => {
  assert.equal(
    cooldownKey(security("arp_spoof", "aa")),
    cooldownKey(security("arp_spoof", "aa", "192.0.2.1")),
  );
  assert.notEqual(cooldownKey(security("arp_spoof", "aa")), cooldownKey(security("mac_spoof", "aa")));
  assert.notEqual(cooldownKey(security("arp_spoof", "aa")), cooldownKey(security("arp_spoof", "bb")));
  assert.equal(cooldownKey(security("rogue_device", "", "192.0.2.1")), "security|rogue_device|192.0.2.1");
  const a = sampleAnomaly(1), b = sampleAnomaly(2, "x", { subject: "192.0.2.1:40001 → 192.0.2.2:443 (TCP)" });
  assert.equal(cooldownKey(a), cooldownKey(sampleAnomaly(99, "x", { episode_id: "another" })));
  assert.notEqual(cooldownKey(a), cooldownKey(b));
  // A host's traffic sent and received are two subjects; a host and its flow too.
  const host = sampleAnomaly(1, "x", { scope: "host", subject: "192.0.2.1", community_id: null });
  assert.notEqual(cooldownKey(host), cooldownKey({ ...host, direction: "received" }));
  assert.notEqual(cooldownKey(host), cooldownKey(a));
});

Deno.test("Cooldown forgets keys whose cooldown is over, so memory stays bounded", () => {
  const c = new Cooldown({ cooldownMs: MIN });
  for (let i = 0; i < 1000; i++) c.admit(`k${i}`, i);
  assert.equal(c.size, 1000);
  c.admit("late", 10 * MIN);
  assert.equal(c.size, 1);
});

Deno.test("Cooldown keeps a held-back count past the cooldown, until the retention ends", () => {
  const c = new Cooldown({ cooldownMs: MIN, retainSuppressedMs: 60 * MIN });
  c.admit("k", 0);
  c.admit("k", 1);
  c.admit("other", 10 * MIN); // sweeps
  assert.equal(c.admit("k", 20 * MIN), true);
  assert.deepEqual(c.takeSuppressed("k"), { count: 1, sinceMs: 0 });
  c.admit("k", 20 * MIN + 1);
  c.admit("other", 90 * MIN); // sweeps past the retention
  assert.equal(c.forgottenSuppressed, 1);
  assert.equal(c.admit("k", 91 * MIN), true);
  assert.equal(c.takeSuppressed("k"), null);
});

Deno.test("Cooldown never remembers more than maxKeys keys", () => {
  const c = new Cooldown({ cooldownMs: 60 * MIN, maxKeys: 100 });
  for (let i = 0; i < 10_000; i++) c.admit(`flow${i}`, i);
  assert.equal(c.size, 100);
  assert.equal(c.admit("flow9999", 10_000), false, "the newest keys are kept");
});
