import assert from "node:assert/strict";
import { flowGraph } from "./flow_graph.ts";
import type { FlowJson } from "../types.ts";

/** A flow from `src` to one server carrying `bytes` (only what flowGraph reads matters). */
const flow = (src: string, bytes: number) => ({ src_ip: src, dst_ip: "2001:db8::80", bytes }) as FlowJson;

Deno.test("flowGraph() names the 40 busiest addresses under their nodes; the rest name themselves on hover", () => {
  // 60 clients, client i carrying (i + 1) kB: the server and clients 21..60 are the 40 busiest
  const flows = Array.from(
    { length: 60 },
    (_, i) => flow(`2001:db8:4c1:7a2b::${(i + 1).toString(16)}`, (i + 1) * 1000),
  );
  const { nodes } = flowGraph(flows);
  assert.equal(nodes.length, 61);
  const named = nodes.filter((n) => !n.quiet).map((n) => n.id);
  const busiest = ["2001:db8::80", ...flows.slice(-39).map((f) => f.src_ip)];
  assert.deepEqual(named.sort(), busiest.sort());
  // every node keeps its name (tooltip, accessible name, what is drawn on hover)
  for (const n of nodes) assert.equal(n.label, n.id);
});

Deno.test("flowGraph() names every address of a small graph", () => {
  const { nodes } = flowGraph([flow("10.0.0.1", 10), flow("10.0.0.2", 20)]);
  assert.deepEqual(nodes.map((n) => [n.id, n.quiet]), [["10.0.0.1", false], ["2001:db8::80", false], [
    "10.0.0.2",
    false,
  ]]);
});
