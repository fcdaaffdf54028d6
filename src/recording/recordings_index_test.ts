/**
 * What the recordings index says after the daemon restarts: a real process records into a temporary
 * directory and is killed with SIGKILL; a new index reads what it left. The files are judged by tshark and
 * capinfos, the frames by the MD5s the recording process printed for what it sent.
 */
import assert from "node:assert/strict";
import type { Logger } from "../base/mod.ts";
import { Recorder } from "./recorder.ts";
import { hostSubject } from "./recording_request.ts";
import { RecordingsIndex } from "./recordings_index.ts";
import { TapFeeder, udpFrame } from "../../tests/helpers/tap_feeder.ts";
import { capinfosPackets, md5Hex, pcapToolsMissing, tsharkFrames } from "../../tests/helpers/pcap_oracle.ts";

const missing = await pcapToolsMissing();
if (missing && Deno.env.get("CI") === "true") throw new Error(missing);

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The recording process: one finished recording of 3 frames, one running of 5, then it waits to be killed. */
const RECORDING_PROCESS = `
import { Recorder } from "${new URL("./recorder.ts", import.meta.url)}";
import { hostSubject } from "${new URL("./recording_request.ts", import.meta.url)}";
import { md5Hex } from "${new URL("../../tests/helpers/pcap_oracle.ts", import.meta.url)}";
import { TapFeeder, udpFrame } from "${new URL("../../tests/helpers/tap_feeder.ts", import.meta.url)}";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const r = new Recorder({ dir: Deno.args[0], maxFileBytes: 1 << 30, maxTotalBytes: 1 << 30, maxCount: 50,
  snaplen: 2048, ringBytes: 1 << 22, keepAll: false, log: quiet });
const cap = new TapFeeder();
await r.start([cap]);
const sent = {};
const record = (host, n, seq) => {
  const j = r.begin({ subject: hostSubject(host), trigger: "api", reason: null, durationS: null, preSeconds: 0 });
  sent[j.id] = [];
  for (let i = 0; i < n; i++) {
    const f = udpFrame(host, "10.231.76.9", seq + i, 300);
    cap.send(f, Date.now());
    sent[j.id].push(md5Hex(f));
  }
  r.drain();
  return j;
};
const done = record("10.231.75.1", 3, 0);
r.end(done.id);
record("10.231.75.2", 5, 100);
await r.index.save();
console.log(JSON.stringify(sent));
await new Promise(() => {});
`;

/** Runs the recording process on `dir`, kills it with SIGKILL once it has recorded; what it sent, by id. */
async function recordAndKill(dir: string): Promise<Record<string, string[]>> {
  const script = `${dir.slice(0, dir.lastIndexOf("/"))}/recording_process.ts`;
  await Deno.writeTextFile(script, RECORDING_PROCESS);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-check", script, dir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
  } finally {
    child.kill("SIGKILL");
    await reader.cancel();
    const status = await child.status;
    const err = await new Response(child.stderr).text();
    assert.equal(status.signal, "SIGKILL", `the recording process ended by itself: ${err}`);
  }
  return JSON.parse(out);
}

async function tempDirs(): Promise<{ root: string; dir: string }> {
  const root = await Deno.makeTempDir({ prefix: "flintnet-recindex-" });
  return { root, dir: `${root}/recordings` };
}

Deno.test({
  name:
    "after a kill -9 the index lists every recording, the running one finished (restart) and cut after its last whole record",
  ignore: missing !== null,
  async fn() {
    const { root, dir } = await tempDirs();
    try {
      const sent = await recordAndKill(dir);
      // A write cut short by the kill: a record header for 300 octets, and 50 of them.
      const path2 = `${dir}/rec-2.pcap`;
      const whole = (await Deno.stat(path2)).size;
      const torn = new Uint8Array(16 + 50);
      const v = new DataView(torn.buffer);
      v.setUint32(0, Math.floor(Date.now() / 1000), true);
      v.setUint32(8, 300, true); // captured length
      v.setUint32(12, 300, true); // length on the wire
      await Deno.writeFile(path2, torn, { append: true });

      const index = new RecordingsIndex(dir, quiet);
      await index.load();
      const list = index.list();
      assert.deepEqual(list.map((r) => [r.id, r.state, r.stop_reason]), [
        [1, "stopped", "api"],
        [2, "stopped", "restart"],
      ]);
      assert.ok(list[1].stopped !== null);
      assert.equal((await Deno.stat(path2)).size, whole, "the torn record is cut off");
      for (const r of list) {
        const path = index.pathOf(r.id);
        const frames = await tsharkFrames(path);
        assert.equal(await capinfosPackets(path), frames.length);
        assert.deepEqual(frames.map((x) => x.md5), sent[r.id], `recording ${r.id}`);
        assert.equal(r.packets, frames.length);
        assert.equal(r.bytes, (await Deno.stat(path)).size);
      }
      assert.equal(index.nextId(), 3, "ids are not given again");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "an unreadable index starts a new list and never overwrites the recordings' files",
  ignore: missing !== null,
  async fn() {
    const { root, dir } = await tempDirs();
    try {
      await recordAndKill(dir);
      const before = [1, 2].map((id) => md5Hex(Deno.readFileSync(`${dir}/rec-${id}.pcap`)));
      // What a disk full or a hand edit leaves: the index cut in the middle.
      const text = await Deno.readTextFile(`${dir}/index.json`);
      await Deno.writeTextFile(`${dir}/index.json`, text.slice(0, text.length >> 1));
      const logged: string[] = [];
      const log: Logger = { ...quiet, warn: (msg) => logged.push(msg) };
      const recorder = new Recorder({
        dir,
        maxFileBytes: 1 << 30,
        maxTotalBytes: 1 << 30,
        maxCount: 50,
        snaplen: 2048,
        ringBytes: 1 << 22,
        keepAll: false,
        log,
      });
      const cap = new TapFeeder();
      await recorder.start([cap]);
      try {
        assert.deepEqual(logged, ["recordings index unreadable; starting a new one"]);
        assert.deepEqual(recorder.index.list(), []);
        const j = recorder.begin({
          subject: hostSubject("10.231.75.3"),
          trigger: "api",
          reason: null,
          durationS: null,
          preSeconds: 0,
        });
        cap.send(udpFrame("10.231.75.3", "10.231.76.9", 1, 300), Date.now());
        recorder.end(j.id);
        assert.ok(j.id > 2, `the new recording's id ${j.id} is not one of the files'`);
        assert.deepEqual([1, 2].map((id) => md5Hex(Deno.readFileSync(`${dir}/rec-${id}.pcap`))), before);
        assert.equal((await tsharkFrames(recorder.index.pathOf(j.id))).length, 1);
      } finally {
        await recorder.stop();
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a file nobody lists (a start the kill cut before the index was written) is left alone",
  ignore: missing !== null,
  async fn() {
    const { root, dir } = await tempDirs();
    try {
      await recordAndKill(dir);
      // The index as it was before recording 2 started: recording 2's file exists, the index knows nothing of it.
      const doc = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
      doc.next_id = 2;
      doc.recordings = doc.recordings.filter((r: { id: number }) => r.id === 1);
      await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify(doc));
      const orphan = md5Hex(Deno.readFileSync(`${dir}/rec-2.pcap`));
      const index = new RecordingsIndex(dir, quiet);
      await index.load();
      assert.deepEqual(index.list().map((r) => r.id), [1]);
      const id = index.nextId();
      assert.notEqual(id, 2, "a new recording would replace the file nobody lists");
      assert.equal(md5Hex(Deno.readFileSync(`${dir}/rec-2.pcap`)), orphan);
      // And an entry whose file is gone is dropped.
      await Deno.remove(`${dir}/rec-1.pcap`);
      const again = new RecordingsIndex(dir, quiet);
      await again.load();
      assert.deepEqual(again.list(), []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
