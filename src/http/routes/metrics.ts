/**
 * GET /metrics: the registry in Prometheus text format, and the daemon's core metrics (capture,
 * decoding, flows, events, SSE clients, process), read from their owners when scraped.
 */
import { Hono } from "hono";
import type { EventBus } from "../../events/mod.ts";
import { VERSION } from "../../base/mod.ts";
import type { MetricsRegistry } from "../metrics.ts";

/** Content type of the text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Serves `GET /metrics`. */
export function metricsRoutes(registry: MetricsRegistry): Hono {
  const app = new Hono();
  app.get("/metrics", (c) => c.body(registry.render(), 200, { "Content-Type": METRICS_CONTENT_TYPE }));
  return app;
}

/** Where the core metrics come from. */
export interface CoreMetricsSource {
  /** The daemon's counters: the shape of `createApp(cfg).stats()` (app/app.ts). */
  stats(): Record<string, unknown>;
  /** The event bus, for events by kind. */
  bus: EventBus;
  /** Connected /stream clients. */
  sseClients: () => number;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === "object" && v !== null ? v as Obj : {};
}

/** A count from the stats, or undefined when absent (a missing number is not reported as 0). */
function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * Registers the daemon's own metrics on `registry`: per-interface capture counters (kernel packets,
 * drops, ring freezes, reopens, decoded frames, waits for the main thread), malformed frames by reason,
 * the flow table, events by kind, detectors' time and failures, SSE clients, RSS and uptime. Values are
 * read from `src` at each scrape, by collectors named after what they read.
 */
export function registerCoreMetrics(registry: MetricsRegistry, src: CoreMetricsSource): void {
  const r = registry;
  const iface = ["interface"];
  const info = r.gauge("flintnet_build_info", "Always 1; the labels say which build runs.", [
    "version",
    "deno",
  ]);
  const uptime = r.gauge("flintnet_uptime_seconds", "Seconds since the daemon started.");
  const rss = r.gauge("process_resident_memory_bytes", "Resident set size of the process in bytes.");
  const capture = {
    packets: r.counter(
      "flintnet_capture_packets_total",
      "Frames the kernel passed to the capture ring (after the BPF filter), including dropped ones.",
      iface,
    ),
    drops: r.counter(
      "flintnet_capture_kernel_drops_total",
      "Frames the kernel dropped because the capture ring was full.",
      iface,
    ),
    freezes: r.counter(
      "flintnet_capture_ring_freezes_total",
      "Times the capture ring froze because every block was still being read.",
      iface,
    ),
    reopens: r.counter(
      "flintnet_capture_reopens_total",
      "Times capture reopened the interface after losing it.",
      iface,
    ),
    frames: r.counter("flintnet_capture_decoded_frames_total", "Frames offered to the decoder.", iface),
    waits: r.counter(
      "flintnet_capture_waits_for_main_total",
      "Times the capture Worker stopped reading the ring because the main thread was 64 batches behind.",
      iface,
    ),
  };
  const malformed = r.counter(
    "flintnet_decode_malformed_total",
    "Frames dropped as malformed, by interface and reason.",
    ["interface", "reason"],
  );
  const flows = {
    active: r.gauge("flintnet_flows_active", "Flows in the flow table."),
    capacity: r.gauge("flintnet_flows_capacity", "Flows the table can hold (FLINTNET_MAX_FLOWS)."),
    created: r.counter("flintnet_flows_created_total", "Flows created."),
    expired: r.counter("flintnet_flows_expired_total", "Flows ended by the idle timeout."),
    evicted: r.counter("flintnet_flows_evicted_total", "Flows evicted because the table was full."),
    rolledOver: r.counter(
      "flintnet_flows_rolled_over_total",
      "Long-lived flows cut into a new record by the active timeout.",
    ),
    seenTwice: r.counter(
      "flintnet_flow_records_seen_twice_total",
      "NetFlow/IPFIX records not counted: their flow is counted from the capture, another exporter, its exporter's other direction, or the record is a twin of the one counted last.",
    ),
  };
  const events = r.counter("flintnet_events_total", "Events published on the bus, by kind.", ["kind"]);
  const sse = r.gauge("flintnet_sse_clients", "Clients connected to GET /stream.");
  const detectorSeconds = r.counter(
    "flintnet_detector_seconds_total",
    "Time each detector spent on packet rows and closed intervals.",
    ["detector"],
  );
  const detectorFailures = r.counter(
    "flintnet_detector_failures_total",
    "Times a detector threw (caught: the others ran on).",
    ["detector"],
  );

  r.collect("process", () => {
    info.set(1, { version: VERSION, deno: Deno.version.deno });
    rss.set(Deno.memoryUsage().rss);
    sse.set(src.sseClients());
    const up = num(src.stats().uptime_s);
    if (up !== undefined) uptime.set(up);
  });
  r.collect("events", () => {
    for (const [kind, n] of Object.entries(src.bus.countsByKind())) events.set(n, { kind });
  });
  r.collect("capture", () => {
    for (const [name, raw] of Object.entries(obj(src.stats().capture))) {
      const c = obj(raw), kernel = obj(c.kernel), decode = obj(c.decode);
      const labels = { interface: name };
      const pairs: [typeof capture.packets, unknown][] = [
        [capture.packets, kernel.packets],
        [capture.drops, kernel.drops],
        [capture.freezes, kernel.freezes],
        [capture.reopens, c.reopenCount],
        [capture.frames, decode.frames],
        [capture.waits, c.waitsForMain],
      ];
      for (const [metric, v] of pairs) {
        const n = num(v);
        if (n !== undefined) metric.set(n, labels);
      }
      for (const [reason, v] of Object.entries(obj(decode.malformed))) {
        const n = num(v);
        if (n !== undefined) malformed.set(n, { interface: name, reason });
      }
    }
  });
  r.collect("flows", () => {
    const f = obj(src.stats().flows);
    const fields: [{ set(v: number): void }, unknown][] = [
      [flows.active, f.active],
      [flows.capacity, f.capacity],
      [flows.created, f.created],
      [flows.expired, f.expired_idle],
      [flows.evicted, f.evicted_full],
      [flows.rolledOver, f.rolled_over],
      [flows.seenTwice, f.records_seen_twice],
    ];
    for (const [metric, v] of fields) {
      const n = num(v);
      if (n !== undefined) metric.set(n);
    }
  });
  r.collect("detectors", () => {
    const list = src.stats().detectors;
    for (const raw of Array.isArray(list) ? list : []) {
      const d = obj(raw), name = typeof d.name === "string" ? d.name : null;
      const seconds = num(d.seconds_total), failures = num(d.failures);
      if (name === null) continue;
      if (seconds !== undefined) detectorSeconds.set(seconds, { detector: name });
      if (failures !== undefined) detectorFailures.set(failures, { detector: name });
    }
  });
}
