import assert from "node:assert/strict";
import { Hono } from "hono";
import { setLogSink } from "../base/log.ts";
import { bearerAuth } from "./auth.ts";
import { BadParameter } from "./errors.ts";
import { bodyLimit, corsAllowList, notFound, onError, securityHeaders } from "./hardening.ts";
import { FailedAuthLimiter } from "./rate_limit.ts";
import { TicketStore } from "./tickets.ts";

const TOKEN = "hardening-test-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const KIB = 1024;

/** The middleware in the order the daemon uses, in front of a few routes. */
function makeApp(origins: string[] = []) {
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("*", corsAllowList(origins));
  app.use("*", bodyLimit(64 * KIB));
  app.use(
    "*",
    bearerAuth({
      token: TOKEN,
      tickets: new TicketStore(),
      limiter: new FailedAuthLimiter(),
      public: (_m, p) => p === "/healthz" || p === "/static",
    }),
  );
  app.onError(onError);
  app.notFound(notFound);
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/static", (c) => c.body("x", 200, { "Cache-Control": "no-cache" }));
  app.get("/flows", (c) => {
    if (c.req.query("limit") === "0") throw new BadParameter("limit", 'limit="0" is not valid');
    return c.json({ flows: [] });
  });
  app.get("/boom", () => {
    throw new Error("database password is hunter2");
  });
  app.post("/echo", async (c) => c.body(new Uint8Array(await c.req.arrayBuffer())));
  return app;
}

async function quietly<T>(fn: () => T | Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    return { result: await fn(), lines };
  } finally {
    setLogSink(undefined);
  }
}

function assertSecurityHeaders(res: Response, what: string): void {
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff", what);
  assert.equal(res.headers.get("Referrer-Policy"), "no-referrer", what);
  assert.equal(res.headers.get("X-Frame-Options"), "DENY", what);
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  assert.ok(csp.split(";").map((d) => d.trim()).includes("default-src 'self'"), `${what}: ${csp}`);
}

/** A body of `size` bytes sent in 16 KiB chunks with no declared length (Transfer-Encoding: chunked). */
function chunkedBody(size: number): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream({
    pull(ctrl) {
      if (left === 0) return ctrl.close();
      const n = Math.min(16 * KIB, left);
      left -= n;
      ctrl.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
}

Deno.test("securityHeaders() sets CSP, nosniff, no-referrer, DENY on every kind of response", async () => {
  const app = makeApp();
  const { result: responses } = await quietly(async () =>
    [
      ["200", await app.request("/flows", { headers: AUTH })],
      ["401", await app.request("/flows")],
      ["400", await app.request("/flows?limit=0", { headers: AUTH })],
      ["404", await app.request("/nope", { headers: AUTH })],
      ["500", await app.request("/boom", { headers: AUTH })],
      ["public", await app.request("/healthz")],
    ] as const
  );
  for (const [what, res] of responses) {
    assertSecurityHeaders(res, what);
    assert.equal(res.headers.get("Cache-Control"), "no-store", what);
  }
});

Deno.test("securityHeaders() keeps the caching a static route chose", async () => {
  const res = await makeApp().request("/static");
  assert.equal(res.headers.get("Cache-Control"), "no-cache");
  assertSecurityHeaders(res, "static");
});

Deno.test("corsAllowList() is closed by default: no Access-Control-Allow-Origin for any origin", async () => {
  const app = makeApp();
  const res = await app.request("/flows", { headers: { ...AUTH, Origin: "https://evil.example" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), null);
  const pre = await app.request("/flows", {
    method: "OPTIONS",
    headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("Access-Control-Allow-Origin"), null);
  assert.equal(pre.headers.get("Access-Control-Allow-Headers"), null);
});

Deno.test("corsAllowList() opens to a listed origin, preflight included, and only to it", async () => {
  const app = makeApp(["https://dash.example", "http://192.0.2.5:8480"]);
  const pre = await app.request("/flows", {
    method: "OPTIONS",
    headers: {
      Origin: "https://dash.example",
      "Access-Control-Request-Method": "GET",
      "Access-Control-Request-Headers": "authorization",
    },
  });
  assert.equal(pre.status, 204, "answered before authentication");
  assert.equal(pre.headers.get("Access-Control-Allow-Origin"), "https://dash.example");
  const allowed = (pre.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase().split(/,\s*/);
  assert.ok(allowed.includes("authorization"), allowed.join());
  assert.ok((pre.headers.get("Access-Control-Allow-Methods") ?? "").includes("GET"));
  assert.match(pre.headers.get("Vary") ?? "", /Origin/);

  const res = await app.request("/flows", { headers: { ...AUTH, Origin: "http://192.0.2.5:8480" } });
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), "http://192.0.2.5:8480");
  assert.match(res.headers.get("Vary") ?? "", /Origin/);
  const denied = await app.request("/flows", { headers: { ...AUTH, Origin: "https://dash.example.evil" } });
  assert.equal(denied.headers.get("Access-Control-Allow-Origin"), null);
  const unauth = await app.request("/flows", { headers: { Origin: "https://dash.example" } });
  assert.equal(unauth.status, 401);
  assert.equal(
    unauth.headers.get("Access-Control-Allow-Origin"),
    "https://dash.example",
    "the page can read the 401",
  );
});

Deno.test("bodyLimit() answers 413 to a 1 MiB body with a 64 KiB limit, declared by Content-Length", async () => {
  const app = makeApp();
  const body = new Uint8Array(1024 * KIB);
  const req = new Request("http://localhost/echo", {
    method: "POST",
    headers: { ...AUTH, "Content-Length": String(body.length) },
    body,
  });
  assert.equal(req.headers.get("Content-Length"), String(body.length));
  const res = await app.request(req);
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, "payload_too_large");
});

Deno.test("bodyLimit() answers 413 to a 1 MiB chunked body by counting it", async () => {
  const app = makeApp();
  let pulled = 0;
  const source = chunkedBody(1024 * KIB);
  const counting = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctrl) {
        pulled += chunk.length;
        ctrl.enqueue(chunk);
      },
    }),
  );
  const req = new Request("http://localhost/echo", { method: "POST", headers: AUTH, body: counting });
  assert.equal(req.headers.get("Content-Length"), null);
  const res = await app.request(req);
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, "payload_too_large");
  assert.ok(pulled < 1024 * KIB, `stopped reading early (${pulled} bytes)`);
});

Deno.test("bodyLimit() passes a body within the limit through unchanged", async () => {
  const app = makeApp();
  const body = crypto.getRandomValues(new Uint8Array(64 * KIB));
  const declared = await app.request("/echo", { method: "POST", headers: AUTH, body });
  assert.equal(declared.status, 200);
  assert.deepEqual(new Uint8Array(await declared.arrayBuffer()), body);
  const chunked = await app.request(
    new Request("http://localhost/echo", { method: "POST", headers: AUTH, body: chunkedBody(40 * KIB) }),
  );
  assert.equal(chunked.status, 200);
  assert.deepEqual(new Uint8Array(await chunked.arrayBuffer()), new Uint8Array(40 * KIB).fill(0x61));
});

Deno.test("bodyLimit() refuses big bodies arriving over a real socket, declared or chunked", async () => {
  const app = makeApp();
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/echo`;
  const declared = await fetch(url, { method: "POST", headers: AUTH, body: new Uint8Array(1024 * KIB) });
  assert.equal(declared.status, 413);
  await declared.body?.cancel();
  const big = await fetch(url, { method: "POST", headers: AUTH, body: chunkedBody(1024 * KIB) });
  assert.equal(big.status, 413);
  await big.body?.cancel();
  const small = await fetch(url, { method: "POST", headers: AUTH, body: chunkedBody(10 * KIB) });
  assert.equal(small.status, 200);
  assert.equal((await small.arrayBuffer()).byteLength, 10 * KIB);
});

Deno.test("notFound() answers 404 JSON naming the method and path", async () => {
  const res = await makeApp().request("/no/such/route", { headers: AUTH });
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, "not_found");
  assert.match(body.error.message, /GET \/no\/such\/route/);
  const long = await makeApp().request("/" + "a".repeat(5000), { headers: AUTH });
  assert.ok((await long.text()).length < 1000, "a long path is not echoed whole");
});

Deno.test("onError() turns BadParameter into 400 naming the parameter", async () => {
  const res = await makeApp().request("/flows?limit=0", { headers: AUTH });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: { code: "bad_parameter", message: 'limit="0" is not valid', parameter: "limit" },
  });
});

Deno.test("onError() answers anything else with a bare 500 and logs it", async () => {
  const { result: res, lines } = await quietly(() => makeApp().request("/boom", { headers: AUTH }));
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), { error: { code: "internal", message: "internal error" } });
  assert.ok(!text.includes("hunter2"), "the error's message stays on the server");
  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.level === "error");
  assert.ok(logged, lines.join("\n"));
  assert.equal(logged.component, "http");
  assert.equal(logged.path, "/boom");
});
