import assert from "node:assert/strict";
import { ArpConditions } from "./arp_conditions.ts";

const A = 0x001122334401, B = 0x001122334402;
const IP1 = 0xc0000201, IP2 = 0xc0000202, IP3 = 0xc0000203;

Deno.test("ArpConditions at its limit forgets the first-raised MAC, even when that MAC raises the new condition", () => {
  const c = new ArpConditions(2);
  assert.equal(c.raise(1, A, IP1, 1000, 60_000), true);
  assert.equal(c.raise(1, A, IP2, 2000, 60_000), true);
  assert.equal(c.raise(1, A, IP3, 3000, 60_000), true, "news");
  assert.equal(c.size, 1, "A's two older conditions went, the new one is held");
  assert.deepEqual(c.list(), [{ slot: 1, mac: A, ip: IP3, last: 3000 }]);
  assert.equal(c.raise(1, A, IP3, 4000, 60_000), false, "the new condition is standing");
  assert.equal(c.raise(2, B, IP1, 5000, 60_000), true);
  assert.equal(c.size, 2);
  assert.equal(c.list().length, c.size);
});

Deno.test("ArpConditions.prune() forgets conditions last seen before the cut, and size follows", () => {
  const c = new ArpConditions();
  c.raise(1, A, IP1, 1000, 0);
  c.raise(2, A, IP1, 5000, 0);
  c.raise(1, B, IP2, 2000, 0);
  c.prune(3000);
  assert.deepEqual(c.list(), [{ slot: 2, mac: A, ip: IP1, last: 5000 }]);
  assert.equal(c.size, 1);
});
