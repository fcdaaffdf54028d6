import assert from "node:assert/strict";
import { Outbox, type OutboxMessage } from "./outbox.ts";
import { OutboxLoop, Undeliverable } from "./outbox_loop.ts";

/** Resolves once `cond()` holds (checked every 10 ms), or fails after 10 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("OutboxLoop sends what was pending before it started, once each", async () => {
  const box = new Outbox({ path: ":memory:" });
  box.enqueue("email", "[]", "a", Date.now());
  box.enqueue("email", "[]", "b", Date.now());
  const sent: string[] = [];
  const loop = new OutboxLoop({ outbox: box, send: (m) => Promise.resolve(void sent.push(m.payload)) });
  loop.start();
  try {
    await until(() => box.pending() === 0, "the outbox to drain");
    loop.kick();
    await until(() => box.counters().delivered === 2, "two deliveries");
    assert.deepEqual(sent, ["a", "b"]);
  } finally {
    await loop.stop();
    box.close();
  }
});

Deno.test("OutboxLoop retries a failing message with backoff until it goes through, then never again", async () => {
  const box = new Outbox({ path: ":memory:", backoffBaseMs: 20, backoffMaxMs: 40 });
  let failures = 3;
  const attempts: number[] = [];
  const loop = new OutboxLoop({
    outbox: box,
    send: (m: OutboxMessage) => {
      attempts.push(m.attempts);
      if (failures-- > 0) return Promise.reject(new Error("connection refused"));
      return Promise.resolve();
    },
  });
  loop.start();
  try {
    box.enqueue("webhook", "u", "p", Date.now());
    loop.kick();
    await until(() => box.counters().delivered === 1, "delivery");
    assert.deepEqual(attempts, [0, 1, 2, 3]);
    assert.equal(loop.lastError, "connection refused");
    assert.equal(box.counters().failed_attempts, 3);
    assert.equal(box.pending(), 0);
  } finally {
    await loop.stop();
    box.close();
  }
});

Deno.test("OutboxLoop drops an undeliverable message instead of retrying it", async () => {
  const box = new Outbox({ path: ":memory:" });
  const loop = new OutboxLoop({
    outbox: box,
    send: () => Promise.reject(new Undeliverable("no longer configured")),
  });
  box.enqueue("email", "[]", "x", Date.now());
  loop.start();
  try {
    await until(() => box.counters().dropped_undeliverable === 1, "the drop");
    assert.equal(box.pending(), 0);
  } finally {
    await loop.stop();
    box.close();
  }
});

Deno.test("OutboxLoop never sends a message twice when kicked while it is sending", async () => {
  const box = new Outbox({ path: ":memory:" });
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const sent: number[] = [];
  const loop = new OutboxLoop({
    outbox: box,
    send: async (m) => {
      sent.push(m.id);
      await gate;
    },
  });
  const id = box.enqueue("email", "[]", "x", Date.now());
  loop.start();
  try {
    await until(() => sent.length === 1, "the first attempt");
    for (let i = 0; i < 5; i++) loop.kick();
    release();
    await until(() => box.pending() === 0, "the delivery");
    loop.kick();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sent, [id]);
  } finally {
    await loop.stop();
    box.close();
  }
});

Deno.test("OutboxLoop.stop() waits for the message in flight and sends nothing after", async () => {
  const box = new Outbox({ path: ":memory:" });
  let calls = 0;
  const loop = new OutboxLoop({
    outbox: box,
    send: async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
    },
  });
  box.enqueue("email", "[]", "a", Date.now());
  loop.start();
  await until(() => calls === 1, "the first send");
  await loop.stop();
  assert.equal(box.counters().delivered, 1);
  box.enqueue("email", "[]", "b", Date.now());
  loop.kick();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls, 1);
  box.close();
});
