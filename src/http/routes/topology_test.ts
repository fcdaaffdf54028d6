import assert from "node:assert/strict";
import type { TopologyJson } from "../../topology/mod.ts";
import { onError } from "../hardening.ts";
import { EMPTY_TOPOLOGY, topologyRoutes } from "./topology.ts";

const MAP: TopologyJson = {
  nodes: [
    {
      id: "192.0.2.1",
      name: "core",
      type: "switch",
      status: "up",
      ip: "192.0.2.1",
      placeholder: false,
      platform: null,
      capabilities: [],
    },
  ],
  edges: [],
};

function app(snapshot: (hosts: boolean) => TopologyJson) {
  const a = topologyRoutes({ topology: { snapshot } });
  a.onError(onError);
  return a;
}

Deno.test("GET /topology is empty without a topology store", async () => {
  const res = await topologyRoutes({ topology: EMPTY_TOPOLOGY }).request("/topology");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { nodes: [], edges: [] });
});

Deno.test("GET /topology returns the store's map; ?hosts=1 asks it for forwarding-table hosts", async () => {
  const asked: boolean[] = [];
  const a = app((hosts) => (asked.push(hosts), MAP));
  assert.deepEqual(await (await a.request("/topology")).json(), MAP);
  for (const q of ["hosts=1", "hosts=true", "hosts=0", "hosts=false"]) {
    await (await a.request(`/topology?${q}`)).json();
  }
  assert.deepEqual(asked, [false, true, true, false, false]);
});

Deno.test("GET /topology refuses an unknown parameter or a bad hosts value with a 400 naming it", async () => {
  const a = app(() => MAP);
  for (const [q, parameter] of [["hosts=yes", "hosts"], ["host=1", "host"]]) {
    const res = await a.request(`/topology?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal((await res.json()).error.parameter, parameter);
  }
});
