import assert from "node:assert/strict";
import { MAX_SOURCES, TrapLimiter } from "./trap_limiter.ts";

Deno.test("TrapLimiter lets perSource traps a minute through per source and says how many it held back", () => {
  const l = new TrapLimiter({ perSource: 2, total: 1000 });
  const got = [0, 1, 2, 3, 4].map((i) => l.admit("192.0.2.1", i));
  assert.deepEqual(got, [0, 0, null, null, null]);
  assert.equal(l.admit("192.0.2.2", 5), 0, "another source has its own allowance");
  assert.equal(l.admit("192.0.2.1", 60_000), 3, "the next one from the source says three were held back");
  assert.equal(l.admit("192.0.2.1", 60_001), 0);
  assert.equal(l.heldBack, 3);
});

Deno.test("TrapLimiter holds back beyond the total even when each source is under its own limit", () => {
  const l = new TrapLimiter({ perSource: 10, total: 3 });
  const got = ["a", "b", "c", "d", "e"].map((s, i) => l.admit(s, i));
  assert.deepEqual(got, [0, 0, 0, null, null]);
  assert.equal(l.admit("d", 60_000), 1, "d's held-back trap is said in d's next one");
});

Deno.test("TrapLimiter stays bounded under traps from ever new (forged) sources", () => {
  const l = new TrapLimiter({ perSource: 1, total: 1_000_000 });
  for (let i = 0; i < MAX_SOURCES * 3; i++) l.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i);
  assert.ok(l.sources <= MAX_SOURCES, `${l.sources} sources kept`);
});

Deno.test("TrapLimiter refuses a limit that is not a positive whole number", () => {
  assert.throws(() => new TrapLimiter({ perSource: 0, total: 10 }), RangeError);
  assert.throws(() => new TrapLimiter({ perSource: 1, total: 0 }), RangeError);
});
