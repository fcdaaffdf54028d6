import assert from "node:assert/strict";
import { clamp, synStrength, tinyStrength } from "./attack_strength.ts";

Deno.test("synStrength() counts from a quarter of the minimum, when half-open flows are most of the TCP flows", () => {
  assert.equal(synStrength(24, 24, 100), 0, "under a quarter of FLINTNET_ATTACK_SYN_MIN");
  assert.equal(synStrength(25, 25, 100), 0.25);
  assert.equal(synStrength(50, 101, 100), 0, "fewer than half of its TCP flows");
  assert.equal(synStrength(50, 100, 100), 0.5);
  assert.equal(synStrength(400, 400, 100), 1, "full strength at the minimum and past it");
});

Deno.test("tinyStrength() needs 100 packets averaging at most 64 octets, full at 32", () => {
  assert.equal(tinyStrength(99, 99 * 40), 0);
  assert.equal(tinyStrength(100, 100 * 65), 0);
  assert.equal(tinyStrength(100, 100 * 64), 0.5);
  assert.equal(tinyStrength(200, 200 * 48), 0.75);
  assert.equal(tinyStrength(100, 100 * 20), 1);
  assert.deepEqual([clamp(-1), clamp(0.3), clamp(2)], [0, 0.3, 1]);
});
