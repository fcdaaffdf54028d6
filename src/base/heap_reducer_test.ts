import assert from "node:assert/strict";
import { getHeapStatistics } from "node:v8";
import { HeapReducer, type HeapSize, loadHeapCollector } from "./heap_reducer.ts";

const MB = 1024 * 1024;

/** A heap and a clock the test sets; a collection takes the slack away, as V8's does when quiet. */
function fakeHeap() {
  const h = { total: 20 * MB, used: 10 * MB, allocated: 0, collected: 0, now: 0 };
  return {
    h,
    heap: (): HeapSize => ({ total: h.total, used: h.used, allocated: h.allocated }),
    collect: () => {
      h.collected++;
      h.total = h.used;
    },
    now: () => h.now,
  };
}

/** Advances the fake clock by `s` seconds, during which the isolate allocated `bytes`. */
function pass(h: ReturnType<typeof fakeHeap>["h"], s: number, bytes: number) {
  h.now += s * 1000;
  h.allocated += bytes;
}

Deno.test("HeapReducer collects when the slack reaches the minimum and the isolate is quiet", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: 4 * MB, quietBytesPerS: 1e6, ...f });
  f.h.total = f.h.used + 3 * MB;
  pass(f.h, 10, 1e5);
  assert.equal(r.check(), false, "slack under the minimum");
  assert.equal(f.h.collected, 0);
  f.h.total = f.h.used + 4 * MB;
  pass(f.h, 10, 1e5);
  assert.equal(r.check(), true);
  assert.equal(f.h.collected, 1);
  assert.equal(r.collections, 1);
  assert.equal(r.freedBytes, 4 * MB);
  pass(f.h, 10, 1e5);
  assert.equal(r.check(), false, "nothing left to give back");
});

Deno.test("HeapReducer runs afterCollect once after each collection it makes, and never otherwise", () => {
  const f = fakeHeap();
  const seen: number[] = [];
  const r = new HeapReducer({
    minSlackBytes: 4 * MB,
    quietBytesPerS: 1e6,
    ...f,
    afterCollect: () => seen.push(f.h.collected),
  });
  f.h.total = f.h.used + 3 * MB;
  pass(f.h, 10, 1e5);
  r.check();
  assert.deepEqual(seen, [], "no collection, no hook");
  f.h.total = f.h.used + 8 * MB;
  pass(f.h, 10, 1e5);
  r.check();
  assert.deepEqual(seen, [1], "after the collection, not before");
  f.h.total = f.h.used + 8 * MB;
  pass(f.h, 10, 1e8);
  r.check();
  assert.deepEqual(seen, [1], "a busy isolate: neither");
});

Deno.test("HeapReducer does not repeat a collection that gave nothing back until the heap grows again", () => {
  const f = fakeHeap();
  const r = new HeapReducer({
    minSlackBytes: MB,
    quietBytesPerS: 1e6,
    ...f,
    collect: () => f.h.collected++,
  });
  pass(f.h, 10, 0);
  assert.equal(r.check(), true);
  pass(f.h, 10, 0);
  assert.equal(r.check(), false, "the heap held as much as after the last collection");
  f.h.total += 2 * MB;
  pass(f.h, 10, 0);
  assert.equal(r.check(), true, "it grew by the minimum since");
  assert.equal(f.h.collected, 2);
});

Deno.test("HeapReducer does not count what was allocated before start() against the first look", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: MB, quietBytesPerS: 1e6, ...f });
  pass(f.h, 1, 100e6); // a start-up
  r.start();
  r.stop();
  pass(f.h, 10, 1e5);
  assert.equal(r.check(), true);
});

Deno.test("HeapReducer leaves a busy isolate alone, and collects at the first quiet look after", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: MB, quietBytesPerS: 1e6, ...f });
  f.h.total = f.h.used + 16 * MB;
  pass(f.h, 10, 10e6); // 1 MB/s: busy for this test's threshold
  assert.equal(r.check(), false);
  pass(f.h, 10, 500e6);
  assert.equal(r.check(), false);
  pass(f.h, 10, 9e6); // 0.9 MB/s
  assert.equal(r.check(), true);
  assert.equal(f.h.collected, 1);
});

Deno.test("HeapReducer never collects when the allocation counter is missing", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ ...f, heap: () => ({ total: 20 * MB, used: MB, allocated: NaN }) });
  pass(f.h, 10, 0);
  assert.equal(r.check(), false);
});

Deno.test("HeapReducer's collection gives V8's grown young generation back (V8's own statistics)", async () => {
  await loadHeapCollector(); // what start() does in the daemon
  // Short-lived objects, a few surviving each scavenge, make V8 grow the young generation.
  let keep: unknown[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i });
    if (keep.length > 50_000) keep = [];
  }
  keep = [];
  let clock = 0;
  const r = new HeapReducer({ minSlackBytes: 0, now: () => clock });
  clock += 3_600_000; // an hour later: whatever was allocated meanwhile is a low rate
  const before = getHeapStatistics();
  assert.equal(r.check(), true);
  const after = getHeapStatistics();
  assert.ok(
    after.total_heap_size < before.total_heap_size,
    `heap ${before.total_heap_size} → ${after.total_heap_size} bytes`,
  );
  assert.ok(r.freedBytes > 0, `freed ${r.freedBytes} bytes`);
});

Deno.test("HeapReducer after a long pause wants 64 KiB of slack per ms of it, and waits 50 times the pause", () => {
  const f = fakeHeap();
  // A daemon at its bounds: 120 MB in use, and collections that hold the thread 400 ms (the fake clock moves).
  f.h.used = 120 * MB;
  const r = new HeapReducer({
    minSlackBytes: MB,
    quietBytesPerS: 1e6,
    ...f,
    collect: () => {
      f.h.collected++;
      f.h.total = f.h.used;
      f.h.now += 400;
    },
  });
  f.h.total = 122 * MB;
  pass(f.h, 5, 1e5);
  assert.equal(r.check(), true, "the first: its pause is not known yet");
  f.h.total = 144 * MB; // 24 MiB beyond use, under the 25 MiB that 400 ms is worth
  pass(f.h, 30, 1e5);
  assert.equal(r.check(), false, "not worth another 400 ms");
  f.h.total = 146 * MB;
  pass(f.h, 5, 1e5);
  assert.equal(r.check(), true, "26 MiB is");
  f.h.total = 200 * MB;
  pass(f.h, 5, 1e5);
  assert.equal(r.check(), false, "5 s after a 400 ms collection: within its 20 s gap");
  pass(f.h, 10, 1e5);
  assert.equal(r.check(), false, "15 s after");
  pass(f.h, 5.5, 1e5);
  assert.equal(r.check(), true, "20.5 s after");
  assert.equal(f.h.collected, 3);
});

Deno.test("HeapReducer start() and stop() leave no timer behind", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ everyMs: 5, ...f });
  r.start();
  r.start();
  r.stop();
});
