/**
 * The bandwidth trigger (FLINTNET_RECORDING_BPS) over a real flow table, starting recordings in a real
 * Recorder: which hosts are recorded (computed here from the rows written, not from the trigger's own sums),
 * the cooldown, one running recording per host, and the reason a user reads.
 */
import assert from "node:assert/strict";
import { createPacketBatch } from "../decode/mod.ts";
import { FlowTable } from "../flow/mod.ts";
import type { Logger } from "../base/mod.ts";
import { addIpRow } from "../../tests/helpers/batch_rows.ts";
import { Recorder } from "./recorder.ts";
import { AutoRecorder, BandwidthTrigger } from "./auto_record.ts";

const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const INTERVAL_MS = 10_000;

/** A flow table holding, for each [src, dst, ip octets], one flow in the interval starting at `t0`. */
function tableWith(rows: [string, string, number][], t0: number): FlowTable {
  const t = new FlowTable(64);
  const b = createPacketBatch(64);
  rows.forEach(([src, dst, ipBytes], i) =>
    addIpRow(b, { src, dst, srcPort: 40_000 + i, dstPort: 443, proto: 6, ipBytes, tsMs: t0 + i })
  );
  t.update(b, 0, b.count);
  return t;
}

Deno.test("BandwidthTrigger records every host above FLINTNET_RECORDING_BPS in an interval, once per cooldown", async () => {
  let now = 1_700_000_000_000;
  const dir = await Deno.makeTempDir({ prefix: "flintnet_bps_" });
  const recorder = new Recorder({
    dir,
    maxFileBytes: 1 << 20,
    maxTotalBytes: 1 << 24,
    maxCount: 10,
    snaplen: 65_535,
    ringBytes: 1 << 16,
    keepAll: false,
    now: () => now,
    log: QUIET,
  });
  await recorder.start([]);
  try {
    const auto = new AutoRecorder(recorder, {
      seconds: 60,
      preSeconds: 0,
      cooldownS: 600,
      localNetworks: [],
      now: () => now,
    });
    const bps = 1_000_000; // 1 Mbit/s: 1.25 MB in a 10 s interval
    // 10.0.0.1 sends 1.0 MB to 192.0.2.1 and 0.5 MB to 192.0.2.2 (1.5 MB: over); 10.0.0.2 sends 1.2 MB
    // (just under); 192.0.2.1 received 1.0 + 0.3 MB (over, counted from both ends of its flows).
    const rows: [string, string, number][] = [
      ["10.0.0.1", "192.0.2.1", 1_000_000],
      ["10.0.0.1", "192.0.2.2", 500_000],
      ["10.0.0.2", "192.0.2.3", 1_200_000],
      ["10.0.0.3", "192.0.2.1", 300_000],
    ];
    const t0 = now - INTERVAL_MS;
    const table = tableWith(rows, t0);
    // The expectation, from the rows written: each address's octets, both directions, over bps.
    const sums = new Map<string, number>();
    for (const [s, d, n] of rows) for (const ip of [s, d]) sums.set(ip, (sums.get(ip) ?? 0) + n);
    const expected = [...sums].filter(([, n]) => (n * 8) / 10 > bps).map(([ip]) => ip).sort();
    assert.deepEqual(expected, ["10.0.0.1", "192.0.2.1"]);

    const trigger = new BandwidthTrigger(table, auto, bps);
    trigger.onInterval(t0, now);
    const started = recorder.index.list();
    assert.deepEqual(started.map((r) => r.host).sort(), expected);
    for (const r of started) {
      assert.equal(r.trigger, "bandwidth");
      assert.equal(r.state, "running");
      assert.equal(r.duration_s, 60);
      const bits = Math.round((sums.get(r.host!)! * 8) / 10);
      assert.equal(
        r.reason,
        `${r.host} carried ${bits} bit/s over 10 s, above FLINTNET_RECORDING_BPS ${bps}`,
      );
    }

    // The next interval, still busy: the hosts' recordings run, nothing new starts.
    now += INTERVAL_MS;
    trigger.onInterval(now - INTERVAL_MS, now);
    assert.equal(recorder.index.list().length, 2);
    assert.equal(auto.skipped.running, 2);

    // After their minute they stopped; within the cooldown (10 min from the start) no new one starts.
    now += 60_000;
    recorder.drain();
    assert.ok(recorder.index.list().every((r) => r.state === "stopped" && r.stop_reason === "duration"));
    trigger.onInterval(now - INTERVAL_MS, now);
    assert.equal(recorder.index.list().length, 2);
    assert.equal(auto.skipped.cooldown, 2);

    // Once the cooldown is over, the still-busy hosts are recorded again.
    now += 600_000;
    trigger.onInterval(now - INTERVAL_MS, now);
    assert.equal(recorder.index.list().filter((r) => r.state === "running").length, 2);
  } finally {
    await recorder.stop();
  }
});
