import assert from "node:assert/strict";
import { writePcap } from "../../tests/helpers/capture_writer.ts";
import { ethernet, ipv4, udp } from "../../tests/helpers/frames.ts";
import { Decoder } from "../decode/decoder.ts";
import type { PacketBatch } from "../decode/packet_batch.ts";
import { BatchRing } from "./batch_ring.ts";
import { CaptureFileError, readCaptureFile } from "./capture_file.ts";
import { openCaptureStream, streamCaptureFile } from "./file_source.ts";

/** The rows of a batch as plain tuples, so two paths can be compared whole. */
function rows(b: PacketBatch, out: unknown[]): void {
  for (let r = 0; r < b.count; r++) {
    out.push([
      b.tsMs[r],
      b.src[r * 4],
      b.dst[r * 4],
      b.srcPort[r],
      b.dstPort[r],
      b.proto[r],
      b.ipBytes[r],
      b.frameLen[r],
    ]);
  }
}

async function captureOf(n: number): Promise<string> {
  const frames = Array.from({ length: n }, (_, i) => ({
    data: ethernet(
      { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02", etherType: 0x0800 },
      ipv4(
        { src: `10.0.${i % 250}.1`, dst: "10.1.0.1", proto: 17 },
        udp({ srcPort: 1000 + (i % 5000), dstPort: 53 }, new Uint8Array(i % 300)),
      ),
    ),
    tsMs: 1_700_000_000_000 + i * 0.25,
  }));
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await Deno.writeFile(path, writePcap(frames));
  return path;
}

Deno.test("streamCaptureFile() delivers exactly the rows a Decoder on this thread makes, in file order", async () => {
  const path = await captureOf(50_000); // ~15 batches: more than a 4-slot ring, so it wraps
  try {
    const here: unknown[] = [];
    const decoder = new Decoder({ consume: (b) => rows(b, here) });
    await readCaptureFile(path, decoder);
    decoder.flush();
    const there: unknown[] = [];
    const { stats, decode } = await streamCaptureFile(path, { consume: (b) => rows(b, there) }, {
      ringSlots: 4,
    });
    assert.equal(stats.frames, 50_000);
    assert.equal(decode.ipv4, 50_000);
    assert.equal(there.length, 50_000);
    assert.deepEqual(there, here);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openCaptureStream() keeps what the Worker sent before run() and delivers every row, in order", async () => {
  const path = await captureOf(50_000);
  try {
    const here: unknown[] = [];
    const decoder = new Decoder({ consume: (b) => rows(b, here) });
    await readCaptureFile(path, decoder);
    decoder.flush();
    const stream = openCaptureStream(path, { ringSlots: 4 });
    // The Worker starts, fills the ring and blocks; its messages arrive while nothing consumes them.
    await new Promise((r) => setTimeout(r, 1500));
    const there: unknown[] = [];
    const { stats } = await stream.run({ consume: (b) => rows(b, there) });
    assert.equal(stats.frames, 50_000);
    assert.deepEqual(there, here);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openCaptureStream() reports a missing file when run() is called late, and cancel() stops an unused one", async () => {
  const late = openCaptureStream("/nonexistent/x.pcap");
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(late.run({ consume() {} }), CaptureFileError);
  const path = await captureOf(50_000);
  try {
    const unused = openCaptureStream(path);
    unused.cancel(); // the test's sanitizer fails it if the Worker were left running
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("streamCaptureFile() rejects a missing or garbage file with a CaptureFileError naming it", async () => {
  await assert.rejects(
    streamCaptureFile("/nonexistent/x.pcap", { consume() {} }),
    (e: unknown) =>
      e instanceof CaptureFileError && /\/nonexistent\/x\.pcap: cannot open capture file/.test(e.message),
  );
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "this is not a capture");
  try {
    await assert.rejects(
      streamCaptureFile(path, { consume() {} }),
      (e: unknown) => e instanceof CaptureFileError && e.message.includes("not a pcap or pcapng file"),
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("streamCaptureFile() stops the worker and rejects when the consumer throws", async () => {
  const path = await captureOf(20_000);
  try {
    let seen = 0;
    await assert.rejects(
      streamCaptureFile(path, {
        consume(b) {
          seen += b.count;
          if (seen > 5000) throw new Error("consumer gave up");
        },
      }),
      /consumer gave up/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("BatchRing.acquire() gives nothing once the consumer closed the ring, instead of waiting", () => {
  const ring = new BatchRing({ slots: 2, capacity: 4 });
  const other = new BatchRing(ring.shape); // the other side, over the same memory
  assert.ok(ring.acquire());
  ring.publish();
  assert.ok(ring.acquire());
  ring.publish();
  other.close(); // both slots unread: without the close, acquire() would block
  assert.equal(ring.acquire(), undefined);
});

Deno.test("BatchRing slots seen from both sides are the same memory", () => {
  const producer = new BatchRing({ slots: 3, capacity: 8 });
  const consumer = new BatchRing(producer.shape);
  const b = producer.acquire()!;
  b.src[0] = 0xc0000201;
  b.ipBytes[0] = 1500;
  const slot = producer.publish();
  assert.equal(consumer.batch(slot).src[0], 0xc0000201);
  assert.equal(consumer.batch(slot).ipBytes[0], 1500);
  consumer.release();
});
