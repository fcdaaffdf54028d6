/**
 * The optional sinks wired to the daemon: per-minute flow summaries and events to ClickHouse, time
 * series to InfluxDB, each row and series labelled with the site. Off unless a URL is set; each sink
 * keeps its own bounded spool in `<state dir>/sinks/`.
 */
import type { SinkConfig } from "../config/mod.ts";
import type { EventBus, PublishedEvent } from "../events/mod.ts";
import type { Detector, FlowTable } from "../flow/mod.ts";
import { BatchingSink, type SinkStats } from "./batching_sink.ts";
import { ClickhouseTransport } from "./clickhouse.ts";
import { type FlowMinuteRow, FlowMinutes } from "./flow_minutes.ts";
import { InfluxTransport, interfaceLine, line } from "./influx.ts";
import { Spool } from "./spool.ts";

/** What the daemon holds of the sinks. */
export interface SinkSide {
  /** The flow-minute Detector to add to the pipeline (absent when no sink wants flows). */
  readonly detector: Detector | undefined;
  /** Counters per sink (`clickhouse_flows`, `clickhouse_events`, `influx`), and flows left out of minutes. */
  stats(): Record<string, SinkStats | number>;
  /** Hands over the minute in progress, stops, and tries one last send within `budgetMs`. */
  stop(budgetMs?: number): Promise<void>;
}

/** What the sinks read from the daemon. */
export interface SinkDeps {
  bus: EventBus;
  table: FlowTable;
  /** The daemon's stats (GET /stats shape): capture counters and flows for the time series. */
  stats: () => Record<string, unknown>;
}

/** How many hosts per minute get a per-host series (the busiest). */
const HOSTS_PER_MINUTE = 500;

/** ClickHouse's DateTime text, in UTC (the columns are DateTime('UTC')). */
function chTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Starts the configured sinks. */
export async function startSinks(
  cfg: { sinks: SinkConfig; stateDir: string },
  deps: SinkDeps,
): Promise<SinkSide> {
  const c = cfg.sinks, site = c.site, dir = `${cfg.stateDir}/sinks`;
  const sinks = new Map<string, BatchingSink>();
  const open = async (
    name: string,
    share: number,
    transport: ConstructorParameters<typeof BatchingSink>[2],
  ) => {
    const spool = await Spool.open(`${dir}/${name}`, Math.max(64 * 1024, Math.floor(c.bufferBytes * share)));
    const sink = new BatchingSink(name, spool, transport, { intervalMs: c.intervalS * 1000 });
    sinks.set(name, sink);
    return sink;
  };
  const chFlows = c.clickhouse
    ? await open("clickhouse_flows", 0.7, new ClickhouseTransport(c.clickhouse, "flows_minute"))
    : undefined;
  const chEvents = c.clickhouse
    ? await open("clickhouse_events", 0.2, new ClickhouseTransport(c.clickhouse, "events"))
    : undefined;
  const influx = c.influx
    ? await open("influx", c.clickhouse ? 0.1 : 1, new InfluxTransport(c.influx))
    : undefined;

  const onMinute = (rows: FlowMinuteRow[]) => {
    if (chFlows) {
      for (const r of rows) {
        const { minuteMs, ...rest } = r;
        chFlows.add(JSON.stringify({ site, minute: chTime(minuteMs), ...rest }));
      }
    }
    if (influx && rows.length > 0) {
      const sent = new Map<string, number>(), received = new Map<string, number>();
      for (const r of rows) {
        sent.set(r.src_ip, (sent.get(r.src_ip) ?? 0) + r.bytes);
        received.set(r.dst_ip, (received.get(r.dst_ip) ?? 0) + r.bytes);
      }
      const hosts = [...new Set([...sent.keys(), ...received.keys()])]
        .sort((a, b) =>
          (sent.get(b) ?? 0) + (received.get(b) ?? 0) - (sent.get(a) ?? 0) - (received.get(a) ?? 0)
        )
        .slice(0, HOSTS_PER_MINUTE);
      for (const h of hosts) {
        const l = line("flintnet_host", { site, host: h }, {
          bytes_sent: sent.get(h) ?? 0,
          bytes_received: received.get(h) ?? 0,
        }, rows[0].minuteMs);
        if (l) influx.add(l);
      }
    }
  };
  const minutes = chFlows || influx ? new FlowMinutes(deps.table, onMinute, c.flowsPerMinute) : undefined;

  const sub = chEvents || influx
    ? deps.bus.subscribe((e: PublishedEvent) => {
      if (e.kind === "interface" && influx) {
        const l = interfaceLine(site, e);
        if (l) influx.add(l);
        return;
      }
      if (!chEvents) return;
      const row = e.kind === "anomaly"
        ? { type: e.phase, severity: "warning", subject: e.subject, message: e.reason }
        : e.kind === "security"
        ? { type: e.type, severity: e.severity, subject: e.ip || e.mac, message: e.explanation }
        : e.kind === "trap"
        ? { type: e.name, severity: "info", subject: e.source_ip, message: e.reason }
        : e.kind === "advisory"
        ? { type: `${e.type}.${e.phase}`, severity: e.severity, subject: e.subject, message: e.summary }
        : undefined;
      if (row) {
        chEvents.add(
          JSON.stringify({
            site,
            ts: chTime(Date.parse(e.ts) || Date.now()),
            kind: e.kind,
            ...row,
            json: JSON.stringify(e),
          }),
        );
      }
    }, { kinds: ["anomaly", "security", "trap", "advisory", "interface"], name: "sinks" })
    : undefined;

  // Capture rates and the flow table as series: cumulative counters (derivative() in InfluxQL).
  const sample = () => {
    if (!influx) return;
    const s = deps.stats(), now = Date.now();
    for (const [iface, v] of Object.entries((s.capture ?? {}) as Record<string, Record<string, unknown>>)) {
      const kernel = (v.kernel ?? {}) as Record<string, number>,
        decode = (v.decode ?? {}) as Record<string, number>;
      const l = line("flintnet_capture", { site, interface: iface }, {
        packets: kernel.packets,
        drops: kernel.drops,
        frames: decode.frames,
        bytes: v.bytes as number,
      }, now);
      if (l) influx.add(l);
    }
    const flows = (s.flows ?? {}) as Record<string, number>;
    const l = line("flintnet_flows", { site }, { active: flows.active, created: flows.created }, now);
    if (l) influx.add(l);
  };
  const timer = influx ? setInterval(sample, c.intervalS * 1000) : undefined;
  for (const s of sinks.values()) s.start();

  return {
    detector: minutes,
    stats: () => ({
      ...Object.fromEntries([...sinks].map(([name, s]) => [name, s.stats()])),
      ...(minutes ? { flows_left_out: minutes.truncated } : {}),
    }),
    async stop(budgetMs = 1_500) {
      if (timer !== undefined) clearInterval(timer);
      sub?.unsubscribe();
      minutes?.flush();
      await Promise.all([...sinks.values()].map((s) => s.stop(budgetMs)));
    },
  };
}
