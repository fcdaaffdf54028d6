import assert from "node:assert/strict";
import { SECURITY_EVENT_TYPES } from "../events/mod.ts";
import {
  type AlertPolicy,
  AlertPolicyStore,
  defaultAlertPolicy,
  PolicyError,
  validatePolicyPatch,
} from "./alert_policy.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-policy-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function rejects(patch: unknown, field: string, ...words: string[]): void {
  assert.throws(() => validatePolicyPatch(patch, defaultAlertPolicy()), (err) => {
    assert.ok(err instanceof PolicyError, String(err));
    assert.equal(err.field, field);
    for (const w of words) assert.ok(err.message.includes(w), `"${err.message}" lacks "${w}"`);
    return true;
  });
}

Deno.test("defaultAlertPolicy() sends every security type and anomalies to e-mail and webhooks, traps nowhere", () => {
  const p = defaultAlertPolicy();
  for (const t of SECURITY_EVENT_TYPES) assert.deepEqual(p.routes[t], ["email", "webhook"]);
  assert.deepEqual(p.routes.anomaly, ["email", "webhook"]);
  assert.deepEqual(p.routes.trap, []);
  assert.equal(p.cooldown_s, 300);
  assert.equal(p.learning_period_s, 86_400);
});

Deno.test("defaultAlertPolicy() takes the environment's thresholds", () => {
  const p = defaultAlertPolicy({ anomaly: { k: 6, minBytes: 10 }, cooldownS: 60, learningPeriodS: 7 });
  assert.equal(p.anomaly.k, 6);
  assert.equal(p.anomaly.warmup_intervals, 30);
  assert.equal(p.anomaly.min_bytes, 10);
  assert.equal(p.cooldown_s, 60);
  assert.equal(p.learning_period_s, 7);
});

Deno.test("validatePolicyPatch() changes only the members given and replaces arrays whole", () => {
  const cur = defaultAlertPolicy();
  const next = validatePolicyPatch({ anomaly: { k: 5.5 }, routes: { trap: ["webhook"], anomaly: [] } }, cur);
  const want: AlertPolicy = structuredClone(cur);
  want.anomaly.k = 5.5;
  want.routes.trap = ["webhook"];
  want.routes.anomaly = [];
  assert.deepEqual(next, want);
  assert.deepEqual(cur, defaultAlertPolicy(), "the current policy is not modified");
});

Deno.test("validatePolicyPatch() accepts an empty patch and the range edges", () => {
  const cur = defaultAlertPolicy();
  assert.deepEqual(validatePolicyPatch({}, cur), cur);
  const p = validatePolicyPatch({
    cooldown_s: 0,
    learning_period_s: 0,
    anomaly: { k: 100, ratio: 1.5, warmup_intervals: 1, min_bytes: 0 },
  }, cur);
  assert.equal(p.cooldown_s, 0);
  assert.equal(p.anomaly.k, 100);
  assert.equal(p.anomaly.ratio, 1.5);
  assert.equal(validatePolicyPatch({ anomaly: { ratio: 1000 } }, cur).anomaly.ratio, 1000);
});

Deno.test("validatePolicyPatch() refuses unknown members, naming them and what is accepted", () => {
  rejects({ cooldown: 5 }, "cooldown", "cooldown is not a setting", "cooldown_s");
  rejects({ anomaly: { K: 5 } }, "anomaly.K", "anomaly.K", "k, ratio, warmup_intervals, min_bytes");
  rejects({ cooldownS: 5 }, "cooldownS", "cooldownS is not a setting", "cooldown_s, learning_period_s");
  rejects({ anomaly: { minBytes: 5 } }, "anomaly.minBytes", "min_bytes");
  rejects({ routes: { rogue: ["email"] } }, "routes.rogue", "rogue_device", "trap");
});

Deno.test("validatePolicyPatch() refuses bad values with the field, the value and the range", () => {
  rejects({ anomaly: { k: 0 } }, "anomaly.k", "greater than 0", "at most 100", "got 0");
  rejects({ anomaly: { k: "4" } }, "anomaly.k", 'got "4"');
  rejects({ anomaly: { warmup_intervals: 1.5 } }, "anomaly.warmup_intervals", "whole number", "1.5");
  rejects({ anomaly: { min_bytes: -1 } }, "anomaly.min_bytes", "-1");
  rejects({ anomaly: { ratio: 1 } }, "anomaly.ratio", "from 1.5 to 1000", "got 1");
  rejects({ anomaly: { ratio: 1001 } }, "anomaly.ratio", "got 1001");
  rejects({ cooldown_s: -1 }, "cooldown_s", "from 0 to 86400", "-1");
  rejects({ cooldown_s: null }, "cooldown_s", "null");
  rejects({ learning_period_s: 1e12 }, "learning_period_s", "1000000000000");
  rejects({ routes: { trap: ["sms"] } }, "routes.trap", '"sms"', "email, webhook");
  rejects({ routes: { trap: "email" } }, "routes.trap", "array");
  rejects({ routes: { trap: ["email", "email"] } }, "routes.trap", "twice");
  rejects({ anomaly: [] }, "anomaly", "an array");
  rejects([], "body", "JSON object");
  rejects("x", "body", "JSON object");
});

Deno.test("AlertPolicyStore.update() persists, notifies listeners, and survives a restart", async () => {
  await withDir(async (dir) => {
    const a = new AlertPolicyStore({ stateDir: dir });
    assert.deepEqual(await a.load(), { status: "defaults" });
    const seen: AlertPolicy[] = [];
    a.onChange((p) => seen.push(p));
    await a.update({ cooldown_s: 60 });
    await a.update({ routes: { trap: ["email"] } });
    assert.equal(seen.length, 2);
    assert.equal(seen[1].cooldown_s, 60);
    assert.deepEqual(seen[1].routes.trap, ["email"]);
    assert.equal((await Deno.stat(a.path)).mode! & 0o777, 0o600);

    const b = new AlertPolicyStore({ stateDir: dir });
    assert.deepEqual(await b.load(), { status: "loaded" });
    assert.deepEqual(b.get(), a.get());
  });
});

Deno.test("AlertPolicyStore keeps following the environment for settings never changed through the API", async () => {
  await withDir(async (dir) => {
    const a = new AlertPolicyStore({ stateDir: dir, defaults: defaultAlertPolicy({ anomaly: { k: 4 } }) });
    await a.update({ cooldown_s: 60 });
    const b = new AlertPolicyStore({ stateDir: dir, defaults: defaultAlertPolicy({ anomaly: { k: 7 } }) });
    await b.load();
    assert.equal(b.get().anomaly.k, 7);
    assert.equal(b.get().cooldown_s, 60);
  });
});

Deno.test("AlertPolicyStore.update() with an invalid patch changes neither the policy nor the file", async () => {
  await withDir(async (dir) => {
    const s = new AlertPolicyStore({ stateDir: dir });
    await s.update({ cooldown_s: 60 });
    const before = await Deno.readTextFile(s.path);
    let calls = 0;
    s.onChange(() => calls++);
    await assert.rejects(s.update({ cooldown_s: 60, bogus: 1 }), PolicyError);
    assert.equal(s.get().cooldown_s, 60);
    assert.equal(await Deno.readTextFile(s.path), before);
    assert.equal(calls, 0);
  });
});

Deno.test("AlertPolicyStore.update() applies concurrent patches in order", async () => {
  await withDir(async (dir) => {
    const s = new AlertPolicyStore({ stateDir: dir });
    await Promise.all([
      s.update({ cooldown_s: 1 }),
      s.update({ learning_period_s: 2 }),
      s.update({ cooldown_s: 3 }),
    ]);
    const r = new AlertPolicyStore({ stateDir: dir });
    await r.load();
    assert.equal(r.get().cooldown_s, 3);
    assert.equal(r.get().learning_period_s, 2);
  });
});

Deno.test("AlertPolicyStore.load() moves a corrupt file aside, uses the defaults and says why", async () => {
  for (const bad of ["{not json", '{"version":1,"patch":{"cooldown_s":-5}}', '{"version":99,"patch":{}}']) {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/alert-policy.json`, bad);
      const s = new AlertPolicyStore({ stateDir: dir });
      const r = await s.load();
      assert.equal(r.status, "corrupt");
      assert.ok(r.reason && r.reason.length > 0);
      assert.equal(await Deno.readTextFile(r.movedTo!), bad);
      await assert.rejects(Deno.stat(`${dir}/alert-policy.json`), Deno.errors.NotFound);
      assert.deepEqual(s.get(), defaultAlertPolicy());
    });
  }
});
