/**
 * The map as GET /topology, the `topology` events and the dashboard see it: nodes and edges whose
 * `source` and `target` are node ids, ready for d3-force as they are.
 */
import type { DeviceType } from "./device_json.ts";

/** Which protocol reported a neighbour; "fdb" marks a host placed by a bridge forwarding table. */
export type LinkProtocol = "lldp" | "cdp" | "fdb";

/** Every protocol, in the order the API lists them. */
export const LINK_PROTOCOLS: readonly LinkProtocol[] = ["lldp", "cdp", "fdb"];

/** What a node is: a device type, a host seen only in a forwarding table, or Flintnet itself. */
export type NodeType = DeviceType | "host" | "flintnet";

/** up: it answers (or was just seen); down: it stopped answering SNMP; unknown: nothing says. */
export type NodeStatus = "up" | "down" | "unknown";

/** Every node status, in the order the API documents them. */
export const NODE_STATUSES: readonly NodeStatus[] = ["up", "down", "unknown"];

/** A node of the map. */
export interface TopologyNodeJson {
  /** Stable id: a device's address; for a placeholder its management address, else `chassis:…`, `name:…` or `mac:…`. */
  id: string;
  /** sysName, or what LLDP/CDP called it; null when nothing did. */
  name: string | null;
  /** What it is. */
  type: NodeType;
  /** Whether it answers. */
  status: NodeStatus;
  /** Its address, null when none is known. */
  ip: string | null;
  /** True for a neighbour (or forwarding-table host) that is not a device Flintnet knows yet. */
  placeholder: boolean;
  /** Platform as LLDP/CDP said (CDP platform, LLDP system description), else the device's model; null when none. */
  platform: string | null;
  /** Capabilities LLDP/CDP neighbours reported it has enabled (router, bridge, switch, …). */
  capabilities: string[];
}

/** A link between two nodes. */
export interface TopologyEdgeJson {
  /** Stable id made of both ends. */
  id: string;
  /** One end (a node id). */
  source: string;
  /** The other end (a node id). */
  target: string;
  /** The port on `source`, null when not known (a forwarding-table host). */
  local_port: string | null;
  /** The port on `target`, null when not known. */
  remote_port: string | null;
  /** Who reported the link: lldp, cdp (from either end, polled or seen in capture), fdb. */
  protocols: LinkProtocol[];
  /** Speed of the polled interface at either end, bits per second; null when neither is polled. */
  speed_bps: number | null;
  /** Bits per second into `source` over this link (from source's interface, or target's outbound). */
  in_bps: number | null;
  /** Bits per second out of `source`. */
  out_bps: number | null;
  /** Inbound utilisation of the link as `source` sees it, 0–100. */
  in_util_pct: number | null;
  /** Outbound utilisation, 0–100. */
  out_util_pct: number | null;
}

/** GET /topology. */
export interface TopologyJson {
  /** Every node. */
  nodes: TopologyNodeJson[];
  /** Every edge. */
  edges: TopologyEdgeJson[];
}
