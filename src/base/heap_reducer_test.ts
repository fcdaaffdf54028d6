import assert from "node:assert/strict";
import { getHeapStatistics } from "node:v8";
import { HeapReducer, type HeapSize } from "./heap_reducer.ts";

const MB = 1024 * 1024;

/** A heap whose slack the test sets; a collection takes it away, as V8's does at idle. */
function fakeHeap() {
  const h = { total: 20 * MB, used: 10 * MB, collected: 0 };
  return {
    h,
    heap: (): HeapSize => ({ total: h.total, used: h.used }),
    collect: () => {
      h.collected++;
      h.total = h.used;
    },
  };
}

Deno.test("HeapReducer collects when the slack reaches the minimum, and not below it", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: 4 * MB, heap: f.heap, collect: f.collect });
  f.h.total = f.h.used + 3 * MB;
  assert.equal(r.check(), false);
  assert.equal(f.h.collected, 0);
  f.h.total = f.h.used + 4 * MB;
  assert.equal(r.check(), true);
  assert.equal(f.h.collected, 1);
  assert.equal(r.collections, 1);
  assert.equal(r.freedBytes, 4 * MB);
  assert.equal(r.check(), false, "nothing left to give back");
});

Deno.test("HeapReducer waits twice as many looks each time the slack comes straight back, up to the cap", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: MB, maxBackoff: 4, heap: f.heap, collect: f.collect });
  const ran: boolean[] = [];
  for (let i = 0; i < 14; i++) {
    f.h.total = f.h.used + 8 * MB; // a busy isolate: the heap has grown again at every look
    ran.push(r.check());
  }
  // collect, then after 1, 2, 4, 4, … looks
  assert.deepEqual(
    ran.map((b) => (b ? "x" : ".")).join(""),
    "xx.x...x...x..",
  );
});

Deno.test("HeapReducer collects again at once after a quiet look", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ minSlackBytes: MB, heap: f.heap, collect: f.collect });
  f.h.total = f.h.used + 8 * MB;
  assert.equal(r.check(), true);
  f.h.total = f.h.used + 8 * MB;
  assert.equal(r.check(), true); // backoff now 2
  f.h.total = f.h.used + 8 * MB;
  assert.equal(r.check(), false, "busy: waits");
  f.h.total = f.h.used; // quiet look
  assert.equal(r.check(), false);
  f.h.total = f.h.used + 8 * MB;
  assert.equal(r.check(), true, "a burst after a quiet spell is collected at the next look");
});

Deno.test("HeapReducer's collection gives V8's grown young generation back (V8's own statistics)", () => {
  // Short-lived objects, a few surviving each scavenge, make V8 grow the young generation.
  let keep: unknown[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i });
    if (keep.length > 50_000) keep = [];
  }
  keep = [];
  const before = getHeapStatistics();
  const r = new HeapReducer({ minSlackBytes: 0 });
  assert.equal(r.check(), true);
  const after = getHeapStatistics();
  assert.ok(
    after.total_heap_size < before.total_heap_size,
    `heap ${before.total_heap_size} → ${after.total_heap_size} bytes`,
  );
  assert.equal(r.freedBytes, before.total_heap_size - after.total_heap_size);
});

Deno.test("HeapReducer start() and stop() leave no timer behind", () => {
  const f = fakeHeap();
  const r = new HeapReducer({ everyMs: 5, heap: f.heap, collect: f.collect });
  r.start();
  r.start();
  r.stop();
});
