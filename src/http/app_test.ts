import assert from "node:assert/strict";
import { EventBus } from "../events/mod.ts";
import { createHttpApp } from "./app.ts";
import { SseHub } from "./sse_hub.ts";
import { emptyFlowDeps, emptyStores } from "../../tests/helpers/http_stores.ts";

const TOKEN = "test-token-0123456789abcdef";

function build(metricsPublic = false) {
  const bus = new EventBus();
  const hub = new SseHub(bus, { heartbeatMs: 60_000 });
  const stores = emptyStores();
  const app = createHttpApp({
    ...emptyFlowDeps(),
    ...stores.deps,
    token: TOKEN,
    metricsPublic,
    bus,
    stats: () => ({ capture: {}, flows: { active: 0 } }),
    hub,
  });
  return { app, hub, stores };
}

/** Every route the router knows, with its path parameters filled in. */
function routeTable(app: ReturnType<typeof build>["app"]): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL") continue; // middleware
    const path = r.path.replace(/:ip\b/g, "192.0.2.1").replace(/:[A-Za-z_]+/g, "x").replace(
      /\*$/,
      "index.html",
    );
    const key = `${r.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path });
  }
  return out;
}

const PUBLIC = new Set(["GET /healthz", "GET /", "GET /ui/index.html"]);

Deno.test("every route but the public ones answers 401 without the token", async () => {
  const { app, hub, stores } = build();
  try {
    const routes = routeTable(app);
    assert.ok(routes.length >= 12, `the route table lists the API (${routes.length} routes)`);
    for (const [n, { method, path }] of routes.entries()) {
      // One source address per route: ten failures from one address would (rightly) turn into 429s.
      const env = { remoteAddr: { transport: "tcp", hostname: `198.51.100.${n + 1}`, port: 40000 } };
      const res = await app.request(path, { method }, env);
      const key = `${method} ${path}`;
      if (PUBLIC.has(key) || path.startsWith("/ui/")) {
        assert.notEqual(res.status, 401, `${key} is public`);
      } else {
        assert.equal(res.status, 401, `${key} needs the token`);
        assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="flintnet"');
        const body = await res.json();
        assert.equal(body.error.code, "unauthorized");
        assert.ok(!JSON.stringify(body).includes(TOKEN));
        continue; // body consumed
      }
      await res.body?.cancel();
    }
  } finally {
    await hub.stop();
    stores.close();
  }
});

Deno.test("every protected route accepts the token (no 401), and a wrong token is refused", async () => {
  const { app, hub, stores } = build();
  try {
    for (const { method, path } of routeTable(app)) {
      if (path === "/stream") continue; // a live stream: covered by the SSE tests
      const ok = await app.request(path, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.notEqual(ok.status, 401, `${method} ${path} with the token`);
      await ok.body?.cancel();
    }
    const wrong = await app.request("/flows", { headers: { Authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
  } finally {
    await hub.stop();
    stores.close();
  }
});

Deno.test("/metrics needs the token unless FLINTNET_METRICS_PUBLIC opens it", async () => {
  for (const open of [false, true]) {
    const { app, hub, stores } = build(open);
    try {
      const res = await app.request("/metrics");
      assert.equal(res.status, open ? 200 : 401);
      if (open) assert.match(await res.text(), /^# HELP flintnet_/m);
      else await res.body?.cancel();
    } finally {
      await hub.stop();
      stores.close();
    }
  }
});

Deno.test("API responses carry the security headers and no-store; unknown routes are JSON 404s", async () => {
  const { app, hub, stores } = build();
  try {
    const res = await app.request("/version", { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.equal(res.headers.get("cache-control"), "no-store");
    await res.body?.cancel();
    const missing = await app.request("/no/such/route", { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
  } finally {
    await hub.stop();
    stores.close();
  }
});

Deno.test("a known path with the wrong method is 405 with Allow, not 404", async () => {
  const { app, hub, stores } = build();
  try {
    const res = await app.request("/flows", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    const body = await res.json();
    assert.equal(body.error.code, "method_not_allowed");
    assert.match(body.error.message, /POST is not accepted on \/flows; accepted: GET, HEAD/);
    const ticket = await app.request("/auth/ticket", { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(ticket.status, 405);
    assert.equal(ticket.headers.get("allow"), "POST");
    await ticket.body?.cancel();
    const device = await app.request("/devices/192.0.2.1", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(device.status, 405);
    await device.body?.cancel();
    const unknown = await app.request("/nothing", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
  } finally {
    await hub.stop();
    stores.close();
  }
});
