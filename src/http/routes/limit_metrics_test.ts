import assert from "node:assert/strict";
import { MetricsRegistry } from "../metrics.ts";
import { registerLimitMetrics } from "./limit_metrics.ts";

Deno.test("the limit metrics show HTTP refusals and closures and the history's bounds from the stats", () => {
  const r = new MetricsRegistry();
  registerLimitMetrics(r, () => ({
    http: {
      open: 3,
      refused_per_address: 7,
      refused_total: 1,
      closed_read_timeout: 300,
      closed_idle_timeout: 2,
    },
    alerts: { history: { alerts: 100, pruned: 50 } },
  }));
  const text = r.render();
  for (
    const line of [
      "flintnet_http_connections_open 3",
      'flintnet_http_connections_refused_total{cap="per_address"} 7',
      'flintnet_http_connections_refused_total{cap="total"} 1',
      'flintnet_http_connections_closed_total{reason="read_timeout"} 300',
      'flintnet_http_connections_closed_total{reason="idle_timeout"} 2',
      "flintnet_alert_history_alerts 100",
      "flintnet_alert_history_pruned_total 50",
    ]
  ) assert.ok(text.split("\n").includes(line), `${line}\n${text}`);
});
