import assert from "node:assert/strict";
import { TicketStore } from "./tickets.ts";

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

Deno.test("TicketStore.issue() makes 32 random bytes in base64url that expire in 60 s", () => {
  const store = new TicketStore();
  const a = store.issue(), b = store.issue();
  assert.equal(a.expires_in, 60);
  assert.match(a.ticket, /^[A-Za-z0-9_-]{43}$/, "43 base64url characters without padding");
  const bytes = Uint8Array.fromBase64(a.ticket, { alphabet: "base64url" });
  assert.equal(bytes.length, 32);
  assert.notEqual(a.ticket, b.ticket);
});

Deno.test("TicketStore.redeem() accepts a ticket once", () => {
  const store = new TicketStore();
  const { ticket } = store.issue();
  assert.equal(store.redeem(ticket), true);
  assert.equal(store.redeem(ticket), false, "second use");
  assert.equal(store.size, 0);
});

Deno.test("TicketStore.redeem() refuses tickets it never issued", () => {
  const store = new TicketStore();
  store.issue();
  for (const t of ["", "x", "A".repeat(43), "__proto__", "constructor"]) {
    assert.equal(store.redeem(t), false, t);
  }
});

Deno.test("TicketStore.redeem() refuses a ticket from the moment its TTL has passed", () => {
  const c = clock();
  const store = new TicketStore({ now: c.now });
  const early = store.issue().ticket, late = store.issue().ticket;
  c.t += 59_999;
  assert.equal(store.redeem(early), true, "1 ms before expiry");
  c.t += 1;
  assert.equal(store.redeem(late), false, "at expiry");
});

Deno.test("TicketStore purges expired tickets", () => {
  const c = clock();
  const store = new TicketStore({ ttlMs: 1000, now: c.now });
  for (let i = 0; i < 5; i++) store.issue();
  c.t += 500;
  const fresh = store.issue().ticket;
  assert.equal(store.size, 6);
  c.t += 500;
  assert.equal(store.size, 1, "the first five expired");
  assert.equal(store.redeem(fresh), true);
});

Deno.test("TicketStore keeps at most max tickets, dropping the oldest", () => {
  const store = new TicketStore({ max: 3 });
  const t = [1, 2, 3, 4].map(() => store.issue().ticket);
  assert.equal(store.size, 3);
  assert.equal(store.redeem(t[0]), false, "oldest dropped");
  assert.deepEqual(t.slice(1).map((x) => store.redeem(x)), [true, true, true]);
});

Deno.test("TicketStore refuses nonsense options", () => {
  assert.throws(() => new TicketStore({ ttlMs: 0 }), RangeError);
  assert.throws(() => new TicketStore({ max: 0 }), RangeError);
  assert.throws(() => new TicketStore({ max: 1.5 }), RangeError);
});
