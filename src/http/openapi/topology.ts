/**
 * GET /topology and its shapes (src/topology/topology_json.ts), and the `topology` stream event
 * (TopologyEvent in src/events.ts).
 */
import { DEVICE_TYPES } from "../../events/mod.ts";
import { LINK_PROTOCOLS, NODE_STATUSES } from "../../topology/mod.ts";
import {
  array,
  AUTH_ERRORS,
  BAD_PARAMETER,
  bool,
  int,
  type Json,
  json,
  nullable,
  num,
  obj,
  oneOf,
  query,
  ref,
  str,
} from "./kit.ts";

/** NodeType: the device types, a forwarding-table host, Flintnet itself. */
const NODE_TYPES = [...DEVICE_TYPES, "host", "flintnet"];

/** The component schemas of the map. */
export const TOPOLOGY_SCHEMAS: Record<string, Json> = {
  Topology: obj({
    nodes: array(ref("TopologyNode"), "Every node, by id."),
    edges: array(
      ref("TopologyEdge"),
      "Every edge, by id; source and target are node ids (d3-force's links).",
    ),
  }, "The network map (TopologyJson)."),
  TopologyNode: obj({
    id: str(
      "Stable id: a device's address; a placeholder's management address, else chassis:…, name:… or " +
        "mac:…; Flintnet's own node is its capture address (or flintnet).",
    ),
    name: nullable(str("sysName, or what LLDP/CDP called it.")),
    type: oneOf(NODE_TYPES, "A device type; host: seen only in a forwarding table; flintnet: this box."),
    status: oneOf(NODE_STATUSES, "up: answers; down: stopped answering SNMP; unknown: nothing says."),
    ip: nullable(str("Its address.")),
    placeholder: bool("A neighbour (or forwarding-table host) that is not a device Flintnet knows yet."),
    platform: nullable(str("CDP platform or LLDP system description, else the device's model.")),
    capabilities: array(str(""), "Capabilities LLDP/CDP reported enabled: router, bridge, switch, …"),
  }, "A node of the map (TopologyNodeJson)."),
  TopologyEdge: obj({
    id: str("Stable id made of both ends."),
    source: str("A node id."),
    target: str("A node id."),
    local_port: nullable(str("The port on source (ifName where the device is polled).")),
    remote_port: nullable(str("The port on target; null for a forwarding-table host.")),
    protocols: array(oneOf(LINK_PROTOCOLS, ""), "Who reported it, from either end, polled or captured."),
    speed_bps: nullable(int("Speed of the polled interface at either end.")),
    in_bps: nullable(num("Into source over this link, bits/s (source's interface, or target's outbound).")),
    out_bps: nullable(num("Out of source, bits/s.")),
    in_util_pct: nullable(num("Inbound utilisation as source sees it, 0–100.", { minimum: 0 })),
    out_util_pct: nullable(num("Outbound utilisation, 0–100.", { minimum: 0 })),
  }, "A link (TopologyEdgeJson): one per cable, whichever end reported it."),
};

/** The stream event. */
export const TOPOLOGY_EVENT_SCHEMA: Json = obj(
  {
    id: int("Bus event id: increasing, the SSE `id:`."),
    kind: { const: "topology" },
    ts: str("When the map changed.", { format: "date-time" }),
    action: oneOf(["node_added", "node_removed", "edge_added", "edge_removed"], "What changed."),
    node: ref("TopologyNode"),
    edge: ref("TopologyEdge"),
  },
  "A node or edge of the map appeared or disappeared: node for node_*, edge for edge_*.",
  ["id", "kind", "ts", "action"],
);

/** The path item of GET /topology. */
export function topologyPaths(): Json {
  return {
    "/topology": {
      get: {
        summary: "The network map: devices, neighbours and links from LLDP and CDP (polled and captured).",
        description: "Ready for d3-force: edges name their ends by node id. A link an SNMP device stops " +
          "reporting leaves after FLINTNET_TOPOLOGY_AGE_POLLS polls; one seen only in capture when its " +
          "TTL runs out. Changes stream as `topology` events.",
        parameters: [
          query(
            "hosts",
            "1 (or true): also the hosts the bridge forwarding tables place on access ports (edges with " +
              "protocol fdb).",
            oneOf(["1", "0", "true", "false"], ""),
          ),
        ],
        responses: { "200": json(ref("Topology"), "The map."), "400": BAD_PARAMETER, ...AUTH_ERRORS },
      },
    },
  };
}
