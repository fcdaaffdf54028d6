import assert from "node:assert/strict";
import { RingSizer } from "./ring_sizer.ts";

const MIB = 1048576;

Deno.test("RingSizer keeps a small ring while each read finds less than half of it waiting", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64 });
  for (let t = 0; t < 10_000; t += 50) assert.equal(s.afterRead(t, 1, 4, 100_000, 0), 0);
  assert.equal(s.sizeMb, 4);
});

Deno.test("RingSizer grows ×4 up to the maximum when half the blocks wait or the kernel dropped frames", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64 });
  assert.equal(s.afterRead(0, 2, 4, 2 * MIB, 0), 16);
  assert.equal(s.afterRead(10, 1, 16, MIB, 3), 64, "drops grow it even with a short backlog");
  assert.equal(s.afterRead(20, 64, 64, 64 * MIB, 9), 0, "never past the maximum");
  assert.equal(s.sizeMb, 64);
});

Deno.test("RingSizer does not grow a two-block ring on a single waiting block", () => {
  const s = new RingSizer({ startMb: 2, maxMb: 64 });
  assert.equal(s.afterRead(0, 1, 2, 1000, 0), 0);
  assert.equal(s.afterRead(1, 2, 2, 2 * MIB, 0), 8);
});

Deno.test("RingSizer shrinks to the start size only after the quiet time with every second light", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64, quietMs: 60_000 });
  assert.equal(s.afterRead(0, 8, 16, 8 * MIB, 0), 16);
  // A busy second (more than half the start ring) restarts the quiet time.
  assert.equal(s.afterRead(30_000, 1, 16, 3 * MIB, 0), 0);
  assert.equal(s.afterRead(80_000, 0, 16, 0, 0), 0, "50 s after the busy second: still big");
  assert.equal(s.afterRead(90_001, 0, 16, 100, 0), 4);
  assert.equal(s.sizeMb, 4);
});

Deno.test("RingSizer.keep() holds the size a failed re-open left, and reset() returns to the start", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64 });
  assert.equal(s.afterRead(0, 4, 4, 4 * MIB, 0), 16);
  s.keep(4);
  assert.equal(s.sizeMb, 4);
  assert.equal(s.afterRead(1, 4, 4, 4 * MIB, 0), 16, "asks again at the next full read");
  s.reset(2);
  assert.equal(s.sizeMb, 4);
});

Deno.test("RingSizer with the start at the maximum never asks for a re-open", () => {
  const s = new RingSizer({ startMb: 64, maxMb: 64 });
  assert.equal(s.afterRead(0, 64, 64, 64 * MIB, 100), 0);
  assert.throws(() => new RingSizer({ startMb: 0, maxMb: 64 }), RangeError);
});
