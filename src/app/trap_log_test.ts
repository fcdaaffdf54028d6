import assert from "node:assert/strict";
import { createLogger, setLogSink } from "../base/log.ts";
import type { TrapEvent } from "../events/mod.ts";
import { TrapLog } from "./trap_log.ts";

function trap(id: number, source_ip: string): TrapEvent & { id: number } {
  return {
    id,
    kind: "trap",
    ts: new Date(0).toISOString(),
    source_ip,
    version: "v2c",
    pdu: "trap",
    name: "linkDown",
    trap_oid: "1.3.6.1.6.3.1.1.5.3",
    uptime_cs: 0,
    if_index: 1,
    if_name: null,
    varbinds: [],
    reason: `linkDown from ${source_ip}`,
  };
}

Deno.test("TrapLog logs traps one by one up to its rate, then one summary line naming the top sources", () => {
  const lines: Record<string, unknown>[] = [];
  setLogSink((l) => lines.push(JSON.parse(l)));
  try {
    const clock = { t: 0 };
    const log = new TrapLog(createLogger("trap"), { perMinute: 3, now: () => clock.t });
    for (let i = 0; i < 10; i++) log.trap(trap(i, i < 8 ? "192.0.2.1" : "192.0.2.2"));
    assert.equal(lines.length, 3, "three lines one by one");
    log.flush();
    assert.equal(lines.length, 4);
    const summary = lines[3];
    assert.equal(summary.traps, 7);
    assert.deepEqual(summary.top_sources, [
      { source_ip: "192.0.2.1", traps: 5 },
      { source_ip: "192.0.2.2", traps: 2 },
    ]);
    assert.match(
      String(summary.msg),
      /^7 more traps were received than are logged one by one \(3 a minute\)/,
    );
    log.flush();
    assert.equal(lines.length, 4, "nothing left to summarise");
    clock.t = 60_000;
    log.trap(trap(11, "192.0.2.3"));
    assert.equal(lines.length, 5, "a new minute logs one by one again");
    log.stop();
  } finally {
    setLogSink(undefined);
  }
});
