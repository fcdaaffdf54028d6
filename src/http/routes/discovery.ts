/**
 * `POST /discovery` starts a sweep of the local networks now (202; or 200 with the running one when a
 * sweep is already under way: sweeps never overlap), `GET /discovery` says where the current or last
 * sweep is. Progress also streams as `device` events (action sweep_progress).
 *
 *   curl -X POST -H "Authorization: Bearer $TOKEN" http://host:8480/discovery
 */
import { Hono } from "hono";
import type { DiscoveryControl } from "../../discovery/mod.ts";

/** Serves /discovery. */
export function discoveryRoutes(deps: { discovery: DiscoveryControl }): Hono {
  const app = new Hono();
  app.post("/discovery", (c) => {
    const { started, sweep } = deps.discovery.start();
    return c.json({ started, running: true, sweep }, started ? 202 : 200);
  });
  app.get("/discovery", (c) => c.json(deps.discovery.status()));
  return app;
}
