/**
 * The composed HTTP app on a real socket (Deno.serve via startHttpServer): what a browser and a
 * script see. Stream tickets are one use and expire; the token works in the header only.
 */
import assert from "node:assert/strict";
import { AnomalyStore } from "../src/alert/anomaly_store.ts";
import { EventBus } from "../src/events/mod.ts";
import { createHttpApp } from "../src/http/app.ts";
import { startHttpServer } from "../src/http/server.ts";
import { SseHub } from "../src/http/sse_hub.ts";
import { TicketStore } from "../src/http/tickets.ts";
import { emptyFlowDeps, emptyStores } from "./helpers/http_stores.ts";
import { sampleAnomaly } from "./helpers/sample_events.ts";

const TOKEN = "server-test-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

async function withServer(
  fn: (base: string, ctx: { bus: EventBus; clock: { now: number } }) => Promise<void>,
) {
  const bus = new EventBus();
  const clock = { now: Date.now() };
  const hub = new SseHub(bus, { heartbeatMs: 60_000 });
  hub.start();
  const anomalies = new AnomalyStore(100);
  anomalies.attach(bus);
  const stores = emptyStores();
  const app = createHttpApp({
    ...emptyFlowDeps(),
    ...stores.deps,
    token: TOKEN,
    bus,
    anomalies,
    hub,
    tickets: new TicketStore({ now: () => clock.now }),
  });
  const server = startHttpServer(app, { hostname: "127.0.0.1", port: 0 });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, { bus, clock });
  } finally {
    await hub.stop();
    stores.close();
    await server.shutdown();
    anomalies.detach();
  }
}

async function ticket(base: string): Promise<string> {
  const res = await fetch(`${base}/auth/ticket`, { method: "POST", headers: AUTH });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.expires_in, 60);
  return body.ticket;
}

Deno.test("a stream ticket opens /stream once; the second use and other routes are refused", async () => {
  await withServer(async (base, { bus }) => {
    const t = await ticket(base);
    const other = await fetch(`${base}/flows?ticket=${t}`);
    assert.equal(other.status, 401, "a ticket is not a token for other routes");
    await other.body?.cancel();
    const abort = new AbortController();
    const first = await fetch(`${base}/stream?ticket=${t}&types=anomaly`, { signal: abort.signal });
    assert.equal(first.status, 200);
    const reader = first.body!.pipeThrough(new TextDecoderStream()).getReader();
    bus.publish(sampleAnomaly(123_456));
    let text = "";
    while (!text.includes("event: anomaly")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.match(text, /event: anomaly\ndata: \{"kind":"anomaly".*"bytes":123456/);
    abort.abort();
    await reader.cancel().catch(() => {});
    const again = await fetch(`${base}/stream?ticket=${t}`);
    assert.equal(again.status, 401, "one use only");
    await again.body?.cancel();
  });
});

Deno.test("a stream ticket older than 60 s is refused", async () => {
  await withServer(async (base, { clock }) => {
    const t = await ticket(base);
    clock.now += 60_001;
    const res = await fetch(`${base}/stream?ticket=${t}`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
});

Deno.test("the API token in the query string is not accepted: only the header carries it", async () => {
  await withServer(async (base) => {
    for (const q of [`token=${TOKEN}`, `access_token=${TOKEN}`, `ticket=${TOKEN}`]) {
      const res = await fetch(`${base}/stream?${q}`);
      assert.equal(res.status, 401, q);
      await res.body?.cancel();
    }
    const ok = await fetch(`${base}/anomalies`, { headers: AUTH });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });
});
