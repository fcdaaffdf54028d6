/**
 * The Recorder's bounds and its restart, fed as a capture Worker feeds it: a real FrameTap (the Worker's
 * side of the tap, frame_tap.ts) is the tap target, so frames go through the subject match and the shared
 * tap ring exactly as live, minus the thread. tshark is the oracle for every file written: it must read
 * each one whole, and find in it the frames sent, in order.
 */
import assert from "node:assert/strict";
import { FrameTap } from "../capture/frame_tap.ts";
import { LinkType } from "../decode/mod.ts";
import { ethernet, ipv4, payload, udp } from "../../tests/helpers/frames.ts";
import type { Logger } from "../base/mod.ts";
import { Recorder, type RecorderOptions, RecordingRefused } from "./recorder.ts";
import { hostSubject } from "./recording_request.ts";

const CI = Deno.env.get("CI") === "true";
const TSHARK = "/usr/bin/tshark";
const hasTshark = await Deno.stat(TSHARK).then(() => true, () => false);
const ignore = !hasTshark && !CI; // with CI=true a missing tshark fails the tests instead

/** A UDP frame of host 10.0.0.`host` to 192.0.2.1, source port `port`, `size` octets of payload. */
function frame(host: number, port: number, size = 100): Uint8Array {
  return ethernet(
    { etherType: 0x0800 },
    ipv4(
      { src: `10.0.0.${host}`, dst: "192.0.2.1", proto: 17 },
      udp({ srcPort: port, dstPort: 53 }, payload(size)),
    ),
  );
}

/** A Recorder in a temp dir whose one capture is a FrameTap in front of a sink that drops everything. */
async function lab(opts: Partial<RecorderOptions> = {}, dir?: string) {
  dir ??= await Deno.makeTempDir({ prefix: "flintnet_rec_" });
  const tap = new FrameTap({ vlanHint: 0, frame() {}, flush() {} });
  let now = 1_700_000_000_000;
  const recorder = new Recorder({
    dir,
    maxFileBytes: 1 << 20,
    maxTotalBytes: 1 << 24,
    maxCount: 10,
    snaplen: 262_144,
    ringBytes: 1 << 20,
    keepAll: false,
    now: () => now,
    log: QUIET,
    ...opts,
  });
  await recorder.start([{ setTap: (m) => tap.configure(m) }]);
  return {
    dir,
    recorder,
    /** Sends frames through the tap, one millisecond apart. */
    send(frames: Uint8Array[]) {
      for (const f of frames) tap.frame(f, 0, f.length, f.length, now++, LinkType.Ethernet);
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

function hostRequest(host: number) {
  return {
    subject: hostSubject(`10.0.0.${host}`),
    trigger: "api" as const,
    reason: null,
    durationS: null,
    preSeconds: 0,
  };
}

/** tshark's reading of a file: one "frame.len ip.src udp.srcport" line per frame; fails when it cannot read it whole. */
async function tsharkRows(path: string): Promise<string[]> {
  const out = await new Deno.Command(TSHARK, {
    args: ["-r", path, "-T", "fields", "-e", "frame.len", "-e", "ip.src", "-e", "udp.srcport"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success && !/cut short|appears to be damaged/.test(err), `tshark: ${err}`);
  const text = new TextDecoder().decode(out.stdout).trimEnd();
  return text === "" ? [] : text.split("\n");
}

const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const row = (f: Uint8Array, host: number, port: number) => `${f.length}\t10.0.0.${host}\t${port}`;

Deno.test({
  name:
    "FLINTNET_RECORDING_MAX_MB: a recording stops at its size, and its file holds whole frames tshark reads",
  ignore,
  async fn() {
    const one = frame(5, 1000).length;
    // room for the file header and exactly six records (16-octet header each)
    const { recorder, send } = await lab({ maxFileBytes: 24 + 6 * (16 + one) + 10 });
    try {
      const r = recorder.begin(hostRequest(5));
      const sent = Array.from({ length: 20 }, (_, i) => frame(5, 1000 + i));
      send([frame(6, 9), ...sent]); // another host's frame is not part of it
      recorder.drain();
      const json = recorder.download(r.id)!.json;
      assert.equal(json.state, "stopped");
      assert.equal(json.stop_reason, "size_limit");
      assert.equal(json.packets, 6);
      assert.ok(json.bytes <= 24 + 6 * (16 + one) + 10);
      assert.deepEqual(
        await tsharkRows(recorder.index.pathOf(r.id)),
        sent.slice(0, 6).map((f, i) => row(f, 5, 1000 + i)),
      );
    } finally {
      await recorder.stop();
    }
  },
});

Deno.test({
  name:
    "FLINTNET_RECORDINGS_MAX: a start is refused while every kept recording runs; a finished one then makes room",
  ignore,
  async fn() {
    const { recorder, send } = await lab({ maxCount: 2 });
    try {
      const a = recorder.begin(hostRequest(1));
      const b = recorder.begin(hostRequest(2));
      assert.throws(
        () => recorder.begin(hostRequest(3)),
        (e) => e instanceof RecordingRefused && /FLINTNET_RECORDINGS_MAX 2/.test(e.message),
      );
      send([frame(1, 10), frame(2, 20)]);
      recorder.end(a.id);
      const c = recorder.begin(hostRequest(3));
      // a, the oldest finished, was deleted for c: its entry and its file
      assert.deepEqual(recorder.index.list().map((r) => r.id), [b.id, c.id]);
      assert.equal(recorder.stats().deleted_for_space, 1);
      await assert.rejects(Deno.stat(recorder.index.pathOf(a.id)), Deno.errors.NotFound);
      send([frame(2, 21), frame(3, 30)]);
      recorder.drain();
      assert.deepEqual(await tsharkRows(recorder.index.pathOf(b.id)), [
        row(frame(2, 20), 2, 20),
        row(frame(2, 21), 2, 21),
      ]);
      assert.deepEqual(await tsharkRows(recorder.index.pathOf(c.id)), [row(frame(3, 30), 3, 30)]);
    } finally {
      await recorder.stop();
    }
  },
});

Deno.test({
  name:
    "FLINTNET_RECORDINGS_MAX_MB: finished recordings are deleted first, oldest first; then the recording that would go over stops, and is kept",
  ignore,
  async fn() {
    const one = 16 + frame(1, 1, 1000).length;
    const max = 24 * 3 + 10 * one;
    const { recorder, send } = await lab({ maxTotalBytes: max });
    try {
      const old = recorder.begin(hostRequest(1));
      send(Array.from({ length: 4 }, (_, i) => frame(1, i, 1000)));
      recorder.end(old.id);
      const big = recorder.begin(hostRequest(2));
      const small = recorder.begin(hostRequest(3));
      send([frame(3, 1, 1000)]);
      send(Array.from({ length: 5 }, (_, i) => frame(2, i, 1000)));
      recorder.drain(); // 4 + 5 + 1 records and three headers: the total exactly
      assert.equal(recorder.index.list().length, 3);
      assert.equal(recorder.index.totalBytes(), max);
      send([frame(2, 5, 1000)]);
      recorder.drain(); // one more: the finished one goes, the running ones go on
      assert.deepEqual(recorder.index.list().map((r) => [r.id, r.state]), [[big.id, "running"], [
        small.id,
        "running",
      ]]);
      assert.equal(recorder.stats().deleted_for_space, 1);
      send(Array.from({ length: 6 }, (_, i) => frame(2, 6 + i, 1000)));
      recorder.drain(); // room for 3 more; nothing finished left: the fourth stops the recording it was for
      const bigNow = recorder.index.get(big.id)!;
      assert.equal(bigNow.state, "stopped");
      assert.equal(bigNow.stop_reason, "total_limit");
      assert.equal(bigNow.packets, 9);
      assert.equal(recorder.index.get(small.id)!.state, "running");
      assert.ok(recorder.index.totalBytes() <= max, `${recorder.index.totalBytes()} > ${max}`);
      // Later drains (the timer's) keep the stopped recording: it no longer grows, and the total holds.
      await new Promise((r) => setTimeout(r, 250));
      recorder.drain();
      assert.equal(recorder.stats().deleted_for_space, 1);
      assert.deepEqual(
        await tsharkRows(recorder.index.pathOf(big.id)),
        Array.from({ length: 9 }, (_, i) => row(frame(2, i, 1000), 2, i)),
      );
    } finally {
      await recorder.stop();
    }
  },
});

Deno.test({
  name: "after a crash mid-record, the next start finishes the recording (restart) at its last whole frame",
  ignore,
  async fn() {
    const first = await lab();
    const crashed = await Deno.makeTempDir({ prefix: "flintnet_rec_crash_" });
    let id = 0;
    try {
      id = first.recorder.begin(hostRequest(7)).id;
      first.send(Array.from({ length: 3 }, (_, i) => frame(7, 70 + i)));
      first.recorder.drain();
      await first.recorder.index.save();
      // The state dir as a kill -9 leaves it: the index says running, the file ends in half a record.
      for (const name of ["index.json", `rec-${id}.pcap`]) {
        await Deno.copyFile(`${first.dir}/${name}`, `${crashed}/${name}`);
      }
      const f = await Deno.open(`${crashed}/rec-${id}.pcap`, { append: true });
      await f.write(new Uint8Array(16 + 20).fill(0x11).map((v, i) => (i === 8 ? 200 : v))); // claims 200+ octets
      f.close();
    } finally {
      await first.recorder.stop();
    }
    const again = await lab({}, crashed);
    try {
      const r = again.recorder.index.get(id)!;
      assert.equal(r.state, "stopped");
      assert.equal(r.stop_reason, "restart");
      assert.equal(r.packets, 3);
      assert.equal((await Deno.stat(`${crashed}/rec-${id}.pcap`)).size, r.bytes);
      assert.deepEqual(
        await tsharkRows(`${crashed}/rec-${id}.pcap`),
        [0, 1, 2].map((i) => row(frame(7, 70 + i), 7, 70 + i)),
      );
      // ids go on after the recovered one
      assert.ok(again.recorder.begin(hostRequest(8)).id > id);
    } finally {
      await again.recorder.stop();
    }
  },
});
