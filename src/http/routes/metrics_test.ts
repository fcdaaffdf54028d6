import assert from "node:assert/strict";
import { type AnomalyEvent, EventBus } from "../../events/mod.ts";
import { VERSION } from "../../base/version.ts";
import { MetricsRegistry } from "../metrics.ts";
import { metricsRoutes, registerCoreMetrics } from "./metrics.ts";
import { sampleAnomaly } from "../../../tests/helpers/sample_events.ts";

/** The sample lines of `text`, as the format writes them (`name{labels} value`). */
function lines(text: string): Set<string> {
  return new Set(text.split("\n").filter((l) => l !== "" && !l.startsWith("#")));
}

/** A stats() snapshot shaped like createApp(cfg).stats() in src/app.ts. */
function fakeStats(active: number) {
  return {
    version: VERSION,
    uptime_s: 42,
    rss_bytes: 1,
    capture: {
      eth0: {
        iface: "eth0",
        state: "capturing",
        reopenCount: 1,
        waitsForMain: 4,
        kernel: { packets: 1000, drops: 7, freezes: 2 },
        decode: { frames: 993, malformed: { ipv4_header: 3, "tcp short": 1 }, malformed_total: 4 },
        batches: 10,
        rows: 990,
      },
      "br-lan": {
        iface: "br-lan",
        state: "starting",
        reopenCount: 0,
        waitsForMain: 0,
        kernel: { packets: 0, drops: 0, freezes: 0 },
        decode: null,
        batches: 0,
        rows: 0,
      },
    },
    flows: {
      active,
      capacity: 1000,
      created: 50,
      expired_idle: 5,
      evicted_full: 3,
      rolled_over: 2,
      records_seen_twice: 7,
    },
    events: {},
  };
}

function anomaly(): AnomalyEvent {
  return sampleAnomaly(1);
}

Deno.test("GET /metrics serves the registry as text format 0.0.4", async () => {
  const registry = new MetricsRegistry();
  registry.counter("x_total", "X.").inc(3);
  const res = await metricsRoutes(registry).request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^text\/plain; version=0\.0\.4/);
  assert.equal(await res.text(), "# HELP x_total X.\n# TYPE x_total counter\nx_total 3\n");
});

Deno.test("registerCoreMetrics() exposes capture, decode, flows, events, SSE and process metrics", async () => {
  const registry = new MetricsRegistry();
  const bus = new EventBus();
  let active = 11, clients = 3;
  registerCoreMetrics(registry, { stats: () => fakeStats(active), bus, sseClients: () => clients });
  bus.publish(anomaly());
  bus.publish(anomaly());
  bus.publish({ kind: "stats", ts: "2024-05-01T12:00:00.000Z", stats: {} });

  const first = lines(await (await metricsRoutes(registry).request("/metrics")).text());
  for (
    const want of [
      'flintnet_capture_packets_total{interface="eth0"} 1000',
      'flintnet_capture_kernel_drops_total{interface="eth0"} 7',
      'flintnet_capture_ring_freezes_total{interface="eth0"} 2',
      'flintnet_capture_reopens_total{interface="eth0"} 1',
      'flintnet_capture_decoded_frames_total{interface="eth0"} 993',
      'flintnet_capture_waits_for_main_total{interface="eth0"} 4',
      'flintnet_capture_kernel_drops_total{interface="br-lan"} 0',
      'flintnet_decode_malformed_total{interface="eth0",reason="ipv4_header"} 3',
      'flintnet_decode_malformed_total{interface="eth0",reason="tcp short"} 1',
      "flintnet_flows_active 11",
      "flintnet_flows_capacity 1000",
      "flintnet_flows_created_total 50",
      "flintnet_flows_expired_total 5",
      "flintnet_flows_evicted_total 3",
      "flintnet_flows_rolled_over_total 2",
      "flintnet_flow_records_seen_twice_total 7",
      'flintnet_events_total{kind="anomaly"} 2',
      'flintnet_events_total{kind="stats"} 1',
      "flintnet_sse_clients 3",
      "flintnet_uptime_seconds 42",
      `flintnet_build_info{version="${VERSION}",deno="${Deno.version.deno}"} 1`,
    ]
  ) assert.ok(first.has(want), `missing: ${want}`);
  assert.ok(
    [...first].some((l) => /^process_resident_memory_bytes \d+$/.test(l) && Number(l.split(" ")[1]) > 1e6),
    "RSS of this process, read at scrape time",
  );
  assert.ok(
    ![...first].some((l) => l.includes('interface="br-lan"') && l.includes("decoded_frames")),
    "no decode yet",
  );

  active = 12;
  clients = 0;
  const second = lines(registry.render());
  assert.ok(second.has("flintnet_flows_active 12"), "gauges are read when scraped");
  assert.ok(second.has("flintnet_sse_clients 0"));
});
