import assert from "node:assert/strict";
import { AlertPolicyStore, defaultAlertPolicy } from "../../alert/alert_policy.ts";
import { configAlertsRoutes, MAX_POLICY_BODY_BYTES } from "./config_alerts.ts";

async function withApp(
  fn: (app: ReturnType<typeof configAlertsRoutes>, store: AlertPolicyStore) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-config-alerts-" });
  try {
    const store = new AlertPolicyStore({ stateDir: dir });
    await store.load();
    await fn(configAlertsRoutes({ policy: store }), store);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function put(body: string, type = "application/json"): RequestInit {
  return { method: "PUT", headers: { "Content-Type": type }, body };
}

Deno.test("GET /config/alerts returns the policy in force", async () => {
  await withApp(async (app) => {
    const res = await app.request("/config/alerts");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), defaultAlertPolicy());
  });
});

Deno.test("PUT /config/alerts changes only the given fields, persists them and answers the new policy", async () => {
  await withApp(async (app, store) => {
    const res = await app.request("/config/alerts", put('{"cooldown_s":600,"routes":{"trap":["webhook"]}}'));
    assert.equal(res.status, 200);
    const want = defaultAlertPolicy();
    want.cooldown_s = 600;
    want.routes.trap = ["webhook"];
    assert.deepEqual(await res.json(), want);
    assert.deepEqual(await (await app.request("/config/alerts")).json(), want);
    const reread = new AlertPolicyStore({ stateDir: store.path.replace(/\/[^/]+$/, "") });
    await reread.load();
    assert.deepEqual(reread.get(), want);
  });
});

Deno.test("PUT /config/alerts accepts application/merge-patch+json", async () => {
  await withApp(async (app) => {
    const res = await app.request(
      "/config/alerts",
      put('{"anomaly":{"k":6}}', "application/merge-patch+json"),
    );
    assert.equal(res.status, 200);
    assert.equal((await res.json()).anomaly.k, 6);
  });
});

Deno.test("PUT /config/alerts answers 400 naming the field, the value and what is accepted", async () => {
  await withApp(async (app) => {
    const res = await app.request("/config/alerts", put('{"anomaly":{"k":-2}}'));
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: {
        code: "bad_parameter",
        message: "anomaly.k must be a number greater than 0 and at most 100, got -2",
        parameter: "anomaly.k",
      },
    });
    const unknown = await app.request("/config/alerts", put('{"colldown_s":5}'));
    assert.equal(unknown.status, 400);
    assert.equal((await unknown.json()).error.parameter, "colldown_s");
    assert.deepEqual(await (await app.request("/config/alerts")).json(), defaultAlertPolicy());
  });
});

Deno.test("PUT /config/alerts answers 400 for a body that is not JSON, or not declared as JSON", async () => {
  await withApp(async (app) => {
    const bad = await app.request("/config/alerts", put("{cooldown_s: 5"));
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /^the body is not valid JSON/);
    const form = await app.request(
      "/config/alerts",
      put("cooldown_s=5", "application/x-www-form-urlencoded"),
    );
    assert.equal(form.status, 400);
    assert.match((await form.json()).error.message, /Content-Type must be application\/json/);
  });
});

Deno.test("PUT /config/alerts refuses a body over 16 KiB with 413", async () => {
  await withApp(async (app) => {
    const body = JSON.stringify({ cooldown_s: 5, pad: "x".repeat(MAX_POLICY_BODY_BYTES) });
    const res = await app.request("/config/alerts", put(body));
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payload_too_large");
    const chunked = await app.request("/config/alerts", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: new Blob([body]).stream(),
    });
    assert.equal(chunked.status, 413);
  });
});
