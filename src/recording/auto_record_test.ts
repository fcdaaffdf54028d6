/**
 * Recordings that start themselves: the bandwidth trigger over a real flow table (rows whose octets the
 * test states), the cooldown and "one per host at a time" of AutoRecorder, over a real Recorder writing to
 * a temporary directory. The clock is the test's.
 */
import assert from "node:assert/strict";
import type { Logger } from "../base/mod.ts";
import { FlowTable } from "../flow/mod.ts";
import { AutoRecorder, BandwidthTrigger } from "./auto_record.ts";
import { Recorder } from "./recorder.ts";
import { hostSubject } from "./recording_request.ts";
import { batchOf, type IpRow } from "../../tests/helpers/batch_rows.ts";
import { TapFeeder } from "../../tests/helpers/tap_feeder.ts";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function setup(opts: { cooldownS?: number; maxCount?: number } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-autorec-" });
  const clock = { ms: 1_700_000_000_000 };
  const recorder = new Recorder({
    dir,
    maxFileBytes: 1 << 30,
    maxTotalBytes: 1 << 30,
    maxCount: opts.maxCount ?? 50,
    snaplen: 2048,
    ringBytes: 1 << 22,
    keepAll: true,
    now: () => clock.ms,
    log: quiet,
  });
  await recorder.start([new TapFeeder()]);
  const auto = new AutoRecorder(recorder, {
    seconds: 60,
    preSeconds: 10,
    cooldownS: opts.cooldownS ?? 600,
    localNetworks: [],
    now: () => clock.ms,
  });
  const byTrigger = (trigger: string) =>
    recorder.index.list().filter((r) => r.trigger === trigger).map((r) => r.host);
  const cleanup = async () => {
    await recorder.stop();
    await Deno.remove(dir, { recursive: true });
  };
  return { clock, recorder, auto, byTrigger, cleanup };
}

/** `n` UDP packets of `ipBytes` each from `src` to `dst`, 1 ms apart from `tsMs`. */
function packets(src: string, dst: string, n: number, ipBytes: number, tsMs: number): IpRow[] {
  return Array.from({ length: n }, (_, i) => ({
    src,
    dst,
    srcPort: 40000,
    dstPort: 9000,
    proto: 17,
    ipBytes,
    tsMs: tsMs + i,
  }));
}

Deno.test("a host above FLINTNET_RECORDING_BPS in an interval starts a recording of it; one at the threshold does not", async () => {
  const t = await setup();
  try {
    const table = new FlowTable(64);
    // 800,000 bit/s over a 10 s interval is 1,000,000 octets.
    const trigger = new BandwidthTrigger(table, t.auto, 800_000);
    const start = t.clock.ms;
    const rows = [
      ...packets("10.231.75.1", "10.231.76.1", 20, 50_000, start), // 1,000,000 …
      ...packets("10.231.75.1", "10.231.76.1", 1, 8, start + 100), // … + 8: above
      ...packets("10.231.75.3", "10.231.76.3", 10, 50_000, start), // 500,000 each way: 1,000,000 a host,
      ...packets("10.231.76.3", "10.231.75.3", 10, 50_000, start), // at the threshold, not above it
    ];
    table.update(batchOf(rows), 0, rows.length);
    t.clock.ms = start + 10_000;
    trigger.onInterval(start, start + 10_000);
    assert.deepEqual(t.byTrigger("bandwidth").sort(), ["10.231.75.1", "10.231.76.1"], "both ends carried it");
    const rec = t.recorder.index.list()[0];
    assert.equal(rec.state, "running");
    assert.equal(rec.pre_seconds, 10);
    assert.equal(rec.duration_s, 60);
    assert.match(String(rec.reason), /carried 800006 bit\/s over 10 s, above FLINTNET_RECORDING_BPS 800000/);
    // The next interval carries nothing: no trigger, and the running ones are not started twice.
    for (let id = 0; id < table.highWater; id++) if (table.family[id] !== 0) table.resetInterval(id);
    trigger.onInterval(start + 10_000, start + 20_000);
    assert.equal(t.recorder.index.list().length, 2);
    assert.deepEqual(t.auto.skipped, { running: 0, cooldown: 0, refused: 0 });
  } finally {
    await t.cleanup();
  }
});

Deno.test("within FLINTNET_RECORDING_COOLDOWN of a host's last auto recording a trigger starts none; after it one does", async () => {
  const t = await setup({ cooldownS: 600 });
  try {
    const first = t.auto.trigger("10.231.75.1", "bandwidth", "test")!;
    assert.ok(first);
    t.recorder.end(first.id);
    t.clock.ms += 599_999;
    assert.equal(t.auto.trigger("10.231.75.1", "anomaly", "test"), undefined);
    assert.deepEqual(t.auto.skipped, { running: 0, cooldown: 1, refused: 0 });
    assert.ok(t.auto.trigger("10.231.75.2", "bandwidth", "test"), "another host has no cooldown");
    t.clock.ms += 1;
    const again = t.auto.trigger("10.231.75.1", "bandwidth", "test");
    assert.ok(again, "once the cooldown is over");
    assert.deepEqual(t.byTrigger("bandwidth"), ["10.231.75.1", "10.231.75.2", "10.231.75.1"]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("one auto recording per host at a time, even with no cooldown; an API recording does not count", async () => {
  const t = await setup({ cooldownS: 0 });
  try {
    const api = t.recorder.begin({
      subject: hostSubject("10.231.75.1"),
      trigger: "api",
      reason: null,
      durationS: null,
      preSeconds: 0,
    });
    const first = t.auto.trigger("10.231.75.1", "bandwidth", "test");
    assert.ok(first, "the API's recording of the host does not hold an automatic one back");
    assert.equal(t.auto.trigger("10.231.75.1", "security", "test"), undefined);
    assert.deepEqual(t.auto.skipped, { running: 1, cooldown: 0, refused: 0 });
    t.recorder.end(first.id);
    assert.ok(t.auto.trigger("10.231.75.1", "bandwidth", "test"), "once it stopped, with no cooldown");
    assert.equal(api.state, "running");
  } finally {
    await t.cleanup();
  }
});

Deno.test("a trigger with no room starts nothing, is counted as refused and leaves the host's cooldown alone", async () => {
  const t = await setup({ maxCount: 1, cooldownS: 600 });
  try {
    const api = t.recorder.begin({
      subject: hostSubject("10.231.75.9"),
      trigger: "api",
      reason: null,
      durationS: null,
      preSeconds: 0,
    });
    assert.equal(t.auto.trigger("10.231.75.1", "bandwidth", "test"), undefined);
    assert.deepEqual(t.auto.skipped, { running: 0, cooldown: 0, refused: 1 });
    t.recorder.end(api.id);
    assert.ok(t.auto.trigger("10.231.75.1", "bandwidth", "test"), "no cooldown from a refused start");
  } finally {
    await t.cleanup();
  }
});
