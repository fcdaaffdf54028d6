/**
 * Topology: LLDP and CDP neighbours, polled over SNMP and seen in capture, as one graph of nodes and
 * edges (GET /topology, `topology` events). The only file other folders import.
 */
export type { FdbEntry } from "./fdb_hosts.ts";
export type { LinkProtocol, NeighbourReport, PortRef, RemoteSystem } from "./neighbour.ts";
export { LINK_PROTOCOLS } from "./neighbour.ts";
export type { SelfIdentity } from "./node_index.ts";
export { PassiveDiscovery, type PassiveDiscoveryCounters } from "./passive_discovery.ts";
export { type PassiveNeighbourJson, PassiveNeighbours } from "./passive_neighbours.ts";
export type { PassiveObservation } from "./passive_report.ts";
export type {
  NodeStatus,
  NodeType,
  TopologyEdgeJson,
  TopologyJson,
  TopologyNodeJson,
} from "../events/mod.ts";
export { NODE_STATUSES } from "../events/mod.ts";
export { type TopologyPoll, TopologyStore, type TopologyStoreOptions } from "./topology_store.ts";
export {
  createTopologyPollState,
  pollTopology,
  topologyPollPart,
  type TopologyPollState,
} from "./poll_topology.ts";
export { loadTopologyFile, saveTopologyFile, type TopologyLoad } from "./topology_file.ts";
