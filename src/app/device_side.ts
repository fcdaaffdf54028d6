/**
 * The device half of the daemon, built from the configuration: the registry (devices.json), the ARP
 * watcher and its state (arp-state.json), discovery sweeps, the SNMP poll cycle and the trap receiver.
 * The ARP detector is handed to the flow pipeline as a packet-level detector; everything else runs on
 * timers and publishes on the bus.
 */
import { join } from "node:path";
import type { EventBus } from "../events/mod.ts";
import { type Config, defaultGateways } from "../config/mod.ts";
import {
  ALLOWLIST_FILE,
  type ArpSecurityDetector,
  AttackAllowlist,
  type BlocklistWatch,
  type CleartextWatch,
  createPacketDetectors,
  type NameWatch,
  ThreatLists,
} from "../detect/mod.ts";
import type { PollPart } from "../polling/mod.ts";
import { type Detector, type FlowTable, localHosts } from "../flow/mod.ts";
import { ArpHistory, ArpStateError, DeviceRegistry, Inventory, OuiRegistry } from "../devices/mod.ts";
import { arpSweep, DiscoveryScheduler, DiscoverySweeper, publishSweepProgress } from "../discovery/mod.ts";
import { normalizeMac } from "../net/mod.ts";
import { createLogger, moveAside, removeStaleTempFiles } from "../base/mod.ts";
import { CredentialTable, TrapReceiver } from "../snmp/mod.ts";
import type { DeviceAckResult } from "../http/mod.ts";

/** How long the traffic-derived host list is reused (one table scan serves a whole sweep). */
const LOCAL_HOSTS_TTL_MS = 30_000;
/** How often the attack allow list's modification time is looked at. */
const ALLOWLIST_RELOAD_MS = 5_000;
/** How often the ARP state is saved when it changed. */
const ARP_SAVE_MS = 60_000;

/** The running device side. */
export interface DeviceSide {
  /** Devices. */
  readonly registry: DeviceRegistry;
  /** Per-MAC ARP history. */
  readonly arpHistory: ArpHistory;
  /** The ARP security detector. */
  readonly arp: ArpSecurityDetector;
  /** Every packet-level detector (the ARP watcher among them), for the flow pipeline. */
  readonly packetDetectors: readonly Detector[];
  /** Names on flows and each host's DNS history (docs/visibility.md). */
  readonly names: NameWatch;
  /** Cleartext protocols seen in payloads (one of the packet detectors), for the insecure-protocol advisory. */
  readonly cleartext: CleartextWatch;
  /** Flows to or from block-listed addresses (FLINTNET_BLOCKLISTS). */
  readonly blocklists: BlocklistWatch;
  /** Sweeps on demand and on time. */
  readonly discovery: DiscoveryScheduler;
  /** Polls and traps → registry. */
  readonly inventory: Inventory;
  /** Marks a device (by IP or MAC) known and saves the ARP state; resolves once it is on disk. */
  acknowledge(id: string): Promise<DeviceAckResult>;
  /** Counters for /stats. */
  stats(): Record<string, unknown>;
  /** Stops sweeps, polls and traps; saves the registry and ARP state. */
  stop(): Promise<void>;
}

/**
 * Reads arp-state.json; a corrupt file is moved aside (and said so), never silently dropped. Temporary
 * files of a save killed mid-write are removed first, as devices.json's are.
 */
async function loadArpHistory(path: string, log: ReturnType<typeof createLogger>): Promise<ArpHistory> {
  await removeStaleTempFiles(path);
  try {
    return await ArpHistory.load(path);
  } catch (err) {
    if (!(err instanceof ArpStateError)) throw err;
    const aside = await moveAside(path);
    log.error("ARP state was unreadable: moved aside, learning starts again", {
      moved_to: aside,
      reason: err.message,
    });
    return new ArpHistory({ path });
  }
}

/** Loads state and starts discovery, polling (with the extra `pollParts` modules above add) and traps. */
export async function startDeviceSide(
  cfg: Config,
  bus: EventBus,
  table: FlowTable,
  learningPeriodS: number,
  pollParts: readonly PollPart[] = [],
): Promise<DeviceSide> {
  const log = createLogger("devices");
  const { lookup: oui, missing } = await OuiRegistry.lazy();
  if (missing) log.warn("no IEEE OUI registry: vendors stay unknown; install the ieee-data package");
  const registry = new DeviceRegistry({
    path: join(cfg.stateDir, "devices.json"),
    publish: (e) => bus.publish(e),
    oui,
  });
  const loaded = await registry.load();
  if (loaded.movedAside) {
    log.error("devices.json was unreadable: moved aside, discovery starts afresh", {
      moved_to: loaded.movedAside,
      problem: loaded.problem,
    });
  }
  const arpHistory = await loadArpHistory(join(cfg.stateDir, "arp-state.json"), log);
  // Block lists are read before capture starts, then looked at on a timer (never per packet).
  const threatLists = new ThreatLists(cfg.visibility.blocklists);
  await threatLists.refresh();
  const allowlist = new AttackAllowlist(join(cfg.stateDir, ALLOWLIST_FILE));
  await allowlist.refresh();
  const packetDetectors = createPacketDetectors({
    arpHistory,
    publish: (e) => bus.publish(e),
    learningPeriodS,
    allowMacs: cfg.arp.allowMacs,
    windowS: cfg.arp.windowS,
    vendor: (mac) => oui.vendor(mac),
    routeGateways: () => defaultGateways(),
    table,
    retransmissions: { rate: cfg.visibility.retransRate, minSegments: cfg.visibility.retransMinSegments },
    dns: { perHost: cfg.visibility.dnsHistory, hosts: cfg.visibility.dnsHosts },
    blocklists: threatLists,
    attack: { threshold: cfg.visibility.attackScore, synMin: cfg.visibility.attackSynMin, allowlist },
  });
  const arp = packetDetectors.arp;
  const credentials = new CredentialTable({
    defaultCredentials: cfg.snmp.defaultCredentials,
    rules: cfg.snmp.rules,
  });
  let hosts: { at: number; map: Map<string, number[]> } | undefined;
  const trafficHosts = () => {
    const now = Date.now();
    if (!hosts || now - hosts.at > LOCAL_HOSTS_TTL_MS) hosts = { at: now, map: localHosts(table, cfg.cidrs) };
    return hosts.map;
  };
  const inventory = new Inventory({
    registry,
    bus,
    credentials,
    snmp: cfg.snmp,
    concurrency: cfg.discovery.concurrency,
    servicePorts: trafficHosts,
    onArpTable: (entries, atMs) => arp.observeArpTable(entries, atMs),
    pollParts,
    onDefaultRoute: (device, nextHop) => arp.notePolledGateway(device, nextHop),
  });
  const sweeper = new DiscoverySweeper({
    concurrency: cfg.discovery.concurrency,
    arpSweep: (iface, targets, signal) => arpSweep({ iface, targets, signal }),
    snmpProbe: (ip) => inventory.probe(ip),
    onProgress: (p, phase) => publishSweepProgress(bus, p, phase),
    onFound: (f) => inventory.found(f),
    onUnanswered: (ip) => inventory.unanswered(ip),
  });
  const discovery = new DiscoveryScheduler({
    sweeper,
    cidrs: cfg.cidrs,
    interfaces: cfg.interfaces,
    knownHosts: () => [...trafficHosts().keys(), ...registry.list().map((d) => d.ip)],
    intervalS: cfg.discovery.intervalS,
  });
  let traps: TrapReceiver | undefined;
  let trapError: string | null = null;
  if (cfg.trapListen) {
    const receiver = new TrapReceiver({
      hostname: cfg.trapListen.hostname,
      port: cfg.trapListen.port,
      // A trap is accepted with the community Flintnet itself uses for that network; SNMPv3 networks
      // send no community Flintnet would accept.
      communities: (ip) => {
        const c = credentials.for(ip);
        return c.version === "v2c" ? [c.community] : [];
      },
      publish: (e) => bus.publish(e),
      maxVarbinds: cfg.traps.maxVarbinds,
      maxValueBytes: cfg.traps.maxValueBytes,
      rateLimit: { perSource: cfg.traps.perSourcePerMinute, total: cfg.traps.totalPerMinute },
      interfaceName: (ip, ifIndex) =>
        registry.get(ip)?.interfaces.find((i) => i.index === ifIndex)?.name ?? null,
    });
    try {
      await receiver.start();
      traps = receiver;
    } catch (err) {
      // Traps are one source among several: the rest of Flintnet keeps running, and says why.
      trapError = err instanceof Error ? err.message : String(err);
      log.error(
        `SNMP traps are not received: ${trapError}; set FLINTNET_TRAP_LISTEN to a free address (or off)`,
        { listen: `${cfg.trapListen.hostname}:${cfg.trapListen.port}` },
      );
    }
  }
  inventory.attachTraps(bus);
  const timers = [
    setInterval(() => void inventory.pollAll(), cfg.snmp.pollIntervalS * 1000),
    setInterval(() =>
      void (arpHistory.dirty && arpHistory.save().catch((err) => {
        log.error("ARP state could not be saved", { error: err });
      })), ARP_SAVE_MS),
  ];
  // the allow list is small: looked at every few seconds, so an edit takes effect before the next interval
  timers.push(setInterval(() => void allowlist.refresh(), ALLOWLIST_RELOAD_MS));
  if (threatLists.count > 0) {
    timers.push(setInterval(() => void threatLists.refresh(), cfg.visibility.blocklistReloadS * 1000));
  }
  // The first sweep is started by the caller once the API answers (app.ts): with a large registry it
  // probes every known device, work that would otherwise compete with loading the rest of the state.
  return {
    registry,
    arpHistory,
    arp,
    packetDetectors: packetDetectors.all,
    names: packetDetectors.names,
    cleartext: packetDetectors.cleartext,
    blocklists: packetDetectors.blocklists,
    discovery,
    inventory,
    async acknowledge(id) {
      const listed = registry.get(id);
      const mac = normalizeMac(id) ?? listed?.mac;
      if (!mac) return listed ? { noMac: true } : { unknown: true };
      if (!arp.acknowledge(mac)) return { unknown: true };
      // Answered once it is on disk: a crash right after the 200 must not forget it. A failed save
      // rejects, and the request is answered 500.
      await arpHistory.save();
      return { mac };
    },
    stats: () => ({
      devices: registry.size,
      devices_refused: registry.refused,
      discovery: discovery.status(),
      poll: inventory.lastCycle,
      pollers: inventory.pollerStats(),
      arp: arp.counters(),
      blocklists: { lists: threatLists.status(), ...packetDetectors.blocklists.counters },
      attack: {
        ...packetDetectors.attack.counters,
        open_episodes: packetDetectors.attack.openEpisodes,
        allowlist_entries: allowlist.entries,
      },
      traps: traps ? { listening: true, ...traps.counters() } : { listening: false, error: trapError },
    }),
    async stop() {
      for (const t of timers) clearInterval(t);
      await discovery.stop();
      await traps?.stop();
      inventory.detach();
      await registry.stop();
      if (arpHistory.dirty) await arpHistory.save();
    },
  };
}
