/**
 * GET /healthz: for load balancers, systemd watchdogs and Docker HEALTHCHECK. Served without the
 * token, so it says nothing but that the process answers.
 */
import { Hono } from "hono";

/** Serves `GET /healthz` → `{"status":"ok"}`. */
export function healthzRoutes(): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  return app;
}
