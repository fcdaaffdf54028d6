import assert from "node:assert/strict";
import { setLogSink } from "./log.ts";
import { Subsystems } from "./subsystems.ts";

Deno.test("Subsystems.run() times each named part and counts its runs", () => {
  const s = new Subsystems("collector");
  assert.equal(s.run("capture", () => {}), true);
  assert.equal(s.run("capture", () => {}), true);
  assert.equal(s.run("flows", () => {}), true);
  const stats = s.stats();
  assert.deepEqual(stats.map((x) => [x.name, x.runs, x.failures, x.last_ok]), [
    ["capture", 2, 0, true],
    ["flows", 1, 0, true],
  ]);
  assert.ok(stats.every((x) => x.seconds_total >= x.last_seconds && x.last_seconds >= 0));
});

Deno.test("Subsystems.run() catches a failing part, names it in the log at most once a minute, and counts all", () => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  let t = 0;
  const s = new Subsystems("detector", { now: () => t });
  try {
    for (let i = 0; i < 5; i++) {
      assert.equal(
        s.run("arp_security", () => {
          throw new Error(`bad row ${i}`);
        }),
        false,
      );
    }
    t = 61_000;
    s.run("arp_security", () => {
      throw new Error("bad row 5");
    });
    assert.equal(s.run("ewma", () => {}), true, "the other parts run on");
  } finally {
    setLogSink(undefined);
  }
  const arp = s.stats().find((x) => x.name === "arp_security")!;
  assert.equal(arp.failures, 6);
  assert.equal(arp.last_ok, false);
  assert.equal(arp.last_error, "bad row 5");
  const logged = lines.map((l) => JSON.parse(l));
  assert.deepEqual(logged.map((r) => [r.msg, r.detector, r.failures_since_last_report]), [
    ["detector arp_security failed", "arp_security", 1],
    ["detector arp_security failed", "arp_security", 5],
  ]);
});

Deno.test("Subsystems.runAsync() times an asynchronous part and catches its rejection", async () => {
  const s = new Subsystems("poller", { log: { debug() {}, info() {}, warn() {}, error() {} } });
  assert.equal(await s.runAsync("lldp", () => new Promise((r) => setTimeout(r, 5))), true);
  assert.equal(await s.runAsync("cdp", () => Promise.reject(new Error("timeout"))), false);
  const [lldp, cdp] = s.stats();
  assert.ok(lldp.last_seconds > 0 && lldp.last_ok, "the wait is inside the timed part");
  assert.equal(cdp.last_error, "timeout");
});
