import assert from "node:assert/strict";
import { EventBus } from "../../events/mod.ts";
import { statsRoutes } from "./stats.ts";

Deno.test("GET /stats adds events by kind, uptime and RSS to the daemon's counters", async () => {
  const bus = new EventBus();
  bus.publish({ kind: "stats", ts: "2024-05-01T12:00:00.000Z", stats: {} });
  bus.publish({ kind: "stats", ts: "2024-05-01T12:00:02.000Z", stats: {} });
  const startedAt = new Date(Date.now() - 90_000);
  const app = statsRoutes({
    stats: () => ({ flows: { active: 4 }, capture: { eth0: { kernel: { drops: 1 } } } }),
    bus,
    startedAt,
    sseClients: () => 2,
  });
  const res = await app.request("/stats");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.flows, { active: 4 });
  assert.deepEqual(body.capture, { eth0: { kernel: { drops: 1 } } });
  assert.deepEqual(body.events_by_kind, { stats: 2 });
  assert.ok(body.uptime_s >= 90 && body.uptime_s < 3600, String(body.uptime_s));
  assert.ok(Number.isInteger(body.rss_bytes) && body.rss_bytes > 1e6);
  assert.equal(body.sse_clients, 2);
});
