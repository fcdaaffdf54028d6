/**
 * Reports → graph, a pure function of what the devices and the capture said. Every report is a link
 * between two (node, port) ends; a port is named by the ifIndex of the device it belongs to when that
 * device is polled and the port can be matched to one of its interfaces, else by its name (see
 * {@link portKey}). Two reports with the same two ends are one edge, whichever end reported it and over
 * which protocol; two links between the same pair on other ports stay two edges.
 */
import type { DeviceJson, InterfaceJson, NodeStatus, NodeType, TopologyNodeJson } from "../events/mod.ts";
import {
  type LinkProtocol,
  type NeighbourReport,
  portKey,
  type PortRef,
  type RemoteSystem,
} from "./neighbour.ts";
import type { DeviceKeys } from "./device_keys.ts";
import { NodeIndex, type OwnIdentity, type Placeholder, type SelfIdentity } from "./node_index.ts";

/** What the graph is built from. */
export interface GraphInput {
  /** Every device of the registry (DeviceKeys.of(list) for a list). */
  devices: DeviceKeys;
  /** Per polled device (by address): what it says about itself and its neighbours. */
  polled: ReadonlyMap<string, OwnIdentity & { reports: readonly NeighbourReport[] }>;
  /** Neighbours seen in capture; their local port is the capture interface. */
  passive: readonly NeighbourReport[];
  /** Flintnet's own box. */
  self: SelfIdentity;
}

/** One end of an edge. */
export interface EdgeEnd {
  /** Node id. */
  node: string;
  /** `if:<ifIndex>` or `name:<portKey>`. */
  key: string;
  /** The port's name, null when not known. */
  port: string | null;
  /** ifIndex when the port is an interface of a polled device. */
  ifIndex: number | null;
}

/** An edge before utilisation is filled in. */
export interface GraphEdge {
  id: string;
  source: EdgeEnd;
  target: EdgeEnd;
  protocols: LinkProtocol[];
}

/** The graph. */
export interface Graph {
  /** Nodes by id. */
  nodes: Map<string, TopologyNodeJson>;
  /** Edges by id. */
  edges: Map<string, GraphEdge>;
  /** Resolves identifiers to node ids (for placing forwarding-table hosts). */
  index: NodeIndex;
  /** The registry's devices as of the build (by address, MAC and name). */
  devices: DeviceKeys;
  /** Placeholders by the MACs they are known by. */
  placeholderMacs: Map<string, string>;
}

/** Builds the graph (without forwarding-table hosts; see fdb_hosts.ts). */
export function buildGraph(input: GraphInput): Graph {
  const devices = input.devices;
  const index = new NodeIndex(devices, input.polled, input.self);
  const links: { from: string; report: NeighbourReport; to: { known: string } | { pending: number } }[] = [];
  const addReport = (from: string, report: NeighbourReport) => {
    const to = index.resolve(report.remote);
    if (to) links.push({ from, report, to });
  };
  for (const [ip, p] of input.polled) {
    if (devices.has(ip)) { for (const r of p.reports) addReport(ip, r); }
  }
  for (const r of input.passive) addReport(index.selfId, r);
  const { list: placeholders, idOf } = index.placeholders();

  const nodes = new Map<string, TopologyNodeJson>();
  const said = new Map<string, RemoteSystem[]>(); // what neighbours said about each node
  const edges = new Map<string, GraphEdge>();
  for (const l of links) {
    const to = "known" in l.to ? l.to.known : idOf[l.to.pending];
    if (to === l.from) continue; // a device that hears itself: a loop in the cabling, not a link
    (said.get(to) ?? said.set(to, []).get(to)!).push(l.report.remote);
    const a = end(l.from, l.report.localPort, devices);
    const b = end(to, l.report.remote.port, devices);
    const [source, target] = a.node + "\0" + a.key <= b.node + "\0" + b.key ? [a, b] : [b, a];
    const id = `${source.node}#${source.key}|${target.node}#${target.key}`;
    const e = edges.get(id);
    if (!e) edges.set(id, { id, source, target, protocols: [l.report.protocol] });
    else if (!e.protocols.includes(l.report.protocol)) e.protocols.push(l.report.protocol);
  }
  for (const e of edges.values()) e.protocols.sort();

  const ends = new Set<string>();
  for (const e of edges.values()) ends.add(e.source.node).add(e.target.node);
  for (const [ip, p] of input.polled) {
    if (devices.has(ip) && (p.chassisIds.length || p.reports.length)) ends.add(ip);
  }
  const placeholderById = new Map(placeholders.map((p) => [p.id, p]));
  for (const id of ends) {
    const d = devices.get(id);
    const heard = said.get(id) ?? [];
    if (d) nodes.set(id, deviceNode(d, heard));
    else if (id === index.selfId) nodes.set(id, selfNode(id, input.self));
    else if (placeholderById.has(id)) nodes.set(id, placeholderNode(placeholderById.get(id)!));
  }
  const placeholderMacs = new Map(placeholders.flatMap((p) => p.macs.map((m) => [m, p.id] as const)));
  return { nodes, edges, index, devices, placeholderMacs };
}

/** Devices by address: the build's {@link DeviceKeys}, or the registry itself when the map is shown. */
export interface DeviceLookup {
  get(ip: string): DeviceJson | undefined;
}

/** One end of a link: the port matched to an interface of a polled device where it can be. */
export function end(node: string, port: PortRef, devices: DeviceLookup): EdgeEnd {
  const itf = findInterface(devices.get(node)?.interfaces ?? [], port);
  if (itf) return { node, key: `if:${itf.index}`, port: itf.name, ifIndex: itf.index };
  return {
    node,
    key: `name:${portKeysOf(port).name}`,
    port: port.name === "" ? null : port.name,
    ifIndex: null,
  };
}

/**
 * An interface list's lookups: the first interface with each ifIndex, and the position of the first with
 * each name key and alias key. Made once a list and kept while it lives: a poll replaces a device's list,
 * and every build matches thousands of ports against the same lists (at 5,000 links, matching by scanning
 * each list with its names' regular expressions was most of a build).
 */
interface InterfaceKeys {
  byIndex: Map<number, InterfaceJson>;
  byName: Map<string, number>;
  byAlias: Map<string, number>;
}

const interfaceKeys = new WeakMap<readonly InterfaceJson[], InterfaceKeys>();

function interfaceKeysOf(interfaces: readonly InterfaceJson[]): InterfaceKeys {
  let k = interfaceKeys.get(interfaces);
  if (k !== undefined) return k;
  k = { byIndex: new Map(), byName: new Map(), byAlias: new Map() };
  for (let at = 0; at < interfaces.length; at++) {
    const i = interfaces[at];
    if (!k.byIndex.has(i.index)) k.byIndex.set(i.index, i);
    const name = portKey(i.name);
    if (!k.byName.has(name)) k.byName.set(name, at);
    if (i.alias === "") continue;
    const alias = portKey(i.alias);
    if (!k.byAlias.has(alias)) k.byAlias.set(alias, at);
  }
  interfaceKeys.set(interfaces, k);
  return k;
}

/** A port's name key, and the keys of every spelling it goes by; kept while the report lives. */
const portKeys = new WeakMap<PortRef, { name: string; spellings: string[] }>();

function portKeysOf(port: PortRef): { name: string; spellings: string[] } {
  let k = portKeys.get(port);
  if (k === undefined) {
    const spellings = [...new Set([port.name, ...port.aliases].filter((a) => a !== "").map(portKey))];
    k = { name: portKey(port.name), spellings };
    portKeys.set(port, k);
  }
  return k;
}

/**
 * The interface `port` is: by ifIndex when the reporter knows it, else the first in the list whose name is
 * one of the port's spellings, else the first whose alias is.
 */
function findInterface(interfaces: readonly InterfaceJson[], port: PortRef): InterfaceJson | undefined {
  if (interfaces.length === 0) return undefined;
  const k = interfaceKeysOf(interfaces);
  if (port.ifIndex !== null) {
    const byIndex = k.byIndex.get(port.ifIndex);
    if (byIndex) return byIndex;
  }
  const spellings = portKeysOf(port).spellings;
  for (const keys of [k.byName, k.byAlias]) {
    let first = Infinity;
    for (const s of spellings) first = Math.min(first, keys.get(s) ?? Infinity);
    if (first !== Infinity) return interfaces[first];
  }
  return undefined;
}

/** up: the last poll answered; down: it answered SNMP before and no longer does; else unknown. */
function statusOf(d: DeviceJson): NodeStatus {
  if (d.snmp.status === "ok") return "up";
  if (d.snmp.status === "no_response" && d.snmp.last_success !== null) return "down";
  return "unknown";
}

function deviceNode(d: DeviceJson, heard: readonly RemoteSystem[]): TopologyNodeJson {
  return {
    id: d.ip,
    name: d.name ?? firstOf(heard, (r) => r.name),
    type: d.type,
    status: statusOf(d),
    ip: d.ip,
    placeholder: false,
    platform: firstOf(heard, (r) => r.platform) ?? d.model,
    capabilities: capabilitiesOf(heard),
  };
}

function selfNode(id: string, self: SelfIdentity): TopologyNodeJson {
  return {
    id,
    name: self.name,
    type: "flintnet",
    status: "up",
    ip: self.ip,
    placeholder: false,
    platform: "Flintnet",
    capabilities: ["station_only"],
  };
}

function placeholderNode(p: Placeholder): TopologyNodeJson {
  const capabilities = capabilitiesOf(p.remotes);
  const addresses = [...new Set(p.remotes.flatMap((r) => r.addresses))].sort();
  return {
    id: p.id,
    name: firstOf(p.remotes, (r) => r.name),
    type: typeOf(capabilities),
    status: "unknown",
    ip: addresses.includes(p.id) ? p.id : addresses[0] ?? null,
    placeholder: true,
    platform: firstOf(p.remotes, (r) => r.platform),
    capabilities,
  };
}

/** A placeholder's type from what it said it does (as classification reads LLDP capabilities). */
function typeOf(caps: readonly string[]): NodeType {
  const has = (c: string) => caps.includes(c);
  if (has("wlan_access_point")) return "access_point";
  if (has("bridge") || has("switch")) return "switch";
  if (has("router")) return "router";
  return "unknown";
}

function capabilitiesOf(remotes: readonly RemoteSystem[]): string[] {
  return [...new Set(remotes.flatMap((r) => r.capabilities))].sort();
}

/** The most common non-null value among `items` (the first seen on a tie), else null. */
function firstOf<T>(items: readonly T[], pick: (t: T) => string | null): string | null {
  const counts = new Map<string, number>();
  for (const t of items) {
    const v = pick(t);
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: string | null = null, n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}
