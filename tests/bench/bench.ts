/**
 * `deno task bench`: Flintnet's figures beside peer tools measured in the same run, on the same file.
 *
 *   deno task bench [--only=replay,memory,live,http,snmp,discovery,anomaly,netflow,history,daemon,threats,recording] [--profile] [--dry-run]
 *
 * Sections: replay throughput (Flintnet replay ×5, tcpdump ×3, the replay floor ×3 (tests/bench/replay_floor.ts),
 * softflowd ×3, interleaved), flow-table memory (tests/bench/flow_memory.ts at 100 k and 1 M flows), live
 * capture drops (tests/bench/live_capture.ts), HTTP, one SNMP poll cycle of 1,000 simulated agents
 * (tests/bench/snmp_poll.ts) and a /22 discovery sweep in a network namespace
 * (tests/bench/discovery_sweep.ts), each beside Net-SNMP, the anomaly detector's
 * false alerts and detection delays on simulated days (tests/bench/anomaly_precision.ts) beside the old rule's,
 * NetFlow ingest beside nfcapd (tests/bench/netflow_ingest.ts), the flow history's top-N over an hour
 * at 10 k flows a minute with the analysis engine's minute (tests/bench/flow_history.ts), and block lists:
 * a 1 M-entry list's load time and memory, and replay with it (tests/bench/threat_lists.ts).
 * Prints a table of measure | flintnet | peer | target | result, and writes it with every raw figure to
 * tests/bench/.cache/last.json. A figure that misses its target never fails the run; a tool or step that
 * cannot run does (exit 1). See docs/benchmarks.md for what each figure means.
 */
import { createSocket } from "node:dgram";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FlowMemoryResult } from "./flow_memory.ts";
import type { LiveResult } from "./live_capture.ts";
import { type FlowsLatency, httpRows, runJsonScript, type SseFanout } from "./http_sections.ts";
import { type DiscoveryResult, discoveryRows } from "./discovery_sweep.ts";
import { type SnmpPollResult, snmpPollRows } from "./snmp_poll.ts";
import { type AnomalyResult, anomalyRows } from "./anomaly_precision.ts";
import type { NetflowIngestResult } from "./netflow_ingest.ts";
import { netflowRows } from "./netflow_rows.ts";
import { type FlowHistoryBenchResult, historyRows } from "./flow_history_rows.ts";
import type { DaemonLiveResult } from "./daemon_live.ts";
import { daemonRows, startupStateRows, stateSaveRows } from "./daemon_rows.ts";
import type { StateSavesResult } from "./state_saves.ts";
import type { StartupStateResult } from "./startup_state.ts";
import { type ThreatBenchResult, threatRows } from "./threat_lists.ts";
import { type RecordingBenchResult, recordingRows } from "./recording_tap.ts";

/** This directory: the helper scripts and the cache live beside the driver. */
const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(HERE, ".cache");
const PCAP = join(CACHE, "bench.pcap");
const PCAP_META = join(CACHE, "bench.pcap.json");
const PYTHON = "/usr/bin/python3";
const FLINTNET_RUNS = 5;
const PEER_RUNS = 3;
const MB = 1_000_000;

/** The targets from the issue. */
const TARGET = { pps: 5_000_000, vsSoftflowd: 4, vsTcpdump: 1.25, rss100k: 150 * MB, rss1m: 450 * MB };

/** Debian packages that provide each external tool. */
const TOOLS: Record<string, string> = {
  tcpdump: "tcpdump",
  softflowd: "softflowd",
  tcpreplay: "tcpreplay",
  ip: "iproute2",
  wrk: "wrk",
  snmpget: "snmp",
  snmpbulkwalk: "snmp",
  snmpd: "snmpd",
  snmpsimd: "snmpsim",
  nfcapd: "nfdump",
  trafgen: "netsniff-ng",
};

type Section =
  | "replay"
  | "memory"
  | "live"
  | "http"
  | "snmp"
  | "discovery"
  | "anomaly"
  | "netflow"
  | "history"
  | "daemon"
  | "threats"
  | "recording";

/** The external tools each section runs. */
const SECTION_TOOLS: Record<Section, string[]> = {
  replay: ["tcpdump", "softflowd"],
  memory: [],
  live: ["tcpreplay", "ip"],
  http: ["wrk"],
  snmp: ["snmpget", "snmpbulkwalk", "snmpsimd"],
  discovery: ["snmpget", "snmpd", "ip"],
  anomaly: [],
  netflow: ["nfcapd"],
  history: [],
  daemon: ["trafgen", "tcpdump", "ip"],
  threats: [],
  recording: [],
};

interface Timed {
  code: number;
  wallS: number;
  stdout: string;
  stderr: string;
  /** Peak RSS (VmHWM) sampled from /proc while it ran, bytes; 0 if never seen. */
  peakRss: number;
  timedOut: boolean;
}

interface ToolSummary {
  runs: number[];
  medianWallS: number;
  minWallS: number;
  maxWallS: number;
  /** Input frames / median wall time. */
  wallPps: number;
  peakRss: number;
}

interface Row {
  measure: string;
  flintnet: string;
  peer: string;
  target: string;
  result: string;
}

const failures: string[] = [];
/** Sections left out, with why (no root): not a failure. */
const skipped: string[] = [];

/** Records a step that could not run (the bench then exits 1) and returns null for its figures. */
function failed(step: string, why: string): null {
  failures.push(`${step}: ${why}`);
  console.log(`  ✗ ${step} could not run: ${why}`);
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = {
  pps: (n: number) => Number.isFinite(n) ? `${(n / 1e6).toFixed(2)} M/s` : "n/a",
  s: (n: number) => Number.isFinite(n) ? `${n.toFixed(3)} s` : "n/a",
  mb: (n: number) => Number.isFinite(n) && n > 0 ? `${(n / MB).toFixed(1)} MB` : "n/a",
  x: (n: number) => Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a",
  int: (n: number) => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a",
};

/** PASS/MISS with how far off: `higher` says whether bigger is better. */
function verdict(value: number, target: number, higher: boolean): string {
  if (!Number.isFinite(value)) return "n/a";
  const ok = higher ? value >= target : value <= target;
  const pct = ((value - target) / target) * 100;
  return `${ok ? "PASS" : "MISS"} (${pct >= 0 ? "+" : ""}${pct.toFixed(0)}% vs target)`;
}

let repoRoot: string | undefined;
/** The repository root: the nearest directory at or above this one holding deno.json. */
function repo(): string {
  return repoRoot ??= findRepoRoot(HERE);
}

/** The nearest directory at or above `dir` holding deno.json. */
function findRepoRoot(dir: string): string {
  for (let d = dir;; d = dirname(d)) {
    try {
      if (Deno.statSync(join(d, "deno.json")).isFile) return d;
    } catch { /* keep looking */ }
    if (dirname(d) === d) throw new Error(`no deno.json at or above ${dir}`);
  }
}

/** The absolute path of a tool, or null: PATH first, then the sbin directories root's PATH has. */
function findTool(name: string): string | null {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const d of dirs.filter(Boolean)) {
    try {
      const p = join(d, name);
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return null;
}

async function readPeakRss(pid: number): Promise<number> {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(await Deno.readTextFile(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // exited (a zombie has no Vm lines)
  }
}

/** Runs a command, timing it from spawn to exit and sampling its peak RSS every 10 ms. */
async function timed(cmd: string[], timeoutMs = 120_000, cwd?: string): Promise<Timed> {
  const started = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: cwd ?? repo(),
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  let done = false;
  let peakRss = 0;
  const sampler = (async () => {
    while (!done) {
      peakRss = Math.max(peakRss, await readPeakRss(child.pid));
      await sleep(10);
    }
  })();
  const out = await child.output();
  const wallS = (performance.now() - started) / 1000;
  done = true;
  clearTimeout(killer);
  await sampler;
  const dec = new TextDecoder();
  return {
    code: out.code,
    wallS,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    peakRss,
    timedOut,
  };
}

/** Exit status, the first line that mentions an error, and the last lines of output. */
function describeFailure(t: Timed): string {
  if (t.timedOut) return "timed out";
  const lines = (t.stderr || t.stdout).trim().split("\n");
  const first = lines.find((l) => /error/i.test(l));
  const shown = [...new Set([...(first ? [first] : []), ...lines.slice(-3)])].filter(Boolean);
  return `exit ${t.code}${shown.map((l) => `\n    ${l.slice(0, 300)}`).join("")}`;
}

async function sha256Hex(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bench capture, generated once per generator version (keyed by its sha256). */
async function ensurePcap(): Promise<{ sha256: string; generator: string; truth: Record<string, number> }> {
  const generator = Deno.env.get("FLINTNET_BENCH_GEN") ??
    resolve(repo(), "..", "shared", "bench", "gen-pcap.py");
  const sha256 = await sha256Hex(generator).catch((e) => {
    throw new Error(`bench generator ${generator} cannot be read (${e.message}); set FLINTNET_BENCH_GEN`);
  });
  try {
    const meta = JSON.parse(await Deno.readTextFile(PCAP_META));
    if (meta.sha256 === sha256 && (await Deno.stat(PCAP)).size === meta.size) {
      console.log(`input: ${relative(repo(), PCAP)} (cached; generator sha256 ${sha256.slice(0, 12)}…)`);
      return meta;
    }
  } catch { /* no cache yet */ }
  await Deno.mkdir(CACHE, { recursive: true });
  console.log(`input: generating ${relative(repo(), PCAP)} with ${generator} (about 12 s)…`);
  const tmp = `${PCAP}.tmp`;
  const gen = await timed([PYTHON, generator, tmp], 300_000);
  if (gen.code !== 0) {
    await Deno.remove(tmp).catch(() => undefined);
    throw new Error(`${generator} failed: ${describeFailure(gen)}`);
  }
  const truth = JSON.parse(gen.stdout.trim().split("\n").pop()!);
  await Deno.rename(tmp, PCAP);
  const meta = { sha256, generator, truth, size: (await Deno.stat(PCAP)).size };
  await Deno.writeTextFile(PCAP_META, JSON.stringify(meta, null, 2) + "\n");
  return meta;
}

// ---------------------------------------------------------------- replay throughput

/** Each tool's figures over its successful runs; null when none succeeded. */
interface ReplayFigures {
  flintnet: (ToolSummary & { reportedPps: number[]; medianReportedPps: number; frames: number }) | null;
  tcpdump: ToolSummary | null;
  /** replay_floor.ts: reading and decoding only (no flow table, no detector). */
  floor: ToolSummary | null;
  softflowd: (ToolSummary & { processed: number; exported: string; datagramsReceived: number }) | null;
}

function summarise(runs: Timed[], frames: number): ToolSummary {
  const walls = runs.map((r) => r.wallS);
  const med = median(walls);
  return {
    runs: walls.map((w) => Math.round(w * 1000) / 1000),
    medianWallS: med,
    minWallS: Math.min(...walls),
    maxWallS: Math.max(...walls),
    wallPps: frames / med,
    peakRss: Math.max(...runs.map((r) => r.peakRss)),
  };
}

/** One softflowd run exporting to a UDP port of ours on loopback, so datagrams go nowhere else. */
async function runSoftflowd(tmp: string): Promise<{ t: Timed; received: number }> {
  const sock = createSocket("udp4");
  let received = 0;
  sock.on("message", () => void received++);
  const port = await new Promise<number>((ok) => sock.bind(0, "127.0.0.1", () => ok(sock.address().port)));
  // "-c none": softflowd 1.1.0 reading a file with a control socket blocks in accept() (see README).
  const t = await timed([
    findTool("softflowd")!,
    ...["-r", PCAP, "-n", `127.0.0.1:${port}`, "-d", "-p", join(tmp, "softflowd.pid"), "-c", "none"],
    ...["-m", "100000"],
  ], 60_000);
  await sleep(50); // let the last datagrams land
  sock.close();
  return { t, received };
}

async function benchReplay(frames: number): Promise<ReplayFigures> {
  const tmp = await Deno.makeTempDir({ prefix: "flintnet-bench-" });
  try {
    const replayCmd = [Deno.execPath(), "run", "-A", "main.ts", "replay", PCAP];
    console.log("replay: warm-up run (page cache, Deno's transpile cache)…");
    const warm = await timed(replayCmd);
    if (warm.code !== 0) failed("flintnet replay (warm-up)", describeFailure(warm));
    const floorCmd = [Deno.execPath(), "run", "-A", join(HERE, "replay_floor.ts"), PCAP];
    const fl: Timed[] = [], reported: number[] = [], td: Timed[] = [], sf: Timed[] = [], floor: Timed[] = [];
    let sfReceived = 0;
    // Interleaved, so a change in machine load during the run hits every tool alike.
    for (let round = 0; round < FLINTNET_RUNS; round++) {
      const line = [`replay: round ${round + 1}/${FLINTNET_RUNS}`];
      const t = await timed(replayCmd);
      if (t.code !== 0) {
        failed(`flintnet replay (round ${round + 1})`, describeFailure(t));
      } else {
        const doc = JSON.parse(t.stdout);
        if (doc.totals.frames !== frames) {
          console.log(`  ! flintnet replay read ${doc.totals.frames} frames; the generator wrote ${frames}`);
        }
        fl.push(t);
        reported.push(doc.packets_per_s);
        line.push(`flintnet ${fmt.s(t.wallS)}`);
      }
      if (round < PEER_RUNS) {
        const d = await timed([findTool("tcpdump")!, "-r", PCAP, "-w", "/dev/null"], 60_000);
        if (d.code !== 0) failed(`tcpdump (round ${round + 1})`, describeFailure(d));
        else {
          td.push(d);
          line.push(`tcpdump ${fmt.s(d.wallS)}`);
        }
        const r = await timed(floorCmd, 60_000);
        const decoded = r.code === 0 ? JSON.parse(r.stdout).rows : NaN;
        if (r.code !== 0) failed(`replay floor (round ${round + 1})`, describeFailure(r));
        else if (decoded !== frames) {
          console.log(`  ! the replay floor decoded ${decoded} rows; the generator wrote ${frames}`);
        } else {
          floor.push(r);
          line.push(`floor ${fmt.s(r.wallS)}`);
        }
        const s = await runSoftflowd(tmp);
        if (s.t.code !== 0) failed(`softflowd (round ${round + 1})`, describeFailure(s.t));
        else {
          sf.push(s.t);
          sfReceived = s.received;
          line.push(`softflowd ${fmt.s(s.t.wallS)}`);
        }
      }
      console.log(line.join("  "));
    }
    const sfOut = sf.at(-1)?.stdout ?? "";
    return {
      flintnet: fl.length
        ? { ...summarise(fl, frames), reportedPps: reported, medianReportedPps: median(reported), frames }
        : null,
      tcpdump: td.length ? summarise(td, frames) : null,
      floor: floor.length ? summarise(floor, frames) : null,
      softflowd: sf.length
        ? {
          ...summarise(sf, frames),
          processed: Number(/Packets processed:\s+(\d+)/.exec(sfOut)?.[1] ?? NaN),
          exported: /Flows exported:\s+(.*)/.exec(sfOut)?.[1] ?? "?",
          datagramsReceived: sfReceived,
        }
        : null,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- memory

async function benchMemory(): Promise<Record<string, FlowMemoryResult> | null> {
  const out: Record<string, FlowMemoryResult> = {};
  for (const n of [0, 100_000, 1_000_000]) {
    const t = await timed([Deno.execPath(), "run", "-A", join(HERE, "flow_memory.ts"), String(n)]);
    if (t.code !== 0) return failed(`flow_memory ${n}`, describeFailure(t));
    out[n] = JSON.parse(t.stdout);
    const r = out[n];
    console.log(
      `memory: ${fmt.int(n)} flows → ${fmt.int(r.active)} active, rss ${fmt.mb(r.rss_bytes)} ` +
        `(capacity ${fmt.int(r.capacity)}, filled in ${fmt.s(r.fill_s)})`,
    );
    if (r.active !== Math.min(n, r.capacity)) {
      console.log(`  ! expected ${n} active flows, table holds ${r.active}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- live

async function benchLive(): Promise<LiveResult | null> {
  console.log("live: tcpreplay --topspeed through a veth pair from a namespace (about 10 s)…");
  const t = await timed([Deno.execPath(), "run", "-A", join(HERE, "live_capture.ts"), PCAP], 180_000);
  if (t.code !== 0) return failed("live capture", describeFailure(t));
  const r: LiveResult = JSON.parse(t.stdout);
  console.log(
    `live: sent ${fmt.int(r.sent.packets)} frames (${fmt.mb(r.sent.bytes)}) at ${
      fmt.int(r.sent.pps)
    } pkt/s; ` +
      `kernel saw ${fmt.int(r.kernel.packets)}, dropped ${r.kernel.drops}, froze ${r.kernel.freezes}; ` +
      `${fmt.int(r.rows)} rows`,
  );
  for (const l of r.log) console.log(`  capture ${l.level}: ${l.msg} ${JSON.stringify(l.fields ?? {})}`);
  return r;
}

// ---------------------------------------------------------------- http

async function benchHttp(): Promise<
  { flows: FlowsLatency | null; distinct: FlowsLatency | null; sse: SseFanout | null }
> {
  console.log("http: /flows under wrk with 100 k flows and capture running (about 15 s)…");
  const flows = await runJsonScript<FlowsLatency>(new URL("./http_flows.ts", import.meta.url));
  if (!flows) failed("http /flows", "tests/bench/http_flows.ts did not finish");
  console.log("http: /flows again, every request a different query (about 15 s)…");
  const distinct = await runJsonScript<FlowsLatency>(new URL("./http_flows.ts", import.meta.url), [
    "--distinct",
  ]);
  if (!distinct) failed("http /flows --distinct", "tests/bench/http_flows.ts --distinct did not finish");
  console.log("http: 1 000 SSE clients at 1 000 events/s, then one stalled client (about 60 s)…");
  const sse = await runJsonScript<SseFanout>(new URL("./sse_fanout.ts", import.meta.url));
  if (!sse) failed("http /stream", "tests/bench/sse_fanout.ts did not finish");
  return { flows, distinct, sse };
}

// ---------------------------------------------------------------- snmp and discovery

/** Runs a section's subprocess, shows its progress lines (stderr) and parses its JSON line. */
async function runSection<T>(step: string, script: string, timeoutMs: number): Promise<T | null> {
  const t = await timed([Deno.execPath(), "run", "-A", join(HERE, script)], timeoutMs);
  for (const l of t.stderr.trim().split("\n").filter(Boolean)) {
    if (!l.startsWith("{")) console.log(`  ${l}`); // progress lines; JSON lines are the daemon's own log
  }
  if (t.code !== 0) return failed(step, describeFailure(t));
  try {
    return JSON.parse(t.stdout.trim().split("\n").pop()!) as T;
  } catch {
    return failed(step, `${script} printed no JSON result`);
  }
}

function benchSnmp(): Promise<SnmpPollResult | null> {
  console.log("snmp: one poll cycle of 1,000 snmpsimd agents, then Net-SNMP on 100 of them (about 80 s)…");
  return runSection<SnmpPollResult>("snmp poll", "snmp_poll.ts", 240_000);
}

function benchAnomaly(): Promise<AnomalyResult | null> {
  console.log("anomaly: simulated days through the pipeline, this detector and the old rule (about 80 s)…");
  return runSection<AnomalyResult>("anomaly precision", "anomaly_precision.ts", 600_000);
}

function benchNetflow(): Promise<NetflowIngestResult | null> {
  console.log(
    "netflow: datagram timing, idle RSS, then paced v9 streams beside nfcapd and alone (about 3 min)…",
  );
  return runSection<NetflowIngestResult>("netflow ingest", "netflow_ingest.ts", 600_000);
}

function benchHistory(): Promise<FlowHistoryBenchResult | null> {
  console.log("history: an hour of 10,000 flows a minute into the flow history, then top-N (about 15 s)…");
  return runSection<FlowHistoryBenchResult>("flow history", "flow_history.ts", 300_000);
}

function benchStartupState(): Promise<StartupStateResult | null> {
  console.log(
    "daemon: start-up with 100 k devices and a 1 GB alert history, warm and cold, and with an ARP history at its bound (about 50 s; the state is made once, about a minute)…",
  );
  return runSection<StartupStateResult>("start-up with state", "startup_state.ts", 600_000);
}

function benchStateSaves(): Promise<StateSavesResult | null> {
  console.log(
    "daemon: how long saving the registry and the ARP history at their bounds holds the thread (about 20 s)…",
  );
  return runSection<StateSavesResult>("state saves", "state_saves.ts", 300_000);
}

function benchDaemon(): Promise<DaemonLiveResult | null> {
  console.log(
    "daemon: start-up, idle memory, trafgen streams beside tcpdump, an ARP flood, 100 k and 1 M flows (about 2 min)…",
  );
  return runSection<DaemonLiveResult>("daemon live", "daemon_live.ts", 600_000);
}

async function benchRecording(): Promise<RecordingBenchResult | null> {
  console.log("recording: decode behind the PCAP recording tap, four ways (about 30 s)…");
  const t = await timed([Deno.execPath(), "run", "-A", join(HERE, "recording_tap.ts"), PCAP], 300_000);
  if (t.code !== 0) return failed("recording tap", describeFailure(t));
  return JSON.parse(t.stdout.trim().split("\n").pop()!) as RecordingBenchResult;
}

async function benchThreats(): Promise<ThreatBenchResult | null> {
  console.log("threats: a 1 M-entry block list loaded, looked up, and replay with it (about 20 s)…");
  const t = await timed([Deno.execPath(), "run", "-A", join(HERE, "threat_lists.ts"), PCAP], 300_000);
  for (const l of t.stderr.trim().split("\n").filter((l) => l && !l.startsWith("{"))) console.log(`  ${l}`);
  if (t.code !== 0) return failed("threat lists", describeFailure(t));
  return JSON.parse(t.stdout.trim().split("\n").pop()!) as ThreatBenchResult;
}

function benchDiscovery(): Promise<DiscoveryResult | null> {
  console.log("discovery: /22 sweep in a namespace, then snmpget on a sample (about 95 s)…");
  return runSection<DiscoveryResult>("discovery sweep", "discovery_sweep.ts", 240_000);
}

// ---------------------------------------------------------------- profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Top self-time functions of a V8 .cpuprofile. */
function topSelfTime(profile: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}, top = 12): { fn: string; ms: number; pct: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample lasts until the next one
    const f = byId.get(id)!.callFrame;
    const where = f.url.startsWith("file://") ? relative(repo(), fileURLToPath(f.url)) : f.url;
    const key = `${f.functionName || "(anonymous)"}${where ? `  ${where}:${f.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
}

async function profileReplay(): Promise<{ fn: string; ms: number; pct: number }[] | null> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-prof-" });
  try {
    const t = await timed([
      Deno.execPath(),
      "run",
      `--cpu-prof`,
      `--cpu-prof-dir=${dir}`,
      "-A",
      "main.ts",
      "replay",
      PCAP,
    ]);
    if (t.code !== 0) return failed("replay --cpu-prof", describeFailure(t));
    // The main thread's profile (flow table, detectors): the reading Worker writes its own
    // (CPU.….worker-1.cpuprofile), which is mostly waiting for the main thread.
    const file = [...Deno.readDirSync(dir)].find((e) =>
      e.name.endsWith(".cpuprofile") && !e.name.includes("worker")
    );
    if (!file) return failed("replay --cpu-prof", "no .cpuprofile written");
    const top = topSelfTime(JSON.parse(await Deno.readTextFile(join(dir, file.name))));
    console.log("\nreplay self time (deno run --cpu-prof main.ts replay), top functions:");
    for (const p of top) {
      console.log(`  ${p.pct.toFixed(1).padStart(5)}%  ${p.ms.toFixed(0).padStart(6)} ms  ${p.fn}`);
    }
    return top;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- report

function buildRows(
  replay: ReplayFigures | null,
  memory: Record<string, FlowMemoryResult> | null,
  live: LiveResult | null,
): Row[] {
  const rows: Row[] = [];
  if (replay) {
    const f = replay.flintnet, d = replay.tcpdump, s = replay.softflowd;
    const reported = f?.medianReportedPps ?? NaN;
    rows.push({
      // names on flows, TCP health, block-list checks and attack signals always run in replay: this figure
      // includes them (docs/visibility.md); the threats section adds a 1 M-entry block list
      measure: `replay pkt/s with names, TCP health, attack signals (median of ${
        f?.runs.length ?? 0
      }, as reported)`,
      flintnet: fmt.pps(reported),
      peer: `tcpdump ${fmt.pps(d?.wallPps ?? NaN)} (by wall time)`,
      target: `≥ ${fmt.pps(TARGET.pps)}`,
      result: verdict(reported, TARGET.pps, true),
    });
    const ratio = (f?.wallPps ?? NaN) / (s?.wallPps ?? NaN);
    rows.push({
      measure: "replay vs softflowd (pkt/s by wall time)",
      flintnet: `${fmt.pps(f?.wallPps ?? NaN)} = ${fmt.x(ratio)}`,
      peer: `softflowd ${fmt.pps(s?.wallPps ?? NaN)}`,
      target: `≥ ${TARGET.vsSoftflowd}×`,
      result: verdict(ratio, TARGET.vsSoftflowd, true),
    });
    const slower = (f?.medianWallS ?? NaN) / (d?.medianWallS ?? NaN);
    rows.push({
      measure: "replay wall time vs tcpdump (median)",
      flintnet: `${fmt.s(f?.medianWallS ?? NaN)} = ${fmt.x(slower)}`,
      peer: `tcpdump ${fmt.s(d?.medianWallS ?? NaN)}`,
      target: `≤ ${TARGET.vsTcpdump}×`,
      result: verdict(slower, TARGET.vsTcpdump, false),
    });
    // What the runtime costs before any flow is counted: Deno's start, the reading Worker, the decoder.
    const fw = replay.floor?.medianWallS ?? NaN;
    rows.push({
      measure: "replay floor: read and decode only, no flow table or detector (median wall time)",
      flintnet: `${fmt.s(fw)} = ${fmt.x(fw / (d?.medianWallS ?? NaN))} tcpdump`,
      peer: `tcpdump ${fmt.s(d?.medianWallS ?? NaN)}; replay ${fmt.s(f?.medianWallS ?? NaN)}`,
      target: "(diagnostic)",
      result: "—",
    });
  }
  if (memory) {
    const sfRss = replay?.softflowd?.peakRss ?? NaN, flRss = replay?.flintnet?.peakRss ?? NaN;
    rows.push({
      measure: "RSS, 100 k active flows",
      flintnet: fmt.mb(memory[100_000].rss_bytes),
      peer: `softflowd max RSS ${fmt.mb(sfRss)} (bench file, 20 k flows)`,
      target: `≤ ${fmt.mb(TARGET.rss100k)}`,
      result: verdict(memory[100_000].rss_bytes, TARGET.rss100k, false),
    });
    rows.push({
      measure: "RSS, 1 M active flows",
      flintnet: fmt.mb(memory[1_000_000].rss_bytes),
      peer: `flintnet replay max RSS ${fmt.mb(flRss)} (bench file)`,
      target: `≤ ${fmt.mb(TARGET.rss1m)}`,
      result: verdict(memory[1_000_000].rss_bytes, TARGET.rss1m, false),
    });
  }
  if (live) {
    const seenAll = live.kernel.packets >= live.sent.packets;
    rows.push({
      measure: "live kernel drops (tcpreplay --topspeed, veth)",
      flintnet: `${fmt.int(live.kernel.drops)} of ${fmt.int(live.kernel.packets)}`,
      peer: `tcpreplay ${fmt.int(live.sent.packets)} sent at ${fmt.int(live.sent.pps)} pkt/s`,
      target: "0",
      result: live.kernel.drops === 0 && seenAll
        ? "PASS"
        : `MISS (${fmt.int(live.kernel.drops)} dropped${seenAll ? "" : ", not all sent frames seen"})`,
    });
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const head: Row = {
    measure: "measure",
    flintnet: "flintnet",
    peer: "peer",
    target: "target",
    result: "result",
  };
  const keys = Object.keys(head) as (keyof Row)[];
  const width = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  const line = (r: Row) => `| ${keys.map((k, i) => r[k].padEnd(width[i])).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${width.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

function printDetails(replay: ReplayFigures | null, live: LiveResult | null): void {
  if (replay) {
    console.log("\nper tool (wall time from spawn to exit; pkt/s = input frames / median wall time):");
    for (const [name, t] of Object.entries(replay) as [string, ToolSummary | null][]) {
      if (!t) {
        console.log(`  ${name.padEnd(9)} no successful run`);
        continue;
      }
      console.log(
        `  ${name.padEnd(9)} median ${fmt.s(t.medianWallS)} (min ${fmt.s(t.minWallS)}, ` +
          `max ${fmt.s(t.maxWallS)}, ${t.runs.length} runs)  ${fmt.pps(t.wallPps)}  peak RSS ${
            fmt.mb(t.peakRss)
          }`,
      );
    }
    const f = replay.flintnet, sf = replay.softflowd;
    if (f) console.log(`  flintnet reported pkt/s: ${f.reportedPps.map((p) => fmt.pps(p)).join(", ")}`);
    if (sf) {
      console.log(
        `  softflowd processed ${fmt.int(sf.processed)} IPv4 packets (it skips IPv6 and ARP without -6), ` +
          `exported ${sf.exported};\n  ${sf.datagramsReceived} of its NetFlow datagrams were read from our loopback port ` +
          "(the end-of-file flush overflows the socket's receive buffer; that is not softflowd's cost)",
      );
    }
  }
  if (live) {
    const d = live.decode;
    console.log(
      `\nlive: tcpreplay sent ${fmt.int(live.sent.packets)} frames, ${fmt.int(live.sent.bytes)} bytes ` +
        `(the records' captured bytes; their original wire length is larger), ${live.sent.failed} failed; ` +
        `kernel saw ${
          fmt.int(live.kernel.packets)
        }, dropped ${live.kernel.drops}, ring froze ${live.kernel.freezes}×`,
    );
    if (d) {
      console.log(
        `  decoder: ${fmt.int(d.frames)} frames → ${fmt.int(live.rows)} rows (ipv4 ${fmt.int(d.ipv4)}, ` +
          `ipv6 ${fmt.int(d.ipv6)}, arp ${fmt.int(d.arp)}); ${fmt.int(d.malformed_total)} malformed: ` +
          Object.entries(d.malformed).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${fmt.int(n)}`).join(
            ", ",
          ),
      );
      console.log(
        "  (on the wire each frame is only its 128 stored bytes while its IP length field says more, so the\n" +
          "   decoder rightly counts those frames as malformed instead of making flow rows of them)",
      );
    }
  }
}

function printDeviceDetails(snmp: SnmpPollResult | null, disc: DiscoveryResult | null): void {
  if (snmp) {
    const c = snmp.cycle, d = snmp.diag, r = snmp.reference;
    console.log(
      `\nsnmp: ${snmp.agents} agents on ${snmp.simulators} snmpsimd processes; judged cycle at concurrency ` +
        `${c.concurrency}: ${fmt.s(c.wall_s)}, ${c.stats.ok} ok, Flintnet CPU ${fmt.s(c.cpu_s)}, ` +
        `snmpsimd CPU ${fmt.s(c.snmpsimd_cpu_s)}`,
    );
    for (const [why, n] of Object.entries(c.errors)) console.log(`  ${n} × ${why}`);
    console.log(
      `  diagnostic: ${d.agents} agents at concurrency ${d.concurrency}: ${
        fmt.s(d.wall_s)
      }, ${d.stats.ok} ok; ` +
        `per device Flintnet CPU ${(d.cpu_s / d.agents * 1000).toFixed(1)} ms, snmpsimd CPU ` +
        `${(d.snmpsimd_cpu_s / d.agents * 1000).toFixed(1)} ms`,
    );
    console.log(
      `  Net-SNMP (snmpget system group + snmpbulkwalk -Cr25 ifXTable, serial): ${
        fmt.s(r.sample_wall_s)
      } for ` +
        `${r.sample} agents, ${r.ok} ok → ${fmt.s(r.extrapolated_s)} for ${snmp.agents} (extrapolated); ` +
        `snmpsimd CPU ${(r.snmpsimd_cpu_s / r.sample * 1000).toFixed(1)} ms per agent`,
    );
  }
  if (disc) {
    console.log(
      `\ndiscovery: ${disc.cidr}, ${disc.total} addresses in ${fmt.s(disc.wall_s)} (CPU ${
        fmt.s(disc.cpu_s)
      }); ` +
        `found ${disc.found.join(" ")}; set up ${disc.expected.found.join(" ")} (agents ${
          disc.expected.snmp.join(" ")
        }); ${disc.matches ? "equal" : "NOT equal"}`,
    );
    const parts = Object.entries(disc.reference.per_kind).map(([k, v]) =>
      `${k} ${v.sampled}/${v.in_cidr} × ${v.mean_s.toFixed(3)} s`
    );
    console.log(
      `  snmpget -t 1 -r 1 sysDescr.0, serial, sampled/in the /22 × mean: ${parts.join(", ")} → ` +
        `${fmt.s(disc.reference.extrapolated_s)} (extrapolated; the sample took ${
          fmt.s(disc.reference.sample_wall_s)
        })`,
    );
  }
}

function parseArgs(args: string[]): { sections: Set<Section>; profile: boolean; dryRun: boolean } {
  const all: Section[] = [
    "replay",
    "memory",
    "live",
    "http",
    "snmp",
    "discovery",
    "anomaly",
    "netflow",
    "history",
    "daemon",
    "threats",
    "recording",
  ];
  let sections = new Set<Section>(all);
  let profile = false, dryRun = false;
  for (const a of args) {
    if (a === "--profile") profile = true;
    else if (a === "--dry-run") dryRun = true;
    else if (a.startsWith("--only=")) {
      const want = a.slice(7).split(",").filter(Boolean);
      const bad = want.filter((w) => !all.includes(w as Section));
      if (bad.length || !want.length) {
        throw new Error(`--only: "${bad[0] ?? ""}" is not one of ${all.join(", ")}`);
      }
      sections = new Set(want as Section[]);
    } else throw new Error(`unknown option "${a}"; accepted: --only=${all.join(",")}, --profile, --dry-run`);
  }
  return { sections, profile, dryRun };
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs(Deno.args);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  if (opts.sections.has("discovery") && Deno.uid() !== 0) {
    opts.sections.delete("discovery");
    skipped.push("discovery: needs root (a network namespace, a veth pair, an AF_PACKET socket)");
    console.log(`bench: skipping ${skipped.at(-1)}`);
  }
  const needed = [...new Set([...opts.sections].flatMap((s) => SECTION_TOOLS[s]))];
  const missing = needed.filter((t) => findTool(t) === null);
  if (missing.length) {
    console.error(`bench: missing ${missing.join(", ")}; install with:`);
    console.error(`  apt-get install -y ${[...new Set(missing.map((t) => TOOLS[t]))].join(" ")}`);
    return 1;
  }
  if (opts.sections.has("daemon") && Deno.uid() !== 0) {
    opts.sections.delete("daemon");
    skipped.push("daemon: needs root (a network namespace, a veth pair, an AF_PACKET socket)");
    console.log(`bench: skipping ${skipped.at(-1)}`);
  }
  if (opts.sections.has("live") && Deno.uid() !== 0) {
    console.error(
      "bench: the live section needs root (network namespaces, AF_PACKET); or use --only=replay,memory",
    );
    return 1;
  }
  if (opts.dryRun) {
    // What the docs' bench commands would run, checked without running it (the test suite does this).
    console.log(`bench: would run ${[...opts.sections].join(", ")}${opts.profile ? " and a profile" : ""}`);
    return 0;
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(
    `flintnet bench — deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, load ${load}`,
  );
  if (Number(load.split(" ")[0]) > 0.5) {
    console.log("  ! the machine is busy: figures will be slower and noisier than on an idle box");
  }
  // Only the replay and live sections read the capture file.
  const input = opts.sections.has("replay") || opts.sections.has("live") || opts.sections.has("threats") ||
      opts.sections.has("recording")
    ? await ensurePcap()
    : null;
  const frames = input?.truth.packets ?? 0;

  const replay = opts.sections.has("replay") ? await benchReplay(frames) : null;
  const memory = opts.sections.has("memory") ? await benchMemory() : null;
  const live = opts.sections.has("live") ? await benchLive() : null;
  const http = opts.sections.has("http") ? await benchHttp() : null;
  const snmp = opts.sections.has("snmp") ? await benchSnmp() : null;
  const discovery = opts.sections.has("discovery") ? await benchDiscovery() : null;
  const anomaly = opts.sections.has("anomaly") ? await benchAnomaly() : null;
  const netflow = opts.sections.has("netflow") ? await benchNetflow() : null;
  const history = opts.sections.has("history") ? await benchHistory() : null;
  const daemon = opts.sections.has("daemon") ? await benchDaemon() : null;
  const startupState = opts.sections.has("daemon") ? await benchStartupState() : null;
  const stateSaves = opts.sections.has("daemon") ? await benchStateSaves() : null;
  const threats = opts.sections.has("threats") ? await benchThreats() : null;
  const recording = opts.sections.has("recording") ? await benchRecording() : null;
  const replayMissed = (replay?.flintnet?.medianReportedPps ?? Infinity) < TARGET.pps;
  const profile = opts.profile || replayMissed ? await profileReplay() : null;

  printDetails(replay, live);
  printDeviceDetails(snmp, discovery);
  const rows = [
    ...buildRows(replay, memory, live),
    ...(daemon ? daemonRows(daemon, verdict) : []),
    ...(startupState ? startupStateRows(startupState, verdict) : []),
    ...(stateSaves ? stateSaveRows(stateSaves) : []),
    ...httpRows(http?.flows ?? null, http?.sse ?? null, verdict, http?.distinct ?? null),
    ...(snmp ? snmpPollRows(snmp, verdict) : []),
    ...(discovery ? discoveryRows(discovery, verdict) : []),
    ...(anomaly ? anomalyRows(anomaly, verdict) : []),
    ...(netflow ? netflowRows(netflow, verdict) : []),
    ...(history ? historyRows(history, verdict) : []),
    ...(threats ? threatRows(threats, verdict) : []),
    ...(recording ? recordingRows(recording, verdict) : []),
  ];
  console.log("");
  printTable(rows);
  if (failures.length) console.log(`\nsteps that could not run:\n  ${failures.join("\n  ")}`);
  if (skipped.length) console.log(`\nsections skipped:\n  ${skipped.join("\n  ")}`);

  const report = {
    when: new Date().toISOString(),
    host: { deno: Deno.version.deno, cpus: navigator.hardwareConcurrency, loadavg_start: load },
    input: input ? { file: relative(repo(), PCAP), ...input } : null,
    targets: TARGET,
    table: rows,
    replay,
    memory,
    live,
    http,
    snmp,
    discovery,
    anomaly,
    netflow,
    history,
    daemon,
    startup_state: startupState,
    state_saves: stateSaves,
    threats,
    recording,
    profile,
    failures,
    skipped,
  };
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.writeTextFile(join(CACHE, "last.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`\nwritten: ${relative(repo(), join(CACHE, "last.json"))}`);
  return failures.length ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
