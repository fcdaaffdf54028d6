/**
 * The limits of "what Flintnet promises" (docs/operations.md) in /metrics: HTTP connections open,
 * refused at a cap and closed at a deadline, and the alert history's size and what its bounds removed.
 * (Traps held back are flintnet_traps_dropped_total{reason="rate_limited"}.) Read from the daemon's
 * stats at each scrape.
 */
import type { MetricsRegistry } from "../metrics.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => typeof v === "object" && v !== null ? v as Obj : {};
const num = (v: unknown): number | undefined => typeof v === "number" && Number.isFinite(v) ? v : undefined;

/** Registers the limit metrics; `stats` is the daemon's stats() (app/app.ts): `http` and `alerts.history`. */
export function registerLimitMetrics(r: MetricsRegistry, stats: () => Obj): void {
  const open = r.gauge("flintnet_http_connections_open", "HTTP connections open now.");
  const refused = r.counter(
    "flintnet_http_connections_refused_total",
    "HTTP connections answered 503 at a cap (per_address: FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS, " +
      "total: FLINTNET_HTTP_MAX_CONNECTIONS).",
    ["cap"],
  );
  const closed = r.counter(
    "flintnet_http_connections_closed_total",
    "HTTP connections the server closed at a deadline (read_timeout, idle_timeout).",
    ["reason"],
  );
  const alerts = r.gauge("flintnet_alert_history_alerts", "Alerts in the history now.");
  const pruned = r.counter(
    "flintnet_alert_history_pruned_total",
    "Oldest alerts removed to keep within FLINTNET_HISTORY_MAX_ALERTS and FLINTNET_HISTORY_MAX_MB.",
  );
  r.collect("limits", () => {
    const s = stats(), http = obj(s.http), history = obj(obj(s.alerts).history);
    const set = (
      metric: { set(v: number, labels?: Record<string, string>): void },
      v: unknown,
      labels = {},
    ) => {
      const n = num(v);
      if (n !== undefined) metric.set(n, labels);
    };
    set(open, http.open);
    set(refused, http.refused_per_address, { cap: "per_address" });
    set(refused, http.refused_total, { cap: "total" });
    set(closed, http.closed_read_timeout, { reason: "read_timeout" });
    set(closed, http.closed_idle_timeout, { reason: "idle_timeout" });
    set(alerts, history.alerts);
    set(pruned, history.pruned);
  });
}
