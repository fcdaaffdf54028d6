/**
 * POST /auth/ticket: trades the bearer token (checked by the auth middleware, like on every route)
 * for a single-use stream ticket, so a browser's EventSource can open `/stream?ticket=…` without the
 * long-lived token ever appearing in a URL.
 */
import { Hono } from "hono";
import type { TicketStore } from "../tickets.ts";

/** Serves `POST /auth/ticket` → `{ticket, expires_in}`. */
export function authTicketRoutes(deps: { tickets: TicketStore }): Hono {
  const app = new Hono();
  app.post("/auth/ticket", (c) => c.json(deps.tickets.issue()));
  return app;
}
