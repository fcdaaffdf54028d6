/**
 * `?hosts=1`: hosts placed where the bridge forwarding tables put their MACs. A MAC is learned on every
 * switch between it and the poller, on the uplinks too, so a host is placed on the port that is not a
 * link to another node (no LLDP/CDP edge) and, of those, the one with the fewest MACs behind it: the
 * access port it is plugged into.
 */
import { end, type Graph, type GraphEdge } from "./graph_builder.ts";
import type { TopologyNodeJson } from "../events/mod.ts";

/** One row of a bridge forwarding table: a MAC learned on a port. */
export interface FdbEntry {
  /** The MAC, lower case with colons. */
  mac: string;
  /** The port's ifIndex (dot1dBasePortIfIndex of the bridge port). */
  ifIndex: number;
}

/** Hosts placed at most, so a huge campus cannot make one answer unbounded. */
export const MAX_FDB_HOSTS = 8192;

/** A copy of `g` with forwarding-table hosts and their edges (protocol "fdb") added. */
export function withFdbHosts(
  g: Graph,
  fdb: ReadonlyMap<string, readonly FdbEntry[]>,
  max = MAX_FDB_HOSTS,
): Graph {
  const nodes = new Map(g.nodes), edges = new Map(g.edges);
  const uplinks = new Set<string>();
  const linked = new Set<string>();
  for (const e of g.edges.values()) {
    uplinks.add(`${e.source.node}#${e.source.key}`).add(`${e.target.node}#${e.target.key}`);
    linked.add(`${e.source.node}|${e.target.node}`).add(`${e.target.node}|${e.source.node}`);
  }
  // MACs behind each access port, then for each MAC the access port with the fewest.
  const behind = new Map<string, number>();
  const candidates = new Map<string, { switchIp: string; ifIndex: number; port: string }[]>();
  for (const [switchIp, entries] of [...fdb].sort(([a], [b]) => a < b ? -1 : 1)) {
    if (!g.devices.has(switchIp)) continue;
    for (const { mac, ifIndex } of entries) {
      const port = `${switchIp}#if:${ifIndex}`;
      if (uplinks.has(port)) continue;
      behind.set(port, (behind.get(port) ?? 0) + 1);
      (candidates.get(mac) ?? candidates.set(mac, []).get(mac)!).push({ switchIp, ifIndex, port });
    }
  }
  let placed = 0;
  for (const [mac, where] of candidates) {
    if (placed >= max) break;
    const best = where.reduce((a, b) => (behind.get(b.port)! < behind.get(a.port)! ? b : a));
    const known = g.index.byMac(mac) ?? g.placeholderMacs.get(mac);
    if (known === best.switchIp) continue; // the switch's own MAC
    const hostId = known ?? `mac:${mac}`;
    if (linked.has(`${best.switchIp}|${hostId}`)) continue;
    if (!nodes.has(hostId)) {
      nodes.set(hostId, hostNode(hostId, mac, known ? g.devices.get(known) : undefined));
    }
    const sw = end(
      best.switchIp,
      { ifIndex: best.ifIndex, name: String(best.ifIndex), aliases: [] },
      g.devices,
    );
    const host = { node: hostId, key: "fdb", port: null, ifIndex: null };
    const [source, target] = sw.node + "\0" + sw.key <= host.node + "\0" + host.key ? [sw, host] : [host, sw];
    const id = `${source.node}#${source.key}|${target.node}#${target.key}`;
    const edge: GraphEdge = { id, source, target, protocols: ["fdb"] };
    edges.set(id, edge);
    placed++;
  }
  return { ...g, nodes, edges };
}

/** A host: the registry's device when it has the MAC, else a bare MAC. */
function hostNode(
  id: string,
  mac: string,
  device:
    | { ip: string; name: string | null; type: TopologyNodeJson["type"]; model: string | null }
    | undefined,
): TopologyNodeJson {
  if (device) {
    return {
      id,
      name: device.name,
      type: device.type,
      status: "up",
      ip: device.ip,
      placeholder: false,
      platform: device.model,
      capabilities: [],
    };
  }
  return {
    id,
    name: mac,
    type: "host",
    status: "up",
    ip: null,
    placeholder: true,
    platform: null,
    capabilities: [],
  };
}
