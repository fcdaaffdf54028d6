/**
 * The topology half of the daemon: the store fed by device polls (LLDP/CDP tables, forwarding tables)
 * and by capture (LLDP/CDP frames), its state in topology.json, a tick that ages neighbours seen in
 * capture and takes in the registry's news, and the offer of each placeholder's address to discovery.
 */
import { join } from "node:path";
import { createLogger } from "../base/mod.ts";
import type { Config } from "../config/mod.ts";
import type { EventBus } from "../events/mod.ts";
import { cidrContains, tryParseCidr } from "../net/mod.ts";
import type { PollPart } from "../polling/mod.ts";
import type { DeviceSide } from "./device_side.ts";
import {
  loadTopologyFile,
  PassiveDiscovery,
  saveTopologyFile,
  type SelfIdentity,
  topologyPollPart,
  TopologyStore,
} from "../topology/mod.ts";

/** How often neighbours seen in capture are aged and the registry's changes taken in. */
const TICK_MS = 5_000;
/** How often the state is saved when it changed. */
const SAVE_MS = 10_000;
/** How long the capture interface's address is reused before it is looked up again. */
const SELF_TTL_MS = 60_000;

/** The running topology side. */
export interface TopologySide {
  /** The map. */
  readonly store: TopologyStore;
  /** Counters for /stats. */
  stats(): Record<string, unknown>;
  /** Stops the timers and saves the state. */
  stop(): Promise<void>;
}

/**
 * The packet-level detector of LLDP/CDP frames, built with the pipeline before the store exists: what
 * it reads before start() is dropped (capture starts last, so nothing is).
 */
export function passiveTopology(): { detector: PassiveDiscovery; attach(store: TopologyStore): void } {
  let store: TopologyStore | undefined;
  return {
    detector: new PassiveDiscovery((o) => store?.observePassive(o)),
    attach: (s) => void (store = s),
  };
}

/** Flintnet's own node: the host name, and the first capture interface's IPv4 address. */
function selfIdentity(cfg: Config): () => SelfIdentity {
  let cached: { at: number; self: SelfIdentity } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > SELF_TTL_MS) {
      const ip = Deno.networkInterfaces().find((i) => i.name === cfg.interfaces[0] && i.family === "IPv4");
      cached = { at: now, self: { name: Deno.hostname(), ip: ip?.address ?? null } };
    }
    return cached.self;
  };
}

/**
 * Reads topology.json and makes the store; call {@link TopologyStarter.start} right after the device
 * side has started (its registry is what nodes are matched against).
 */
export async function loadTopologySide(cfg: Config, bus: EventBus): Promise<TopologyStarter> {
  const log = createLogger("topology");
  const path = join(cfg.stateDir, "topology.json");
  const loaded = await loadTopologyFile(path);
  if (loaded.problem) {
    log.error("topology state was unreadable: moved aside, the map starts afresh", {
      problem: loaded.problem,
    });
  }
  if (loaded.skipped) {
    log.warn("topology state had entries that did not parse: skipped", { skipped: loaded.skipped });
  }
  let devices: DeviceSide | undefined;
  const cidrs = cfg.cidrs.map((c) => tryParseCidr(c)).filter((c) => c !== undefined);
  const store = new TopologyStore({
    publish: (e) => bus.publish(e),
    devices: () => devices?.registry.list() ?? [],
    devicesVersion: () => devices?.registry.notableChanges ?? -1,
    device: (ip) => devices?.registry.get(ip),
    self: selfIdentity(cfg),
    agePolls: cfg.topology.agePolls,
    // A neighbour's management address inside the local networks is probed like a swept host.
    offerAddress(ip) {
      const d = devices;
      if (!d || d.registry.get(ip) || !cidrs.some((c) => cidrContains(c, ip))) return;
      d.inventory.probe(ip).then((system) => {
        if (system) d.inventory.found({ ip, mac: null, system, via: "snmp" });
      }).catch(() => {});
    },
  });
  return {
    store,
    pollPart: topologyPollPart((ip, poll) => store.observePoll(ip, poll)),
    start(deviceSide, passive) {
      devices = deviceSide;
      store.restore(loaded.polled, loaded.passive);
      passive.attach(store);
      let saving: Promise<void> = Promise.resolve();
      const save = () => {
        const changes = store.unsaved;
        if (changes === 0) return saving;
        saving = saving.then(() => saveTopologyFile(path, store.state(), Date.now()))
          .then(() => store.markSaved(changes))
          .catch((err) => log.error("topology state could not be saved", { error: err }));
        return saving;
      };
      const timers = [setInterval(() => store.tick(), TICK_MS), setInterval(save, SAVE_MS)];
      return {
        store,
        stats: () => ({ ...store.stats(), ...passive.detector.counters() }),
        async stop() {
          for (const t of timers) clearInterval(t);
          await save();
        },
      };
    },
  };
}

/** The store, loaded, waiting for the device side. */
export interface TopologyStarter {
  /** The map (empty until start). */
  readonly store: TopologyStore;
  /** The LLDP/CDP part of every device's poll, feeding the store. */
  readonly pollPart: PollPart;
  /** Restores the saved map against the registry, attaches capture, starts ageing and saving. */
  start(devices: DeviceSide, passive: ReturnType<typeof passiveTopology>): TopologySide;
}
