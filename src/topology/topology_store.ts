/**
 * The topology: what every polled device last said about its neighbours (each report aging out after
 * it went unreported for `agePolls` polls of that device), what capture saw (aging out by the sender's
 * own TTL), and the graph built from them. Each rebuild is compared with the last one and the
 * differences are published as `topology` events; a placeholder's address is offered to discovery.
 *
 * Every device's poll that says something new asks for a build, so a site with 1,311 SNMP switches among
 * 65,536 devices whose forwarding tables change asks for one every few tens of milliseconds (a build 14–18
 * ms there). A build that took {@link SLOW_BUILD_MS} or more is therefore not repeated sooner than
 * {@link BUILD_GAP} times its own duration after it (5 % of the thread at most): the changes in between wait
 * and go into one build, and their events come with it. A read of the map (snapshot()) builds at once what
 * is waiting. Smaller networks, whose builds are quicker, see each change at once.
 *
 * The registry's devices are kept indexed between builds ({@link DeviceKeys}), read again only when its
 * version says it published a change; the periodic tick builds nothing while it has not. Edges read their
 * interfaces' rates from the registry when the map is shown. (Before, each tick built from the whole
 * registry: 65–150 ms every 5 s with 65,536 devices.)
 */
import type { DeviceJson, TopologyEvent, TopologyJson } from "../events/mod.ts";
import { DeviceKeys } from "./device_keys.ts";
import { type FdbEntry, withFdbHosts } from "./fdb_hosts.ts";
import { buildGraph, type DeviceLookup, type Graph } from "./graph_builder.ts";
import { edgeToJson, graphToJson } from "./graph_json.ts";
import type { NeighbourReport } from "./neighbour.ts";
import type { SelfIdentity } from "./node_index.ts";
import { DEFAULT_MAX_PASSIVE, type PassiveNeighbour, PassiveNeighbours } from "./passive_neighbours.ts";
import type { PassiveObservation } from "./passive_report.ts";

/** What one topology poll of a device read (see poll_topology.ts). */
export interface TopologyPoll {
  /** The device's own LLDP chassis IDs, kind:value. */
  chassisIds: string[];
  /** The device's own LLDP system name and CDP device ID. */
  names: string[];
  /** Its neighbours, LLDP and CDP. */
  reports: NeighbourReport[];
  /** Its bridge forwarding table; null when it was not read (absent, or failed). */
  fdb: FdbEntry[] | null;
}

/** A report and the polls since it was last seen. */
export interface AgedReport {
  /** The report as last seen. */
  report: NeighbourReport;
  /** Polls of the device in a row that did not include it. */
  missed: number;
}

/** What is kept per polled device. */
export interface PolledTopology {
  chassisIds: string[];
  names: string[];
  reports: Map<string, AgedReport>;
  fdb: FdbEntry[];
}

/** Options of {@link TopologyStore}. */
export interface TopologyStoreOptions {
  /** Where `topology` events go. */
  publish: (e: TopologyEvent) => void;
  /** The registry's devices now. */
  devices: () => Iterable<DeviceJson>;
  /**
   * A number that changes whenever a device changes in a way the map shows (found, its identity, type,
   * poll status or interface set: the registry's `notableChanges`). When given, the periodic tick skips
   * the build while it stays the same and nothing else changed.
   */
  devicesVersion?: () => number;
  /**
   * The registry's device at an address now, read when the map is shown (the edges' interface rates,
   * which change with every poll and are no reason to build). @default as of the last build
   */
  device?: (ip: string) => DeviceJson | undefined;
  /** Flintnet's own box. */
  self: () => SelfIdentity;
  /** Polls a report may go unreported before its edge ages out (FLINTNET_TOPOLOGY_AGE_POLLS). */
  agePolls: number;
  /** Offered each placeholder's management address, at most once an hour per address. */
  offerAddress?: (ip: string) => void;
  /** Clock, ms. @default Date.now */
  now?: () => number;
  /** Neighbours seen in capture kept at most. @default 1024 */
  maxPassive?: number;
  /** Monotonic clock, ms, timing the builds. @default performance.now */
  monotonic?: () => number;
}

/**
 * Reports kept per device at most: an agent that names new neighbours on every poll (a hostile one, or a
 * hub of churning hosts) keeps this many, the least missed first, while the others age.
 */
export const MAX_REPORTS_PER_DEVICE = 8192;

/** A build that took this long (ms) or more is not repeated at once: see the module comment. */
const SLOW_BUILD_MS = 5;
/** After a slow build, the next one waits this many times its duration from its end. */
const BUILD_GAP = 20;

/** An address is offered to discovery again only after this long. */
const OFFER_AGAIN_MS = 3_600_000;

/** The topology of the network. */
export class TopologyStore {
  readonly #o: TopologyStoreOptions;
  readonly #polled = new Map<string, PolledTopology>();
  readonly #passive: PassiveNeighbours;
  readonly #offered = new Map<string, number>();
  #graph: Graph | undefined;
  /** The registry's devices as of the last sync, and the devicesVersion it was at. */
  readonly #devices = new DeviceKeys();
  #devicesVersion: number | undefined;
  /** Where edges read their interfaces' rates. */
  readonly #live: DeviceLookup;
  /** Changes since the last save. */
  #changes = 0;
  /** Times the builds. */
  readonly #clock: () => number;
  /** How long the last build took, and when it ended (monotonic ms). */
  #buildMs = 0;
  #builtAt = -Infinity;
  /** The build that waits for its turn after a slow one, if any. */
  #waiting: ReturnType<typeof setTimeout> | undefined;

  /** @throws RangeError for agePolls that is not a whole number ≥ 1 */
  constructor(o: TopologyStoreOptions) {
    if (!Number.isInteger(o.agePolls) || o.agePolls < 1) {
      throw new RangeError(`agePolls ${o.agePolls} is not valid; accepted: a whole number ≥ 1`);
    }
    this.#o = o;
    this.#clock = o.monotonic ?? performance.now.bind(performance);
    this.#live = o.device ? { get: o.device } : this.#devices;
    this.#passive = new PassiveNeighbours(o.maxPassive ?? DEFAULT_MAX_PASSIVE);
  }

  /**
   * What a poll of device `ip` read: new reports replace old ones, missing ones age. Rebuilds. A poll that
   * says what the last one said (most polls of a stable network, and every poll of a device without LLDP,
   * CDP or a bridge) changes nothing: no build, and nothing for topology.json to rewrite.
   */
  observePoll(ip: string, poll: TopologyPoll): void {
    const last = this.#polled.get(ip);
    if (last ? samePoll(last, poll) : isEmptyPoll(poll)) return;
    const e = last ?? { chassisIds: [], names: [], reports: new Map(), fdb: [] };
    e.chassisIds = poll.chassisIds;
    e.names = poll.names;
    const fresh = new Map(poll.reports.map((r) => [reportKey(r), r]));
    for (const [k, old] of e.reports) {
      if (!fresh.has(k) && ++old.missed >= this.#o.agePolls) e.reports.delete(k);
    }
    for (const [k, report] of fresh) e.reports.set(k, { report, missed: 0 });
    if (e.reports.size > MAX_REPORTS_PER_DEVICE) {
      const kept = [...e.reports].sort(([, a], [, b]) => a.missed - b.missed).slice(
        0,
        MAX_REPORTS_PER_DEVICE,
      );
      e.reports = new Map(kept);
    }
    if (poll.fdb !== null) e.fdb = poll.fdb;
    if (e.chassisIds.length || e.names.length || e.reports.size || e.fdb.length) this.#polled.set(ip, e);
    else this.#polled.delete(ip);
    this.#changes++;
    this.#changed();
  }

  /** An LLDP or CDP frame seen in capture; rebuilds when it says something new. */
  observePassive(o: PassiveObservation): void {
    if (!this.#passive.observe(o)) return;
    this.#changes++;
    this.#changed();
  }

  /**
   * The periodic look: neighbours seen in capture whose TTL ran out leave, devices gone from the
   * registry take their reports with them, and the registry's news (a placeholder now a device, a
   * device down) is taken in. Publishes what changed; builds nothing when nothing did (see
   * {@link TopologyStoreOptions.devicesVersion}), and after a slow build waits its turn.
   */
  tick(): void {
    const expired = this.#passive.expire(this.#now());
    if (expired) this.#changes++;
    if (!expired && this.#devicesCurrent()) return;
    this.#syncDevices();
    for (const ip of this.#polled.keys()) {
      if (!this.#devices.has(ip)) {
        this.#polled.delete(ip);
        this.#changes++;
      }
    }
    this.#changed();
  }

  /** Whether the registry has not changed what the map shows since the last sync (false when unknown). */
  #devicesCurrent(): boolean {
    const v = this.#o.devicesVersion?.();
    return v !== undefined && v === this.#devicesVersion;
  }

  #syncDevices(): void {
    // Nothing reported: the map is empty whatever the registry holds, and its devices wait until needed
    // (a site without LLDP, CDP or forwarding tables never indexes them).
    if (this.#polled.size === 0 && this.#passive.size === 0) return;
    if (this.#devicesCurrent()) return;
    this.#devicesVersion = this.#o.devicesVersion?.();
    this.#devices.sync(this.#o.devices());
  }

  /** Builds the graph again and publishes the nodes and edges that appeared or disappeared. */
  rebuild(publish = true): void {
    if (this.#waiting !== undefined) clearTimeout(this.#waiting);
    this.#waiting = undefined;
    const before = this.#graph;
    const started = this.#clock();
    const g = this.#build();
    this.#builtAt = this.#clock();
    this.#buildMs = this.#builtAt - started;
    this.#graph = g;
    if (publish && before) this.#publishDiff(before, g);
    this.#offer(g);
  }

  /** A build is waiting for its turn after a slow one (see the module comment). */
  get rebuildWaiting(): boolean {
    return this.#waiting !== undefined;
  }

  /** A change: built now, or once the last build's gap has passed when it was slow. */
  #changed(): void {
    if (this.#buildMs < SLOW_BUILD_MS) return this.rebuild();
    if (this.#waiting !== undefined) return;
    const wait = this.#builtAt + BUILD_GAP * this.#buildMs - this.#clock();
    if (wait <= 0) return this.rebuild();
    this.#waiting = setTimeout(() => this.rebuild(), wait);
    // The owner's timers decide the process's life; a stop saves the state, not the map.
    Deno.unrefTimer(this.#waiting as unknown as number);
  }

  /** The map; with `hosts`, forwarding-table hosts attached to their access ports too. */
  snapshot(hosts = false): TopologyJson {
    if (this.#waiting !== undefined) this.rebuild();
    const g = this.#graph ?? this.#build();
    if (!hosts) return graphToJson(g, this.#live);
    const fdb = new Map([...this.#polled].map(([ip, p]) => [ip, p.fdb]));
    return graphToJson(withFdbHosts(g, fdb), this.#live);
  }

  /** Counters for /stats. */
  stats(): Record<string, number> {
    const g = this.#graph;
    let reports = 0, fdb = 0;
    for (const p of this.#polled.values()) {
      reports += p.reports.size;
      fdb += p.fdb.length;
    }
    return {
      nodes: g?.nodes.size ?? 0,
      edges: g?.edges.size ?? 0,
      placeholders: g ? [...g.nodes.values()].filter((n) => n.placeholder).length : 0,
      polled_devices: this.#polled.size,
      polled_reports: reports,
      fdb_entries: fdb,
      passive_neighbours: this.#passive.size,
      passive_evicted: this.#passive.evicted,
    };
  }

  /** Changes since {@link markSaved} (the owner saves when there are some). */
  get unsaved(): number {
    return this.#changes;
  }

  /** Says the state as it is now has been saved. */
  markSaved(changesSaved: number): void {
    this.#changes -= Math.min(this.#changes, changesSaved);
  }

  /** The state to persist: per device its identity and reports, and the neighbours seen in capture. */
  state(): { polled: Map<string, PolledTopology>; passive: PassiveNeighbour[] } {
    return { polled: new Map(this.#polled), passive: this.#passive.list() };
  }

  /**
   * Puts back a persisted state and builds the graph from it without publishing (the map as it was).
   * A device polled already since start keeps what its poll said.
   */
  restore(polled: ReadonlyMap<string, PolledTopology>, passive: readonly PassiveNeighbour[]): void {
    for (const [ip, p] of polled) if (!this.#polled.has(ip)) this.#polled.set(ip, p);
    for (const e of passive) this.#passive.restore(e);
    this.#passive.expire(this.#now());
    this.rebuild(false);
  }

  #build(): Graph {
    this.#syncDevices();
    const polled = new Map<string, { chassisIds: string[]; names: string[]; reports: NeighbourReport[] }>();
    for (const [ip, p] of this.#polled) {
      polled.set(ip, { ...p, reports: [...p.reports.values()].map((r) => r.report) });
    }
    return buildGraph({
      devices: this.#devices,
      polled,
      passive: this.#passive.list().map((e) => e.last.report),
      self: this.#o.self(),
    });
  }

  #publishDiff(before: Graph, after: Graph): void {
    const ts = new Date(this.#now()).toISOString();
    const publish = (e: Omit<TopologyEvent, "kind" | "ts">) =>
      this.#o.publish({ kind: "topology", ts, ...e });
    for (const [id, e] of before.edges) {
      if (!after.edges.has(id)) publish({ action: "edge_removed", edge: edgeToJson(e, this.#live) });
    }
    for (const [id, n] of before.nodes) {
      if (!after.nodes.has(id)) publish({ action: "node_removed", node: n });
    }
    for (const [id, n] of after.nodes) if (!before.nodes.has(id)) publish({ action: "node_added", node: n });
    for (const [id, e] of after.edges) {
      if (!before.edges.has(id)) publish({ action: "edge_added", edge: edgeToJson(e, this.#live) });
    }
  }

  /** Offers the addresses of placeholders to discovery, each at most once an hour. */
  #offer(g: Graph): void {
    const offer = this.#o.offerAddress;
    if (!offer) return;
    const now = this.#now();
    for (const n of g.nodes.values()) {
      if (!n.placeholder || n.ip === null) continue;
      const at = this.#offered.get(n.ip);
      if (at !== undefined && now - at < OFFER_AGAIN_MS) continue;
      this.#offered.set(n.ip, now);
      try {
        offer(n.ip);
      } catch { /* discovery's problem; the map goes on */ }
    }
    if (this.#offered.size > 4 * DEFAULT_MAX_PASSIVE) {
      for (const [ip, at] of this.#offered) if (now - at >= OFFER_AGAIN_MS) this.#offered.delete(ip);
    }
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}

/** Whether `poll` repeats what is kept: the same identity and reports, none missing, the same forwarding table. */
function samePoll(kept: PolledTopology, poll: TopologyPoll): boolean {
  if (!sameStrings(kept.chassisIds, poll.chassisIds) || !sameStrings(kept.names, poll.names)) return false;
  if (poll.reports.length !== kept.reports.size) return false;
  for (const r of poll.reports) {
    const old = kept.reports.get(reportKey(r));
    // The same neighbour may say something else of itself (capabilities, addresses): compared whole.
    if (old === undefined || old.missed !== 0 || JSON.stringify(old.report) !== JSON.stringify(r)) {
      return false;
    }
  }
  const fdb = poll.fdb;
  if (fdb === null) return true; // not read: the table kept stays
  if (fdb.length !== kept.fdb.length) return false;
  for (let i = 0; i < fdb.length; i++) {
    if (fdb[i].mac !== kept.fdb[i].mac || fdb[i].ifIndex !== kept.fdb[i].ifIndex) return false;
  }
  return true;
}

/** A poll of a device with nothing to say: no identity, no neighbour, no forwarding table. */
function isEmptyPoll(poll: TopologyPoll): boolean {
  return poll.chassisIds.length === 0 && poll.names.length === 0 && poll.reports.length === 0 &&
    (poll.fdb === null || poll.fdb.length === 0);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What makes two reports of one device the same neighbour: protocol, local port, remote identity and port. */
export function reportKey(r: NeighbourReport): string {
  const m = r.remote;
  return [
    r.protocol,
    r.localPort.ifIndex ?? "",
    r.localPort.name,
    m.chassisId ?? "",
    m.name ?? "",
    m.port.name,
  ]
    .join("|");
}
