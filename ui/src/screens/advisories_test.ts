import assert from "node:assert/strict";
import { evidenceRows } from "./advisories.ts";

Deno.test("evidenceRows() shows an object's members, a list's items and plain text, all as text", () => {
  assert.deepEqual(evidenceRows({ dst_port: 3389, peers: ["192.0.2.1"], note: "<b>x</b>" }), [
    ["dst port", "3389"],
    ["peers", '["192.0.2.1"]'],
    ["note", "<b>x</b>"],
  ]);
  assert.deepEqual(evidenceRows(["a", 2]), [["1", "a"], ["2", "2"]]);
  assert.deepEqual(evidenceRows("1.2 GB of 2.9 GB"), [["", "1.2 GB of 2.9 GB"]]);
  assert.deepEqual(evidenceRows(undefined), []);
});
