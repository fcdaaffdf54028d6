/**
 * The optional sinks in /metrics: rows sent, failed sends, rows dropped at the spool's bound or refused,
 * and what waits on disk, per sink (clickhouse_flows, clickhouse_events, influx). Read from the
 * daemon's stats (`sinks`) at each scrape; nothing is registered while no sink is on.
 */
import type { MetricsRegistry } from "../metrics.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => typeof v === "object" && v !== null ? v as Obj : {};

/** Registers the sink metrics; `stats` is the daemon's stats() (app/app.ts), `sinks` in it. */
export function registerSinkMetrics(r: MetricsRegistry, stats: () => Obj): void {
  const rows = r.counter("flintnet_sink_rows_sent_total", "Rows (and series points) a sink's server took.", [
    "sink",
  ]);
  const failures = r.counter("flintnet_sink_failures_total", "Sends that failed and wait to be retried.", [
    "sink",
  ]);
  const dropped = r.counter(
    "flintnet_sink_dropped_rows_total",
    "Rows dropped unsent: the spool reached FLINTNET_SINK_BUFFER_MB (reason=buffer_full), or the server " +
      "refused the batch itself (reason=refused, counted in batches).",
    ["sink", "reason"],
  );
  const bytes = r.gauge("flintnet_sink_buffered_bytes", "Bytes of batches waiting on disk.", ["sink"]);
  const batches = r.gauge("flintnet_sink_buffered_batches", "Batches waiting on disk.", ["sink"]);
  r.collect("sinks", () => {
    for (const [sink, v] of Object.entries(obj(stats().sinks))) {
      if (typeof v !== "object") continue; // flows_left_out: in /stats only
      const s = obj(v) as Record<string, number>;
      rows.set(s.rows_sent ?? 0, { sink });
      failures.set(s.failures ?? 0, { sink });
      dropped.set(s.dropped_rows ?? 0, { sink, reason: "buffer_full" });
      dropped.set(s.refused_batches ?? 0, { sink, reason: "refused" });
      bytes.set(s.bytes ?? 0, { sink });
      batches.set(s.batches ?? 0, { sink });
    }
  });
}
