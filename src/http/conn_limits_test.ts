import assert from "node:assert/strict";
import { createLogger, setLogSink } from "../base/log.ts";
import { ConnectionLimits } from "./conn_limits.ts";

Deno.test("ConnectionLimits admits up to the per-address cap, then the overall cap, and counts releases", () => {
  const l = new ConnectionLimits({ maxTotal: 3, maxPerAddress: 2, log: createLogger("test"), now: () => 0 });
  setLogSink(() => {});
  try {
    assert.equal(l.admit("a"), null);
    assert.equal(l.admit("a"), null);
    assert.equal(l.admit("a"), "per_address");
    assert.equal(l.admit("b"), null);
    assert.equal(l.admit("c"), "total");
    l.release("a");
    assert.equal(l.admit("c"), null);
    l.release("nobody"); // never admitted: no effect
    assert.deepEqual(l.counters(), {
      open: 3,
      addresses: 3,
      accepted: 4,
      refused_per_address: 1,
      refused_total: 1,
    });
  } finally {
    setLogSink(undefined);
  }
});

Deno.test("ConnectionLimits logs refusals once a minute, saying how many since the last line", () => {
  const lines: Record<string, unknown>[] = [];
  setLogSink((l) => lines.push(JSON.parse(l)));
  try {
    const clock = { t: 0 };
    const l = new ConnectionLimits({
      maxTotal: 10,
      maxPerAddress: 1,
      log: createLogger("http"),
      now: () => clock.t,
    });
    l.admit("192.0.2.1");
    for (let i = 0; i < 5; i++) l.admit("192.0.2.1");
    assert.equal(lines.length, 1, "the first refusal is said at once, the next four are not");
    clock.t = 60_000;
    l.admit("192.0.2.1");
    assert.equal(lines.length, 2);
    assert.equal(lines[1].refused_per_address, 5, "four held over, and this one");
    assert.equal(lines[1].most_refused_address, "192.0.2.1");
  } finally {
    setLogSink(undefined);
  }
});
