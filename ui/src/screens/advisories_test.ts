import assert from "node:assert/strict";
import { advisoryParams, evidenceRows } from "./advisories.ts";

Deno.test("evidenceRows() shows members as text: lists of plain values joined, objects as JSON, markup as is", () => {
  assert.deepEqual(
    evidenceRows({ ports: 512, port_sample: [22, 80], top_peers: [{ ip: "192.0.2.1" }], note: "<b>x</b>" }),
    [
      ["ports", "512"],
      ["port sample", "22, 80"],
      ["top peers", '[{"ip":"192.0.2.1"}]'],
      ["note", "<b>x</b>"],
    ],
  );
  assert.deepEqual(evidenceRows(null), []);
  const [[, when]] = evidenceRows({ minute_start: "2024-01-15T09:00:00.000Z" });
  assert.match(when, /^2024-01-15 \d\d:00:00$/, "an instant in local time");
});

Deno.test("advisoryParams() passes the route's filters GET /advisories knows, and nothing else", () => {
  assert.deepEqual(advisoryParams({ state: "open", type: "port_scan", x: "1", q: "" }), {
    limit: 100,
    state: "open",
    type: "port_scan",
  });
});
