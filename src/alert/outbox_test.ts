import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Outbox } from "./outbox.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-outbox-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DAY = 86_400_000;

Deno.test("Outbox.enqueue() is on disk when it returns: a second connection sees the message", async () => {
  await withDir((dir) => {
    const box = new Outbox({ path: `${dir}/outbox.db` });
    try {
      const id = box.enqueue("webhook", "http://127.0.50.1/x", '{"a":1}', 1000);
      const other = new DatabaseSync(`${dir}/outbox.db`, { readOnly: true });
      const row = other.prepare("SELECT channel, target, payload FROM outbox WHERE id = ?").get(id);
      const mode = other.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
      other.close();
      assert.deepEqual({ ...row }, { channel: "webhook", target: "http://127.0.50.1/x", payload: '{"a":1}' });
      assert.equal(mode.journal_mode, "wal");
    } finally {
      box.close();
    }
  });
});

Deno.test("Outbox files are readable by their owner only (webhook URLs are secrets)", async () => {
  await withDir(async (dir) => {
    const box = new Outbox({ path: `${dir}/outbox.db` });
    box.enqueue("webhook", "http://127.0.50.1/secret", "{}", 0);
    for (const f of ["outbox.db", "outbox.db-wal"]) {
      assert.equal((await Deno.stat(`${dir}/${f}`)).mode! & 0o777, 0o600, f);
    }
    box.close();
  });
});

Deno.test("Outbox keeps pending messages across a reopen, with the same Message-ID", async () => {
  await withDir((dir) => {
    const a = new Outbox({ path: `${dir}/outbox.db` });
    const id = a.enqueue("email", '["ops@example.net"]', "{}", 0);
    const mid = a.messageId(id);
    a.close();
    const b = new Outbox({ path: `${dir}/outbox.db` });
    assert.deepEqual(b.due(0).map((m) => m.id), [id]);
    assert.equal(b.messageId(id), mid);
    b.close();
  });
});

Deno.test("Outbox.markDelivered() removes a message for good, and ids are never reused", () => {
  const box = new Outbox({ path: ":memory:" });
  const a = box.enqueue("email", "[]", "{}", 0);
  assert.equal(box.markDelivered(a), null);
  assert.deepEqual(box.due(1e15), []);
  const b = box.enqueue("email", "[]", "{}", 0);
  assert.ok(b > a);
  assert.notEqual(box.messageId(a), box.messageId(b));
  assert.equal(box.counters().delivered, 1);
  box.close();
});

Deno.test("Outbox.markFailed() backs off exponentially from 1 s to 5 min, with jitter of at most half", () => {
  let r = 0.999999;
  const box = new Outbox({ path: ":memory:", random: () => r });
  const id = box.enqueue("email", "[]", "{}", 0);
  const delays: number[] = [];
  let now = 0;
  for (let i = 0; i < 12; i++) {
    const next = box.markFailed(id, "refused", now);
    delays.push(next - now);
    now = next;
  }
  assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
  r = 0;
  assert.equal(box.markFailed(id, "refused", now) - now, 150_000);
  assert.deepEqual(box.due(now + 149_999), []);
  const [m] = box.due(now + 150_000);
  assert.equal(m.attempts, 13);
  assert.equal(m.lastError, "refused");
  assert.equal(box.counters().failed_attempts, 13);
  box.close();
});

Deno.test("Outbox.expire() drops messages older than the maximum age and counts them", () => {
  const box = new Outbox({ path: ":memory:", maxAgeMs: 7 * DAY });
  box.enqueue("email", "[]", "old", 0);
  const young = box.enqueue("email", "[]", "young", 2 * DAY);
  assert.equal(box.expire(7 * DAY + 1), 1);
  assert.deepEqual(box.due(8 * DAY).map((m) => m.id), [young]);
  assert.equal(box.counters().dropped_expired, 1);
  box.close();
});

Deno.test("Outbox holds at most maxPending messages, dropping the oldest and counting them", () => {
  const box = new Outbox({ path: ":memory:", maxPending: 3 });
  const ids = [1, 2, 3, 4, 5].map((i) => box.enqueue("email", "[]", `m${i}`, i));
  assert.equal(box.pending(), 3);
  assert.deepEqual(box.due(10).map((m) => m.id), ids.slice(2));
  assert.equal(box.counters().dropped_full, 2);
  box.close();
});

Deno.test("Outbox.due() hands out the earliest due first and honours the limit", () => {
  const box = new Outbox({ path: ":memory:", random: () => 0.999999 });
  const a = box.enqueue("email", "[]", "a", 0);
  const b = box.enqueue("email", "[]", "b", 0);
  box.markFailed(a, "x", 0); // due at 1 s
  assert.deepEqual(box.due(0).map((m) => m.id), [b]);
  assert.deepEqual(box.due(1000).map((m) => m.id), [b, a]);
  assert.deepEqual(box.due(1000, 1).map((m) => m.id), [b]);
  assert.equal(box.nextDueMs(), 0);
  box.close();
});

Deno.test("Outbox refuses nonsensical limits", () => {
  assert.throws(() => new Outbox({ path: ":memory:", maxPending: 0 }), /maxPending/);
  assert.throws(() => new Outbox({ path: ":memory:", backoffBaseMs: -1 }), /backoffBaseMs/);
});
