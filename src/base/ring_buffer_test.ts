import assert from "node:assert/strict";
import { RingBuffer } from "./ring_buffer.ts";

Deno.test("RingBuffer constructor rejects a capacity below 1 or not an integer", () => {
  assert.throws(() => new RingBuffer(0), RangeError);
  assert.throws(() => new RingBuffer(-1), RangeError);
  assert.throws(() => new RingBuffer(1.5), RangeError);
});

Deno.test("RingBuffer.push() and shift() are first in, first out", () => {
  const r = new RingBuffer<number>(4);
  assert.equal(r.shift(), undefined);
  assert.equal(r.push(1), undefined);
  assert.equal(r.push(2), undefined);
  assert.equal(r.length, 2);
  assert.equal(r.shift(), 1);
  assert.equal(r.shift(), 2);
  assert.equal(r.shift(), undefined);
  assert.equal(r.length, 0);
});

Deno.test("RingBuffer.push() past capacity overwrites and returns the oldest item", () => {
  const r = new RingBuffer<string>(3);
  for (const s of ["a", "b", "c"]) assert.equal(r.push(s), undefined);
  assert.equal(r.push("d"), "a");
  assert.equal(r.push("e"), "b");
  assert.equal(r.length, 3);
  assert.deepEqual(r.toArray(), ["c", "d", "e"]);
});

Deno.test("RingBuffer keeps oldest-first order across the wrap, however pushes and shifts interleave", () => {
  const capacity = 5;
  const r = new RingBuffer<number>(capacity);
  const model: number[] = [];
  let next = 0, seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let op = 0; op < 10_000; op++) {
    if (rand() < 0.6) {
      const pushedOut = r.push(next);
      model.push(next++);
      const expected = model.length > capacity ? model.shift() : undefined;
      assert.equal(pushedOut, expected, `op ${op}`);
    } else {
      assert.equal(r.shift(), model.shift(), `op ${op}`);
    }
    assert.equal(r.length, model.length, `op ${op}`);
    assert.deepEqual(r.toArray(), model, `op ${op}`);
  }
});

Deno.test("RingBuffer.clear() empties it and it fills again from scratch", () => {
  const r = new RingBuffer<number>(3);
  for (let i = 0; i < 5; i++) r.push(i);
  r.shift();
  r.clear();
  assert.equal(r.length, 0);
  assert.deepEqual(r.toArray(), []);
  assert.equal(r.shift(), undefined);
  for (let i = 10; i < 14; i++) r.push(i);
  assert.deepEqual(r.toArray(), [11, 12, 13]);
});

Deno.test("RingBuffer of capacity 1 holds only the newest item", () => {
  const r = new RingBuffer<number>(1);
  assert.equal(r.push(1), undefined);
  assert.equal(r.push(2), 1);
  assert.deepEqual(r.toArray(), [2]);
  assert.equal(r.shift(), 2);
  assert.equal(r.length, 0);
});
