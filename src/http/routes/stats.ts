/** GET /stats: the daemon's counters in one JSON document, for people and scripts. */
import { Hono } from "hono";
import type { EventBus } from "../../events/mod.ts";

/** What GET /stats needs. */
export interface StatsDeps {
  /** The daemon's counters: `createApp(cfg).stats()` (capture per interface, flows, …). */
  stats(): Record<string, unknown>;
  /** The event bus, for events by kind. */
  bus: EventBus;
  /** When the daemon started. */
  startedAt: Date;
  /** Connected /stream clients, when the stream is served. */
  sseClients?: () => number;
}

/** Serves `GET /stats`: deps.stats() plus `events_by_kind`, `uptime_s`, `rss_bytes` (and `sse_clients`). */
export function statsRoutes(deps: StatsDeps): Hono {
  const app = new Hono();
  app.get("/stats", (c) =>
    c.json({
      ...deps.stats(),
      events_by_kind: deps.bus.countsByKind(),
      uptime_s: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
      rss_bytes: Deno.memoryUsage().rss,
      ...(deps.sseClients ? { sse_clients: deps.sseClients() } : {}),
    }));
  return app;
}
