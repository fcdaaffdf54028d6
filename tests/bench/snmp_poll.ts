/**
 * SNMP poll benchmark subprocess: one daemon poll cycle over 1,000 simulated switches, beside Net-SNMP
 * doing the work (system group + ifXTable) serially. Prints one JSON line last.
 *
 *   deno run --allow-all tests/bench/snmp_poll.ts [--agents 1000] [--sample 100] [--simulators 2]
 *                                                 [--diag-agents 200] [--diag-concurrency 8]
 *
 * snmpsimd serves one `.snmprec` written here with what the issue defines a benchmark agent as: the
 * system group and a 24-port ifXTable (then the snmpEngine objects every agent has, so walks end on a
 * next object), on N endpoints 127.0.200.1–127.0.203.250, UDP 17161,
 * shared among `--simulators` processes. The devices are put in a real DeviceRegistry (temp dir) as
 * discovery would have left them, and a real Inventory wired as src/app_devices.ts wires the daemon's
 * (concurrency 64, timeout 1 s, 1 retry: the FLINTNET_DISCOVERY_CONCURRENCY / _SNMP_TIMEOUT /
 * _SNMP_RETRIES defaults) runs `pollAll()` once: the judged cycle. Every polled device is checked
 * against the `.snmprec` written here, and every SNMP request Flintnet sends is counted.
 *
 * The simulators are then restarted (requests that timed out may still be queued in their sockets)
 * and a diagnostic cycle polls `--diag-agents` of them at `--diag-concurrency`, small enough for the
 * simulators to keep up, to measure the CPU one device poll costs Flintnet and costs the simulator.
 *
 * Reference: for each of M agents (every N/M-th), `snmpget` of the five system-group objects Flintnet
 * reads and `snmpbulkwalk -Cr25` of ifXTable, one after the other, at the same timeout and retries; the
 * sample's wall time × N/M is the extrapolated figure.
 */
import { EventBus } from "../../src/events/mod.ts";
import { Inventory, type PollCycleStats } from "../../src/devices/inventory.ts";
import { OuiRegistry } from "../../src/devices/oui.ts";
import { DeviceRegistry } from "../../src/devices/registry.ts";
import { CredentialTable } from "../../src/snmp/credentials.ts";
import { createSnmpSession } from "../../src/snmp/session.ts";
import type { SnmpSession, SnmpTarget } from "../../src/snmp/snmp_types.ts";
import { NET_SNMP_ENV } from "../helpers/snmpd.ts";
import { snmpsimUnavailable } from "../helpers/snmpsim.ts";

/** The target for one poll cycle of 1,000 agents, seconds. */
export const POLL_TARGET_S = 60;

/** One poll cycle as measured here. */
export interface PollCycleFigures {
  /** Devices polled at once. */
  concurrency: number;
  /** Inventory.pollAll() from call to resolution, seconds. */
  wall_s: number;
  /** CPU time (user + system) of this process during the cycle, seconds. */
  cpu_s: number;
  /** CPU time of the snmpsimd processes during the cycle, seconds: what the simulated agents cost. */
  snmpsimd_cpu_s: number;
  /** What the cycle itself reported. */
  stats: PollCycleStats;
  /** SNMP requests Flintnet sent (GET and GETBULK, each counted once however often net-snmp retried it). */
  requests: number;
  /** Devices whose registry entry matches the .snmprec (status ok, 24 interfaces with the written names, aliases and speeds). */
  devices_matching: number;
  /** Devices that failed, by poll status and last error. */
  errors: Record<string, number>;
  /** `Deno.memoryUsage().rss` before and after the cycle, bytes. */
  rss_before_bytes: number;
  rss_after_bytes: number;
}

/** What snmp_poll.ts prints. */
export interface SnmpPollResult {
  agents: number;
  ports_per_agent: number;
  timeout_ms: number;
  retries: number;
  /** snmpsimd processes the agents were shared among. */
  simulators: number;
  /** snmpsimd start-up until the first and last endpoint of each answered, seconds. */
  snmpsim_start_s: number;
  /** The judged cycle: every agent at the default concurrency. */
  cycle: PollCycleFigures & { registry_save_s: number };
  /** The diagnostic cycle: `diag.agents` agents at a concurrency the simulators keep up with. */
  diag: PollCycleFigures & { agents: number };
  reference: {
    /** Agents measured. */
    sample: number;
    /** Of those, agents where both commands succeeded and printed what the .snmprec holds. */
    ok: number;
    /** Wall time over the sample, seconds. */
    sample_wall_s: number;
    /** sample_wall_s × agents / sample. */
    extrapolated_s: number;
    /** CPU time of the snmpsimd processes while Net-SNMP ran, seconds. */
    snmpsimd_cpu_s: number;
  };
  /** VmHWM of this process at the end, bytes. */
  peak_rss_bytes: number;
}

const PORT = 17161;
const COMMUNITY = "public";
const PORTS = 24;
/** Ports 1–16 are up (1 Gb/s, an alias), 17–24 down (10 Mb/s): a half-used access switch. */
const UP_PORTS = 16;
/** FLINTNET_DISCOVERY_CONCURRENCY's default; --concurrency changes it for diagnosis only. */
const DEFAULT_CONCURRENCY = 64;
/** USER_HZ: /proc reports CPU times in these (100 on every Linux architecture Deno runs on). */
const CLOCK_TICKS = 100;
const TIMEOUT_MS = 1000;
const RETRIES = 1;
const SYS_NAME = "bench-sw24";
/** Enterprise 32473 is reserved for documentation (RFC 5612). */
const SYS_OBJECT_ID = "1.3.6.1.4.1.32473.2.24";
const SYS_DESCR = "ExampleCo ES-2400G 24-port Gigabit managed switch, firmware 3.2.1 (build 1187)";
/** The five objects getSystemInfo() reads (SNMPv2-MIB system group). */
const SYSTEM_OIDS = ["1.1.0", "1.2.0", "1.3.0", "1.5.0", "1.7.0"].map((o) => `1.3.6.1.2.1.${o}`);
/** IF-MIB::ifXTable. */
const IFX_TABLE = "1.3.6.1.2.1.31.1.1";
const IFX_COLUMNS = 19;

/** "a.b.c.d" of agent `i`: 127.0.200.1–127.0.203.250 (250 a /24, no .0 or .255). */
export function agentIp(i: number): string {
  return `127.0.${200 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

function ifName(port: number): string {
  return `Gi1/0/${port}`;
}

/**
 * The agent, as snmpsimd's `OID|type|value` records sorted by OID (types: RFC 2578 tags as snmprec
 * numbers them): the benchmark agent, system group + ifXTable, and nothing else Flintnet or
 * Net-SNMP could read, so both do the same work.
 */
export function switchSnmprec(): string {
  const rec: [string, string, string | number | bigint][] = [
    ["1.3.6.1.2.1.1.1.0", "4", SYS_DESCR],
    ["1.3.6.1.2.1.1.2.0", "6", SYS_OBJECT_ID],
    ["1.3.6.1.2.1.1.3.0", "67", 123_456_700],
    ["1.3.6.1.2.1.1.4.0", "4", "noc@example.net"],
    ["1.3.6.1.2.1.1.5.0", "4", SYS_NAME],
    ["1.3.6.1.2.1.1.6.0", "4", "rack B3"],
    ["1.3.6.1.2.1.1.7.0", "2", 2],
    // What follows ifXTable on a real agent, so walks end on a next object, not endOfMibView.
    ["1.3.6.1.6.3.10.2.1.1.0", "4x", "80007f690300005e100001"], // snmpEngineID (SNMP-FRAMEWORK-MIB)
    ["1.3.6.1.6.3.10.2.1.2.0", "2", 7], // snmpEngineBoots
    ["1.3.6.1.6.3.10.2.1.3.0", "2", 1_234_567], // snmpEngineTime
    ["1.3.6.1.6.3.10.2.1.4.0", "2", 1500], // snmpEngineMaxMessageSize
  ];
  for (let p = 1; p <= PORTS; p++) {
    const up = p <= UP_PORTS;
    const octets = up ? p * 1_000_003 : 0;
    const x = (c: number, t: string, v: string | number | bigint) =>
      rec.push([`${IFX_TABLE}.1.${c}.${p}`, t, v]);
    x(1, "4", ifName(p));
    for (const c of [2, 3, 4, 5]) x(c, "65", up ? p * 11 : 0);
    x(6, "70", BigInt(octets) * 5_000n);
    for (const c of [7, 8, 9]) x(c, "70", BigInt(octets >>> 9));
    x(10, "70", BigInt(octets) * 9_000n);
    for (const c of [11, 12, 13]) x(c, "70", BigInt(octets >>> 8));
    x(14, "2", 1);
    x(15, "66", up ? 1000 : 10);
    x(16, "2", 2);
    x(17, "2", 1);
    x(18, "4", up ? `desk ${p}` : "");
    x(19, "67", 0);
  }
  const key = (oid: string) => oid.split(".").map(Number);
  rec.sort(([a], [b]) => {
    const x = key(a), y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  });
  return rec.map(([oid, t, v]) => `${oid}|${t}|${v}`).join("\n") + "\n";
}

/** Whether a polled device holds exactly what the .snmprec says. */
function matchesSnmprec(d: ReturnType<DeviceRegistry["get"]>): boolean {
  if (!d || d.snmp.status !== "ok" || d.sys_object_id !== SYS_OBJECT_ID || d.name !== SYS_NAME) return false;
  if (d.interfaces.length !== PORTS) return false;
  return d.interfaces.every((i, k) =>
    i.index === k + 1 && i.name === ifName(k + 1) &&
    i.alias === (k + 1 <= UP_PORTS ? `desk ${k + 1}` : "") &&
    i.speed_bps === (k + 1 <= UP_PORTS ? 1e9 : 1e7)
  );
}

/** User + system CPU time of a process so far, seconds (/proc/PID/stat fields 14 and 15, in clock ticks). */
async function cpuSeconds(pid: number | "self"): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

async function simCpuSeconds(pids: number[]): Promise<number> {
  let sum = 0;
  for (const p of pids) sum += await cpuSeconds(p);
  return sum;
}

/** Waits until the simulators use under 5 % CPU over half a second (at most 60 s); returns the seconds waited. */
async function quiesce(pids: number[]): Promise<number> {
  const started = performance.now();
  let last = await simCpuSeconds(pids);
  while (performance.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await simCpuSeconds(pids);
    if (now - last < 0.025) break;
    last = now;
  }
  return (performance.now() - started) / 1000;
}

async function peakRss(): Promise<number> {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(await Deno.readTextFile("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : 0;
}

async function netSnmp(tool: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const o = await new Deno.Command(`/usr/bin/${tool}`, {
    args: ["-v2c", "-c", COMMUNITY, "-t", String(TIMEOUT_MS / 1000), "-r", String(RETRIES), "-On", ...args],
    env: NET_SNMP_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return { ok: o.code === 0, out: new TextDecoder().decode(o.stdout) };
}

/** Net-SNMP over `sample` of the agents, serially; each agent checked against the .snmprec. */
async function reference(
  agents: number,
  sample: number,
): Promise<Omit<SnmpPollResult["reference"], "snmpsimd_cpu_s">> {
  const step = agents / sample;
  let ok = 0;
  const started = performance.now();
  for (let k = 0; k < sample; k++) {
    const ep = `${agentIp(Math.floor(k * step))}:${PORT}`;
    const sys = await netSnmp("snmpget", [ep, ...SYSTEM_OIDS]);
    const ifx = await netSnmp("snmpbulkwalk", ["-Cr25", ep, IFX_TABLE]);
    const oids = new Set(
      ifx.out.split("\n").filter((l) => l.startsWith(`.${IFX_TABLE}.`)).map((l) => l.split(" ")[0]),
    );
    const rows = oids.size;
    if (sys.ok && sys.out.includes(`"${SYS_NAME}"`) && ifx.ok && rows === PORTS * IFX_COLUMNS) ok++;
  }
  const sampleWall = (performance.now() - started) / 1000;
  return { sample, ok, sample_wall_s: sampleWall, extrapolated_s: sampleWall * agents / sample };
}

/** `s`, counting every GET and GETBULK it is asked to send (a poll does not use walk()). */
function counted(s: SnmpSession, counter: { requests: number }): SnmpSession {
  return {
    get target(): SnmpTarget {
      return s.target;
    },
    get: (oids) => (counter.requests++, s.get(oids)),
    getBulk: (oids, reps) => (counter.requests++, s.getBulk(oids, reps)),
    walk: (oid, max) => s.walk(oid, max),
    close: () => s.close(),
  };
}

/** Polls `ips` once with a fresh registry and Inventory wired as the daemon's, at `concurrency`. */
async function runCycle(
  ips: string[],
  concurrency: number,
  sims: number[],
  dir: string,
): Promise<PollCycleFigures & { registry_save_s: number }> {
  const bus = new EventBus();
  const counter = { requests: 0 };
  const registry = new DeviceRegistry({
    path: `${dir}/devices.json`,
    publish: (e) => bus.publish(e),
    oui: await OuiRegistry.load(),
  });
  // What a discovery sweep leaves behind: each agent answered the system-group probe.
  const system = { sysDescr: SYS_DESCR, sysObjectId: SYS_OBJECT_ID, sysName: SYS_NAME, sysServices: 2 };
  for (const ip of ips) registry.observe({ ip, source: "snmp", system: { ...system, sysUpTimeCs: 0 } });
  const inventory = new Inventory({
    registry,
    bus,
    credentials: new CredentialTable({
      defaultCredentials: { version: "v2c", community: COMMUNITY },
      rules: [],
    }),
    snmp: { port: PORT, timeoutMs: TIMEOUT_MS, retries: RETRIES },
    concurrency,
    servicePorts: () => new Map(),
    onArpTable: () => {},
    openSession: (t) => counted(createSnmpSession(t), counter),
  });
  const rssBefore = Deno.memoryUsage().rss;
  const cpuBefore = await cpuSeconds("self"), simCpuBefore = await simCpuSeconds(sims);
  const started = performance.now();
  const stats = await inventory.pollAll();
  const wall = (performance.now() - started) / 1000;
  const cpu = await cpuSeconds("self") - cpuBefore, simCpu = await simCpuSeconds(sims) - simCpuBefore;
  const rssAfter = Deno.memoryUsage().rss;
  const errors: Record<string, number> = {};
  for (const ip of ips) {
    const d = registry.get(ip);
    if (!d || d.snmp.status === "ok") continue;
    const why = `${d.snmp.status}: ${d.snmp.last_error ?? ""}`.slice(0, 200);
    errors[why] = (errors[why] ?? 0) + 1;
  }
  const matching = ips.filter((ip) => matchesSnmprec(registry.get(ip))).length;
  const saveStarted = performance.now();
  await registry.stop();
  return {
    concurrency,
    wall_s: wall,
    cpu_s: cpu,
    snmpsimd_cpu_s: simCpu,
    stats,
    requests: counter.requests,
    errors,
    devices_matching: matching,
    rss_before_bytes: rssBefore,
    rss_after_bytes: rssAfter,
    registry_save_s: (performance.now() - saveStarted) / 1000,
  };
}

function logCycle(what: string, f: PollCycleFigures): void {
  console.error(
    `snmp: ${what} at concurrency ${f.concurrency}: ${f.wall_s.toFixed(2)} s (flintnet CPU ${
      f.cpu_s.toFixed(1)
    } s, snmpsimd CPU ${f.snmpsimd_cpu_s.toFixed(1)} s), ${f.stats.ok}/${f.stats.devices} ok, ` +
      `${f.devices_matching} matching the .snmprec, ${
        (f.requests / f.stats.devices).toFixed(1)
      } requests a device`,
  );
  for (const [why, n] of Object.entries(f.errors)) console.error(`  ${n} × ${why}`);
}

/** A running snmpsimd process. */
interface QuietSim {
  pid: number;
  /** What it printed (only start-up and errors: request logging is off). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts snmpsimd without per-request logging and with its light SNMPv1/v2c engine (`--v2c-arch`).
 * tests/helpers/snmpsim.ts logs every varbind to a pipe this process would have to read; at 25,000
 * requests a cycle that costs the simulator and this process more CPU than the polling does, and this
 * process's CPU is a figure here. Start-up otherwise follows the helper (readable copy, writable cache).
 */
async function startQuietSim(endpoints: string[], dataDir: string, dir: string): Promise<QuietSim> {
  await Deno.mkdir(`${dir}/cache`, { recursive: true });
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(`${dir}/cache`, 0o777);
  await Deno.writeTextFile(
    `${dir}/endpoints`,
    endpoints.map((e) => `--agent-udpv4-endpoint=${e}`).join("\n") + "\n",
  );
  await Deno.chmod(`${dir}/endpoints`, 0o644);
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      "/usr/bin/snmpsimd",
      `--data-dir=${dataDir}`,
      `--cache-dir=${dir}/cache`,
      "--logging-method=null",
      "--v2c-arch",
      ...(Deno.uid() === 0 ? ["--process-user=nobody", "--process-group=nogroup"] : []),
      `--args-from-file=${dir}/endpoints`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pumps = [child.stdout, child.stderr].map((s) =>
    s.pipeTo(new WritableStream({ write: (c) => void (text = (text + decoder.decode(c)).slice(-65536)) }))
      .catch(() => {})
  );
  let exited = false;
  const status = child.status.then((st) => (exited = true, st));
  const sim: QuietSim = {
    pid: child.pid,
    output: () => text,
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
      }
      const t = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 3000);
      await status;
      clearTimeout(t);
      await Promise.all(pumps);
    },
  };
  const deadline = Date.now() + 60_000;
  for (const ep of [endpoints[0], endpoints[endpoints.length - 1]]) {
    while (!exited && !(await netSnmp("snmpget", ["-t", "0.5", "-r", "0", ep, SYSTEM_OIDS[2]])).ok) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (exited || Date.now() > deadline) {
    await sim.stop();
    throw new Error(`snmpsimd on ${endpoints.length} endpoints did not answer; its output:\n${text}`);
  }
  return sim;
}

/**
 * Starts `count` snmpsimd processes, dealing the endpoints out in turn (agent i to simulator i mod
 * count). Real agents each answer only their own requests; with contiguous shares, the devices polled
 * at once (neighbours in the registry) would all queue on one simulator while the other idled.
 */
async function startSims(
  endpoints: string[],
  count: number,
  dataDir: string,
  dir: string,
): Promise<QuietSim[]> {
  const sims: QuietSim[] = [];
  const n = Math.min(count, endpoints.length);
  try {
    for (let k = 0; k < n; k++) {
      const share = endpoints.filter((_, i) => i % n === k);
      sims.push(await startQuietSim(share, dataDir, `${dir}/sim${k}`));
    }
  } catch (e) {
    await Promise.all(sims.map((s) => s.stop()));
    throw e;
  }
  return sims;
}

/** What to run. */
export interface SnmpPollOptions {
  /** Simulated agents. @default 1000 */
  agents: number;
  /** Agents Net-SNMP is timed on. @default 100 */
  sample: number;
  /** snmpsimd processes sharing the agents. @default 2 (one per CPU of the bench machine) */
  simulators: number;
  /** Devices polled at once in the judged cycle. @default 64 (FLINTNET_DISCOVERY_CONCURRENCY's default) */
  concurrency: number;
  /** Agents in the diagnostic cycle. @default 200 */
  diagAgents: number;
  /** Devices polled at once in the diagnostic cycle, so few that the simulators keep up. @default 8 */
  diagConcurrency: number;
}

/** Runs the benchmark. */
export async function benchSnmpPoll(o: SnmpPollOptions): Promise<SnmpPollResult> {
  const missing = await snmpsimUnavailable();
  if (missing) throw new Error(missing);
  const { agents, sample } = o;
  const dir = await Deno.makeTempDir({ prefix: "flintnet-bench-snmp-" });
  let sims: QuietSim[] = [];
  try {
    // snmpsimd drops to nobody before it reads the data: everything it reads must be world-readable.
    await Deno.chmod(dir, 0o755);
    await Deno.mkdir(`${dir}/data`);
    await Deno.chmod(`${dir}/data`, 0o755);
    await Deno.writeTextFile(`${dir}/data/${COMMUNITY}.snmprec`, switchSnmprec());
    await Deno.chmod(`${dir}/data/${COMMUNITY}.snmprec`, 0o644);
    const ips = Array.from({ length: agents }, (_, i) => agentIp(i));
    const endpoints = ips.map((ip) => `${ip}:${PORT}`);
    const simStarted = performance.now();
    sims = await startSims(endpoints, o.simulators, `${dir}/data`, `${dir}/a`);
    const simStart = (performance.now() - simStarted) / 1000;

    await Deno.mkdir(`${dir}/judged`);
    const cycle = await runCycle(ips, o.concurrency, sims.map((s) => s.pid), `${dir}/judged`);
    logCycle("cycle", cycle);

    // Timed-out requests may still sit in the simulators' sockets; draining them could take minutes.
    await Promise.all(sims.map((s) => s.stop()));
    sims = await startSims(endpoints, o.simulators, `${dir}/data`, `${dir}/b`);
    const step = agents / Math.min(agents, o.diagAgents);
    const diagIps = Array.from(
      { length: Math.min(agents, o.diagAgents) },
      (_, k) => ips[Math.floor(k * step)],
    );
    await Deno.mkdir(`${dir}/diag`);
    const diag = await runCycle(diagIps, o.diagConcurrency, sims.map((s) => s.pid), `${dir}/diag`);
    logCycle("diagnostic cycle", diag);

    const pids = sims.map((s) => s.pid);
    const drained = await quiesce(pids);
    console.error(
      `snmp: simulators idle after ${drained.toFixed(1)} s; Net-SNMP on ${sample} agents, serially…`,
    );
    const simCpuBefore = await simCpuSeconds(pids);
    const ref = await reference(agents, sample);
    const refSimCpu = await simCpuSeconds(pids) - simCpuBefore;
    console.error(`snmp: Net-SNMP: ${ref.sample_wall_s.toFixed(2)} s for ${sample} agents, ${ref.ok} ok`);
    return {
      agents,
      ports_per_agent: PORTS,
      timeout_ms: TIMEOUT_MS,
      retries: RETRIES,
      simulators: sims.length,
      snmpsim_start_s: simStart,
      cycle,
      diag: { ...diag, agents: diagIps.length },
      reference: { ...ref, snmpsimd_cpu_s: refSimCpu },
      peak_rss_bytes: await peakRss(),
    };
  } catch (e) {
    for (const s of sims) console.error(`snmpsimd output (last 4 KB):\n${s.output().slice(-4096)}`);
    throw e;
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  }
}

type Verdict = (value: number, target: number, higher: boolean) => string;
const MB = 1_000_000;

/** Table rows for the poll figures (the bench driver's format). */
export function snmpPollRows(
  r: SnmpPollResult,
  verdict: Verdict,
): { measure: string; flintnet: string; peer: string; target: string; result: string }[] {
  const c = r.cycle, d = r.diag, ref = r.reference;
  const allOk = c.stats.ok === r.agents && c.devices_matching === r.agents;
  const perDevice = (s: number) => `${((s / d.agents) * 1000).toFixed(0)} ms`;
  return [{
    measure: `SNMP poll cycle, ${r.agents.toLocaleString("en-US")} agents × ${r.ports_per_agent} ports`,
    flintnet: `${c.wall_s.toFixed(1)} s, ${c.stats.ok}/${r.agents} ok (CPU ${c.cpu_s.toFixed(1)} s, ${
      (c.requests / r.agents).toFixed(1)
    } requests a device)`,
    peer: `Net-SNMP serial ≈ ${
      ref.extrapolated_s.toFixed(0)
    } s (extrapolated from ${ref.sample}, ${ref.ok} ok)`,
    target: `≤ ${POLL_TARGET_S} s, all ok`,
    result: allOk
      ? verdict(c.wall_s, POLL_TARGET_S, false)
      : `MISS (${r.agents - c.stats.ok} of ${r.agents} not polled in ${c.wall_s.toFixed(1)} s)`,
  }, {
    measure: `CPU per device poll (${d.agents} agents at concurrency ${d.concurrency})`,
    flintnet: `${perDevice(d.cpu_s)} (${d.stats.ok}/${d.agents} ok in ${d.wall_s.toFixed(1)} s)`,
    peer: `snmpsimd ${perDevice(d.snmpsimd_cpu_s)}`,
    target: "(diagnostic)",
    result: "—",
  }, {
    measure: "RSS across the judged poll cycle",
    flintnet: `${(c.rss_before_bytes / MB).toFixed(0)} → ${(c.rss_after_bytes / MB).toFixed(0)} MB`,
    peer: `peak ${(r.peak_rss_bytes / MB).toFixed(0)} MB`,
    target: "(reported)",
    result: "—",
  }];
}

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(Deno.args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new RangeError(`${name} ${Deno.args[i + 1]} is not valid; accepted: 1–1000`);
  }
  return n;
}

if (import.meta.main) {
  const agents = flag("--agents", 1000);
  console.log(JSON.stringify(
    await benchSnmpPoll({
      agents,
      sample: Math.min(agents, flag("--sample", 100)),
      simulators: Math.min(agents, flag("--simulators", 2)),
      concurrency: flag("--concurrency", DEFAULT_CONCURRENCY),
      diagAgents: flag("--diag-agents", 200),
      diagConcurrency: flag("--diag-concurrency", 8),
    }),
  ));
}
