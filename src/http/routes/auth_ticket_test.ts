import assert from "node:assert/strict";
import { TicketStore } from "../tickets.ts";
import { authTicketRoutes } from "./auth_ticket.ts";

Deno.test("POST /auth/ticket issues a ticket the store redeems once", async () => {
  const tickets = new TicketStore();
  const app = authTicketRoutes({ tickets });
  const res = await app.request("/auth/ticket", { method: "POST" });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), ["expires_in", "ticket"]);
  assert.equal(body.expires_in, 60);
  assert.equal(tickets.redeem(body.ticket), true);
  assert.equal(tickets.redeem(body.ticket), false);
});

Deno.test("GET /auth/ticket is not a route (a ticket is never minted by a link)", async () => {
  const res = await authTicketRoutes({ tickets: new TicketStore() }).request("/auth/ticket");
  assert.equal(res.status, 404);
});
