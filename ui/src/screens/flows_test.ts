import assert from "node:assert/strict";
import { orderOptions } from "./flows.ts";

Deno.test("orderOptions() names the order in the sort key's words, the values GET /flows's order", () => {
  assert.deepEqual(orderOptions({}), [["", "largest first"], ["asc", "smallest first"]]);
  assert.deepEqual(orderOptions({ sort: "packets" }), [["", "largest first"], ["asc", "smallest first"]]);
  assert.deepEqual(orderOptions({ sort: "last_seen" }), [["", "newest first"], ["asc", "oldest first"]]);
  assert.deepEqual(orderOptions({ sort: "first_seen", order: "asc" }), [["", "newest first"], [
    "asc",
    "oldest first",
  ]]);
});
