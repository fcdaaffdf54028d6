/**
 * The floor under `flintnet replay` in this runtime: the same reading Worker and decoder as replay
 * (capture/file_source.ts), every batch taken and dropped on the main thread — no flow table, no detector,
 * no output. What replay costs above this is the flow table and the detectors; what this costs above
 * `tcpdump -r FILE -w /dev/null` is Deno's start, the Worker and the decoder.
 *
 *   deno run --allow-all tests/bench/replay_floor.ts FILE
 *
 * Prints ONE JSON line: { frames, rows }.
 */
import { openCaptureStream } from "../../src/capture/mod.ts";
import type { PacketBatch } from "../../src/decode/mod.ts";

const path = Deno.args[0];
if (!path) throw new Error("usage: replay_floor.ts FILE");
let rows = 0;
const { stats } = await openCaptureStream(path).run({
  consume(b: PacketBatch): void {
    rows += b.count;
  },
});
console.log(JSON.stringify({ frames: stats.frames, rows }));
