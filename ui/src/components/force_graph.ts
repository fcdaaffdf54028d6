/**
 * A force-directed graph (d3-force) in SVG with drag, zoom and pan done by hand on pointer events (no
 * other d3 module): used by the topology and the flow graph. Preact draws the elements when the data
 * changes; the simulation's ticks move them directly, without a render per tick. Positions survive a
 * data refresh, so a live graph does not jump. Nodes are focusable and open with Enter.
 *
 * Each node is `[data-node-id]` and each link `[data-edge-id]` with `data-source`/`data-target`, which is
 * what tests (tests/helpers/dashboard_page.ts) read back.
 *
 * @module
 */
// @ts-types="npm:@types/d3-force@^3.0.10"
import {
  forceCenter,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from "d3-force";
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.ts";
import { nodeShape } from "./icons.ts";
import { forceLabelBoxes, type NodeBox } from "./label_boxes.ts";

/** A node as the screen describes it. */
export interface GraphNode {
  /** Stable id. */
  id: string;
  /** Text under the node. */
  label: string;
  /** Shape and colour: a device type, or "host". */
  type: string;
  /** Dashed outline (topology placeholders). */
  dashed?: boolean;
  /** Tooltip and accessible name. */
  title: string;
  /** Extra class (status). */
  cls?: string;
  /** Radius. @default 12 */
  r?: number;
  /** The name is drawn only while the node is hovered or focused (a dense graph names its biggest nodes). */
  quiet?: boolean;
}

/** A link as the screen describes it. */
export interface GraphLink {
  /** Stable id. */
  id: string;
  /** Node id. */
  source: string;
  /** Node id. */
  target: string;
  /** Stroke width. */
  width: number;
  /** Extra class (utilisation level). */
  cls?: string;
  /** Label near the source end (its port). */
  sourceLabel?: string;
  /** Label near the target end. */
  targetLabel?: string;
  /** Tooltip. */
  title: string;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
}
type SimLink = SimulationLinkDatum<SimNode> & { id: string };

interface View {
  x: number;
  y: number;
  k: number;
}

const MIN_ZOOM = 0.2, MAX_ZOOM = 4;
/** A name's baseline sits 14 px under its node's edge; with its descenders it ends 17 px under it. */
const LABEL_BASELINE = 14, LABEL_BELOW = 17;

/** The graph. `onNodeClick` gets a node's id on click (not after a drag) or Enter. */
export function ForceGraph(props: {
  nodes: readonly GraphNode[];
  links: readonly GraphLink[];
  onNodeClick?: (id: string) => void;
  label: string;
  testId?: string;
  /** Length links pull towards; longer leaves room for port labels. @default 110 */
  linkDistance?: number;
  /** How hard nodes push each other apart (negative); harder keeps nodes off other nodes' links. @default -320 */
  charge?: number;
}) {
  const svgRef = useRef<SVGSVGElement>(null);
  const viewRef = useRef<SVGGElement>(null);
  const positions = useRef(new Map<string, SimNode>());
  const sim = useRef<Simulation<SimNode, SimLink> | null>(null);
  const view = useRef<View>({ x: 0, y: 0, k: 1 });
  const fitted = useRef(false);
  /** Each node's shape and name, measured at the last layout. */
  const boxes = useRef(new Map<string, NodeBox>());
  /** The size the last layout was made for: a new size lays out and frames again. */
  const laidOutFor = useRef("");
  const [size, setSize] = useState({ w: 800, h: 520 });

  useEffect(() => {
    const svg = svgRef.current!;
    const ro = new ResizeObserver(() => {
      const r = svg.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) setSize({ w: r.width, h: r.height });
    });
    ro.observe(svg);
    return () => ro.disconnect();
  }, []);

  const applyView = () => {
    const v = view.current;
    viewRef.current?.setAttribute("transform", `translate(${v.x},${v.y}) scale(${v.k})`);
  };

  const fit = () => {
    const nodes = [...positions.current.values()];
    if (nodes.length === 0) return;
    // Framed by the nodes' boxes, names included, so that no name is cut at an edge.
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes) {
      const b = boxes.current.get(n.id) ?? { halfWidth: 12, above: 12, below: 12 + LABEL_BELOW };
      x0 = Math.min(x0, (n.x ?? 0) - b.halfWidth), y0 = Math.min(y0, (n.y ?? 0) - b.above);
      x1 = Math.max(x1, (n.x ?? 0) + b.halfWidth), y1 = Math.max(y1, (n.y ?? 0) + b.below);
    }
    const pad = 30;
    const k = Math.max(MIN_ZOOM, Math.min(2, size.w / (x1 - x0 + 2 * pad), size.h / (y1 - y0 + 2 * pad)));
    view.current = { k, x: size.w / 2 - ((x0 + x1) / 2) * k, y: size.h / 2 - ((y0 + y1) / 2) * k };
    applyView();
  };

  const nodeKey = props.nodes.map((n) => n.id).join("\n");
  const linkKey = props.links.map((l) => `${l.id}\t${l.source}\t${l.target}`).join("\n");

  useEffect(() => {
    const svg = svgRef.current!;
    const known = positions.current;
    const next = new Map<string, SimNode>();
    props.nodes.forEach((n, i) => {
      // New nodes start on a circle around the centre (deterministic, so layouts repeat).
      const a = (i / Math.max(1, props.nodes.length)) * 2 * Math.PI;
      next.set(
        n.id,
        known.get(n.id) ?? { id: n.id, x: size.w / 2 + 150 * Math.cos(a), y: size.h / 2 + 150 * Math.sin(a) },
      );
    });
    positions.current = next;
    const simNodes = [...next.values()];
    const simLinks: SimLink[] = props.links
      .filter((l) => next.has(l.source) && next.has(l.target))
      .map((l) => ({ id: l.id, source: l.source, target: l.target }));
    const nodeEls = new Map<string, Element>();
    svg.querySelectorAll("[data-node-id]").forEach((el) => nodeEls.set(el.getAttribute("data-node-id")!, el));
    const linkEls = [...svg.querySelectorAll("[data-edge-id]")];
    // Each node's shape and the name under it, as wide as the browser draws the name.
    boxes.current = new Map();
    for (const n of props.nodes) {
      const r = n.r ?? 12;
      const name = nodeEls.get(n.id)?.querySelector("text") as SVGTextElement | null | undefined;
      boxes.current.set(n.id, {
        halfWidth: n.quiet ? r : Math.max(r, (name?.getComputedTextLength() ?? 0) / 2),
        above: r,
        below: n.quiet ? r : r + LABEL_BELOW,
      });
    }
    const ends = new Map(simLinks.map((l) => [l.id, l]));
    const draw = () => {
      for (const n of simNodes) {
        nodeEls.get(n.id)?.setAttribute("transform", `translate(${n.x!.toFixed(1)},${n.y!.toFixed(1)})`);
      }
      for (const el of linkEls) {
        const l = ends.get(el.getAttribute("data-edge-id")!);
        if (!l) continue;
        const s = l.source as SimNode, t = l.target as SimNode;
        const line = el.querySelector("line")!;
        line.setAttribute("x1", s.x!.toFixed(1));
        line.setAttribute("y1", s.y!.toFixed(1));
        line.setAttribute("x2", t.x!.toFixed(1));
        line.setAttribute("y2", t.y!.toFixed(1));
        const labels = el.querySelectorAll("text");
        labels.forEach((text, i) => {
          const f = i === 0 ? 0.28 : 0.72;
          text.setAttribute("x", (s.x! + (t.x! - s.x!) * f).toFixed(1));
          text.setAttribute("y", (s.y! + (t.y! - s.y!) * f - 4).toFixed(1));
        });
      }
    };
    const simulation = forceSimulation<SimNode, SimLink>(simNodes)
      .force(
        "link",
        forceLink<SimNode, SimLink>(simLinks).id((d) => d.id).distance(props.linkDistance ?? 110),
      )
      .force("charge", forceManyBody().strength(props.charge ?? -320))
      .force("center", forceCenter(size.w / 2, size.h / 2))
      // Room for a node and its name under it.
      .force("collide", forceCollide(props.charge !== undefined && props.charge < -320 ? 44 : 28))
      // Names are wider than that circle: their boxes are kept apart too.
      .force("names", forceLabelBoxes<SimNode>((n) => boxes.current.get(n.id)!, 4, 2))
      // Pulled to the middle less along the longer side, so that separate groups spread the way the
      // screen is long (side by side on a wide screen) and the graph is framed larger.
      .force("x", forceX(size.w / 2).strength(0.04 * Math.min(1, size.h / size.w)))
      .force("y", forceY(size.h / 2).strength(0.04 * Math.min(1, size.w / size.h)))
      .on("tick", draw)
      .on("end", () => {
        if (!fitted.current) {
          fitted.current = true;
          fit();
        }
      });
    const resized = laidOutFor.current !== `${size.w}x${size.h}`;
    laidOutFor.current = `${size.w}x${size.h}`;
    if (known.size > 0 && !resized && !matchMedia("(prefers-reduced-motion: reduce)").matches) {
      // New data on a graph already laid out: settle gently from where everything is.
      simulation.alpha(0.3);
    } else {
      // A first layout is computed at once and framed, so the graph appears in place instead of
      // flying in; dragging a node sets it moving again.
      simulation.stop();
      simulation.tick(300);
      fitted.current = true;
      requestAnimationFrame(fit);
    }
    sim.current = simulation;
    draw();
    return () => simulation.stop();
  }, [nodeKey, linkKey, size.w, size.h]);

  // Pointer handling: a drag on a node moves (and pins) it; on the background it pans.
  const drag = useRef<{ id: string | null; x: number; y: number; moved: boolean; pointer: number } | null>(
    null,
  );
  const toGraph = (clientX: number, clientY: number) => {
    const r = svgRef.current!.getBoundingClientRect();
    const v = view.current;
    return { x: (clientX - r.left - v.x) / v.k, y: (clientY - r.top - v.y) / v.k };
  };
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const nodeEl = (e.target as Element).closest("[data-node-id]");
    drag.current = {
      id: nodeEl?.getAttribute("data-node-id") ?? null,
      x: e.clientX,
      y: e.clientY,
      moved: false,
      pointer: e.pointerId,
    };
    svgRef.current!.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    const dx = e.clientX - d.x, dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    d.moved = true;
    if (d.id) {
      const n = positions.current.get(d.id);
      if (!n) return;
      const p = toGraph(e.clientX, e.clientY);
      n.fx = p.x;
      n.fy = p.y;
      sim.current?.alphaTarget(0.2).restart();
    } else {
      view.current.x += dx;
      view.current.y += dy;
      d.x = e.clientX;
      d.y = e.clientY;
      applyView();
    }
  };
  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.pointer !== e.pointerId) return;
    sim.current?.alphaTarget(0);
    if (d.id && !d.moved) props.onNodeClick?.(d.id);
  };
  const zoomBy = (factor: number, cx = size.w / 2, cy = size.h / 2) => {
    const v = view.current;
    const k = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, v.k * factor));
    view.current = { k, x: cx - ((cx - v.x) / v.k) * k, y: cy - ((cy - v.y) / v.k) * k };
    applyView();
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = svgRef.current!.getBoundingClientRect();
    zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  };

  return html`
    <div class="graph" data-testid=${props.testId}>
      <div class="graph-tools">
        <button type="button" onClick=${() => zoomBy(1.25)} aria-label="Zoom in">+</button>
        <button type="button" onClick=${() => zoomBy(0.8)} aria-label="Zoom out">−</button>
        <button type="button" onClick=${fit}>Fit</button>
      </div>
      <svg ref=${svgRef} class="graph-svg" role="group" aria-label=${props.label}
        onPointerDown=${onPointerDown} onPointerMove=${onPointerMove} onPointerUp=${onPointerUp}
        onPointerCancel=${onPointerUp} onWheel=${onWheel}>
        <g ref=${viewRef}>
          <g class="links">
              ${props.links.map((l) =>
                html`
                  <g key=${l.id} class=${`link ${l.cls ?? ""}`} data-edge-id=${l.id}
                    data-source=${l.source} data-target=${l.target}>
                              <title>${l.title}</title>
                              <line stroke-width=${l.width} />
                              ${l.sourceLabel &&
                                html`<text class="link-label" text-anchor="middle">${l.sourceLabel}</text>`}
                              ${l.targetLabel &&
                                html`<text class="link-label" text-anchor="middle">${l.targetLabel}</text>`}
                            </g>
                `
              )}
            </g>
          <g class="nodes">
              ${props.nodes.map((n) =>
                html`
                  <g key=${n.id} class=${`node t-${n.type} ${n.dashed ? "dashed" : ""} ${
                    n.quiet ? "quiet" : ""
                  } ${n.cls ?? ""}`}
                    data-node-id=${n.id} data-label=${n.label} tabindex="0" role="button" aria-label=${n
                      .title}
                    onKeyDown=${(e: KeyboardEvent) => {
                      if (e.key === "Enter") props.onNodeClick?.(n.id);
                    }}>
                    <title>${n.title}</title>
                    <path class="node-bg" d=${nodeShape(n.type, n.r ?? 12)} />
                    <path d=${nodeShape(n.type, n.r ?? 12)} />
                    <text y=${(n.r ?? 12) + LABEL_BASELINE} text-anchor="middle">${n.label}</text>
                  </g>
                `
              )}
            </g>
        </g>
      </svg>
    </div>
  `;
}
