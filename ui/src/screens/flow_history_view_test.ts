import assert from "node:assert/strict";
import { historyParams, isHistory } from "./flow_history_view.ts";

Deno.test("historyParams() leaves out the sorts and order a history answer refuses, only with since", () => {
  assert.deepEqual(
    historyParams({ since: "2024-01-15T09:00:00Z", sort: "last_seen", order: "asc", port: 53 }),
    {
      since: "2024-01-15T09:00:00Z",
      port: 53,
    },
  );
  assert.deepEqual(historyParams({ since: "x", sort: "packets" }), { since: "x", sort: "packets" });
  assert.deepEqual(historyParams({ sort: "last_seen", order: "asc" }), { sort: "last_seen", order: "asc" });
});

Deno.test("isHistory() knows a history page by its source", () => {
  assert.equal(isHistory({ source: "history", flows: [] }), true);
  assert.equal(isHistory({ flows: [], total_matched: 0 }), false);
  assert.equal(isHistory(null), false);
});
