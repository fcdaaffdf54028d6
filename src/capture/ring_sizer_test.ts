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
  assert.equal(s.reason, "backlog");
  assert.equal(s.afterRead(10, 1, 16, MIB, 3), 64, "drops grow it even with a short backlog");
  assert.equal(s.reason, "drops");
  assert.equal(s.afterRead(20, 64, 64, 64 * MIB, 9), 0, "never past the maximum");
  assert.equal(s.sizeMb, 64);
});

Deno.test("RingSizer leaves the start size when it holds less than two seconds of the last second's traffic", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64 });
  // 3 MB/s, read every 10 ms, never a block waiting: 4 MiB hold 1.4 s of it.
  const grownAt: [number, number][] = [];
  for (let t = 0; t <= 10_000; t += 10) {
    const mb = s.afterRead(t, 0, s.sizeMb, 30_000, 0);
    if (mb !== 0) grownAt.push([t, mb]);
  }
  assert.deepEqual(grownAt, [[1000, 16]], "once, at the first second's end");
  assert.equal(s.reason, "rate");
  // 20 MB/s (16 MiB hold 0.8 s of it): beyond the start size only a backlog or drops grow the ring.
  for (let t = 10_010; t <= 14_000; t += 10) assert.equal(s.afterRead(t, 1, 16, 200_000, 0), 0, `at ${t} ms`);
  assert.equal(s.afterRead(14_010, 8, 16, 200_000, 0), 64);
  assert.equal(s.reason, "backlog");
});

Deno.test("RingSizer does not grow on a rate the ring holds two seconds of, however the reads come", () => {
  const s = new RingSizer({ startMb: 4, maxMb: 64 });
  // 2 MB/s (a 4 MiB ring holds 2.1 s of it), in reads every 10 ms, then once a second, then after a pause.
  for (let t = 0; t < 5_000; t += 10) assert.equal(s.afterRead(t, 1, 4, 20_000, 0), 0, `at ${t} ms`);
  for (let t = 5_000; t < 10_000; t += 1000) {
    assert.equal(s.afterRead(t, 1, 4, 2_000_000, 0), 0, `at ${t} ms`);
  }
  assert.equal(s.afterRead(60_000, 1, 4, 3 * MIB, 0), 0, "3 MiB after 50 s of nothing is not 3 MiB a second");
  assert.equal(s.sizeMb, 4);
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
  assert.equal(s.reason, "quiet");
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
