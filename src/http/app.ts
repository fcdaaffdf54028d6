/**
 * The HTTP surface, composed: hardening and auth middleware in front of one sub-app per resource.
 * Handlers read stores (flow table, anomaly store, stats); they never reach into capture.
 *
 * Order matters: security headers wrap everything (errors too); CORS answers preflights before auth,
 * so a browser's OPTIONS never counts as a failed login; the body limit runs before any handler reads
 * a body; metrics see the final status, auth included.
 */
import { type Context, Hono } from "hono";
import { errorResponse } from "./errors.ts";
import type { AlertPolicyStore, AnomalyStore, Mutes } from "../alert/mod.ts";
import type { HistoryDb } from "../store/mod.ts";
import type { EventBus } from "../events/mod.ts";
import type { FlowTable } from "../flow/mod.ts";
import { bearerAuth, publicRoutes } from "./auth.ts";
import { bodyLimit, corsAllowList, notFound, onError, securityHeaders } from "./hardening.ts";
import { httpMetrics, MetricsRegistry } from "./metrics.ts";
import { FailedAuthLimiter } from "./rate_limit.ts";
import { alertsRoutes } from "./routes/alerts.ts";
import { anomaliesRoutes } from "./routes/anomalies.ts";
import { authTicketRoutes } from "./routes/auth_ticket.ts";
import { configAlertsRoutes } from "./routes/config_alerts.ts";
import { type DeviceAcknowledger, deviceAckRoutes } from "./routes/device_ack.ts";
import { registerDeviceMetrics } from "./routes/device_metrics.ts";
import { registerLimitMetrics } from "./routes/limit_metrics.ts";
import { type DeviceSource, devicesRoutes } from "./routes/devices.ts";
import type { DiscoveryControl } from "../discovery/mod.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { flowsRoutes } from "./routes/flows.ts";
import { type HealthSource, healthzRoutes } from "./routes/healthz.ts";
import { advisoriesRoutes, type AdvisorySource } from "./routes/advisories.ts";
import type { FlowHistorySource } from "./routes/flow_history.ts";
import { metricsRoutes, registerCoreMetrics } from "./routes/metrics.ts";
import { registerCollectorMetrics } from "./routes/collector_metrics.ts";
import { registerSinkMetrics } from "./routes/sink_metrics.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { statsRoutes } from "./routes/stats.ts";
import { streamRoutes } from "./routes/stream.ts";
import { EMPTY_TOPOLOGY, topologyRoutes, type TopologySource } from "./routes/topology.ts";
import { uiRoutes } from "./routes/ui.ts";
import { NO_RECORDINGS, type RecordingSource, recordingsRoutes } from "./routes/recordings.ts";
import { versionRoutes } from "./routes/version.ts";
import type { SseHub } from "./sse_hub.ts";
import { TicketStore } from "./tickets.ts";

/** Request bodies are small JSON documents; anything larger is refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What the HTTP surface reads. */
export interface HttpAppDeps {
  /** The API token (FLINTNET_API_TOKEN or the generated one), or where to read the current one. */
  token: string | (() => string);
  /** FLINTNET_CORS_ORIGINS. */
  corsOrigins: readonly string[];
  /** FLINTNET_METRICS_PUBLIC. */
  metricsPublic: boolean;
  /** The event bus. */
  bus: EventBus;
  /** The flow table. */
  table: FlowTable;
  /** Intervals before a flow's baseline counts as mature (shown in flow JSON). */
  warmupIntervals: number;
  /** Recent anomalies. */
  anomalies: AnomalyStore;
  /** The daemon's counters. */
  stats(): Record<string, unknown>;
  /** The SSE fan-out. */
  hub: SseHub;
  /** The device registry (with ARP history and alerts per device). */
  devices: DeviceSource;
  /** Discovery sweeps: POST /discovery, GET /discovery. */
  discovery: DiscoveryControl;
  /** POST /devices/:id/ack. */
  acknowledger: DeviceAcknowledger;
  /** Alert history and mutes: /alerts, /mutes. */
  alerts: { history: HistoryDb; mutes: Mutes };
  /** GET/PUT /config/alerts. */
  alertPolicy: AlertPolicyStore;
  /** Topology, once it lands. */
  topology?: TopologySource;
  /** GET /advisories (none: an empty list). */
  advisories?: AdvisorySource;
  /** The per-minute flow history behind GET /flows?since= (none: since filters the live table). */
  flowHistory?: FlowHistorySource;
  /** When the daemon started. */
  startedAt: Date;
  /** What /healthz reports as not running; "ok" always when absent. */
  health?: HealthSource;
  /** With TLS on, responses carry Strict-Transport-Security. */
  tls?: boolean;
  /** PCAP recordings: /recordings (none: an empty list, starts refused). */
  recordings?: RecordingSource;
  /** Stream tickets (tests pass one with a fake clock); a new store by default. */
  tickets?: TicketStore;
}

/**
 * 405 with `Allow` when the path exists for other methods (POST /flows, DELETE /stream …), so a
 * script learns what it got wrong; undefined when the path is unknown altogether.
 */
function methodNotAllowed(app: Hono, c: Context): Response | undefined {
  const allowed = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue; // middleware
    const pattern = new RegExp(
      `^${r.path.replace(/[.]/g, "\\.").replace(/:[^/]+/g, "[^/]+").replace(/\*$/, ".*")}$`,
    );
    if (pattern.test(c.req.path)) allowed.add(r.method);
  }
  if (allowed.size === 0) return undefined;
  if (allowed.has("GET")) allowed.add("HEAD");
  c.header("Allow", [...allowed].sort().join(", "));
  return errorResponse(
    c,
    405,
    "method_not_allowed",
    `${c.req.method} is not accepted on ${c.req.path}; accepted: ${[...allowed].sort().join(", ")}`,
  );
}

/** Builds the whole app. */
export function createHttpApp(d: HttpAppDeps): Hono {
  const registry = new MetricsRegistry();
  registerCoreMetrics(registry, { stats: d.stats, bus: d.bus, sseClients: () => d.hub.clientCount });
  registerDeviceMetrics(registry, { devices: () => d.devices.list(), stats: d.stats });
  registerCollectorMetrics(registry, { stats: d.stats });
  registerLimitMetrics(registry, d.stats);
  registerSinkMetrics(registry, d.stats);
  const tickets = d.tickets ?? new TicketStore();
  const app = new Hono();
  app.use("*", securityHeaders({ hsts: d.tls }));
  app.use("*", corsAllowList(d.corsOrigins));
  app.use("*", bodyLimit(MAX_BODY_BYTES));
  app.use("*", httpMetrics(registry));
  app.use(
    "*",
    bearerAuth({
      token: d.token,
      tickets,
      limiter: new FailedAuthLimiter(),
      public: publicRoutes({ metricsPublic: d.metricsPublic }),
    }),
  );
  app.onError(onError);
  app.notFound((c) => methodNotAllowed(app, c) ?? notFound(c));
  app.route("/", healthzRoutes({ health: d.health }));
  app.route("/", versionRoutes({ startedAt: d.startedAt }));
  app.route(
    "/",
    statsRoutes({ stats: d.stats, bus: d.bus, startedAt: d.startedAt, sseClients: () => d.hub.clientCount }),
  );
  app.route("/", flowsRoutes({ table: d.table, warmupIntervals: d.warmupIntervals, history: d.flowHistory }));
  app.route("/", advisoriesRoutes({ advisories: d.advisories ?? { list: () => [] } }));
  app.route("/", anomaliesRoutes({ anomalies: d.anomalies }));
  app.route("/", devicesRoutes({ devices: d.devices }));
  app.route("/", deviceAckRoutes({ devices: d.acknowledger }));
  app.route("/", discoveryRoutes({ discovery: d.discovery }));
  app.route("/", alertsRoutes(d.alerts));
  app.route("/", configAlertsRoutes({ policy: d.alertPolicy }));
  app.route("/", topologyRoutes({ topology: d.topology ?? EMPTY_TOPOLOGY }));
  app.route("/", recordingsRoutes({ recordings: d.recordings ?? NO_RECORDINGS }));
  app.route("/", streamRoutes(d.hub));
  app.route("/", authTicketRoutes({ tickets }));
  app.route("/", metricsRoutes(registry));
  app.route("/", openapiRoutes({ metricsPublic: d.metricsPublic }));
  app.route("/", uiRoutes());
  return app;
}
