/**
 * A graph as the API shows it: nodes and edges sorted by id, each edge with the speed and utilisation
 * of the polled interface at its ends, read at the moment of the answer from `devices` (the registry,
 * which the interface poller keeps current; the map is not rebuilt for a change of rates). The source's
 * interface is preferred; from the target's, in and out swap.
 */
import type { InterfaceJson, TopologyEdgeJson, TopologyJson } from "../events/mod.ts";
import type { DeviceLookup, EdgeEnd, Graph, GraphEdge } from "./graph_builder.ts";

/** The graph as GET /topology answers it. */
export function graphToJson(g: Graph, devices: DeviceLookup = g.devices): TopologyJson {
  const byId = <T>(m: Map<string, T>) => [...m.keys()].sort().map((k) => m.get(k)!);
  return {
    nodes: byId(g.nodes).map((n) => ({ ...n, capabilities: [...n.capabilities] })),
    edges: byId(g.edges).map((e) => edgeToJson(e, devices)),
  };
}

/** One edge with its utilisation. */
export function edgeToJson(e: GraphEdge, devices: DeviceLookup): TopologyEdgeJson {
  const src = interfaceOf(e.source, devices), dst = interfaceOf(e.target, devices);
  const pick = (own: keyof InterfaceJson, mirror: keyof InterfaceJson) =>
    (src ? src[own] : dst ? dst[mirror] : null) as number | null;
  return {
    id: e.id,
    source: e.source.node,
    target: e.target.node,
    local_port: e.source.port,
    remote_port: e.target.port,
    protocols: [...e.protocols],
    speed_bps: src?.speed_bps ?? dst?.speed_bps ?? null,
    in_bps: pick("in_bps", "out_bps"),
    out_bps: pick("out_bps", "in_bps"),
    in_util_pct: pick("in_util_pct", "out_util_pct"),
    out_util_pct: pick("out_util_pct", "in_util_pct"),
  };
}

function interfaceOf(e: EdgeEnd, devices: DeviceLookup): InterfaceJson | undefined {
  if (e.ifIndex === null) return undefined;
  return devices.get(e.node)?.interfaces.find((i) => i.index === e.ifIndex);
}
