import assert from "node:assert/strict";
import { hash32, HLL_REGISTERS, hllAdd, hllEstimate, hllMerge } from "./hyperloglog.ts";

Deno.test("hyperloglog estimates distinct counts from 10 to 100,000 within 3 standard errors", () => {
  for (const n of [10, 100, 500, 2_000, 20_000, 100_000]) {
    const regs = new Uint8Array(HLL_REGISTERS);
    for (let v = 0; v < n; v++) {
      hllAdd(regs, 0, hash32(v, 7));
      hllAdd(regs, 0, hash32(v, 7)); // repeats change nothing
    }
    const e = hllEstimate(regs);
    assert.ok(Math.abs(e - n) / n < 3 * 0.092, `${n} distinct estimated as ${e.toFixed(0)}`);
  }
});

Deno.test("hyperloglog sketches merged by maximum estimate the union", () => {
  const a = new Uint8Array(HLL_REGISTERS * 2);
  for (let v = 0; v < 3000; v++) hllAdd(a, 0, hash32(v, 1));
  for (let v = 2000; v < 6000; v++) hllAdd(a, HLL_REGISTERS, hash32(v, 1));
  const union = new Uint8Array(HLL_REGISTERS);
  hllMerge(union, a, 0);
  hllMerge(union, a, HLL_REGISTERS);
  const e = hllEstimate(union);
  assert.ok(Math.abs(e - 6000) / 6000 < 0.28, `union of 6000 estimated as ${e.toFixed(0)}`);
  assert.equal(hllEstimate(new Uint8Array(HLL_REGISTERS)), 0);
});
