import assert from "node:assert/strict";
import { FailedAuthLimiter } from "./rate_limit.ts";

function clock(start = 5_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

Deno.test("FailedAuthLimiter blocks an address for a minute after its 10th failure", () => {
  const c = clock();
  const limiter = new FailedAuthLimiter({ now: c.now });
  for (let i = 1; i <= 9; i++) {
    limiter.fail("192.0.2.1");
    assert.equal(limiter.blocked("192.0.2.1"), 0, `after ${i} failures`);
  }
  limiter.fail("192.0.2.1");
  assert.equal(limiter.blocked("192.0.2.1"), 60);
  c.t += 30_500;
  assert.equal(limiter.blocked("192.0.2.1"), 30, "seconds left, rounded up");
  c.t += 29_499;
  assert.equal(limiter.blocked("192.0.2.1"), 1, "never 0 while blocked");
  c.t += 1;
  assert.equal(limiter.blocked("192.0.2.1"), 0);
});

Deno.test("FailedAuthLimiter counts each address on its own", () => {
  const limiter = new FailedAuthLimiter({ max: 2 });
  limiter.fail("192.0.2.1");
  limiter.fail("192.0.2.1");
  limiter.fail("2001:db8::1");
  assert.ok(limiter.blocked("192.0.2.1") > 0);
  assert.equal(limiter.blocked("2001:db8::1"), 0);
  assert.equal(limiter.blocked("198.51.100.9"), 0);
});

Deno.test("FailedAuthLimiter forgets failures older than the window", () => {
  const c = clock();
  const limiter = new FailedAuthLimiter({ max: 3, windowMs: 1000, now: c.now });
  limiter.fail("a");
  limiter.fail("a");
  c.t += 1000;
  limiter.fail("a");
  limiter.fail("a");
  assert.equal(limiter.blocked("a"), 0, "two in the new window");
  limiter.fail("a");
  assert.equal(limiter.blocked("a"), 1);
});

Deno.test("FailedAuthLimiter forgets an address once its block is over", () => {
  const c = clock();
  const limiter = new FailedAuthLimiter({ max: 1, windowMs: 1000, now: c.now });
  limiter.fail("a");
  assert.equal(limiter.size, 1);
  c.t += 1000;
  assert.equal(limiter.blocked("a"), 0);
  assert.equal(limiter.size, 0);
  limiter.fail("a");
  assert.equal(limiter.blocked("a"), 1, "a new failure starts over");
});

Deno.test("FailedAuthLimiter tracks at most maxClients addresses", () => {
  const c = clock();
  const limiter = new FailedAuthLimiter({ max: 2, maxClients: 100, now: c.now });
  for (let i = 0; i < 10_000; i++) {
    limiter.fail(`10.0.${i >> 8}.${i & 255}`);
    assert.ok(limiter.size <= 100);
  }
  // The most recent addresses are the ones remembered.
  limiter.fail("10.0.39.15");
  assert.ok(limiter.blocked("10.0.39.15") > 0);
  assert.equal(limiter.blocked("10.0.0.0"), 0);
});

Deno.test("FailedAuthLimiter forgets expired addresses first, keeping a blocked one", () => {
  const c = clock();
  const limiter = new FailedAuthLimiter({ max: 2, windowMs: 1000, maxClients: 3, now: c.now });
  limiter.fail("old");
  c.t += 2000;
  limiter.fail("b");
  limiter.fail("b");
  limiter.fail("c");
  limiter.fail("d");
  assert.equal(limiter.size, 3);
  assert.ok(limiter.blocked("b") > 0, "b is still blocked: the expired entry went first");
});

Deno.test("FailedAuthLimiter refuses nonsense options", () => {
  assert.throws(() => new FailedAuthLimiter({ max: 0 }), RangeError);
  assert.throws(() => new FailedAuthLimiter({ windowMs: 0 }), RangeError);
  assert.throws(() => new FailedAuthLimiter({ maxClients: -1 }), RangeError);
});
