/**
 * Live drop test subprocess: tcpreplay pushes a capture file at top speed through a veth pair from a
 * network namespace; the host end is captured by LiveCapture feeding a FlowPipeline, wired as
 * src/app.ts wires the daemon (same defaults, same consumer, same 1 s clock tick). Prints one JSON line.
 *
 *   deno run --allow-all tests/bench/live_capture.ts FILE
 *
 * Needs root, iproute2 and tcpreplay. The replayed frames keep their own (non-10.231/16) addresses, but
 * they only ever cross the veth pair: the host end drops them (they are not addressed to its MAC).
 * tcpreplay sends each record's captured bytes, so a file stored with a short snaplen goes out as short
 * frames; the result says how many bytes went out.
 */
import { createVethPair, netnsUnavailable, run, vethNames } from "../helpers/netns.ts";
import { EventBus } from "../../src/events/mod.ts";
import { compileBpf } from "../../src/capture/bpf.ts";
import { LiveCapture, type LiveCaptureStats } from "../../src/capture/live_capture.ts";
import { loadConfig } from "../../src/config/mod.ts";
import type { PacketBatch } from "../../src/decode/packet_batch.ts";
import { VolumeAnomalyDetector } from "../../src/detect/volume_anomaly.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import type { Logger } from "../../src/base/log.ts";

/** What tcpreplay said about its run (its own summary). */
export interface TcpreplaySummary {
  /** "Actual: N packets" */
  packets: number;
  /** "(N bytes)": bytes handed to the interface, i.e. the captured bytes of each record. */
  bytes: number;
  /** "sent in S seconds" */
  seconds: number;
  /** "Rated: … pps" */
  pps: number;
  /** "Rated: … Mbps" */
  mbps: number;
  /** "Failed packets:" */
  failed: number;
  /** "Retried packets (ENOBUFS)" + "(EAGAIN)" */
  retried: number;
}

/** One live run. */
export interface LiveResult {
  /** Interface captured on (host end of the pair). */
  iface: string;
  /** Settings the capture ran with (the daemon's defaults unless FLINTNET_* says otherwise). */
  settings: { ringMb: number; snaplen: number; maxFlows: number; bpf: string };
  /** tcpreplay's summary. */
  sent: TcpreplaySummary;
  /** tcpreplay's command line. */
  command: string[];
  /** Kernel ring counters: packets that passed the filter (drops included), drops, ring freezes. */
  kernel: LiveCaptureStats["kernel"];
  /** Rows delivered to the pipeline (IP and ARP frames the decoder understood). */
  rows: number;
  /** Batches delivered. */
  batches: number;
  /** Frames the decoder saw and how it classified them. */
  decode: LiveCaptureStats["decode"];
  /** Flows in the table afterwards / created. */
  flows: { active: number; created: number };
  /** Seconds from tcpreplay's start until the last row arrived. */
  capture_s: number;
  /** Warnings and errors the capture logged. */
  log: { level: string; msg: string; fields?: Record<string, unknown> }[];
}

/** Same as src/app.ts. */
const CLOCK_TICK_MS = 1000;
/** After tcpreplay exits, rows still in flight settle within this long. */
const SETTLE_MS = 1500;
const SETTLE_MAX_MS = 15_000;

/** Parses tcpreplay 4.x's summary; throws if its "Actual:" line is missing. */
export function parseTcpreplay(text: string): TcpreplaySummary {
  const actual = /Actual:\s+(\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds/.exec(text);
  if (!actual) throw new Error(`tcpreplay printed no "Actual:" summary:\n${text}`);
  const rated = /Rated:\s+[\d.]+ Bps,\s+([\d.]+) Mbps,\s+([\d.]+) pps/.exec(text);
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    packets: Number(actual[1]),
    bytes: Number(actual[2]),
    seconds: Number(actual[3]),
    mbps: rated ? Number(rated[1]) : 0,
    pps: rated ? Number(rated[2]) : 0,
    failed: num(/Failed packets:\s+(\d+)/),
    retried: num(/Retried packets \(ENOBUFS\):\s+(\d+)/) + num(/Retried packets \(EAGAIN\):\s+(\d+)/),
  };
}

function flintnetEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k.startsWith("FLINTNET_")));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the live test over `file`; the veth pair is always removed afterwards. */
export async function runLiveBench(file: string, tag = "flbench"): Promise<LiveResult> {
  const why = await netnsUnavailable();
  if (why) throw new Error(`live test cannot run: ${why}`);
  await run(["tcpreplay", "--version"]).catch(() => {
    throw new Error("tcpreplay is not installed: apt-get install -y tcpreplay");
  });
  const pair = await createVethPair({
    ...vethNames(tag),
    hostAddr: "10.231.250.1/24",
    nsAddr: "10.231.250.2/24",
  });
  const log: LiveResult["log"] = [];
  const keep = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    if (level === "warn" || level === "error") log.push({ level, msg, fields });
  };
  const logger: Logger = {
    debug: keep("debug"),
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
  };
  let tick: ReturnType<typeof setInterval> | undefined;
  let cap: LiveCapture | undefined;
  try {
    const cfg = await loadConfig(
      {
        ...flintnetEnv(),
        FLINTNET_INTERFACE: pair.hostIf,
        FLINTNET_STATE_DIR: "/nonexistent/flintnet-bench",
      },
      {},
      { defaultEnvFile: "/nonexistent/flintnet.env" },
    );
    // The wiring of src/app.ts's createApp(), minus what does not touch packets (stores, HTTP, logs).
    const filter = compileBpf(cfg.bpf, cfg.snaplen);
    const bus = new EventBus();
    const table = new FlowTable(cfg.maxFlows);
    const ewma = new VolumeAnomalyDetector(table, cfg.anomaly, (e) => bus.publish(e));
    const pipeline = new FlowPipeline(table, [ewma], {
      intervalMs: cfg.anomaly.intervalS * 1000,
      idleTimeoutMs: cfg.flowIdleTimeoutS * 1000,
      activeTimeoutMs: cfg.flowActiveTimeoutS * 1000,
    });
    let lastRowAt = 0;
    const consumer = {
      consume: (b: PacketBatch) => {
        lastRowAt = performance.now();
        return pipeline.consume(b);
      },
    };
    cap = new LiveCapture({
      iface: pair.hostIf,
      ringMb: cfg.ringMb,
      ringStartMb: cfg.ringStartMb,
      snaplen: cfg.snaplen,
      filter,
      consumer,
      logger,
    });
    await cap.start();
    if (cap.stats().state !== "capturing") {
      throw new Error(`capture on ${pair.hostIf} is ${cap.stats().state}`);
    }
    tick = setInterval(() => pipeline.advanceTo(Date.now()), CLOCK_TICK_MS);

    const command = ["tcpreplay", "--topspeed", "-i", pair.nsIf, file];
    const started = performance.now();
    const out = await pair.exec(command);
    const sent = parseTcpreplay(out.stdout + out.stderr);
    // Wait until every sent frame has arrived as a row, or rows stop arriving.
    const deadline = performance.now() + SETTLE_MAX_MS;
    while (pipeline.rows < sent.packets && performance.now() < deadline) {
      const seen = pipeline.rows;
      await sleep(SETTLE_MS);
      if (pipeline.rows === seen) break;
    }
    await cap.stop();
    const s = cap.stats();
    return {
      iface: pair.hostIf,
      settings: { ringMb: cfg.ringMb, snaplen: cfg.snaplen, maxFlows: cfg.maxFlows, bpf: cfg.bpf },
      sent,
      command: ["ip", "netns", "exec", pair.ns, ...command],
      kernel: s.kernel,
      rows: s.rows,
      batches: s.batches,
      decode: s.decode,
      flows: { active: table.size, created: table.created },
      capture_s: Math.round(Math.max(lastRowAt, started) - started) / 1000,
      log,
    };
  } finally {
    if (tick !== undefined) clearInterval(tick);
    await cap?.stop().catch(() => undefined);
    await pair.destroy();
  }
}

if (import.meta.main) {
  if (Deno.args.length !== 1) {
    console.error("usage: live_capture.ts FILE");
    Deno.exit(2);
  }
  try {
    console.log(JSON.stringify(await runLiveBench(Deno.args[0])));
  } catch (e) {
    console.error(`live_capture: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
