import assert from "node:assert/strict";
import { positive, positiveInteger } from "./checks.ts";

Deno.test("positive() passes numbers above 0 and names the option it refuses", () => {
  assert.equal(positive("ttlMs", 0.5), 0.5);
  for (const bad of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => positive("ttlMs", bad),
      new RangeError(`ttlMs must be a positive number, got ${bad}`),
    );
  }
});

Deno.test("positiveInteger() passes whole numbers from 1 and refuses fractions, zero and worse", () => {
  assert.equal(positiveInteger("maxMacs", 7), 7);
  for (const bad of [0, 1.5, -3, NaN]) {
    assert.throws(
      () => positiveInteger("maxMacs", bad),
      new RangeError(`maxMacs must be a positive whole number, got ${bad}`),
    );
  }
});
