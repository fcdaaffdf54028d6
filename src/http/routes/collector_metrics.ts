/**
 * The NetFlow/IPFIX/sFlow collector in /metrics: totals, per exporter and per listener, read from
 * `stats().collector` (src/app.ts) at each scrape. Per-exporter series follow the exporters the
 * collector lists (an exporter that goes away takes its series with it).
 */
import type { MetricsRegistry } from "../metrics.ts";

/** Where the values come from. */
export interface CollectorMetricsSource {
  /** The daemon's counters; the collector's are under `collector`. */
  stats(): Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => typeof v === "object" && v !== null ? v as Obj : {};
const num = (v: unknown): number | undefined => typeof v === "number" && Number.isFinite(v) ? v : undefined;

/** The counters the collector keeps overall and per exporter, with their help text. */
const COUNTERS: readonly [string, string][] = [
  ["datagrams", "NetFlow/IPFIX datagrams received"],
  ["records", "Flow records decoded"],
  ["packets", "Packets in the flow records, after sampling"],
  ["bytes", "Octets in the flow records, after sampling"],
  ["sequence_gaps", "Messages whose sequence number was not the one expected"],
  ["template_misses", "Data sets dropped because their template never arrived"],
  ["malformed", "Malformed datagrams"],
  ["interface_counters", "sFlow port counters read (a port's counters in one counter sample)"],
];

/** Registers the collector metrics. */
export function registerCollectorMetrics(r: MetricsRegistry, src: CollectorMetricsSource): void {
  const total = COUNTERS.map(([k, help]) =>
    [k, r.counter(`flintnet_collector_${k}_total`, `${help}.`)] as const
  );
  const perExporter = COUNTERS.map(([k, help]) =>
    [k, r.counter(`flintnet_collector_exporter_${k}_total`, `${help}, by exporter.`, ["exporter"])] as const
  );
  const malformed = r.counter(
    "flintnet_collector_malformed_by_reason_total",
    "Malformed NetFlow/IPFIX datagrams, by the first problem found.",
    ["reason"],
  );
  const drops = r.counter(
    "flintnet_collector_kernel_drops_total",
    "Datagrams the kernel dropped because the socket's receive buffer was full.",
    ["listener"],
  );
  const rcvbuf = r.gauge("flintnet_collector_receive_buffer_bytes", "Receive buffer the kernel granted.", [
    "listener",
  ]);
  const listening = r.gauge("flintnet_collector_listening", "1 when the listener is bound, else 0.", [
    "listener",
  ]);
  const exporters = r.gauge("flintnet_collector_exporters", "Exporters tracked.");
  const templates = r.gauge("flintnet_collector_templates", "Templates held, all exporters.");
  const pending = r.gauge("flintnet_collector_pending_sets", "Data sets waiting for their template.");

  r.collect("collector", () => {
    const c = obj(src.stats().collector);
    for (const [k, m] of total) {
      const n = num(c[k]);
      if (n !== undefined) m.set(n);
    }
    for (const [, m] of perExporter) m.clear();
    for (const [address, raw] of Object.entries(obj(c.exporters))) {
      const e = obj(raw);
      for (const [k, m] of perExporter) {
        const n = num(e[k]);
        if (n !== undefined) m.set(n, { exporter: address });
      }
    }
    for (const [reason, v] of Object.entries(obj(c.malformed_by_reason))) {
      const n = num(v);
      if (n !== undefined) malformed.set(n, { reason });
    }
    drops.clear();
    rcvbuf.clear();
    listening.clear();
    for (const raw of Array.isArray(c.listeners) ? c.listeners : []) {
      const l = obj(raw), listener = String(l.name ?? "");
      drops.set(num(l.kernel_drops) ?? 0, { listener });
      rcvbuf.set(num(l.rcvbuf_bytes) ?? 0, { listener });
      listening.set(l.listening === true ? 1 : 0, { listener });
    }
    const gauges: [{ set(v: number): void }, unknown][] = [
      [exporters, c.exporter_count],
      [templates, c.templates],
      [pending, c.pending_sets],
    ];
    for (const [m, v] of gauges) {
      const n = num(v);
      if (n !== undefined) m.set(n);
    }
  });
}
