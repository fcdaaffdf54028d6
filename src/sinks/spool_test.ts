import assert from "node:assert/strict";
import { Spool } from "./spool.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-spool-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Spool gives batches back oldest first and forgets each once acknowledged", () =>
  withDir(async (dir) => {
    const s = await Spool.open(dir, 1000);
    await s.push(enc("a\n"), 1);
    await s.push(enc("b\nc\n"), 2);
    const first = await s.peek();
    assert.equal(dec(first!.body), "a\n");
    assert.equal(first!.rows, 1);
    await s.ack(first!.seq);
    assert.equal(dec((await s.peek())!.body), "b\nc\n");
    assert.deepEqual(s.stats(), { batches: 1, bytes: 4, dropped_batches: 0, dropped_rows: 0 });
  }));

Deno.test("Spool drops the oldest batches, counted, to stay within its bound in bytes", () =>
  withDir(async (dir) => {
    const s = await Spool.open(dir, 25);
    for (let i = 0; i < 5; i++) await s.push(enc(`batch-${i}-xx\n`), 3); // 11 bytes each
    assert.deepEqual(s.stats(), { batches: 2, bytes: 22, dropped_batches: 3, dropped_rows: 9 });
    assert.equal(dec((await s.peek())!.body), "batch-3-xx\n");
    let onDisk = 0;
    for await (const _ of Deno.readDir(dir)) onDisk++;
    assert.equal(onDisk, 2, "dropped batches are gone from the disk too");
    await s.push(enc("x".repeat(26)), 7);
    assert.equal(s.stats().dropped_rows, 16, "a batch larger than the bound is dropped at once");
  }));

Deno.test("Spool reopened finds what the last run left, in order, and numbers new batches after it", () =>
  withDir(async (dir) => {
    const a = await Spool.open(dir, 1000);
    await a.push(enc("one\n"), 1);
    await a.push(enc("two\n"), 1);
    const b = await Spool.open(dir, 1000);
    assert.deepEqual(b.stats(), { batches: 2, bytes: 8, dropped_batches: 0, dropped_rows: 0 });
    await b.push(enc("three\n"), 1);
    const seen: string[] = [];
    for (let x = await b.peek(); x; x = await b.peek()) {
      seen.push(dec(x.body));
      await b.ack(x.seq);
    }
    assert.deepEqual(seen, ["one\n", "two\n", "three\n"]);
  }));
