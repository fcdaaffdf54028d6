import assert from "node:assert/strict";
import { ALL_RECORDS, createTapRing, TapRingReader, TapRingWriter } from "./tap_ring.ts";

/** Frame `seq`: its length varies, every octet derived from seq, so a torn or mixed copy shows. */
function frame(seq: number): Uint8Array {
  const f = new Uint8Array(60 + (seq * 37) % 1400);
  for (let i = 0; i < f.length; i++) f[i] = (seq * 31 + i) & 0xff;
  new DataView(f.buffer).setUint32(0, seq);
  return f;
}

function check(
  r: { bytes: Uint8Array; at: number; capLen: number; wireLen: number; sec: number; usec: number },
) {
  const seq = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.at).getUint32(0);
  const want = frame(seq);
  assert.equal(r.capLen, want.length);
  assert.equal(r.wireLen, want.length + 4);
  assert.deepEqual(r.bytes.subarray(r.at, r.at + r.capLen), want, `frame ${seq}`);
  assert.deepEqual([r.sec, r.usec], [1_700_000_000 + Math.floor(seq / 1000), (seq % 1000) * 1000]);
  return seq;
}

const write = (w: TapRingWriter, seq: number) => {
  const f = frame(seq);
  w.write(f, 0, f.length, f.length + 4, 1_700_000_000_000 + seq, 1, seq % 3 === 0 ? 0b10 : 0b01);
};

Deno.test("TapRing: a reader that keeps up gets every record whole, in order, across many wraps", () => {
  const shape = createTapRing(1 << 20);
  const w = new TapRingWriter(shape), r = new TapRingReader(shape);
  let pos = r.head(), next = 0, seq = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 300; i++) write(w, seq++);
    pos = r.read(pos, r.head(), ALL_RECORDS, (rec) => assert.equal(check(rec), next++));
  }
  assert.equal(next, seq);
  assert.equal(r.overruns, 0);
});

Deno.test("TapRing: the mask picks records; a reader left behind loses the oldest, counted, and never reads a torn one", () => {
  const shape = createTapRing(1 << 20);
  const w = new TapRingWriter(shape), r = new TapRingReader(shape);
  const start = r.head();
  for (let seq = 0; seq < 5000; seq++) write(w, seq); // ~3.6 MB through a 1 MiB ring
  const got: number[] = [];
  r.read(start, r.head(), 0b10, (rec) => got.push(check(rec)));
  assert.ok(r.overruns > 0);
  assert.ok(got.length > 100 && got.every((s) => s % 3 === 0));
  assert.deepEqual(got, [...got].sort((a, b) => a - b));
  assert.equal(got.at(-1), 4998, "the latest matching record is there");
  // From the tail, everything still held reads back whole.
  const all: number[] = [];
  r.read(r.tail(), r.head(), ALL_RECORDS, (rec) => all.push(check(rec)));
  assert.equal(all.at(-1), 4999);
  assert.deepEqual(all, all.map((_, i) => all[0] + i), "contiguous up to the newest");
});
