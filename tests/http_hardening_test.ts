/**
 * What the API does with careless input, over the composed app and its real stores (alert history and
 * mutes in SQLite): control characters in free text are refused with a 400 naming the field, everywhere
 * the same way, while tab and newline survive a round trip through the database byte for byte; an id
 * too large for a number says so. And HTTPS, through the real daemon with a certificate made here, sends
 * Strict-Transport-Security where plain HTTP does not.
 */
import assert from "node:assert/strict";
import { AnomalyStore } from "../src/alert/anomaly_store.ts";
import { EventBus } from "../src/events/mod.ts";
import { createHttpApp } from "../src/http/app.ts";
import { SseHub } from "../src/http/sse_hub.ts";
import { startDaemon } from "./helpers/daemon.ts";
import { emptyFlowDeps, emptyStores } from "./helpers/http_stores.ts";
import { freePort } from "./helpers/ports.ts";
import { hasOpenssl, makeTestCert } from "./helpers/test_cert.ts";

const TOKEN = "http-hardening-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const CI = Deno.env.get("CI") === "true";

// deno-lint-ignore no-explicit-any
type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

async function withApp(fn: (call: Call) => Promise<void>): Promise<void> {
  const stores = emptyStores();
  const bus = new EventBus();
  const hub = new SseHub(bus);
  const app = createHttpApp({
    ...emptyFlowDeps(),
    ...stores.deps,
    token: TOKEN,
    bus,
    anomalies: new AnomalyStore(10),
    hub,
  });
  const history = stores.deps.alerts.history;
  history.insert({
    ts: Date.now(),
    kind: "trap",
    type: "linkDown",
    severity: "warning",
    mac: null,
    ip: null,
    peer_ip: null,
    device_ip: "192.0.2.1",
    summary: "linkDown from 192.0.2.1",
    event: { kind: "trap" },
    muted: false,
  });
  history.flush();
  const call: Call = async (method, path, body) => {
    const res = await app.request(path, {
      method,
      headers: { ...AUTH, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  try {
    await fn(call);
  } finally {
    await hub.stop();
    stores.close();
  }
}

function refused(
  r: { status: number; json: { error: { parameter?: string; message: string } } },
  field: string,
) {
  assert.equal(r.status, 400, JSON.stringify(r.json));
  assert.equal(r.json.error.parameter, field);
  assert.match(r.json.error.message, new RegExp(`^${field} contains the control character U\\+[0-9A-F]{4}`));
}

Deno.test("an acknowledgement note with a NUL is refused naming note; one with tab and newline is kept as sent", async () => {
  await withApp(async (call) => {
    refused(await call("POST", "/alerts/1/ack", { note: "known\u0000printer" }), "note");
    assert.equal((await call("GET", "/alerts/1")).json.acked_at, null, "nothing was acknowledged");
    const note = "known printer\n\tbehind the desk";
    assert.equal((await call("POST", "/alerts/1/ack", { note })).status, 200);
    assert.equal((await call("GET", "/alerts/1")).json.ack_note, note);
  });
});

Deno.test("a mute reason with an escape sequence is refused naming reason; tab and newline are kept", async () => {
  await withApp(async (call) => {
    refused(
      await call("POST", "/mutes", { kind: "trap", duration_s: 60, reason: "\u001b[2Jgone" }),
      "reason",
    );
    assert.equal((await call("GET", "/mutes")).json.count, 0);
    const reason = "maintenance\n\twindow";
    assert.equal((await call("POST", "/mutes", { kind: "trap", duration_s: 60, reason })).status, 201);
    assert.equal((await call("GET", "/mutes")).json.mutes[0].reason, reason);
  });
});

Deno.test("the search text of /alerts and /devices refuses control characters the same way", async () => {
  await withApp(async (call) => {
    refused(await call("GET", "/alerts?q=link%00down"), "q");
    refused(await call("GET", "/devices?q=%07"), "q");
    assert.equal((await call("GET", "/alerts?q=link%09down")).status, 200, "a tab is text");
  });
});

Deno.test("an alert or mute id too large for a number says it is too large", async () => {
  await withApp(async (call) => {
    for (
      const [method, path] of [
        ["GET", "/alerts/99999999999999999999"],
        ["POST", "/alerts/99999999999999999999/ack"],
        ["DELETE", "/mutes/99999999999999999999"],
      ]
    ) {
      const r = await call(method, path);
      assert.equal(r.status, 400, `${method} ${path}`);
      assert.equal(r.json.error.parameter, "id");
      assert.match(r.json.error.message, /^id="99999999999999999999" is not valid: it is too large; /);
    }
  });
});

Deno.test({
  name: "with TLS on the daemon sends Strict-Transport-Security; over plain HTTP it does not",
  ignore: !CI && !hasOpenssl(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "flintnet_hsts_" });
    try {
      const files = await makeTestCert(dir);
      const base = {
        FLINTNET_INTERFACE: "lo",
        FLINTNET_CIDR: "127.0.0.1/32",
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_API_TOKEN: TOKEN,
      };
      for (const tls of [true, false]) {
        const port = freePort();
        const state = `${dir}/state-${tls}`;
        const d = await startDaemon({
          ...base,
          FLINTNET_LISTEN: `127.0.0.1:${port}`,
          FLINTNET_STATE_DIR: state,
          ...(tls ? { FLINTNET_TLS_CERT: files.cert, FLINTNET_TLS_KEY: files.key } : {}),
        });
        const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(files.cert)] });
        try {
          for (const path of ["/healthz", "/flows", "/nope"]) {
            const res = await fetch(`${tls ? "https" : "http"}://127.0.0.1:${port}${path}`, {
              headers: AUTH,
              client,
            });
            await res.body?.cancel();
            assert.equal(
              res.headers.get("Strict-Transport-Security"),
              tls ? "max-age=31536000" : null,
              `${tls ? "HTTPS" : "HTTP"} ${path}`,
            );
          }
        } finally {
          client.close();
          await d.kill();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
