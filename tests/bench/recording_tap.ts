/**
 * `deno task bench --only=recording`: what the PCAP recording tap costs per frame. The benchmark capture
 * (argument 1) is read and decoded in this process four ways — the decoder alone (what the capture Worker
 * does while nothing records), behind the tap armed with one host subject (the busiest source of the file,
 * so its frames are copied), behind the tap armed with a subject nothing matches, and behind the tap keeping
 * every frame (the look-back ring of FLINTNET_RECORDING_AUTO=1) — each the median of 3, frames per second.
 * File reading is the same in all four; the difference is the tap.
 *
 *   deno run -A tests/bench/recording_tap.ts tests/bench/.cache/bench.pcap
 *
 * Prints one JSON line ({@link RecordingBenchResult}).
 */
import { readCaptureFile } from "../../src/capture/capture_file.ts";
import { FrameTap } from "../../src/capture/frame_tap.ts";
import { createTapRing, tapRingBytes } from "../../src/capture/tap_ring.ts";
import { createPacketBatch, Decoder, type PacketBatch } from "../../src/decode/mod.ts";

/** What the section measured: frames/s. */
export interface RecordingBenchResult {
  frames: number;
  decoder_only: number;
  tap_no_match: number;
  tap_one_host: number;
  tap_keep_all: number;
  /** Frames of the one host copied. */
  host_frames: number;
}

type Verdict = (value: number, target: number, higher: boolean) => string;
type Row = { measure: string; flintnet: string; peer: string; target: string; result: string };

/** Rows of the bench table: armed with a subject the tap should cost little; keeping every frame, one copy each. */
export function recordingRows(r: RecordingBenchResult, verdict: Verdict): Row[] {
  const row = (what: string, pps: number, target: number): Row => ({
    measure: `decode pkt/s behind the recording tap: ${what} (median of 3)`,
    flintnet: `${(pps / 1e6).toFixed(2)} M/s`,
    peer: `decoder alone ${(r.decoder_only / 1e6).toFixed(2)} M/s`,
    target: `cost ≤ ${target * 100}%`,
    result: verdict(Math.max(1 - pps / r.decoder_only, 1e-9), target, false),
  });
  return [
    row("armed, nothing matches", r.tap_no_match, 0.15),
    row(`one host (${r.host_frames.toLocaleString("en-US")} frames copied)`, r.tap_one_host, 0.25),
    row("keeping every frame (look-back ring)", r.tap_keep_all, 0.5),
  ];
}

const sink = { consume: (b: PacketBatch) => b };

async function run(path: string, tap: ((d: Decoder) => FrameTap) | null): Promise<number> {
  const times: number[] = [];
  let frames = 0;
  for (let i = 0; i < 3; i++) {
    const d = new Decoder(sink, createPacketBatch());
    const t0 = performance.now();
    const s = await readCaptureFile(path, tap ? tap(d) : d);
    times.push(performance.now() - t0);
    frames = s.frames;
  }
  times.sort((a, b) => a - b);
  return frames / (times[1] / 1000);
}

if (import.meta.main) {
  const path = Deno.args[0];
  // The busiest IPv4 source: its frames are what a host recording copies.
  const counts = new Map<number, number>();
  let frames = 0;
  await readCaptureFile(
    path,
    new Decoder({
      consume(b: PacketBatch) {
        frames += b.count;
        for (let i = 0; i < b.count; i++) {
          if (b.family[i] === 4) counts.set(b.src[i * 4], (counts.get(b.src[i * 4]) ?? 0) + 1);
        }
        return b;
      },
    }),
  );
  const [host] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const shape = createTapRing(tapRingBytes(32));
  const arm = (subjectHost: number, keepAll: boolean) => (d: Decoder) => {
    const t = new FrameTap(d);
    t.configure({
      type: "tap",
      ring: shape,
      keepAll,
      generation: 1,
      subjects: [{
        slot: 0,
        proto: -1,
        nets: [{ family: 4, words: [subjectHost, 0, 0, 0], prefix: 32 }],
        ports: [],
        paired: false,
      }],
    });
    return t;
  };
  const result: RecordingBenchResult = {
    frames,
    decoder_only: await run(path, null),
    tap_no_match: await run(path, arm(0xc0000201, false)), // 192.0.2.1: not in the file
    tap_one_host: await run(path, arm(host, false)),
    tap_keep_all: await run(path, arm(0xc0000201, true)),
    host_frames: counts.get(host)!,
  };
  console.log(JSON.stringify(result));
}
