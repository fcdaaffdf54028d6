/**
 * Builds every component from the resolved configuration and owns their lifetime: start() brings
 * them up downstream-first (stores, detectors, pipeline, then capture), stop() takes them down
 * upstream-first (capture first, so nothing is published into a half-stopped pipeline).
 */
import { AnomalyStore } from "../alert/mod.ts";
import type { Config } from "../config/mod.ts";
import { type AlertSide, startAlertSide } from "./alert_side.ts";
import { type DeviceSide, startDeviceSide } from "./device_side.ts";
import { EventBus } from "../events/mod.ts";
import { compileBpf, LiveCapture, useLibpcap } from "../capture/mod.ts";
import { BaselineKeeper, VolumeAnomalyDetector } from "../detect/mod.ts";
import { parseCidr, parseIp, releaseExecutablePages, trimMalloc } from "../net/mod.ts";
import { FlowPipeline, FlowTable, hostTcpHealth, type HostTcpHealthJson } from "../flow/mod.ts";
import {
  type BoundHttpServer,
  createHttpApp,
  type DeviceSource,
  type HttpServer,
  SseHub,
} from "../http/mod.ts";
import { StatsTicker } from "./stats_ticker.ts";
import { apiToken, bindListener, checkInterfaces, ensureStateDir } from "./startup_checks.ts";
import { acquireInstanceLock, type InstanceLock } from "./instance_lock.ts";
import { healthProblems } from "./health.ts";
import {
  checkStateSchema,
  isFreshStateDir,
  markStateSchema,
  migrateState,
  STATE_SCHEMA,
} from "./state_schema.ts";
import { TrapLog } from "./trap_log.ts";
import { createLogger, HeapReducer, VERSION } from "../base/mod.ts";
import { loadTopologySide, passiveTopology, type TopologySide } from "./topology_side.ts";
import { createCollector, exporterOffers, recordsInto, startCollector } from "./collector_side.ts";
import { createAnalysisSide } from "./analysis_side.ts";
import { type SinkSide, startSinks } from "../sinks/mod.ts";
import { createRecordingSide } from "./recording_side.ts";

/** A running Flintnet. */
export interface App {
  /** Event bus every component publishes on. */
  readonly bus: EventBus;
  /** The flow table. */
  readonly table: FlowTable;
  /** Recent anomalies. */
  readonly anomalies: AnomalyStore;
  /** Capture counters and pipeline counters, for /stats and logs. */
  stats(): Record<string, unknown>;
  /** Brings everything up. */
  start(): Promise<void>;
  /** Takes everything down, capture first. */
  stop(): Promise<void>;
  /** Where the HTTP API listens, once started. */
  readonly httpAddr: Deno.NetAddr | undefined;
  /** Devices, discovery, polling, traps and ARP watching, once started. */
  readonly devices: DeviceSide | undefined;
  /** Alert history, policy and delivery, once started. */
  readonly alerts: AlertSide | undefined;
  /**
   * Re-reads the API token (SIGHUP, `flintnet token rotate`): `envToken` when FLINTNET_API_TOKEN is set,
   * else the state directory's token file. Resolves true when the token changed.
   */
  reloadApiToken(envToken: string | undefined): Promise<boolean>;
}

/** How often the clock is advanced when no packet does it (a quiet network still closes intervals). */
const CLOCK_TICK_MS = 1000;
/** How often a summary line is logged. */
const STATS_LOG_MS = 60_000;
/**
 * Least time between two releases of the executable's pages: each reads /proc/self/smaps (milliseconds) and
 * makes the loop's own code fault back in (a few thousand faults served from the page cache).
 */
const EXECUTABLE_PAGES_EVERY_MS = 10 * 60_000;
/** When the executable's pages are given back at the latest, if the main thread was never quiet before. */
const EXECUTABLE_PAGES_FIRST_MS = 60_000;

/** The address a person on the LAN would type: the listen address, or the capture interface's. */
function dashboardHost(cfg: Config): string {
  const h = cfg.listen.hostname;
  if (h !== "0.0.0.0" && h !== "::" && h !== "") return h.includes(":") ? `[${h}]` : h;
  const addr = Deno.networkInterfaces().find((i) => i.name === cfg.interfaces[0] && i.family === "IPv4");
  return addr?.address ?? Deno.hostname();
}

/**
 * What GET /devices and /devices/:ip show: the registry, and for one device its ARP history (every IP
 * its MAC held, the change log), who else claimed its IP, and its last 20 security alerts.
 */
function deviceSource(devices: DeviceSide, alerts: AlertSide, table: FlowTable): DeviceSource {
  return {
    list: () => devices.registry.list(),
    get: (ip) => devices.registry.get(ip),
    detail(ip) {
      const mac = devices.registry.get(ip)?.mac ?? null;
      return {
        arp: mac ? devices.arpHistory.toJson(mac) : null,
        ip_claims: devices.arpHistory.ipClaims(ip),
        alerts: mac ? alerts.ring.forMac(mac) : [],
        // visibility (docs/visibility.md): what it asked DNS, newest first, and its TCP health
        dns_history: [...devices.names.book.history(ip)].reverse(),
        tcp_health: tcpHealthOf(table, ip),
      };
    },
  };
}

/** The TCP health of the host with text address `ip` (the route gave it in canonical form). */
function tcpHealthOf(table: FlowTable, ip: string): HostTcpHealthJson | null {
  const p = parseIp(ip);
  return p ? hostTcpHealth(table, p.family, p.words) : null;
}

/** Builds the daemon from its configuration. Throws BpfError on a bad filter, before anything starts. */
export function createApp(cfg: Config): App {
  const log = createLogger("app");
  // Compiled here only to refuse a bad expression before anything starts; each capture Worker compiles
  // it again for its own interface (link type, and `vlan` matching the tag the kernel strips).
  useLibpcap(cfg.libpcap);
  compileBpf(cfg.bpf, cfg.snaplen);
  checkInterfaces(cfg);
  const bus = new EventBus();
  const table = new FlowTable(cfg.maxFlows);
  const anomalies = new AnomalyStore(cfg.anomaly.storeSize);
  // The detector reads its options at every interval: PUT /config/alerts changes this object in place.
  const anomalyOptions = { ...cfg.anomaly };
  const anomalyDetector = new VolumeAnomalyDetector(table, anomalyOptions, (e) => bus.publish(e), {
    // Hosts and subnets of the local networks get baselines of their own (private ranges when none are set).
    localNetworks: cfg.cidrs.length > 0 ? cfg.cidrs.map(parseCidr) : undefined,
  });
  const baselines = new BaselineKeeper({
    stateDir: cfg.stateDir,
    bank: anomalyDetector.hourOfDay,
    intervalS: cfg.anomaly.intervalS,
  });
  const passive = passiveTopology();
  // Advisories: the engine reads each interval's counters, so it runs before the anomaly detector.
  const analysis = createAnalysisSide(cfg, table, bus);
  // PCAP recording: its bandwidth trigger reads each interval before the anomaly detector starts the next.
  const recording = createRecordingSide(cfg, table, bus);
  const early = recording.detector ? [recording.detector] : [];
  const pipeline = new FlowPipeline(table, [analysis.engine, ...early, anomalyDetector, passive.detector], {
    intervalMs: cfg.anomaly.intervalS * 1000,
    idleTimeoutMs: cfg.flowIdleTimeoutS * 1000,
    activeTimeoutMs: cfg.flowActiveTimeoutS * 1000,
  });
  const captures = cfg.interfaces.map((iface) =>
    new LiveCapture({
      iface,
      ringMb: cfg.ringMb,
      ringStartMb: cfg.ringStartMb,
      snaplen: cfg.snaplen,
      filter: cfg.bpf,
      // Batches from every interface's Worker go straight into the pipeline, on the main thread.
      consumer: pipeline,
      libpcap: cfg.libpcap,
    })
  );
  // NetFlow/IPFIX records feed the same pipeline; exporters become devices once the device side runs, and
  // the port counters sFlow agents send become their interfaces.
  const collector = createCollector(
    cfg,
    recordsInto(pipeline),
    exporterOffers(() => devices, cfg.discovery.concurrency),
    (counters) => devices?.inventory.fromPortCounters(counters),
  );
  const started = Date.now();
  const hub = new SseHub(bus);
  const ticker = new StatsTicker({ publish: (e) => bus.publish(e), snapshot: () => stats() });
  let server: HttpServer | undefined;
  let lock: InstanceLock | undefined;
  const timers: ReturnType<typeof setInterval>[] = [];
  // Gives back the pages of the executable that start-up ran and the loop does not (net/executable_pages.ts):
  // at the first quiet collection below, or EXECUTABLE_PAGES_FIRST_MS after start on a network too busy for
  // one, and at most every EXECUTABLE_PAGES_EVERY_MS after, so that code a rare task ran goes too.
  let pagesReleasedAt = -Infinity;
  const releaseExecutableCode = () => {
    const now = performance.now();
    if (now - pagesReleasedAt < EXECUTABLE_PAGES_EVERY_MS) return;
    pagesReleasedAt = now;
    const released = releaseExecutablePages();
    if (released) {
      log.debug("executable pages released", { mappings: released.ranges, bytes: released.bytes });
    }
  };
  // Gives back the heap start-up and bursts grew once the main thread is quiet (base/heap_reducer.ts), and
  // what the runtime's threads freed in the C heap with it (net/libc_ffi.ts trimMalloc).
  const heapReducer = new HeapReducer({
    afterCollect: () => {
      trimMalloc();
      releaseExecutableCode();
    },
  });
  const anomalyLog = createLogger("anomaly");
  const securityLog = createLogger("security");
  const trapLog = new TrapLog(createLogger("trap"));
  const advisoryLog = createLogger("advisory");
  let logSub: { unsubscribe(): void } | undefined;
  let devices: DeviceSide | undefined;
  let topology: TopologySide | undefined;
  let alerts: AlertSide | undefined;
  let stopPolicy: (() => void) | undefined;
  let stateSchema = 0, freshState = false;
  let sinks: SinkSide | undefined;
  // The token the API accepts now: rotation (SIGHUP) replaces it without a restart.
  let currentToken = "";

  const stats = () => ({
    version: VERSION,
    uptime_s: Math.round((Date.now() - started) / 1000),
    rss_bytes: Deno.memoryUsage().rss,
    capture: Object.fromEntries(cfg.interfaces.map((name, i) => [name, captures[i].stats()])),
    flows: {
      active: table.size,
      capacity: table.capacity,
      created: table.created,
      expired_idle: table.expiredIdle,
      evicted_full: table.evictedFull,
      rolled_over: pipeline.rolledOver,
      records_seen_twice: table.recordsSeenTwice,
      records_seen_unsummed: table.origins?.seenNotSummed ?? 0,
      records_seen_twice_by_exporter: table.origins?.seenTwiceByExporter() ?? {},
    },
    detectors: pipeline.detectorStats(),
    collector: collector.stats(),
    events: bus.countsByKind(),
    anomalies: anomalyDetector.stats(),
    ...devices?.stats(),
    topology: topology?.stats(),
    alerts: alerts?.stats(),
    http: server?.counters(),
    ...analysis.stats(),
    sinks: sinks?.stats(),
    recordings: recording.stats(),
  });

  return {
    bus,
    table,
    anomalies,
    stats,
    get httpAddr() {
      return server?.addr;
    },
    get devices() {
      return devices;
    },
    get alerts() {
      return alerts;
    },
    async reloadApiToken(envToken) {
      const next = (await apiToken({ apiToken: envToken, stateDir: cfg.stateDir })).token;
      const changed = next !== currentToken;
      currentToken = next;
      return changed;
    },
    async start() {
      // In this order, so a failure a user can cause stops start-up with one line and nothing changed:
      // the state dir (created when missing), then its lock (another Flintnet on it is named), then the
      // port; only then is state read and written.
      await ensureStateDir(cfg.stateDir);
      lock = acquireInstanceLock(cfg.stateDir);
      let bound: BoundHttpServer;
      try {
        // A state directory from a newer Flintnet (a downgrade) is refused before anything reads it.
        stateSchema = await checkStateSchema(cfg.stateDir);
        freshState = await isFreshStateDir(cfg.stateDir);
        bound = bindListener(cfg);
      } catch (err) {
        lock.release();
        throw err;
      }
      try {
        await startOnPort(bound);
      } catch (err) {
        if (server === undefined) await bound.close();
        throw err;
      }
    },
    async stop() {
      await Promise.all([...captures.map((c) => c.stop()), collector.stop()]);
      await recording.stop();
      for (const t of timers) clearInterval(t);
      heapReducer.stop();
      await baselines.stop();
      stopPolicy?.();
      // Sources before sinks: sweeps, polls and traps stop publishing before the stores close.
      await devices?.stop();
      await topology?.stop();
      // The sinks get the minute in progress and one last send; what they cannot send waits on disk.
      await sinks?.stop();
      // Streams end first, so the server's graceful shutdown has no long request to wait for.
      ticker.stop();
      await hub.stop();
      await server?.shutdown();
      logSub?.unsubscribe();
      trapLog.stop();
      anomalies.detach();
      await analysis.stop();
      await alerts?.stop();
      lock?.release();
    },
  };

  /** Everything after the port is held: state, the device and alert sides, the API, capture. */
  async function startOnPort(bound: BoundHttpServer): Promise<void> {
    const token = await apiToken(cfg);
    currentToken = token.token;
    // After every check a user can fail: a refused start leaves the directory as it was.
    if (freshState) await markStateSchema(cfg.stateDir);
    else if (await migrateState(cfg.stateDir, stateSchema) > 0) {
      log.info("state directory migrated", { from_schema: stateSchema, to_schema: STATE_SCHEMA });
    }
    anomalies.attach(bus);
    // The hub first: events published while the sides start (a corrupt state file, say) reach SSE clients.
    hub.start();
    ticker.start();
    logSub = bus.subscribe((e) => {
      if (e.kind === "anomaly") {
        const fields = {
          id: e.id,
          phase: e.phase,
          episode_id: e.episode_id,
          scope: e.scope,
          community_id: e.community_id,
        };
        if (e.phase === "open") anomalyLog.warn(e.reason, fields);
        else anomalyLog.info(e.reason, fields);
      }
      if (e.kind === "security") {
        securityLog.warn(e.explanation, {
          id: e.id,
          type: e.type,
          mac: e.mac,
          ip: e.ip,
          severity: e.severity,
        });
      }
      if (e.kind === "trap") trapLog.trap(e);
      if (e.kind === "advisory") {
        const fields = {
          id: e.id,
          phase: e.phase,
          advisory_id: e.advisory_id,
          type: e.type,
          subject: e.subject,
        };
        if (e.phase === "raised") advisoryLog.warn(e.summary, fields);
        else advisoryLog.info(`resolved: ${e.summary}`, fields);
      }
    }, { kinds: ["anomaly", "security", "trap", "advisory"], name: "alert-log" });
    const dashboardUrl = cfg.alerts.publicUrl ??
      `${cfg.tls ? "https" : "http"}://${dashboardHost(cfg)}:${cfg.listen.port}`;
    alerts = await startAlertSide(cfg, bus, dashboardUrl);
    const policy = alerts.policy.get();
    const topologyStarter = await loadTopologySide(cfg, bus);
    devices = await startDeviceSide(
      cfg,
      bus,
      table,
      policy.learning_period_s,
      [topologyStarter.pollPart],
    );
    // The engine's ARP probes after the ARP watcher, whose judgment of each request they read.
    pipeline.add(...devices.packetDetectors, analysis.engine.arpProbes);
    const cleartext = devices.cleartext;
    analysis.engine.cleartext = () => cleartext.take();
    const arp = devices.arp;
    analysis.engine.gatewayRequest = (row) => arp.neighbourRequests[row] === 1;
    const registry = devices.registry;
    analysis.interfaceNames = (ip, ifIndex) =>
      registry.get(ip)?.interfaces.find((i) => i.index === ifIndex)?.name || null;
    await analysis.start();
    topology = topologyStarter.start(devices, passive);
    sinks = await startSinks(cfg, { bus, table, stats });
    if (sinks.detector) pipeline.add(sinks.detector);
    const applyPolicy = (p: typeof policy) => {
      anomalyOptions.k = p.anomaly.k;
      anomalyOptions.ratio = p.anomaly.ratio;
      anomalyOptions.warmupIntervals = p.anomaly.warmup_intervals;
      anomalyOptions.minBytes = p.anomaly.min_bytes;
      devices!.arp.learningPeriodS = p.learning_period_s;
    };
    applyPolicy(policy);
    stopPolicy = alerts.policy.onChange(applyPolicy);
    await baselines.load();
    baselines.start();
    timers.push(setInterval(() => pipeline.advanceTo(Date.now()), CLOCK_TICK_MS));
    timers.push(setInterval(() => log.info("stats", stats()), STATS_LOG_MS));
    await recording.start(captures);
    const http = createHttpApp({
      token: () => currentToken,
      corsOrigins: cfg.corsOrigins,
      metricsPublic: cfg.metricsPublic,
      bus,
      table,
      warmupIntervals: cfg.anomaly.warmupIntervals,
      anomalies,
      stats,
      hub,
      devices: deviceSource(devices, alerts, table),
      discovery: devices.discovery,
      acknowledger: devices,
      alerts: { history: alerts.history, mutes: alerts.mutes },
      alertPolicy: alerts.policy,
      topology: topology.store,
      advisories: analysis.engine.book,
      flowHistory: analysis.history,
      startedAt: new Date(started),
      health: { problems: () => healthProblems(captures.map((c) => c.stats()), devices?.stats()) },
      tls: cfg.tls !== undefined,
      recordings: recording.source,
    });
    server = bound.start(http);
    await Promise.all(captures.map((c) => c.start()));
    await startCollector(cfg, collector);
    // Last: /healthz answers once the state is loaded, and the sweep (every known device probed) does
    // not slow that down; its events still reach SSE clients (the hub runs since the start).
    devices.discovery.sweepAtStart();
    log.info("Flintnet started", {
      version: VERSION,
      interfaces: cfg.interfaces,
      cidrs: cfg.cidrs,
      state_dir: cfg.stateDir,
      dashboard: `${cfg.tls ? "https" : "http"}://${dashboardHost(cfg)}:${server.addr.port}/`,
    });
    heapReducer.start();
    const firstRelease = setTimeout(releaseExecutableCode, EXECUTABLE_PAGES_FIRST_MS);
    Deno.unrefTimer(firstRelease);
    timers.push(firstRelease);
    if (token.created) {
      // Said once, on the first start. The token itself never goes to the journal: it stays in the
      // file (mode 0600), and this line says how to read it.
      log.info(`API token created: read it with "sudo cat ${token.path}" and paste it into the dashboard`, {
        path: token.path,
      });
    }
  }
}
