import assert from "node:assert/strict";
import { batchTransferList, createPacketBatch, type PacketBatch } from "../decode/mod.ts";
import {
  type BatchCounts,
  type BatchMessage,
  BatchReceiver,
  BatchSender,
  MAX_WAITING_BATCHES,
  type RecycleMessage,
} from "./batch_handoff.ts";

/** A real MessageChannel between the two ends, as a Worker and its parent have. */
function channel(): { port1: MessagePort; port2: MessagePort; close(): void } {
  const c = new MessageChannel();
  return { port1: c.port1, port2: c.port2, close: () => (c.port1.close(), c.port2.close()) };
}

function nextMessage<T>(port: MessagePort): Promise<T> {
  return new Promise((resolve) => {
    port.onmessage = (e) => resolve(e.data as T);
  });
}

Deno.test("BatchSender posts a batch with its buffer transferred, and fills a returned buffer next", async () => {
  const { port1, port2, close } = channel();
  try {
    const sender = new BatchSender((m, transfer) => port1.postMessage(m, transfer));
    const batch = createPacketBatch();
    batch.count = 2;
    batch.frameLen[0] = 60;
    batch.frameLen[1] = 1514;
    const buffer = batchTransferList(batch)[0] as ArrayBuffer;
    const arrived = nextMessage<BatchMessage>(port2);
    const next = sender.consume(batch);
    assert.deepEqual(buffer.byteLength, 0, "the buffer was transferred, not copied");
    assert.notStrictEqual(next, batch);
    const m = await arrived;
    assert.deepEqual(m.type, "batch");
    assert.deepEqual([m.batch.count, m.batch.frameLen[0], m.batch.frameLen[1]], [2, 60, 1514]);

    // the main thread sends the buffer back: the sender's next batch is made over that very buffer
    const back = batchTransferList(m.batch)[0] as ArrayBuffer;
    sender.recycle(back);
    const reused = sender.consume(createPacketBatch());
    assert.strictEqual(batchTransferList(reused)[0], back);
  } finally {
    close();
  }
});

Deno.test("BatchSender keeps no buffer of another size, and at most 16 spares", () => {
  const sender = new BatchSender(() => {});
  const odd = new ArrayBuffer(1024);
  sender.recycle(odd);
  const made = sender.consume(createPacketBatch());
  assert.notStrictEqual(batchTransferList(made)[0], odd);

  const buffers = Array.from({ length: 20 }, () => batchTransferList(createPacketBatch())[0] as ArrayBuffer);
  for (const b of buffers) sender.recycle(b);
  const handed = new Set<ArrayBufferLike>();
  for (let i = 0; i < 20; i++) handed.add(batchTransferList(sender.consume(createPacketBatch()))[0]);
  assert.deepEqual(buffers.filter((b) => handed.has(b)).length, 16);
});

Deno.test("BatchSender is behind with MAX_WAITING_BATCHES batches not sent back, and says once when it caught up", () => {
  let caughtUp = 0;
  const posted: ArrayBuffer[] = [];
  const sender = new BatchSender(
    (_m, transfer) => void posted.push(transfer[0] as ArrayBuffer),
    () => caughtUp++,
  );
  let batch = createPacketBatch();
  for (let i = 0; i < MAX_WAITING_BATCHES - 1; i++) batch = sender.consume(batch);
  assert.equal(sender.behind, false);
  batch = sender.consume(batch);
  assert.equal(sender.waiting, MAX_WAITING_BATCHES);
  assert.equal(sender.behind, true);
  // a buffer sent back, kept or not (another size is not), is one batch fewer waiting
  sender.recycle(new ArrayBuffer(8));
  assert.equal(sender.behind, false);
  assert.equal(caughtUp, 1);
  for (const b of posted.slice(0, 10)) sender.recycle(b);
  assert.equal(sender.waiting, MAX_WAITING_BATCHES - 11);
  assert.equal(caughtUp, 1); // said once, as the count went below the mark
  batch = sender.consume(batch);
  assert.equal(sender.waiting, MAX_WAITING_BATCHES - 10);
});

Deno.test("BatchReceiver counts, stamps the interface, consumes, then sends the buffer back; a throwing consumer costs only its batch", () => {
  const seen: { source: string | undefined; count: number }[] = [];
  let fail = false;
  const sentBack: RecycleMessage[] = [];
  const errors: unknown[] = [];
  const receiver = new BatchReceiver(
    "eth7",
    {
      consume(b: PacketBatch) {
        seen.push({ source: b.source, count: b.count });
        if (fail) throw new Error("consumer broke");
      },
    },
    (m, transfer) => {
      assert.strictEqual(transfer[0], m.buffer);
      sentBack.push(m);
    },
    (e) => errors.push(e),
  );
  const counts: BatchCounts = { batches: 0, rows: 0, bytes: 0 };
  const a = createPacketBatch();
  a.count = 3;
  a.frameLen.set([100, 200, 300]);
  receiver.receive(a, counts);
  fail = true;
  const b = createPacketBatch();
  b.count = 1;
  b.frameLen[0] = 64;
  receiver.receive(b, counts);

  assert.deepEqual(counts, { batches: 2, rows: 4, bytes: 664 });
  assert.deepEqual(seen, [{ source: "eth7", count: 3 }, { source: "eth7", count: 1 }]);
  assert.deepEqual(sentBack.map((m) => m.buffer), [batchTransferList(a)[0], batchTransferList(b)[0]]);
  assert.deepEqual(errors.length, 1);
});
