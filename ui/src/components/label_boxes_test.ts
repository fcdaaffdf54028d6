import assert from "node:assert/strict";
// @ts-types="npm:@types/d3-force@^3.0.10"
import {
  forceCenter,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
} from "d3-force";
import { forceLabelBoxes, type NodeBox } from "./label_boxes.ts";

interface N {
  id: string;
  x?: number;
  y?: number;
  vx?: number;
  vy?: number;
}

/**
 * A flow graph's star: one server and `clients` hosts around it, each named by a 140-px IPv6 address (what
 * "2001:db8:4c1:7a2b::1:a0" measures at 11 px), laid out with the graph's forces as ForceGraph starts them.
 */
function layOut(clients: number, withBoxes: boolean): { nodes: N[]; box: NodeBox } {
  const box: NodeBox = { halfWidth: 70, above: 9, below: 26 };
  const nodes: N[] = [{ id: "server" }, ...Array.from({ length: clients }, (_, i) => ({ id: `h${i}` }))];
  nodes.forEach((n, i) => {
    const a = (i / nodes.length) * 2 * Math.PI;
    n.x = 400 + 150 * Math.cos(a);
    n.y = 260 + 150 * Math.sin(a);
  });
  const links = nodes.slice(1).map((n) => ({ source: "server", target: n.id }));
  const sim = forceSimulation<N>(nodes)
    .force("link", forceLink<N, { source: string; target: string }>(links).id((d) => d.id).distance(110))
    .force("charge", forceManyBody().strength(-320))
    .force("center", forceCenter(400, 260))
    .force("collide", forceCollide(28))
    .force("x", forceX(400).strength(0.04))
    .force("y", forceY(260).strength(0.04))
    .stop();
  if (withBoxes) sim.force("names", forceLabelBoxes<N>(() => box, 4, 2));
  sim.tick(300);
  return { nodes, box };
}

/** Pairs of nodes whose boxes overlap by more than half a pixel on both axes, by plain geometry. */
function overlapping(nodes: readonly N[], box: NodeBox): string[] {
  const out: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i], b = nodes[j];
      const xOverlap = Math.min(a.x! + box.halfWidth, b.x! + box.halfWidth) -
        Math.max(a.x! - box.halfWidth, b.x! - box.halfWidth);
      const yOverlap = Math.min(a.y! + box.below, b.y! + box.below) -
        Math.max(a.y! - box.above, b.y! - box.above);
      if (xOverlap > 0.5 && yOverlap > 0.5) out.push(`${a.id}/${b.id}`);
    }
  }
  return out;
}

Deno.test("forceLabelBoxes: forty long names around one node end up with no two boxes overlapping", () => {
  const before = layOut(40, false);
  assert.ok(
    overlapping(before.nodes, before.box).length > 10,
    "the circles alone let names run into each other (else this test proves nothing)",
  );
  const after = layOut(40, true);
  assert.deepEqual(overlapping(after.nodes, after.box), []);
  // a round star, not the column that pushing wide boxes along their least overlap makes
  const xs = after.nodes.map((n) => n.x!), ys = after.nodes.map((n) => n.y!);
  const width = Math.max(...xs) - Math.min(...xs) + 2 * after.box.halfWidth;
  const height = Math.max(...ys) - Math.min(...ys) + after.box.above + after.box.below;
  assert.ok(width >= height, `laid out ${Math.round(width)} px wide and ${Math.round(height)} px high`);
});

Deno.test("forceLabelBoxes: the flow graph's 300 clients of one server end up apart too", () => {
  const { nodes, box } = layOut(300, true);
  assert.deepEqual(overlapping(nodes, box), []);
});

Deno.test("forceLabelBoxes: two nodes on the same spot are pushed apart, not left there", () => {
  const nodes: N[] = [{ id: "a", x: 0, y: 0 }, { id: "b", x: 0, y: 0 }];
  const box: NodeBox = { halfWidth: 30, above: 5, below: 20 };
  const sim = forceSimulation<N>(nodes).force("names", forceLabelBoxes<N>(() => box)).stop();
  sim.tick(50);
  assert.deepEqual(overlapping(nodes, box), []);
});

Deno.test("forceLabelBoxes: boxes far apart are not moved", () => {
  const nodes: N[] = [{ id: "a", x: 0, y: 0 }, { id: "b", x: 500, y: 0 }];
  const sim = forceSimulation<N>(nodes)
    .force("names", forceLabelBoxes<N>(() => ({ halfWidth: 30, above: 5, below: 20 })))
    .velocityDecay(0)
    .stop();
  sim.tick(10);
  assert.deepEqual(nodes.map((n) => [n.x, n.y]), [[0, 0], [500, 0]]);
});
