/**
 * The network map from `GET /topology` (LLDP/CDP neighbours): drag, zoom and pan; node shape and colour
 * by device type, placeholders (neighbours not yet known as devices) dashed; port names at each end of
 * a link; link colour by utilisation; a click opens the device. `topology` events redraw it, and
 * `interface` events (new rates) recolour the links at most every 10 s.
 *
 * @module
 */
import { getJson } from "../api.ts";
import { ForceGraph, type GraphLink, type GraphNode } from "../components/force_graph.ts";
import { useApi } from "../components/hooks.ts";
import { typeName } from "../components/icons.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { utilLevel } from "../components/util_bar.ts";
import { formatBps, formatCount, formatPct } from "../format.ts";
import { html } from "../html.ts";
import { revisions } from "../live_state.ts";
import { navigate } from "../router.ts";
import type { TopologyJson } from "../types.ts";

/** The graph the screen draws from GET /topology, unchanged in meaning: one node per node, one link per edge. */
export function topologyGraph(doc: TopologyJson): { nodes: GraphNode[]; links: GraphLink[] } {
  const edges = doc.edges;
  const nodes = doc.nodes.map((n): GraphNode => ({
    id: n.id,
    label: n.name ?? n.ip ?? n.id,
    type: n.type,
    dashed: n.placeholder,
    cls: `status-${n.status}`,
    title: `${n.name ?? n.id}${n.ip ? ` (${n.ip})` : ""}: ${typeName(n.type)}${
      n.platform ? ` (${n.platform})` : ""
    }${n.placeholder ? ", not yet a known device" : ""}`,
    r: 14,
  }));
  const links = edges.map((e): GraphLink => {
    const util = Math.max(e.in_util_pct ?? -1, e.out_util_pct ?? -1);
    const known = util >= 0;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      width: e.speed_bps ? Math.max(1.5, Math.min(6, Math.log10(e.speed_bps) - 6)) : 2,
      cls: `util-${known ? utilLevel(util) : "none"}`,
      sourceLabel: e.local_port ?? undefined,
      targetLabel: e.remote_port ?? undefined,
      title: `${e.local_port ?? "?"} ↔ ${e.remote_port ?? "?"} (${e.protocols.join(", ") || "?"})` +
        `${e.speed_bps ? `, ${formatBps(e.speed_bps)}` : ""}` +
        `${known ? `, in ${formatPct(e.in_util_pct)} / out ${formatPct(e.out_util_pct)}` : ""}`,
    };
  });
  return { nodes, links };
}

/** The screen. */
export function TopologyScreen() {
  const q = useApi((s, signal) => getJson<TopologyJson>(s, "/topology", {}, signal), [
    revisions.topology.value,
    revisions.links.value, // new interface rates: the links' colours (throttled in live_state.ts)
  ]);
  const byId = new Map((q.data?.nodes ?? []).map((n) => [n.id, n]));
  const graph = q.data ? topologyGraph(q.data) : null;
  const open = (id: string) => {
    const ip = byId.get(id)?.ip;
    if (ip && !byId.get(id)?.placeholder) navigate(["devices", ip]);
  };
  return html`<section class="screen" aria-labelledby="topology-title">
    <h1 id="topology-title">Topology</h1>
    ${
    q.error && !q.data
      ? html`<${ErrorBox} error=${q.error} onRetry=${q.reload} />`
      : !graph
      ? html`<${Loading} what="the topology" />`
      : graph.nodes.length === 0
      ? html`
        <${Empty} title="No link known yet">
          <p>Links appear when switches and routers report their neighbours: Flintnet reads LLDP and CDP tables over SNMP from every
                  device it polls (make sure LLDP or CDP is enabled on them and SNMP answers with the community or user configured for their
                  network), and it hears LLDP and CDP announcements on its own capture interface, which shows the switch port it is plugged into.</p>
          <p><a href="#/devices">Devices</a> lists what discovery found so far.</p>
          </${Empty}>
      `
      : html`
        <div class="list-head">
          <p class="count" data-testid="topology-count" data-count=${graph.nodes.length}>${`${
            formatCount(graph.nodes.length)
          } nodes, ${formatCount(graph.links.length)} links`}</p>
          <ul class="legend" aria-label="Legend">
            <li><span class="lg lg-ok"></span>link below the amber threshold</li>
            <li><span class="lg lg-warn"></span>amber</li>
            <li><span class="lg lg-crit"></span>red</li>
            <li><span class="lg lg-none"></span>utilisation unknown</li>
            <li><span class="lg lg-dashed"></span>neighbour not yet known</li>
          </ul>
        </div>
        <${ForceGraph} label="Network topology" testId="topology-graph" linkDistance=${170} charge=${-900}
          nodes=${graph
            .nodes}
          links=${graph
            .links}
          onNodeClick=${open} />
      `
  }
  </section>`;
}
