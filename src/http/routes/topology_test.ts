import assert from "node:assert/strict";
import { EMPTY_TOPOLOGY, topologyRoutes } from "./topology.ts";

Deno.test("GET /topology is empty until there is a topology store", async () => {
  const res = await topologyRoutes({ topology: EMPTY_TOPOLOGY }).request("/topology");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { nodes: [], links: [] });
});

Deno.test("GET /topology returns the store's snapshot", async () => {
  const snapshot = { nodes: [{ id: "192.0.2.1" }, { id: "192.0.2.2" }], links: [{ source: 0, target: 1 }] };
  const res = await topologyRoutes({ topology: { snapshot: () => snapshot } }).request("/topology");
  assert.deepEqual(await res.json(), snapshot);
});
