/**
 * NetFlow ingest benchmark subprocess (`deno task bench --only=netflow`). Prints progress on stderr and
 * one JSON line last.
 *
 *   deno run --allow-all tests/bench/netflow_ingest.ts [--seconds=3] [--rates=250000,500000,…]
 *
 * 1. Beside nfcapd: Flintnet's collector (its Worker and recvmmsg socket, wired to a 1 M-flow table and
 *    the EWMA detector as src/app.ts wires them) and Debian's nfcapd each get the same paced NetFlow v9
 *    stream on loopback (tests/bench/netflow_sender.ts sends every datagram to both), at rising rates.
 *    Per rate: records sent, records each kept, kernel drops. Lossless ingest = the highest rate at which
 *    Flintnet kept every record. The 2 cores are shared by sender, nfcapd and Flintnet.
 * 2. Alone: the same ladder to Flintnet only, for its own ceiling on this machine, with the receive
 *    loop in-process (the default) and in a Worker.
 * 3. Per datagram: the pure collector timed on every datagram of the stream, of a million-datagram
 *    corpus of corruptions, and of 64 KiB template floods, three identical runs; each datagram's best
 *    time, the slowest of those and the 99.9th percentile, and the slowest single time.
 * 4. Idle: RSS of a process running only the collector (both listeners) after 3 s idle, in-process and
 *    in a Worker.
 */
import { join } from "node:path";
import { VolumeAnomalyDetector } from "../../src/detect/volume_anomaly.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import { setLogSink } from "../../src/base/log.ts";
import { NetflowCollector } from "../../src/netflow/collector.ts";
import { CollectorService } from "../../src/netflow/collector_service.ts";
import { createFlowRecordBatch } from "../../src/netflow/flow_record.ts";
import { mutateDatagram, seededRandom } from "../helpers/datagram_mutator.ts";
import { ipfix, set, u16 } from "../helpers/netflow_datagrams.ts";
import { type NfcapdSummary, nfcapdUnavailable, startNfcapd } from "../helpers/nfcapd.ts";
import { dataDatagrams, templateDatagram } from "./netflow_stream.ts";

const HERE = new URL(".", import.meta.url).pathname;

/** One rate step. */
export interface IngestStep {
  /** Records per second asked of the sender. */
  rate: number;
  /** What the sender achieved. */
  sent_records: number;
  sent_records_per_s: number;
  send_failures: number;
  /** Records Flintnet decoded into the flow table. */
  flintnet_records: number;
  /** Datagrams the kernel dropped on Flintnet's socket during the step. */
  flintnet_kernel_drops: number;
  /** Sequence gaps Flintnet saw during the step. */
  flintnet_sequence_gaps: number;
  /** nfcapd's own count of flows (null in the alone ladder). */
  nfcapd: NfcapdSummary | null;
}

/** What this script prints. */
export interface NetflowIngestResult {
  seconds_per_step: number;
  beside: IngestStep[];
  alone: IngestStep[];
  alone_worker: IngestStep[];
  /** Highest rate (records/s) at which Flintnet kept every record, beside nfcapd and alone. */
  lossless_beside: number;
  lossless_alone: number;
  lossless_alone_worker: number;
  /** At every rate beside nfcapd, Flintnet kept at least as many records as nfcapd. */
  kept_no_fewer_than_nfcapd: boolean;
  /**
   * Each datagram's best time over PER_DATAGRAM_RUNS identical runs: the slowest, the 99.9th percentile,
   * what the slowest was; and the slowest single time seen (pauses of the machine included).
   */
  per_datagram: { datagrams: number; max_ms: number; p999_ms: number; slowest: string; wall_max_ms: number };
  rss_idle_bytes: number;
  rss_idle_worker_bytes: number;
  rcvbuf_bytes: number;
}

const log = (s: string) => console.error(s);
/** Identical runs of the per-datagram timing. */
const PER_DATAGRAM_RUNS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: string): string {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

/**
 * The highest rate of a ladder at which `kept` is every record sent: the rate asked when the sender
 * reached it (within 1 %), else what it reached.
 */
export function losslessRate(steps: IngestStep[], kept: (s: IngestStep) => number): number {
  const rates = steps.filter((s) => kept(s) >= s.sent_records)
    .map((s) => s.sent_records_per_s >= 0.99 * s.rate ? s.rate : s.sent_records_per_s);
  return Math.max(0, ...rates);
}

/** Flintnet's collector as the daemon wires it, counting what reaches the flow table. */
async function startFlintnet(inWorker = false) {
  const table = new FlowTable(1_000_000);
  // The daemon's detector with the defaults, as createApp builds it.
  const anomalies = new VolumeAnomalyDetector(table, {
    alpha: 0.1,
    k: 4,
    ratio: 4,
    minBytes: 1_000_000,
    warmupIntervals: 30,
    intervalS: 10,
  }, () => {});
  const pipeline = new FlowPipeline(table, [anomalies], {
    intervalMs: 10_000,
    idleTimeoutMs: 120_000,
    activeTimeoutMs: 1_800_000,
  });
  let records = 0;
  const service = new CollectorService({
    listeners: [{ name: "netflow", hostname: "127.0.0.1", port: 0 }],
    rcvbufBytes: 32 << 20,
    sampling: [],
    onRecords: (b) => {
      records += b.count;
      pipeline.consumeRecords(b);
    },
    inWorker,
  });
  await service.start();
  const clock = setInterval(() => pipeline.advanceTo(Date.now()), 1000);
  return {
    service,
    table,
    port: service.stats().listeners[0].port,
    records: () => records,
    async stop() {
      clearInterval(clock);
      await service.stop();
    },
  };
}

async function runSender(ports: number[], rate: number, seconds: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(HERE, "netflow_sender.ts"),
      `--ports=${ports.join(",")}`,
      `--rate=${rate}`,
      `--seconds=${seconds}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`sender failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

/** Waits until `count()` has not moved for 500 ms. */
async function settle(count: () => number): Promise<void> {
  let last = -1;
  for (let still = 0; still < 5;) {
    await sleep(100);
    const now = count();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

async function ladder(
  rates: number[],
  seconds: number,
  withNfcapd: boolean,
  inWorker = false,
): Promise<IngestStep[]> {
  const steps: IngestStep[] = [];
  const flintnet = await startFlintnet(inWorker);
  try {
    for (const rate of rates) {
      const ref = withNfcapd ? await startNfcapd() : null;
      try {
        await sleep(1200); // a fresh stats report from the Worker
        const before = flintnet.service.stats(), recordsBefore = flintnet.records();
        const sent = await runSender(ref ? [flintnet.port, ref.port] : [flintnet.port], rate, seconds);
        await settle(flintnet.records);
        await sleep(1200);
        const after = flintnet.service.stats();
        const step: IngestStep = {
          rate,
          sent_records: sent.records,
          sent_records_per_s: Math.round(sent.records_per_s),
          send_failures: sent.failed,
          flintnet_records: flintnet.records() - recordsBefore,
          flintnet_kernel_drops: after.kernel_drops - before.kernel_drops,
          flintnet_sequence_gaps: after.sequence_gaps - before.sequence_gaps,
          nfcapd: ref ? await ref.summary() : null,
        };
        steps.push(step);
        log(
          `  ${(rate / 1e6).toFixed(2)} M rec/s asked, ${
            (step.sent_records_per_s / 1e6).toFixed(2)
          } M sent: ` +
            `flintnet kept ${step.flintnet_records.toLocaleString("en-US")} of ${
              step.sent_records.toLocaleString("en-US")
            }` +
            ` (${step.flintnet_kernel_drops} datagrams dropped by the kernel)` +
            (step.nfcapd ? `, nfcapd ${step.nfcapd.flows.toLocaleString("en-US")}` : ""),
        );
      } finally {
        await ref?.stop();
      }
    }
  } finally {
    await flintnet.stop();
  }
  return steps;
}

/** The slowest datagram of the stream, of corruptions and of template floods, through the pure collector. */
export function perDatagram(): NetflowIngestResult["per_datagram"] {
  // The same datagrams (seeded) through a fresh collector each run: the runs are identical work, so a
  // datagram's best time of the runs is its own cost, not a pause another process caused.
  const stream = [templateDatagram(0), ...dataDatagrams(4096)];
  const records: number[][] = [];
  for (let id = 256; id < 256 + 8000; id++) records.push([...u16(id), ...u16(1), ...u16(8), ...u16(4)]);
  const flood = ipfix({ exportTime: 1, sequence: 0, domain: 0 }, set(2, ...records));
  const kinds = [
    "a stream datagram (36 records)",
    "a corrupted datagram",
    "64 KiB of 8,000 template definitions",
  ];
  const each = (fn: (d: Uint8Array, kind: number, from: number) => void) => {
    for (let round = 0; round < 5; round++) stream.forEach((d, i) => fn(d, 0, 0x7f000001 + (i & 1)));
    const rand = seededRandom(7);
    for (let i = 0; i < 1_000_000; i++) {
      fn(mutateDatagram(stream.slice(0, 64), rand), 1, 0x0ae78000 + (i & 63));
    }
    for (let e = 0; e < 20; e++) fn(flood, 2, 0x0ae78100 + e);
  };
  const total = 5 * stream.length + 1_000_000 + 20;
  const best = new Float64Array(total).fill(Infinity), kindOf = new Uint8Array(total);
  let wallMax = 0;
  for (let run = 0; run < PER_DATAGRAM_RUNS; run++) {
    const c = new NetflowCollector({ onBatch: (b) => (b.count = 0, b), batch: createFlowRecordBatch(1024) });
    const from = [0, 0, 0, 0];
    let k = 0;
    each((d, kind, source) => {
      from[0] = source;
      const t0 = performance.now();
      c.decode(d, d.length, 4, from, 0, 1_700_000_000_000);
      const ms = performance.now() - t0;
      if (ms < best[k]) best[k] = ms;
      if (ms > wallMax) wallMax = ms;
      kindOf[k++] = kind;
    });
  }
  let worst = 0;
  for (let k = 1; k < total; k++) if (best[k] > best[worst]) worst = k;
  const sorted = best.slice().sort();
  return {
    datagrams: total,
    max_ms: best[worst],
    p999_ms: sorted[Math.floor(total * 0.999)],
    slowest: kinds[kindOf[worst]],
    wall_max_ms: wallMax,
  };
}

/** RSS of a process running only the collector, idle. */
async function idleRss(inWorker: boolean): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(HERE, "netflow_idle.ts"), ...(inWorker ? ["--worker"] : [])],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

async function main(): Promise<void> {
  setLogSink(() => {});
  const missing = await nfcapdUnavailable();
  if (missing) throw new Error(missing);
  const seconds = Number(arg("seconds", "3"));
  const rates = arg("rates", "250000,500000,1000000,1500000,2000000").split(",").map(Number);
  log("netflow: the pure collector, datagram by datagram (stream, 1 M corruptions, template floods)…");
  const per = perDatagram();
  log(
    `  slowest ${per.max_ms.toFixed(2)} ms (${per.slowest}), 99.9th percentile ${per.p999_ms.toFixed(3)} ms`,
  );
  log("netflow: idle RSS of the collector alone…");
  const rss = await idleRss(false), rssWorker = await idleRss(true);
  log(`  ${(rss / 1e6).toFixed(1)} MB in-process, ${(rssWorker / 1e6).toFixed(1)} MB with its Worker`);
  log(`netflow: beside nfcapd, the same paced v9 stream to both, ${seconds} s a step…`);
  const beside = await ladder(rates, seconds, true);
  log(`netflow: Flintnet alone, in-process…`);
  const alone = await ladder([...rates, 3_000_000], seconds, false);
  log(`netflow: Flintnet alone, in its Worker…`);
  const aloneWorker = await ladder([...rates, 3_000_000], seconds, false, true);
  const lossless = (steps: IngestStep[]) => losslessRate(steps, (s) => s.flintnet_records);
  const probe = await startFlintnet();
  const rcvbuf = probe.service.stats().listeners[0].rcvbuf_bytes;
  await probe.stop();
  const result: NetflowIngestResult = {
    seconds_per_step: seconds,
    beside,
    alone,
    alone_worker: aloneWorker,
    lossless_beside: lossless(beside),
    lossless_alone: lossless(alone),
    lossless_alone_worker: lossless(aloneWorker),
    kept_no_fewer_than_nfcapd: beside.every((s) => s.flintnet_records >= (s.nfcapd?.flows ?? 0)),
    per_datagram: per,
    rss_idle_bytes: rss,
    rss_idle_worker_bytes: rssWorker,
    rcvbuf_bytes: rcvbuf,
  };
  console.log(JSON.stringify(result));
}

if (import.meta.main) await main();
