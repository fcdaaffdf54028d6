/**
 * GET /healthz: for load balancers, systemd watchdogs and Docker HEALTHCHECK. Served without the token:
 * `{"status":"ok"}` when everything configured runs, or `{"status":"degraded","reasons":[…]}` naming what
 * does not (a capture interface that is missing or down, a trap port that could not be bound). Degraded is
 * still 200: the API and the dashboard answer, and a balancer should keep sending people to them.
 */
import { Hono } from "hono";

/** What /healthz says. */
export type Health = { status: "ok" } | { status: "degraded"; reasons: string[] };

/** Where /healthz learns what is not running; everything runs when absent. */
export interface HealthSource {
  /** Plain sentences, one per configured part that is not running; empty when all are. */
  problems(): string[];
}

/** Serves `GET /healthz`. */
export function healthzRoutes(deps: { health?: HealthSource } = {}): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => {
    const reasons = deps.health?.problems() ?? [];
    const body: Health = reasons.length === 0 ? { status: "ok" } : { status: "degraded", reasons };
    return c.json(body);
  });
  return app;
}
