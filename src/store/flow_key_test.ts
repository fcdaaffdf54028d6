import assert from "node:assert/strict";
import { flowKey } from "./flow_key.ts";

Deno.test("flowKey() gives each 5-tuple of a million its own safe integer, and each direction its own key", () => {
  const seen = new Set<number>();
  const src = new Uint32Array(4), dst = new Uint32Array(4);
  for (let i = 0; i < 1_000_000; i++) {
    src[0] = 0x0a000000 + (i % 4096);
    dst[0] = 0x5db80000 + Math.floor(i / 4096);
    const k = flowKey(4, src, dst, 0, 1024 + (i % 7), 443, 6);
    assert.ok(Number.isSafeInteger(k) && k >= 0);
    seen.add(k);
  }
  assert.equal(seen.size, 1_000_000);
  src[0] = 1, dst[0] = 2;
  assert.notEqual(flowKey(4, src, dst, 0, 1000, 443, 6), flowKey(4, dst, src, 0, 443, 1000, 6));
  assert.notEqual(flowKey(4, src, dst, 0, 1000, 443, 6), flowKey(4, src, dst, 0, 1000, 443, 17));
});
