import assert from "node:assert/strict";
import { AttackSources } from "./attack_sources.ts";

const columns = (s: AttackSources) => [
  s.packets,
  s.bytes,
  s.worstFlow,
  s.tinyPackets,
  s.gaps,
  s.flows,
  s.tcpFlows,
  s.halfOpen,
  s.lowTtlFlows,
  s.volumeFlows,
  s.maxTtl,
  s.bits,
];

Deno.test("AttackSources.ensure() makes room for at least 1024 sources, then doubles, every column zero", () => {
  const s = new AttackSources();
  s.ensure(10);
  assert.equal(s.flowOf.length, 1024);
  for (const c of columns(s)) assert.equal(c.length, 1024);
  s.ensure(1025);
  assert.equal(s.flowOf.length, 2048);
  s.ensure(5000);
  assert.equal(s.flowOf.length, 5000);
  for (const c of columns(s)) assert.ok(c.every((x) => x === 0));
});

Deno.test("AttackSources.clear(n) zeroes the sums of the first n sources and leaves the others", () => {
  const s = new AttackSources();
  s.ensure(3000);
  for (const c of columns(s)) c.fill(7, 0, 3000);
  s.clear(2000);
  for (const c of columns(s)) {
    assert.equal(c.subarray(0, 2000).every((x) => x === 0), true);
    assert.equal(c.subarray(2000, 3000).every((x) => x === 7), true);
  }
  s.clear(1_000_000); // more than it holds: all of them, no throw
  for (const c of columns(s)) assert.ok(c.every((x) => x === 0));
});
