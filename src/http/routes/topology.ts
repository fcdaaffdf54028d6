/**
 * GET /topology: the network map as the topology store holds it, `{nodes, edges}` whose edges name
 * their ends by node id, as d3-force takes them. `?hosts=1` adds the hosts the bridge forwarding
 * tables place on switch ports.
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/topology?hosts=1'
 */
import { Hono } from "hono";
import type { TopologyJson } from "../../topology/mod.ts";
import { checkParameters, parseChoice } from "../query_params.ts";

/** Whatever holds the topology (the TopologyStore). */
export interface TopologySource {
  /** The map; with `hosts`, forwarding-table hosts too. */
  snapshot(hosts: boolean): TopologyJson;
}

/** A source with nothing in it, for a daemon without a topology store. */
export const EMPTY_TOPOLOGY: TopologySource = { snapshot: () => ({ nodes: [], edges: [] }) };

/** The values `?hosts=` accepts. */
const HOSTS_VALUES = ["1", "0", "true", "false"] as const;

/** Serves `GET /topology` → `{nodes, edges}`. */
export function topologyRoutes(deps: { topology: TopologySource }): Hono {
  const app = new Hono();
  app.get("/topology", (c) => {
    const p = checkParameters(new URL(c.req.url).searchParams, ["hosts"]);
    const hosts = p.has("hosts") ? parseChoice("hosts", p.get("hosts")!, HOSTS_VALUES) : "0";
    return c.json(deps.topology.snapshot(hosts === "1" || hosts === "true"));
  });
  return app;
}
