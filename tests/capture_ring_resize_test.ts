/**
 * The capture ring starts small and is re-opened larger under load (src/capture/ring_sizer.ts,
 * ring_switch.ts). trafgen (Debian netsniff-ng, TX ring) sends numbered UDP frames as fast as it can
 * across a veth pair from a network namespace; the frames the capture delivers are checked against
 * what trafgen was told to send: every frame either arrived exactly once or is among the kernel's
 * counted drops, none arrived twice, and the ring did grow. Needs root, iproute2, netsniff-ng.
 */
import assert from "node:assert/strict";
import { LiveCapture } from "../src/capture/live_capture.ts";
import type { PacketBatch } from "../src/decode/packet_batch.ts";
import type { Logger } from "../src/base/log.ts";
import { createVethPair, netnsUnavailable } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const TRAFGEN = "/usr/sbin/trafgen";

async function unavailable(): Promise<string | null> {
  const ns = await netnsUnavailable();
  if (ns) return ns;
  return await Deno.stat(TRAFGEN).then(
    () => null,
    () => `${TRAFGEN} is missing (Debian package netsniff-ng)`,
  );
}
const missing = await unavailable();

/** Frames sent. Frame i has source port i mod 65536 and destination port 1024 + i mod 251. */
const FRAMES = 1_500_000;
const DPORT_SPAN = 251; // prime, so (i mod 65536, i mod 251) names each of 16 M frames once

/** A logger that keeps what the capture said. */
function keepingLogger(into: { msg: string; fields?: Record<string, unknown> }[]): Logger {
  const keep = (msg: string, fields?: Record<string, unknown>) => void into.push({ msg, fields });
  return { debug: keep, info: keep, warn: keep, error: keep } as unknown as Logger;
}

Deno.test({
  name:
    "a ring that grows under a trafgen burst delivers every frame once: delivered + kernel drops = sent, none twice",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`ring resize test cannot run: ${missing}`);
    const pair = await createVethPair({
      ns: "fpf-ring",
      hostIf: "fpfring-h",
      nsIf: "fpfring-n",
      hostAddr: "10.231.80.1/24",
      nsAddr: "10.231.80.2/24",
    });
    const seen = new Uint8Array((65536 * DPORT_SPAN) >> 3);
    let delivered = 0, twice = 0, foreign = 0;
    const log: { msg: string; fields?: Record<string, unknown> }[] = [];
    const cap = new LiveCapture({
      iface: pair.hostIf,
      ringMb: 64,
      ringStartMb: 2,
      blockKb: 256,
      snaplen: 128,
      filter: "udp",
      logger: keepingLogger(log),
      consumer: {
        consume(b: PacketBatch) {
          // The first batch holds the main thread a quarter of a second, as a busy daemon would: the burst then
          // backs up into the kernel's ring whatever this machine's load, so the ring must grow (on a busy CI
          // machine trafgen alone was once too slow to fill half of the 2 MiB start ring).
          if (delivered === 0 && foreign === 0) {
            const until = performance.now() + 250;
            while (performance.now() < until) { /* stall */ }
          }
          for (let r = 0; r < b.count; r++) {
            const dp = b.dstPort[r] - 1024;
            if (b.proto[r] !== 17 || dp < 0 || dp >= DPORT_SPAN) {
              foreign++;
              continue;
            }
            const key = b.srcPort[r] * DPORT_SPAN + dp;
            const bit = 1 << (key & 7);
            if (seen[key >> 3] & bit) twice++;
            seen[key >> 3] |= bit;
            delivered++;
          }
        },
      },
    });
    try {
      await cap.start();
      // Addressed to a MAC that is not the host's: the host stack drops the frames and never answers.
      const conf = `{ eth(da=02:00:00:00:80:01, sa=${pair.nsMac}), ` +
        `ipv4(saddr=${pair.nsIp}, daddr=${pair.hostIp}, ttl=64), ` +
        `udp(sport=dinc(0, 65535), dport=dinc(1024, ${1024 + DPORT_SPAN - 1}), len=26), ` +
        `fill(0x00, 18) }`;
      const confFile = await Deno.makeTempFile({ suffix: ".cfg" });
      await Deno.writeTextFile(confFile, conf);
      try {
        await pair.exec([TRAFGEN, "-i", confFile, "-o", pair.nsIf, "-n", String(FRAMES), "-P", "1", "-q"]);
      } finally {
        await Deno.remove(confFile);
      }
      // The capture catches up after trafgen is done: wait until the kernel's count (reported every
      // second) has every frame and every frame it kept was delivered, or the rows stop for 5 s.
      let last = -1, still = Date.now();
      for (;;) {
        const k = cap.stats().kernel;
        if (k.packets >= FRAMES && delivered + k.drops >= FRAMES) break;
        if (delivered !== last) [last, still] = [delivered, Date.now()];
        else if (Date.now() - still > 5000) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await cap.stop();
      await pair.destroy();
    }
    const k = cap.stats().kernel;
    const reopened = log.filter((l) => l.msg === "capture ring re-opened");
    assert.ok(reopened.length >= 1, `the ring grew; the capture said: ${JSON.stringify(log)}`);
    // how long the capture thread spent opening the new ring (nothing reads the old one meanwhile)
    for (const l of reopened) {
      const ms = l.fields?.open_ms;
      assert.ok(typeof ms === "number" && ms >= 0, JSON.stringify(l));
    }
    assert.equal(twice, 0, "no frame was delivered twice");
    assert.equal(foreign, 0, "only trafgen's frames passed the filter");
    assert.equal(
      delivered + k.drops,
      FRAMES,
      `delivered ${delivered} + dropped ${k.drops} = sent; ${JSON.stringify(cap.stats())} ${
        JSON.stringify(log)
      }`,
    );
    assert.equal(k.packets, FRAMES, "the kernel counted every frame sent across the rings");
  },
});
