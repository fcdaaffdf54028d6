import assert from "node:assert/strict";
import { ProbeLog } from "./probe_log.ts";

const v4 = (
  a: number,
  b: number,
  c: number,
  d: number,
) => [((a << 24) | (b << 16) | (c << 8) | d) >>> 0, 0, 0, 0];

Deno.test("ProbeLog.close(min) hands out only sources with min distinct ports or hosts, counted as close(1) counts them", () => {
  const fill = (log: ProbeLog) => {
    const scanner = v4(10, 0, 0, 1), sweeper = v4(10, 0, 0, 2), lone = v4(10, 0, 0, 3);
    for (const port of [22, 80, 443, 80]) log.add(4, scanner, 0, v4(10, 0, 0, 9), 0, 6, port);
    for (const last of [20, 21, 22]) log.add(4, sweeper, 0, v4(10, 0, 0, last), 0, 1, 0);
    log.add(4, lone, 0, v4(10, 0, 0, 9), 0, 17, 53);
    log.add(4, lone, 0, v4(10, 0, 0, 9), 0, 17, 53);
  };
  const all = new ProbeLog(64), some = new ProbeLog(64);
  fill(all);
  fill(some);
  const every = all.close(1);
  assert.deepStrictEqual(every.map((s) => [s.source, s.ports, s.hosts, s.probes]), [
    ["10.0.0.1", 3, 1, 3],
    ["10.0.0.2", 0, 3, 3],
    ["10.0.0.3", 1, 1, 1],
  ]);
  assert.deepStrictEqual(some.close(3), every.slice(0, 2));
  assert.deepStrictEqual(some.size, 0);
  fill(some);
  assert.deepStrictEqual(some.close(4), []);
});

Deno.test("ProbeLog.close(min) over many sources equals close(1) less the sources below min ports and hosts", () => {
  let x = 99;
  // the high bits of an LCG (its low bits cycle with short periods)
  const rnd = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % m;
  const fill = (log: ProbeLog) => {
    x = 99;
    for (let i = 0; i < 4_000; i++) {
      // a few busy sources among many that probe once or twice
      const s = rnd(2) === 0 ? v4(10, 0, 0, rnd(4)) : v4(10, 1, rnd(256), rnd(256));
      const proto = [1, 6, 17][rnd(3)];
      log.add(4, s, 0, v4(10, 2, 0, rnd(40)), 0, proto, proto === 1 ? 0 : rnd(60));
    }
  };
  const all = new ProbeLog(8192), some = new ProbeLog(8192);
  for (const min of [2, 4, 17]) {
    fill(all);
    fill(some);
    const every = all.close(1);
    const expected = every.filter((s) => s.ports >= min || s.hosts >= min);
    assert.ok(expected.length > 0 && expected.length < every.length, `min ${min} keeps some, not all`);
    assert.deepStrictEqual(some.close(min), expected, `min ${min}`);
  }
});

Deno.test("ProbeLog grows as a minute needs it and past its capacity counts what it does not log", () => {
  const log = new ProbeLog(10_000);
  for (let i = 0; i < 12_000; i++) log.add(4, v4(10, 0, 0, 1), 0, v4(10, 1, i >> 8, i & 255), 0, 6, 80);
  assert.equal(log.size, 10_000);
  assert.equal(log.notLogged, 2_000);
  const [s] = log.close(2);
  assert.deepStrictEqual([s.source, s.hosts, s.ports, s.probes], ["10.0.0.1", 10_000, 1, 10_000]);
  assert.deepStrictEqual(s.hostSample.slice(0, 2), ["10.1.0.0", "10.1.0.1"]);
});
