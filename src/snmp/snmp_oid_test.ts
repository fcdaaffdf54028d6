import assert from "node:assert/strict";
import { compareOids, indexAfter, oidInSubtree } from "./snmp_oid.ts";

Deno.test("compareOids() orders by sub-identifier numbers, not as text", () => {
  assert.ok(compareOids("1.3.6.1.2", "1.3.6.1.10") < 0);
  assert.ok(compareOids("1.3.6.1.2.1", "1.3.6.1.2") > 0);
  assert.equal(compareOids("1.3.6", "1.3.6"), 0);
});

Deno.test("oidInSubtree() is true only strictly below the base, on a dot boundary", () => {
  assert.equal(oidInSubtree("1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.2.7"), true);
  assert.equal(oidInSubtree("1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.20.7"), false);
  assert.equal(oidInSubtree("1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.2"), false);
});

Deno.test("indexAfter() returns the row index of a cell, null outside the column", () => {
  assert.deepEqual(indexAfter("1.3.6.1.2.1.4.22.1.2", "1.3.6.1.2.1.4.22.1.2.3.10.0.0.1"), [3, 10, 0, 0, 1]);
  assert.equal(indexAfter("1.3.6.1.2.1.4.22.1.2", "1.3.6.1.2.1.4.22.1.4.3.10.0.0.1"), null);
});
