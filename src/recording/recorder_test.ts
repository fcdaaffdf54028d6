/**
 * The recorder's bounds, with real files in a temporary directory and the real tap ring fed by a real
 * FrameTap (tests/helpers/tap_feeder.ts): what each limit does when reached, judged by tshark and capinfos
 * reading the files back and by the frames the test sent.
 */
import assert from "node:assert/strict";
import type { Logger } from "../base/mod.ts";
import { Recorder, RecordingRefused } from "./recorder.ts";
import { hostSubject } from "./recording_request.ts";
import type { RecordingJson } from "./recordings_index.ts";
import { TapFeeder, udpFrame } from "../../tests/helpers/tap_feeder.ts";
import { capinfosPackets, md5Hex, pcapToolsMissing, tsharkFrames } from "../../tests/helpers/pcap_oracle.ts";

const missing = await pcapToolsMissing();
if (missing && Deno.env.get("CI") === "true") throw new Error(missing);

const A = "10.231.75.1", B = "10.231.75.2", C = "10.231.75.3", PEER = "10.231.76.9";
/** Frames of 1000 octets: 1016 in the file with the record header; the file header is 24. */
const SIZE = 1000, RECORD = 16 + SIZE, HEADER = 24;

/** A recorder over one fed tap, in a fresh directory, with a clock the test moves. */
async function setup(limits: { maxFileBytes?: number; maxTotalBytes?: number; maxCount?: number } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-recorder-" });
  const clock = { ms: 1_700_000_000_000 };
  const logged: { msg: string; [k: string]: unknown }[] = [];
  const keep = (msg: string, fields?: Record<string, unknown>) => logged.push({ ...fields, msg });
  const log: Logger = { debug: keep, info: keep, warn: keep, error: keep };
  const recorder = new Recorder({
    dir,
    maxFileBytes: limits.maxFileBytes ?? 1 << 30,
    maxTotalBytes: limits.maxTotalBytes ?? 1 << 30,
    maxCount: limits.maxCount ?? 50,
    snaplen: 2048,
    ringBytes: 1 << 22,
    keepAll: false,
    now: () => clock.ms,
    log,
  });
  const cap = new TapFeeder();
  await recorder.start([cap]);
  let seq = 0;
  /** Sends `n` frames of `host` (to PEER), 1 ms apart; their MD5s in order. */
  const send = (host: string, n: number): string[] => {
    const sums: string[] = [];
    for (let i = 0; i < n; i++) {
      const f = udpFrame(host, PEER, seq++, SIZE);
      clock.ms += 1;
      cap.send(f, clock.ms);
      sums.push(md5Hex(f));
    }
    return sums;
  };
  const begin = (host: string, durationS: number | null = null): RecordingJson =>
    recorder.begin({ subject: hostSubject(host), trigger: "api", reason: null, durationS, preSeconds: 0 });
  const exists = (id: number) => Deno.stat(recorder.index.pathOf(id)).then(() => true, () => false);
  const cleanup = async () => {
    await recorder.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { dir, clock, logged, recorder, cap, send, begin, exists, cleanup };
}

/** The MD5s of the frames tshark reads in recording `id`'s file (which capinfos must find whole). */
async function readBack(recorder: Recorder, id: number): Promise<string[]> {
  const path = recorder.index.pathOf(id);
  const frames = await tsharkFrames(path);
  assert.equal(await capinfosPackets(path), frames.length);
  assert.ok(frames.every((f) => f.len === SIZE && f.capLen === SIZE));
  return frames.map((f) => f.md5);
}

Deno.test({
  name:
    "a recording stops at its file bound (size_limit) holding every whole frame that fit, the file read to its end",
  ignore: missing !== null,
  async fn() {
    const t = await setup({ maxFileBytes: HEADER + 19 * RECORD + RECORD - 1 });
    try {
      const a = t.begin(A), b = t.begin(B);
      const sentA = t.send(A, 40);
      const sentB = t.send(B, 5);
      t.recorder.drain();
      assert.equal(a.state, "stopped");
      assert.equal(a.stop_reason, "size_limit");
      assert.equal(a.packets, 19);
      assert.equal(a.bytes, HEADER + 19 * RECORD);
      assert.equal((await Deno.stat(t.recorder.index.pathOf(a.id))).size, a.bytes);
      assert.deepEqual(await readBack(t.recorder, a.id), sentA.slice(0, 19), "the first 19 frames, in order");
      assert.equal(b.state, "running", "another recording is not stopped by its neighbour's bound");
      const more = t.send(B, 2);
      t.recorder.drain();
      assert.deepEqual(await readBack(t.recorder, b.id), [...sentB, ...more]);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "over the total bound the oldest finished recordings are deleted first, never a running one",
  ignore: missing !== null,
  async fn() {
    const t = await setup({ maxTotalBytes: 50_000 });
    try {
      const a = t.begin(A);
      t.send(A, 10);
      t.recorder.end(a.id);
      const b = t.begin(B);
      const sentB = t.send(B, 10);
      t.recorder.end(b.id);
      const c = t.begin(C);
      const sentC = t.send(C, 35); // 10,184 + 10,184 + 35,584 > 50,000: the oldest finished one goes
      t.recorder.drain();
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [b.id, c.id]);
      assert.equal(await t.exists(a.id), false, "its file is deleted too");
      assert.equal(t.recorder.stats().deleted_for_space, 1);
      assert.ok(t.recorder.index.totalBytes() <= 50_000);
      assert.equal(c.state, "running");
      assert.deepEqual(await readBack(t.recorder, b.id), sentB);
      t.recorder.drain();
      assert.deepEqual(await readBack(t.recorder, c.id), sentC);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name:
    "when running recordings fill the total bound the one that reaches it stops (total_limit) and is kept whole",
  ignore: missing !== null,
  async fn() {
    const max = HEADER * 2 + 20 * RECORD + 500;
    const t = await setup({ maxTotalBytes: max });
    try {
      const a = t.begin(A);
      const sentA = t.send(A, 14);
      const b = t.begin(B);
      const sentB = t.send(B, 14);
      t.recorder.drain();
      t.recorder.drain(); // a later drain must not take back what the bound kept
      assert.equal(a.state, "running", "its frames all fit");
      assert.equal(b.state, "stopped");
      assert.equal(b.stop_reason, "total_limit");
      assert.equal(b.packets, 6, "the frames that fit in the total");
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [a.id, b.id], "both kept");
      assert.ok(t.recorder.index.totalBytes() <= max, `${t.recorder.index.totalBytes()} ≤ ${max}`);
      assert.deepEqual(await readBack(t.recorder, b.id), sentB.slice(0, 6));
      // B is finished now: the oldest finished recording makes room for the running one.
      const more = t.send(A, 3);
      t.recorder.drain();
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [a.id]);
      assert.equal(await t.exists(b.id), false);
      assert.equal(t.recorder.stats().deleted_for_space, 1);
      // Nothing finished is left: A stops at the bound with what fitted, and stays.
      const last = t.send(A, 10);
      t.recorder.drain();
      t.recorder.drain();
      assert.equal(a.stop_reason, "total_limit");
      assert.equal(a.packets, 20);
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [a.id]);
      assert.ok(t.recorder.index.totalBytes() <= max);
      assert.deepEqual(await readBack(t.recorder, a.id), [...sentA, ...more, ...last.slice(0, 3)]);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a start with the total bound taken by running recordings is refused naming the setting",
  ignore: missing !== null,
  async fn() {
    const t = await setup({ maxTotalBytes: HEADER + 10 * RECORD });
    try {
      const a = t.begin(A);
      t.send(A, 9);
      t.recorder.drain();
      assert.throws(() => t.begin(B), (e: Error) => {
        assert.ok(e instanceof RecordingRefused);
        assert.match(e.message, /FLINTNET_RECORDINGS_MAX_MB/);
        return true;
      });
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [a.id]);
      t.recorder.end(a.id);
      const b = t.begin(B); // now the finished one makes room
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [b.id]);
      assert.equal(await t.exists(a.id), false);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "with the count bound kept and all running a start is refused; once one finishes it makes room",
  ignore: missing !== null,
  async fn() {
    const t = await setup({ maxCount: 2 });
    try {
      const a = t.begin(A), b = t.begin(B);
      t.send(A, 2);
      assert.throws(() => t.begin(C), (e: Error) => {
        assert.ok(e instanceof RecordingRefused);
        assert.match(e.message, /FLINTNET_RECORDINGS_MAX 2/);
        return true;
      });
      t.recorder.end(a.id);
      const c = t.begin(C);
      const sentC = t.send(C, 3);
      t.recorder.end(c.id);
      assert.deepEqual(t.recorder.index.list().map((r) => r.id), [b.id, c.id]);
      assert.equal(await t.exists(a.id), false);
      assert.equal(t.recorder.stats().deleted_for_space, 1);
      assert.deepEqual(await readBack(t.recorder, c.id), sentC);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a recording with a duration stops by itself once its time is up",
  ignore: missing !== null,
  async fn() {
    const t = await setup();
    try {
      const a = t.begin(A, 5);
      const sent = t.send(A, 3);
      t.recorder.drain();
      assert.equal(a.state, "running");
      t.clock.ms += 5000;
      t.recorder.drain();
      assert.equal(a.state, "stopped");
      assert.equal(a.stop_reason, "duration");
      t.send(A, 2); // after it stopped
      t.recorder.drain();
      assert.deepEqual(await readBack(t.recorder, a.id), sent);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a recording started shortly before another holds each of its frames once",
  ignore: missing !== null,
  async fn() {
    const t = await setup();
    try {
      // The Worker applies A's subjects, then B's, before the next drain: frames of A in between carry
      // A's mark already and lie before where the Worker applied B.
      const a = t.begin(A);
      const first = t.send(A, 5);
      const b = t.begin(B);
      const then = t.send(A, 3);
      t.send(B, 2);
      t.recorder.drain();
      t.recorder.end(a.id);
      t.recorder.end(b.id);
      assert.deepEqual(await readBack(t.recorder, a.id), [...first, ...then]);
      assert.equal(a.packets, 8);
      assert.equal(b.packets, 2);
    } finally {
      await t.cleanup();
    }
  },
});
