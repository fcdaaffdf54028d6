/**
 * A d3-force force that keeps each node's box (its shape and the name under it) off every other node's
 * box. A circle around the node (forceCollide) cannot: a name is as wide as it is long ("2001:db8:4c1:…" is
 * 140 px at 11 px), so a circle that fits it spreads the graph out in every direction, and one that does not
 * lets neighbouring names run into each other. Boxes are swept by their left edge, so a step costs
 * O(n log n) plus the pairs that really overlap, not n² (the flow graph draws up to 600 addresses).
 *
 * @module
 */

/** What the force reads and moves (d3's simulation nodes). */
export interface BoxNode {
  x?: number;
  y?: number;
  vx?: number;
  vy?: number;
}

/** A node's box around its position: `halfWidth` to each side, `above` over and `below` under it. */
export interface NodeBox {
  halfWidth: number;
  above: number;
  below: number;
}

/** The force: d3 calls it with alpha at each tick and `initialize` with the nodes. */
export interface BoxForce<N extends BoxNode> {
  (alpha: number): void;
  initialize(nodes: N[]): void;
}

/**
 * Keeps boxes apart. `box(i)` is node i's box (read again when the nodes change); `gap`: the space kept
 * between boxes, px; `iterations`: passes a tick. Each overlapping pair is pushed apart, half each way, along
 * the axis on which their centres lie further apart for boxes their size: sideways when they sit side by
 * side, so a star of wide names stays a round star, not a column (pushing along the axis of least overlap
 * stacks wide names one above the other). Velocity, not alpha-scaled, as forceCollide does: an overlap
 * is never acceptable.
 */
export function forceLabelBoxes<N extends BoxNode>(
  box: (node: N, i: number) => NodeBox,
  gap = 4,
  iterations = 1,
): BoxForce<N> {
  let nodes: N[] = [];
  let boxes: NodeBox[] = [];
  let order: number[] = [];
  const left = (i: number) => (nodes[i].x ?? 0) + (nodes[i].vx ?? 0) - boxes[i].halfWidth;
  const step = () => {
    for (let k = 0; k < iterations; k++) pass();
  };
  const pass = () => {
    order.sort((a, b) => left(a) - left(b));
    for (let oi = 0; oi < order.length; oi++) {
      const i = order[oi], a = nodes[i], ba = boxes[i];
      const ax = (a.x ?? 0) + (a.vx ?? 0), ay = (a.y ?? 0) + (a.vy ?? 0);
      const right = ax + ba.halfWidth + gap;
      for (let oj = oi + 1; oj < order.length; oj++) {
        const j = order[oj];
        if (left(j) >= right) break; // every later box starts further right
        const b = nodes[j], bb = boxes[j];
        const bx = (b.x ?? 0) + (b.vx ?? 0), by = (b.y ?? 0) + (b.vy ?? 0);
        const dx = bx - ax, dy = by - ay;
        const spanX = ba.halfWidth + bb.halfWidth;
        // b below a: a's bottom against b's top; b above a: the other way round
        const spanY = dy >= 0 ? ba.below + bb.above : ba.above + bb.below;
        const overlapX = spanX + gap - Math.abs(dx), overlapY = spanY + gap - Math.abs(dy);
        if (overlapX <= 0 || overlapY <= 0) continue;
        // Side by side (for boxes this wide) → sideways, else up and down; on the same spot, a left, b right.
        if (Math.abs(dx) / spanX >= Math.abs(dy) / spanY) {
          const push = dx >= 0 ? overlapX / 2 : -overlapX / 2;
          a.vx = (a.vx ?? 0) - push;
          b.vx = (b.vx ?? 0) + push;
        } else {
          const push = dy >= 0 ? overlapY / 2 : -overlapY / 2;
          a.vy = (a.vy ?? 0) - push;
          b.vy = (b.vy ?? 0) + push;
        }
      }
    }
  };
  const initialize = (next: N[]) => {
    nodes = next;
    boxes = next.map(box);
    order = next.map((_, i) => i);
  };
  return Object.assign(step, { initialize });
}
