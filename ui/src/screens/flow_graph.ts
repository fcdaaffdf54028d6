/**
 * The flow graph: the biggest active flows as a live force-directed graph, a node per IP address and a
 * link per pair of addresses that talk (width by bytes), to see unusual patterns at a glance; clicking
 * an address opens the flow table filtered to it.
 *
 * @module
 */
import { getJson } from "../api.ts";
import { ForceGraph, type GraphLink, type GraphNode } from "../components/force_graph.ts";
import { useApi, useInterval } from "../components/hooks.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { formatBytes, formatCount } from "../format.ts";
import { html } from "../html.ts";
import { devices } from "../live_state.ts";
import { navigate } from "../router.ts";
import type { FlowJson, Page } from "../types.ts";

/** Flows drawn: the largest by bytes. */
const MAX_FLOWS = 300;
/**
 * Addresses named under their node: the busiest. More names than this do not fit a 560-px graph without
 * running into each other (an IPv6 address is 140 px wide); the others name themselves on hover or focus.
 */
const NAMED_NODES = 40;
/** How often the graph is read again. */
const REFRESH_MS = 5000;

/** Nodes and links of the flows: one link per unordered address pair, its bytes summed. */
export function flowGraph(flows: readonly FlowJson[]): { nodes: GraphNode[]; links: GraphLink[] } {
  const bytesByIp = new Map<string, number>();
  const pairs = new Map<string, { a: string; b: string; bytes: number; flows: number }>();
  for (const f of flows) {
    bytesByIp.set(f.src_ip, (bytesByIp.get(f.src_ip) ?? 0) + f.bytes);
    bytesByIp.set(f.dst_ip, (bytesByIp.get(f.dst_ip) ?? 0) + f.bytes);
    const [a, b] = f.src_ip < f.dst_ip ? [f.src_ip, f.dst_ip] : [f.dst_ip, f.src_ip];
    const key = `${a} ${b}`;
    const p = pairs.get(key) ?? { a, b, bytes: 0, flows: 0 };
    p.bytes += f.bytes;
    p.flows++;
    pairs.set(key, p);
  }
  const known = devices.value;
  const named = new Set([...bytesByIp].sort((a, b) => b[1] - a[1]).slice(0, NAMED_NODES).map(([ip]) => ip));
  const nodes = [...bytesByIp].map(([ip, bytes]): GraphNode => {
    const name = known.get(ip)?.name;
    return {
      id: ip,
      label: name ?? ip,
      type: known.get(ip)?.type ?? "host",
      title: `${name ? `${name} (${ip})` : ip}: ${formatBytes(bytes)} in the flows shown`,
      r: 7 + Math.min(10, Math.log10(1 + bytes)),
      quiet: !named.has(ip),
    };
  });
  const links = [...pairs.values()].map((p): GraphLink => ({
    id: `${p.a} ${p.b}`,
    source: p.a,
    target: p.b,
    width: Math.max(1, Math.min(12, Math.log10(1 + p.bytes) * 1.6 - 4)),
    title: `${p.a} ↔ ${p.b}: ${formatCount(p.flows)} flow${p.flows === 1 ? "" : "s"}, ${
      formatBytes(p.bytes)
    }`,
  }));
  return { nodes, links };
}

/** The screen. */
export function FlowGraphScreen() {
  const q = useApi(
    (s, signal) => getJson<{ flows: FlowJson[] } & Page>(s, "/flows", { limit: MAX_FLOWS }, signal),
    [],
  );
  useInterval(q.reload, REFRESH_MS);
  const graph = q.data ? flowGraph(q.data.flows) : null;
  const summary = graph && q.data
    ? `${formatCount(graph.nodes.length)} addresses, ${formatCount(graph.links.length)} pairs, ` +
      `from ${formatCount(q.data.flows.length)} of ${formatCount(q.data.total_matched)} flows`
    : "";
  return html`<section class="screen" aria-labelledby="graph-title">
    <h1 id="graph-title">Flow graph</h1>
    <p class="lead">The ${MAX_FLOWS} largest active flows, refreshed every ${
    REFRESH_MS / 1000
  } s, the ${NAMED_NODES} busiest addresses named. Drag to move, scroll or use the
      buttons to zoom; point at an address for its name, click it to see its flows.</p>
    ${
    q.error && !q.data
      ? html`<${ErrorBox} error=${q.error} onRetry=${q.reload} />`
      : !graph
      ? html`<${Loading} what="flows" />`
      : graph.nodes.length === 0
      ? html`<${Empty} title="No active flow">The graph draws itself as soon as traffic is captured.</${Empty}>`
      : html`
        <p class="count" data-testid="graph-count" data-count=${graph.nodes.length}>${summary}</p>
        <${ForceGraph} label="Flow graph" testId="flow-graph" nodes=${graph.nodes} links=${graph.links}
          onNodeClick=${(ip: string) => navigate(["flows"], { ip })} />
      `
  }
  </section>`;
}
