import assert from "node:assert/strict";
import { BatchRing } from "./batch_ring.ts";

Deno.test("takeOrArm() hands out published batches in order with their counts, and arms the wake-up only when empty", () => {
  const producer = new BatchRing({ slots: 4, capacity: 16 });
  const consumer = new BatchRing(producer.shape);
  // Nobody waits yet: publishing announces nothing.
  for (const count of [3, 16, 1]) {
    const b = producer.acquire()!;
    b.src[0] = count; // what the consumer must find in the same slot
    assert.equal(producer.publishCounted(count), false);
  }
  for (const count of [3, 16, 1]) {
    const b = consumer.takeOrArm();
    assert.ok(b, "a published batch");
    assert.equal(b.count, count);
    assert.equal(b.src[0], count);
    consumer.release();
  }
  // Empty: the consumer arms, and the next publish asks for a wake-up, once.
  assert.equal(consumer.takeOrArm(), undefined);
  producer.acquire();
  assert.equal(producer.publishCounted(7), true);
  producer.acquire();
  assert.equal(producer.publishCounted(8), false, "one message per idle spell, not one a batch");
  assert.equal(consumer.takeOrArm()?.count, 7);
  consumer.release();
  assert.equal(consumer.takeOrArm()?.count, 8);
  consumer.release();
});

Deno.test("publishCounted() and takeOrArm() wrap around the slots, each batch with its own count", () => {
  const producer = new BatchRing({ slots: 2, capacity: 4 });
  const consumer = new BatchRing(producer.shape);
  const seen: number[] = [];
  for (let i = 1; i <= 7; i++) {
    producer.acquire();
    producer.publishCounted(i);
    const b = consumer.takeOrArm()!;
    seen.push(b.count);
    consumer.release();
  }
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
});
