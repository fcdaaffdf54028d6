/**
 * Memory benchmark subprocess: fills a FlowTable with N active flows, the way the daemon would hold
 * them, and prints one JSON line with the process's resident set size.
 *
 *   deno run --allow-all tests/bench/flow_memory.ts N [--capacity C]
 *
 * The table gets the daemon's default capacity (FLINTNET_MAX_FLOWS, 1,000,000) unless --capacity says
 * otherwise, and is wired to the anomaly detector (VolumeAnomalyDetector) through a FlowPipeline as in src/app.ts. Rows are
 * synthetic PacketBatch rows with unique IPv4 5-tuples; every flow gets one packet before and one after
 * an interval boundary, so lookups, inserts and the detector's per-interval pass all touch every flow.
 * Timestamps span 20 s, well inside the 120 s idle timeout: at the end all N flows are active.
 */
import { EventBus } from "../../src/events/mod.ts";
import { loadDetectorConfig } from "../../src/config/mod.ts";
import { createPacketBatch, type PacketBatch, RowKind } from "../../src/decode/packet_batch.ts";
import { VolumeAnomalyDetector } from "../../src/detect/volume_anomaly.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";

/** What one run reports. */
export interface FlowMemoryResult {
  /** Flows asked for. */
  flows: number;
  /** Table capacity used. */
  capacity: number;
  /** Flows in the table at the end (should equal `flows` when flows ≤ capacity). */
  active: number;
  /** Flows evicted because the table was full. */
  evicted: number;
  /** Intervals the pipeline closed. */
  intervals: number;
  /** `Deno.memoryUsage().rss` at the end, bytes. */
  rss_bytes: number;
  /** Peak resident set size of the process (VmHWM), bytes. */
  peak_rss_bytes: number;
  /** V8 heap in use, bytes (typed-array backing stores are outside it). */
  heap_used_bytes: number;
  /** Typed-array and other off-heap memory V8 knows about, bytes. */
  external_bytes: number;
  /** Time to fill the table, seconds. */
  fill_s: number;
}

/** Only FLINTNET_* variables count, as for the daemon; the env file is not read, so runs are repeatable. */
function flintnetEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k.startsWith("FLINTNET_")));
}

/** Writes rows for flows `first … first+count-1` at time `tsMs` into `b` (count ≤ b.capacity). */
function fillBatch(b: PacketBatch, first: number, count: number, tsMs: number): void {
  for (let r = 0; r < count; r++) {
    const i = first + r;
    const a = r << 2;
    b.kind[r] = RowKind.Ip;
    b.tsMs[r] = tsMs + (r & 1023) * 0.001;
    b.frameLen[r] = 590;
    b.vlan[r] = 0;
    b.family[r] = 4;
    // 10.x.y.z sources and 65,536 ports per source make up to 1.07e12 unique tuples.
    b.src[a] = 0x0a000000 + (i >>> 16);
    b.dst[a] = 0xc0a80001;
    b.src[a + 1] = b.src[a + 2] = b.src[a + 3] = 0;
    b.dst[a + 1] = b.dst[a + 2] = b.dst[a + 3] = 0;
    b.srcPort[r] = i & 0xffff;
    b.dstPort[r] = 443;
    b.proto[r] = (i & 1) === 0 ? 6 : 17;
    b.ipBytes[r] = 576;
    b.tcpFlags[r] = (i & 1) === 0 ? 0x18 : 0;
    b.ethSrc[r] = 0x020000000001;
  }
  b.count = count;
}

/** Builds the daemon's table and pipeline, puts `flows` flows through it and measures the process. */
export function measureFlowMemory(flows: number, capacity?: number): FlowMemoryResult {
  const cfg = loadDetectorConfig(flintnetEnv(), { defaultEnvFile: "/nonexistent/flintnet.env" });
  const cap = capacity ?? cfg.maxFlows;
  const table = new FlowTable(cap);
  const bus = new EventBus();
  const ewma = new VolumeAnomalyDetector(table, cfg.anomaly, (e) => bus.publish(e));
  const pipeline = new FlowPipeline(table, [ewma], {
    intervalMs: cfg.anomaly.intervalS * 1000,
    idleTimeoutMs: cfg.flowIdleTimeoutS * 1000,
    activeTimeoutMs: cfg.flowActiveTimeoutS * 1000,
  });
  const intervalMs = cfg.anomaly.intervalS * 1000;
  const t0 = Math.ceil(Date.now() / intervalMs) * intervalMs;
  const batch = createPacketBatch();
  const started = performance.now();
  // Two passes, one interval apart: inserts, then lookups after the detector has closed an interval.
  for (const passStart of [t0, t0 + intervalMs]) {
    for (let first = 0; first < flows; first += batch.capacity) {
      fillBatch(batch, first, Math.min(batch.capacity, flows - first), passStart);
      pipeline.consume(batch);
    }
  }
  pipeline.advanceTo(t0 + 2 * intervalMs);
  const fill = (performance.now() - started) / 1000;
  const mem = Deno.memoryUsage();
  return {
    flows,
    capacity: cap,
    active: table.size,
    evicted: table.evictedFull,
    intervals: pipeline.intervalsClosed,
    rss_bytes: mem.rss,
    peak_rss_bytes: peakRss(),
    heap_used_bytes: mem.heapUsed,
    external_bytes: mem.external,
    fill_s: Math.round(fill * 1000) / 1000,
  };
}

/** VmHWM of this process, bytes; 0 where /proc is not there. */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function parseArgs(args: string[]): { flows: number; capacity?: number } {
  const usage = "usage: flow_memory.ts N [--capacity C]  (N ≥ 0 flows, C ≥ 1)";
  const rest = [...args];
  let capacity: number | undefined;
  const at = rest.indexOf("--capacity");
  if (at >= 0) {
    capacity = Number(rest[at + 1]);
    rest.splice(at, 2);
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(usage);
  }
  const flows = Number(rest[0]);
  if (rest.length !== 1 || !Number.isInteger(flows) || flows < 0) throw new RangeError(usage);
  return { flows, capacity };
}

if (import.meta.main) {
  try {
    const { flows, capacity } = parseArgs(Deno.args);
    console.log(JSON.stringify(measureFlowMemory(flows, capacity)));
  } catch (e) {
    console.error(`flow_memory: ${e instanceof Error ? e.message : e}`);
    Deno.exit(2);
  }
}
