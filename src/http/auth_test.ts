import assert from "node:assert/strict";
import { Hono } from "hono";
import { setLogSink } from "../base/log.ts";
import { bearerAuth, clientAddress, constantTimeEqual, publicRoutes, WWW_AUTHENTICATE } from "./auth.ts";
import { FailedAuthLimiter } from "./rate_limit.ts";
import { authTicketRoutes } from "./routes/auth_ticket.ts";
import { TicketStore } from "./tickets.ts";

const TOKEN = "s3cret-Token-0123456789abcdef";

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** A small app wired like the daemon's: auth in front of a few routes. */
function makeApp(opts: { tickets?: TicketStore; limiter?: FailedAuthLimiter; metricsPublic?: boolean } = {}) {
  const tickets = opts.tickets ?? new TicketStore();
  const limiter = opts.limiter ?? new FailedAuthLimiter();
  const app = new Hono();
  app.use(
    "*",
    bearerAuth({
      token: TOKEN,
      tickets,
      limiter,
      public: publicRoutes({ metricsPublic: !!opts.metricsPublic }),
    }),
  );
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", (c) => c.text("# metrics\n"));
  app.get("/flows", (c) => c.json({ flows: [] }));
  app.get("/stream", (c) => c.text("stream"));
  app.get("/whoami", (c) => c.text(clientAddress(c)));
  app.route("/", authTicketRoutes({ tickets }));
  return { app, tickets, limiter };
}

/** Connection info as Deno.serve passes it (c.env), for a given client address. */
function from(hostname: string) {
  return { remoteAddr: { transport: "tcp", hostname, port: 40000 } };
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

Deno.test("constantTimeEqual() accepts the same secret and refuses any other", () => {
  assert.equal(constantTimeEqual(TOKEN, TOKEN), true);
  assert.equal(constantTimeEqual(TOKEN.slice(0, -1) + "X", TOKEN), false, "last character differs");
  assert.equal(constantTimeEqual("", TOKEN), false, "empty");
  assert.equal(constantTimeEqual(TOKEN.slice(0, 5), TOKEN), false, "a prefix (shorter)");
  assert.equal(constantTimeEqual(TOKEN + "0", TOKEN), false, "longer");
  assert.equal(constantTimeEqual("", ""), true);
});

Deno.test("bearerAuth() lets the right token through, scheme case-insensitive", async () => {
  const { app } = makeApp();
  assert.equal((await app.request("/flows", bearer(TOKEN))).status, 200);
  const lower = await app.request("/flows", { headers: { Authorization: `bearer ${TOKEN}` } });
  assert.equal(lower.status, 200);
});

Deno.test("bearerAuth() answers 401 JSON with the Bearer challenge, echoing nothing", async () => {
  const { app } = makeApp();
  const cases: [string, Record<string, string>][] = [
    ["no header", {}],
    ["wrong token", { Authorization: "Bearer wrong-token-value-12345" }],
    ["empty token", { Authorization: "Bearer " }],
    ["token prefix", { Authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
    ["token plus more", { Authorization: `Bearer ${TOKEN}x` }],
    ["basic scheme", { Authorization: `Basic ${btoa(`user:${TOKEN}`)}` }],
    ["token without scheme", { Authorization: TOKEN }],
  ];
  for (const [what, headers] of cases) {
    const res = await app.request("/flows", { headers });
    assert.equal(res.status, 401, what);
    assert.equal(res.headers.get("WWW-Authenticate"), 'Bearer realm="flintnet"', what);
    assert.equal(WWW_AUTHENTICATE, 'Bearer realm="flintnet"');
    assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
    const text = await res.text();
    const body = JSON.parse(text);
    assert.equal(body.error.code, "unauthorized", what);
    assert.equal(typeof body.error.message, "string");
    assert.ok(!text.includes(TOKEN.slice(0, 10)), `${what}: nothing of the token in the body`);
    assert.ok(!text.includes("wrong-token-value"), `${what}: the presented value is not echoed`);
  }
});

Deno.test("bearerAuth() serves public routes without a token, /metrics only when opened", async () => {
  const closed = makeApp().app;
  assert.equal((await closed.request("/healthz")).status, 200);
  assert.equal((await closed.request("/metrics")).status, 401);
  const open = makeApp({ metricsPublic: true }).app;
  assert.equal((await open.request("/metrics")).status, 200);
  assert.equal((await open.request("/flows")).status, 401);
  const isPublic = publicRoutes({ metricsPublic: false });
  assert.equal(isPublic("GET", "/"), true, "the dashboard page");
  assert.equal(isPublic("GET", "/ui/app.js"), true);
  assert.equal(isPublic("POST", "/healthz"), false);
  assert.equal(isPublic("GET", "/healthz/x"), false);
  assert.equal(isPublic("GET", "/openapi.json"), false);
});

Deno.test("bearerAuth() answers 429 with Retry-After after 10 failures, even to the right token", async () => {
  const c = clock();
  const { app } = makeApp({ limiter: new FailedAuthLimiter({ now: c.now }) });
  const attacker = from("192.0.2.66");
  for (let i = 1; i <= 10; i++) {
    const res = await app.request("/flows", bearer(`guess-number-${i}-xxxxxxxx`), attacker);
    assert.equal(res.status, 401, `attempt ${i}`);
  }
  const blocked = await app.request("/flows", bearer("guess-11-xxxxxxxxxxxx"), attacker);
  assert.equal(blocked.status, 429);
  assert.equal(blocked.headers.get("Retry-After"), "60");
  assert.equal((await blocked.json()).error.code, "rate_limited");

  const good = await app.request("/flows", bearer(TOKEN), attacker);
  assert.equal(good.status, 429, "the right token from a blocked address is refused too");
  assert.equal(
    (await app.request("/flows", bearer(TOKEN), from("192.0.2.67"))).status,
    200,
    "others unaffected",
  );
  assert.equal((await app.request("/healthz", {}, attacker)).status, 200, "public routes stay open");

  c.t += 60_000;
  assert.equal((await app.request("/flows", bearer(TOKEN), attacker)).status, 200, "after the block");
});

Deno.test("bearerAuth() does not count requests without credentials towards the lock-out", async () => {
  const { app } = makeApp();
  const browser = from("192.0.2.80");
  for (let i = 1; i <= 30; i++) {
    const res = await app.request("/flows", {}, browser);
    assert.equal(res.status, 401, `request ${i} without a token`);
    assert.match((await res.json()).error.message, /needs the API token/);
  }
  assert.equal(
    (await app.request("/flows", bearer(TOKEN), browser)).status,
    200,
    "then the right token works",
  );
  const scheme = await app.request("/flows", { headers: { Authorization: "Basic dXNlcjpwYXNz" } }, browser);
  assert.equal(scheme.status, 401, "a credential in another scheme is a wrong credential");
});

Deno.test("bearerAuth() counts a wrong scheme as a failed try", async () => {
  const { app } = makeApp();
  const guesser = from("192.0.2.81");
  for (let i = 1; i <= 10; i++) {
    await app.request("/flows", { headers: { Authorization: `Basic guess-${i}` } }, guesser);
  }
  assert.equal((await app.request("/flows", {}, guesser)).status, 429);
});

Deno.test("bearerAuth() never writes the token or a guess to the log", async () => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    const { app } = makeApp({ limiter: new FailedAuthLimiter({ max: 2 }) });
    for (let i = 0; i < 3; i++) {
      await app.request("/flows", bearer(`guess-${i}-abcdefghijkl`), from("192.0.2.9"));
    }
    await app.request("/flows", bearer(TOKEN), from("192.0.2.10"));
  } finally {
    setLogSink(undefined);
  }
  assert.ok(lines.some((l) => l.includes("192.0.2.9")), "the block is logged with the address");
  for (const l of lines) {
    assert.ok(!l.includes(TOKEN) && !l.includes("abcdefghijkl"), l);
  }
});

Deno.test("clientAddress() reads Deno's remoteAddr, else says unknown", async () => {
  const { app } = makeApp();
  assert.equal(
    await (await app.request("/whoami", bearer(TOKEN), from("2001:db8::7"))).text(),
    "2001:db8::7",
  );
  assert.equal(await (await app.request("/whoami", bearer(TOKEN))).text(), "unknown");
});

Deno.test("a stream ticket opens /stream once", async () => {
  const { app } = makeApp();
  const issued = await app.request("/auth/ticket", { method: "POST", ...bearer(TOKEN) });
  assert.equal(issued.status, 200);
  const { ticket, expires_in } = await issued.json();
  assert.equal(expires_in, 60);
  const url = `/stream?ticket=${encodeURIComponent(ticket)}`;
  assert.equal((await app.request(url)).status, 200);
  const again = await app.request(url);
  assert.equal(again.status, 401, "spent");
  assert.match((await again.json()).error.message, /ticket/);
});

Deno.test("POST /auth/ticket itself needs the token", async () => {
  const { app } = makeApp();
  assert.equal((await app.request("/auth/ticket", { method: "POST" })).status, 401);
});

Deno.test("a stream ticket is refused on other routes and is not spent there", async () => {
  const { app, tickets } = makeApp();
  const { ticket } = tickets.issue();
  assert.equal((await app.request(`/flows?ticket=${ticket}`)).status, 401);
  assert.equal((await app.request(`/auth/ticket?ticket=${ticket}`, { method: "POST" })).status, 401);
  assert.equal((await app.request(`/stream?ticket=${ticket}`)).status, 200, "still good for /stream");
});

Deno.test("an expired stream ticket is refused", async () => {
  const c = clock();
  const { app, tickets } = makeApp({ tickets: new TicketStore({ now: c.now }) });
  const { ticket } = tickets.issue();
  c.t += 60_000;
  assert.equal((await app.request(`/stream?ticket=${ticket}`)).status, 401);
});

Deno.test("failed ticket attempts count towards the limit", async () => {
  const { app } = makeApp({ limiter: new FailedAuthLimiter({ max: 3 }) });
  const addr = from("192.0.2.5");
  for (let i = 0; i < 3; i++) {
    assert.equal((await app.request(`/stream?ticket=nope${i}`, {}, addr)).status, 401);
  }
  assert.equal((await app.request("/stream?ticket=nope", {}, addr)).status, 429);
});
