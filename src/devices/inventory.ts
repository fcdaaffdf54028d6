/**
 * What ties discovery, polling and traps to the device registry: a host found by a sweep becomes a
 * device (classified from its OUI and the services seen in traffic when it has no SNMP); every device
 * that answered SNMP is polled each interval (system group, capabilities, interfaces, CPU/memory, ARP
 * table), classified, and its interfaces published as `interface` events; linkDown/linkUp traps update
 * the interface state; ports an sFlow agent pushes counters for become the interfaces of a device that
 * does not answer SNMP. Data flows one way: sources → registry → bus.
 */
import { createLogger, Limiter, Subsystems, type SubsystemStats } from "../base/mod.ts";
import type {
  DeviceJson,
  EventBus,
  InterfaceEvent,
  InterfaceJson,
  PortCounters,
  SnmpStatus,
  TrapEvent,
} from "../events/mod.ts";
import {
  type Capabilities,
  createDevicePollState,
  type DevicePollState,
  pollDevice,
  type PollPart,
  PortCounterBook,
  probeCapabilities,
} from "../polling/mod.ts";
import { classify } from "../classify/mod.ts";
import {
  type ArpTableEntry,
  createSnmpSession,
  type CredentialTable,
  DEFAULT_RECHECK_EVERY,
  getSystemInfo,
  SnmpError,
  type SnmpSession,
  type SnmpTarget,
  type SystemInfo,
} from "../snmp/mod.ts";
import type { FoundHost } from "../discovery/mod.ts";
import type { DeviceRegistry } from "./registry.ts";

/** Options of {@link Inventory}. */
export interface InventoryOptions {
  /** The registry every source writes into. */
  registry: DeviceRegistry;
  /** Where interface events go. */
  bus: EventBus;
  /** Credentials per network. */
  credentials: CredentialTable;
  /** Agent UDP port, timeout and retries. */
  snmp: { port: number; timeoutMs: number; retries: number };
  /** Devices polled at once. */
  concurrency: number;
  /** TCP ports each local host served in captured traffic (for hosts without SNMP). */
  servicePorts: () => ReadonlyMap<string, readonly number[]>;
  /** Polled ARP tables go here (the ARP watcher). */
  onArpTable: (entries: readonly ArpTableEntry[], atMs: number) => void;
  /** Extra parts of every device's poll (the topology's LLDP/CDP readers); results delivered after the update. */
  pollParts?: readonly PollPart[];
  /** A polled device's default route goes through `nextHop` (null: it has none); the ARP watcher's gateways. */
  onDefaultRoute?: (device: string, nextHop: string | null) => void;
  /** Opens a session (tests may count or wrap them). @default createSnmpSession */
  openSession?: (target: SnmpTarget) => SnmpSession;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

/** Counters of the last poll cycle, for /stats and /metrics. */
export interface PollCycleStats {
  /** Devices polled. */
  devices: number;
  /** Of those, how many answered. */
  ok: number;
  /** How long the cycle took, ms. */
  duration_ms: number;
  /** When it ended, ISO 8601. */
  ended_at: string;
}

const FAILURE_STATUS: Record<string, SnmpStatus> = {
  timeout: "no_response",
  refused: "no_response",
  auth_failure: "auth_failure",
};

/** What Inventory keeps per polled device between polls. */
interface PolledDevice {
  /** Interface counters and the tables the agent lacked. */
  state: DevicePollState;
  /** Successful polls so far. */
  polls: number;
  /** The last capability probe's answer; undefined until one succeeds. */
  capabilities: Capabilities | undefined;
  /** `polls` when it was read. */
  capabilitiesAt: number;
}

/** The last error of a device that a discovery probe asked over SNMP and that did not answer. */
const NO_PROBE_ANSWER = "no SNMP answer to the discovery probe";

/** Maps a trap's name to the interface state it announces. */
const LINK_TRAPS: Record<string, "down" | "up"> = { linkDown: "down", linkUp: "up" };

/** The link between sources of device knowledge and the registry. */
export class Inventory {
  readonly #o: InventoryOptions;
  readonly #log = createLogger("inventory");
  readonly #polled = new Map<string, PolledDevice>();
  /** Polls under way, by address: a device found by a sweep while the cycle polls it is polled once. */
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #limiter: Limiter;
  #cycle: Promise<PollCycleStats> | undefined;
  #last: PollCycleStats | null = null;
  #trapSub: { unsubscribe(): void } | undefined;
  /** Every part of every device's poll, timed and counted by name. */
  readonly #pollers = new Subsystems("poller");
  /** Ports whose counters sFlow agents push, with their last sample. */
  readonly #pushed = new PortCounterBook();

  constructor(opts: InventoryOptions) {
    this.#o = opts;
    this.#limiter = new Limiter(opts.concurrency);
  }

  /** The SNMP target for an address, with the credentials of its network. */
  target(ip: string): SnmpTarget {
    const { port, timeoutMs, retries } = this.#o.snmp;
    return { ip, port, timeoutMs, retries, credentials: this.#o.credentials.for(ip) };
  }

  /** Discovery's SNMP probe: the system group, or undefined when the host does not answer. */
  async probe(ip: string): Promise<SystemInfo | undefined> {
    const s = (this.#o.openSession ?? createSnmpSession)(this.target(ip));
    try {
      return await getSystemInfo(s);
    } catch {
      return undefined;
    } finally {
      s.close();
    }
  }

  /** A sweep found a host: it becomes (or refreshes) a device; an SNMP host is polled at once. */
  found(f: FoundHost): void {
    const seenAt = this.#now();
    if (f.system) {
      this.#o.registry.observe({ ip: f.ip, mac: f.mac, source: "snmp", system: f.system, seenAt });
      // Not awaited: the sweep goes on. A poll reports its failures in the device; anything else is logged.
      this.pollOne(f.ip).catch((err) => this.#log.warn("poll failed", { ip: f.ip, error: err }));
      return;
    }
    const known = this.#o.registry.get(f.ip);
    const device = this.#o.registry.observe({ ip: f.ip, mac: f.mac, source: "arp_sweep", seenAt });
    // A device that answered SNMP before keeps its classification; the poller decides its status.
    if (device === null || known?.snmp.last_success) return;
    this.#classifyWithoutSnmp(device, "arp_sweep", seenAt, NO_PROBE_ANSWER);
  }

  /**
   * An address a sweep asked that answered neither ARP nor SNMP. A device known otherwise (a router's ARP
   * table, traffic: off the attached segments, or Flintnet's own address) that has never answered SNMP now
   * says `no_response` rather than `not_polled`, which reads "not asked yet" — it was asked, at every sweep.
   */
  unanswered(ip: string): void {
    const known = this.#o.registry.get(ip);
    if (known?.snmp.status !== "not_polled") return;
    this.#o.registry.setSnmpStatus(ip, { status: "no_response", last_error: NO_PROBE_ANSWER });
  }

  /**
   * A polled ARP table names the router's neighbours: each becomes a device (or is seen again), even one
   * that answers nothing itself; the next sweep probes it.
   */
  fromArpTable(entries: readonly ArpTableEntry[], atMs: number): void {
    for (const e of entries) {
      if (e.type === "invalid") continue;
      const known = this.#o.registry.get(e.ip);
      const device = this.#o.registry.observe({ ip: e.ip, mac: e.mac, source: "arp_table", seenAt: atMs });
      if (device !== null && known === undefined) this.#classifyWithoutSnmp(device, "arp_table", atMs, null);
    }
  }

  /**
   * Ports' counters an sFlow agent pushed (in arrival order): the interfaces, with rates from one sample of
   * a port to its next, of a device that has never answered SNMP. One that has is described by its polls,
   * which name its interfaces; its pushed counters are not used (nor kept).
   */
  fromPortCounters(counters: readonly PortCounters[]): void {
    const updated = new Map<string, InterfaceJson[]>(); // by device: its ports these counters changed
    for (const c of counters) {
      const known = this.#o.registry.get(c.exporter);
      if (known?.snmp.last_success) {
        this.#pushed.forget(c.exporter);
        continue;
      }
      const itf = this.#pushed.add(c);
      if (itf === null) continue;
      const list = updated.get(c.exporter);
      if (list) list.push(itf);
      else updated.set(c.exporter, [itf]);
    }
    const seenAt = this.#now();
    for (const [ip, ports] of updated) {
      const before = this.#o.registry.get(ip)?.interfaces ?? [];
      const interfaces = this.#pushed.interfaces(ip);
      const device = this.#o.registry.observe({ ip, source: "netflow", interfaces, seenAt });
      if (device) this.#publishInterfaces(device, before, ports);
    }
  }

  /** Type from the MAC's vendor and the services seen in traffic, for a device SNMP says nothing about. */
  #classifyWithoutSnmp(
    device: DeviceJson,
    source: "arp_sweep" | "arp_table",
    seenAt: number,
    why: string | null,
  ) {
    const c = classify({
      ouiVendor: device.vendor,
      servicePorts: this.#o.servicePorts().get(device.ip) ?? [],
    });
    this.#o.registry.observe({
      ip: device.ip,
      source,
      classification: c,
      ...(why === null ? {} : { snmp: { status: "no_response" as const, last_error: why } }),
      seenAt,
    });
  }

  /** Devices the poller visits: every one that has answered SNMP at least once. */
  pollTargets(): string[] {
    return this.#o.registry.list().filter((d) => d.sys_object_id !== null || d.snmp.last_success !== null)
      .map((d) => d.ip);
  }

  /** Polls every SNMP device once; a cycle already running is joined, never doubled. */
  pollAll(): Promise<PollCycleStats> {
    if (this.#cycle) return this.#cycle;
    const started = performance.now();
    const targets = this.pollTargets();
    // A device gone from the registry takes its poll state with it.
    const current = new Set(targets);
    for (const ip of this.#polled.keys()) if (!current.has(ip)) this.#polled.delete(ip);
    let ok = 0;
    // The limiter inside pollOne bounds how many run at once, together with the polls sweeps start.
    this.#cycle = Promise.all(targets.map(async (ip) => {
      if (await this.pollOne(ip)) ok++;
    })).then(() => {
      this.#last = {
        devices: targets.length,
        ok,
        duration_ms: Math.round(performance.now() - started),
        ended_at: new Date(this.#now()).toISOString(),
      };
      return this.#last;
    }).finally(() => this.#cycle = undefined);
    return this.#cycle;
  }

  /** The last finished poll cycle. */
  /** Each poll part's runs, failures and time, by name (system, interfaces, …, topology). */
  pollerStats(): SubsystemStats[] {
    return this.#pollers.stats();
  }

  get lastCycle(): PollCycleStats | null {
    return this.#last;
  }

  /**
   * Polls one device; true when it answered. Failures become the device's poll status, never throw.
   * The capability scalars (ipForwarding, BRIDGE-MIB, …) rarely change: they are read on the first
   * successful poll and then every {@link DEFAULT_RECHECK_EVERY}th, and until a probe succeeds.
   * A poll of the same device already under way is joined: two at once would share one counter sample.
   * Every poll, from the cycle or from a sweep, takes one of `concurrency` slots.
   */
  pollOne(ip: string): Promise<boolean> {
    let running = this.#inFlight.get(ip);
    if (running === undefined) {
      running = this.#limiter.run(() => this.#poll(ip)).finally(() => this.#inFlight.delete(ip));
      this.#inFlight.set(ip, running);
    }
    return running;
  }

  async #poll(ip: string): Promise<boolean> {
    const before = this.#o.registry.get(ip);
    let polled = this.#polled.get(ip);
    if (!polled) {
      polled = { state: createDevicePollState(), polls: 0, capabilities: undefined, capabilitiesAt: 0 };
      this.#polled.set(ip, polled);
    }
    const s = (this.#o.openSession ?? createSnmpSession)(this.target(ip));
    const started = performance.now();
    try {
      const nowMs = this.#now();
      const poll = await pollDevice(s, polled.state, nowMs, {
        parts: this.#o.pollParts,
        timing: this.#pollers,
      });
      if (
        polled.capabilities === undefined || polled.polls - polled.capabilitiesAt >= DEFAULT_RECHECK_EVERY
      ) {
        const probed = await probeCapabilities(s).catch(() => undefined);
        if (probed !== undefined) {
          polled.capabilities = probed;
          polled.capabilitiesAt = polled.polls;
        }
      }
      polled.polls++;
      const capabilities = polled.capabilities;
      const classification = classify({
        system: poll.system,
        capabilities,
        ouiVendor: before?.mac ? before.vendor : null,
        servicePorts: this.#o.servicePorts().get(ip) ?? [],
      });
      const device = this.#o.registry.observe({
        ip,
        source: "snmp",
        system: poll.system,
        classification,
        interfaces: poll.interfaces,
        cpuPct: poll.cpuPct,
        memoryPct: poll.memoryPct,
        snmp: {
          status: "ok",
          last_success: new Date(nowMs).toISOString(),
          last_error: poll.warnings.length ? poll.warnings.join("; ") : null,
          poll_ms: poll.pollMs,
        },
        seenAt: nowMs,
      });
      if (device) this.#publishInterfaces(device, before?.interfaces ?? [], poll.interfaces);
      if (device) { for (const { part, result } of poll.parts) part.deliver(ip, result); }
      if (poll.defaultGateway !== undefined) this.#o.onDefaultRoute?.(ip, poll.defaultGateway);
      if (poll.arp.length) {
        this.#o.onArpTable(poll.arp, nowMs);
        this.fromArpTable(poll.arp, nowMs);
      }
      return true;
    } catch (err) {
      const failure = err instanceof SnmpError ? err.failure : "error";
      this.#o.registry.observe({
        ip,
        source: "snmp",
        snmp: {
          status: FAILURE_STATUS[failure] ?? "error",
          last_error: err instanceof Error ? err.message : String(err),
          poll_ms: Math.round(performance.now() - started),
        },
        seenAt: before ? Date.parse(before.last_seen) : undefined,
      });
      if (!(err instanceof SnmpError)) this.#log.warn("poll failed", { ip, error: err });
      return false;
    } finally {
      s.close();
    }
  }

  /** Applies linkDown/linkUp traps to the interface they name, and publishes the change. */
  attachTraps(bus: EventBus): void {
    this.#trapSub = bus.subscribe((e) => {
      if (e.kind === "trap") this.#onTrap(e);
    }, { kinds: ["trap"], name: "inventory-traps" });
  }

  /** Stops listening to traps. */
  detach(): void {
    this.#trapSub?.unsubscribe();
  }

  #onTrap(e: TrapEvent): void {
    const state = LINK_TRAPS[e.name];
    if (state === undefined || e.if_index === null) return;
    const iface = this.#o.registry.setInterfaceStatus(e.source_ip, e.if_index, state);
    if (!iface) return;
    const device = this.#o.registry.get(e.source_ip);
    this.#publishInterface(
      device?.name ?? null,
      e.source_ip,
      iface,
      state === "down" ? "link_down" : "link_up",
    );
  }

  #publishInterfaces(
    device: DeviceJson,
    before: readonly InterfaceJson[],
    now: readonly InterfaceJson[],
  ): void {
    const old = new Map(before.map((i) => [i.index, i]));
    for (const i of now) {
      const prev = old.get(i.index), was = prev?.oper_status;
      const change = was === undefined || was === i.oper_status
        ? "poll"
        : i.oper_status === "up"
        ? "link_up"
        : was === "up"
        ? "link_down"
        : "poll";
      // Interfaces without rates (a first poll) say nothing new unless their state changed — or unless they
      // had rates at the poll before (the agent restarted, a counter was reset): the rates a client shows,
      // and the link colours on the topology, are no longer current, and only this event says so.
      if (change === "poll" && !hasRates(i) && !(prev !== undefined && hasRates(prev))) continue;
      this.#publishInterface(device.name, device.ip, i, change);
    }
  }

  #publishInterface(
    name: string | null,
    ip: string,
    i: InterfaceJson,
    change: InterfaceEvent["change"],
  ): void {
    this.#o.bus.publish({
      kind: "interface",
      ts: new Date(this.#now()).toISOString(),
      device_ip: ip,
      device_name: name,
      interface: i,
      change,
    });
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}

/** Whether a poll measured any rate on the interface (octets or errors): the first poll of one has none. */
function hasRates(i: InterfaceJson): boolean {
  return i.in_bps !== null || i.in_errors_per_s !== null;
}
