/**
 * Flow history and advisories at 10,000 flows a minute (the figure): an hour of minutes written
 * through FlowHistory (its Worker, a temporary file), then the top 100 flows of that hour asked five
 * times (target: under a second), a filtered top-N, and the analysis engine's minute over 10,000 flows
 * through the pipeline. A third of each minute's flows are long ones seen every minute, the rest new.
 * Prints one JSON line (FlowHistoryBenchResult); progress on stderr.
 *
 *   deno run -A tests/bench/flow_history.ts
 */
import { FlowHistory } from "../../src/store/mod.ts";
import type { MinuteSummary } from "../../src/events/mod.ts";
import type { AnalysisConfig } from "../../src/config/mod.ts";
import { createAnalysis } from "../../src/analysis/mod.ts";
import { FlowPipeline, FlowTable } from "../../src/flow/mod.ts";
import { createPacketBatch } from "../../src/decode/mod.ts";
import { parseCidr } from "../../src/net/mod.ts";
import { addIpRow } from "../helpers/batch_rows.ts";

const MINUTE = 60_000, FLOWS = 10_000, LONG = 3_000, MINUTES = 60, RUNS = 5;

/** What this script prints. */
export interface FlowHistoryBenchResult {
  flows_per_minute: number;
  minutes: number;
  rows: number;
  /** Worker time per minute written, ms (median, max). */
  write_ms: { median: number; max: number };
  /** Main-thread time to hand a minute over, ms (median). */
  handoff_ms: number;
  /** Top 100 over the hour, ms per run (request to answer, through the Worker). */
  top100_ms: number[];
  /** Top 100 over the hour with `ip=` of one busy host. */
  top100_ip_ms: number[];
  /** The analysis engine's pass and minute close over 10,000 flows, ms (median of the last minutes). */
  analysis_minute_ms: number;
  /** Size of the file after the hour, bytes. */
  file_bytes: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function minute(m: number, base: number): MinuteSummary {
  const n = FLOWS;
  const c = {
    count: n,
    family: new Uint8Array(n).fill(4),
    src: new Uint32Array(n * 4),
    dst: new Uint32Array(n * 4),
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    proto: new Uint8Array(n).fill(6),
    tcpFlags: new Uint8Array(n).fill(0x18),
    bytes: new Float64Array(n),
    packets: new Float64Array(n),
    firstMs: new Float64Array(n),
    lastMs: new Float64Array(n),
    exporter: new Uint16Array(n),
    exporterMask: new Uint32Array(n),
    inIf: new Uint32Array(n),
    outIf: new Uint32Array(n),
    srcAs: new Uint32Array(n),
    dstAs: new Uint32Array(n),
  };
  for (let r = 0; r < n; r++) {
    const long = r < LONG, id = long ? r : LONG + m * (FLOWS - LONG) + r;
    c.src[r * 4] = 0x0a000000 + (id % 1000); // 1,000 local hosts
    c.dst[r * 4] = 0x5db80000 + ((id * 2654435761) >>> 12) % 200_000;
    c.srcPort[r] = 1024 + (id % 60_000);
    c.dstPort[r] = [443, 80, 53, 22, 8443][id % 5];
    c.bytes[r] = 200 + ((id * 7919) % 1_000_000);
    c.packets[r] = 1 + (c.bytes[r] >>> 10);
    c.firstMs[r] = base + m * MINUTE + (r % 60) * 1000;
    c.lastMs[r] = c.firstMs[r] + 500;
  }
  return {
    minuteMs: base + m * MINUTE,
    flows: c,
    exporters: [],
    hosts: [],
    subnets: [],
    interfaces: [],
    totals: { bytes: 0, packets: 0, flows: n, flows_not_kept: 0 },
  };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
}

async function historyFigures(): Promise<Omit<FlowHistoryBenchResult, "analysis_minute_ms">> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-bench-history-" });
  const path = `${dir}/flows.sqlite`;
  const h = await FlowHistory.open(path, 72 * 3600_000);
  const base = Math.floor(Date.now() / MINUTE) * MINUTE - (MINUTES + 1) * MINUTE;
  const writes: number[] = [], handoffs: number[] = [];
  try {
    console.error(`history: writing ${MINUTES} minutes of ${FLOWS} flows…`);
    for (let m = 0; m < MINUTES; m++) {
      const s = minute(m, base);
      const before = h.stats().minutes_written;
      const t0 = performance.now();
      h.write(s);
      handoffs.push(performance.now() - t0);
      await until(() => h.stats().minutes_written > before || h.stats().write_errors > 0);
      writes.push(performance.now() - t0);
    }
    if (h.stats().write_errors > 0) throw new Error(`writes failed: ${h.stats().last_error}`);
    const q = {
      sinceMs: base,
      untilMs: base + MINUTES * MINUTE,
      sort: "bytes" as const,
      offset: 0,
      limit: 100,
    };
    const top: number[] = [], topIp: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      const page = await h.query(q);
      top.push(performance.now() - t0);
      if (page.flows.length !== 100) throw new Error(`top 100 gave ${page.flows.length}`);
      t0 = performance.now();
      await h.query({ ...q, ip: "10.0.0.7" });
      topIp.push(performance.now() - t0);
    }
    return {
      flows_per_minute: FLOWS,
      minutes: MINUTES,
      rows: h.stats().rows_written,
      write_ms: { median: round(median(writes)), max: round(Math.max(...writes)) },
      handoff_ms: round(median(handoffs)),
      top100_ms: top.map(round),
      top100_ip_ms: topIp.map(round),
      file_bytes: (await Deno.stat(path)).size,
    };
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The engine's interval pass and minute close over 10,000 one-packet flows a minute. */
function analysisFigure(): number {
  const cfg: AnalysisConfig = {
    scan: { ports: 500, hosts: 100 },
    scanWindowMinutes: 15,
    dnsQueriesPerMinute: 1000,
    topTalkerShare: 0.5,
    topTalkerMinBytes: 60_000_000,
    changeMinBytes: 1_000_000,
    flowRetentionS: 0,
    historyFlowsPerMinute: 20_000,
    historyMaxMb: 2048,
  };
  const table = new FlowTable(1 << 17);
  const engine = createAnalysis(table, cfg, [parseCidr("10.0.0.0/8")], () => {});
  // As in the daemon: the next detector (the anomaly detector there) starts each flow's next interval.
  const nextInterval = {
    name: "interval",
    onInterval() {
      for (let id = 0; id < table.highWater; id++) if (table.family[id] !== 0) table.resetInterval(id);
    },
  };
  const pipeline = new FlowPipeline(table, [engine, nextInterval], {
    intervalMs: MINUTE,
    idleTimeoutMs: MINUTE,
    activeTimeoutMs: 30 * MINUTE,
  });
  const t0 = Date.UTC(2026, 0, 1);
  const times: number[] = [];
  for (let m = 0; m < 8; m++) {
    for (let i = 0; i < FLOWS; i += 1000) {
      const b = createPacketBatch(1024);
      for (let r = i; r < i + 1000; r++) {
        addIpRow(b, {
          src: `10.0.${(r >> 8) & 255}.${r & 255}`,
          dst: `93.184.${m}.${r % 250}`,
          srcPort: 1024 + r,
          dstPort: 443,
          proto: 6,
          ipBytes: 1500,
          tsMs: t0 + m * MINUTE + (r % 59_000),
          tcpFlags: 0x18,
        });
      }
      pipeline.consume(b);
    }
    const s = performance.now();
    pipeline.advanceTo(t0 + (m + 1) * MINUTE);
    times.push(performance.now() - s);
  }
  return round(median(times.slice(2)));
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (import.meta.main) {
  const history = await historyFigures();
  console.error("analysis: the engine's minute over 10,000 flows…");
  const result: FlowHistoryBenchResult = { ...history, analysis_minute_ms: analysisFigure() };
  console.log(JSON.stringify(result));
}
