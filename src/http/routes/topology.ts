/** GET /topology: the network map (nodes and links) as the topology store holds it. */
import { Hono } from "hono";

/** Whatever holds the topology; empty until discovery (LLDP/CDP, ARP) fills it. */
export interface TopologySource {
  /** The current map. */
  snapshot(): { nodes: unknown[]; links: unknown[] };
}

/** A source with nothing in it, for until the topology store exists. */
export const EMPTY_TOPOLOGY: TopologySource = { snapshot: () => ({ nodes: [], links: [] }) };

/** Serves `GET /topology` → `{nodes, links}`. */
export function topologyRoutes(deps: { topology: TopologySource }): Hono {
  const app = new Hono();
  app.get("/topology", (c) => {
    const { nodes, links } = deps.topology.snapshot();
    return c.json({ nodes, links });
  });
  return app;
}
