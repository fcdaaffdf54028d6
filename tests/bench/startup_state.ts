/**
 * Start-up with a full state directory (issue 16, goal 5): spawn → first 200 from /healthz with a
 * devices.json of 100 k devices and a 1 GB history.db, beside the same daemon started on an empty state
 * directory in the same run. Prints ONE JSON line (StartupStateResult) on stdout, progress on stderr.
 *
 *   deno run --allow-all tests/bench/startup_state.ts
 *
 * /healthz answers only once the state is loaded (app.ts starts the HTTP server after the alert, device
 * and analysis sides), so the time to its first 200 is the time to a usable daemon.
 *
 * The state is made once with Flintnet's own writers (DeviceRegistry, openHistory) and kept in
 * tests/bench/.cache/startup-state-v3/ (v3: devices.json a device a line, as the registry now writes it);
 * each run copies it into a new state directory. Devices are 100,000 addresses in 10.64.0.0/14 (2 % of them
 * SNMP switches with 24 interfaces, the rest hosts seen by the sweep); the registry keeps 65,536 of them (its bound) and counts the rest as refused. The history
 * holds alerts of the last 25 days (inside the default 30-day retention) until the file's pages in use
 * reach 1,000,000,000 bytes; the daemon runs with FLINTNET_HISTORY_MAX_MB=2000, as a site that keeps that
 * much history must set it.
 *
 * A third configuration adds an ARP history at its bound (arp-state.json with 65,536 MACs, the registry's
 * hosts, a third of them with a second address), as a site that large, or one an ARP flood filled, has: a
 * diagnostic beside the state, made once into the same cache (arp-state-bound.json).
 *
 * The daemon runs in a network namespace of its own with only loopback up: the registry's addresses are
 * unreachable from there, so the poller and the sweep send nothing anywhere. This script re-runs itself
 * inside that namespace (`--inside`). Needs root and iproute2.
 */
import { join } from "node:path";
import { DeviceRegistry } from "../../src/devices/mod.ts";
import { ArpHistory } from "../../src/devices/arp_history.ts";
import { openHistory } from "../../src/store/mod.ts";
import { markStateSchema } from "../../src/app/state_schema.ts";
import type { InterfaceJson } from "../../src/events/mod.ts";
import { run } from "../helpers/netns.ts";

/** One start. */
export interface StartupRun {
  /** Spawn → first 200 from /healthz, s (the median of RUNS starts, each in runs_s). */
  startup_s: number;
  runs_s?: number[];
  /** Devices /stats reports held, and refused (over the registry's bound). */
  devices: number;
  refused: number;
  /** Alerts in the history, as /stats reports them. */
  alerts: number;
  /** MACs that claimed the address of the registry's 50th host, as /devices/:ip reports them (ARP history). */
  arp_claims: number;
}

/** What one run reports. */
export interface StartupStateResult {
  /** Started again right after another start (the page cache holds the binary and the state). */
  empty: StartupRun;
  loaded: StartupRun & { devices_in_file: number; history_bytes: number; devices_json_bytes: number };
  /** The same state with the ARP history at its bound. */
  loaded_arp: StartupRun & { macs: number; arp_state_bytes: number };
  /** The same two with the page cache dropped first, as after a boot; null when it cannot be (not root). */
  cold: { empty: StartupRun; loaded: StartupRun } | null;
  loadavg: string;
}

const HERE = new URL(".", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
export const CACHE = join(HERE, ".cache", "startup-state-v3");
const NS = "fpf-start";
const DEVICES = 100_000;
/** MACs in the ARP history: its bound (ArpHistory's maxMacs default). */
const ARP_MACS = 65_536;
export const ARP_CACHE = join(CACHE, "arp-state-bound.json");
const HISTORY_BYTES = 1_000_000_000;
const DAY_MS = 86_400_000;

function progress(msg: string): void {
  console.error(`startup_state: ${msg}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** 10.64.0.0/14, host `i` (1-based): 10.64.0.1 … */
function addressOf(i: number): string {
  return `10.${64 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}`;
}

function itf(index: number): InterfaceJson {
  return {
    index,
    name: `Gi1/0/${index}`,
    alias: index % 4 === 0 ? `uplink ${index}` : "",
    type: "ethernetCsmacd",
    speed_bps: 1e9,
    oper_status: index % 5 === 0 ? "down" : "up",
    admin_status: "up",
    in_util_pct: 3.5,
    out_util_pct: 1.25,
    in_bps: 35_000_000,
    out_bps: 12_500_000,
    in_errors_per_s: 0,
    out_errors_per_s: 0,
    in_discards_per_s: 0,
    counters: "hc64",
  };
}

/** devices.json with DEVICES devices, written by the registry itself. */
async function makeDevices(path: string, now: number): Promise<void> {
  const registry = new DeviceRegistry({ path, publish: () => {}, maxDevices: DEVICES, now: () => now });
  for (let i = 1; i <= DEVICES; i++) {
    const ip = addressOf(i);
    const seenAt = now - (i % 1440) * 60_000;
    registry.observe({ ip, mac: macOf(i), source: "arp_sweep", seenAt });
    if (i % 50 !== 0) continue;
    registry.observe({
      ip,
      source: "snmp",
      seenAt,
      system: {
        sysDescr: "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11",
        sysObjectId: "1.3.6.1.4.1.9.1.1208",
        sysName: `sw-${i}`,
        sysServices: 2,
        sysUpTimeCs: 123_456_789,
      },
      classification: {
        type: "switch",
        rule: "bridge-mib",
        vendor: "Cisco",
        model: "WS-C2960X-48TS-L",
        osVersion: "15.0(2)SE11",
      },
      snmp: { status: "ok", last_success: new Date(seenAt).toISOString(), last_error: null, poll_ms: 180 },
      interfaces: Array.from({ length: 24 }, (_, k) => itf(k + 1)),
      cpuPct: 7,
      memoryPct: 41,
    });
  }
  await registry.stop();
}

/** history.db of alerts over the last 25 days until its pages in use reach HISTORY_BYTES. */
function makeHistory(path: string, now: number): number {
  const history = openHistory(path);
  const db = history.sqlite;
  const insert = db.prepare(
    "INSERT INTO alerts (ts, kind, type, severity, mac, ip, peer_ip, device_ip, summary, event, muted) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
  );
  const types = [["security", "arp_spoof", "critical"], ["anomaly", "volume", "warning"], [
    "security",
    "rogue_device",
    "warning",
  ], ["trap", "linkDown", "info"]];
  const used = () => {
    const get = (p: string) => Object.values(db.prepare(`PRAGMA ${p}`).get() ?? {})[0] as number;
    return (get("page_count") - get("freelist_count")) * get("page_size");
  };
  let n = 0;
  while (used() < HISTORY_BYTES) {
    db.exec("BEGIN");
    for (let k = 0; k < 50_000; k++, n++) {
      const [kind, type, severity] = types[n % types.length];
      const ts = now - 25 * DAY_MS + Math.floor((n * 7919) % (25 * DAY_MS));
      const ip = addressOf(1 + (n % DEVICES)), peer = addressOf(1 + ((n * 31) % DEVICES));
      const mac = `02:10:00:${((n >>> 8) & 255).toString(16).padStart(2, "0")}:${
        (n & 255).toString(16).padStart(2, "0")
      }:01`;
      const summary = `${type} on ${ip}: ${mac} answered for ${peer} (alert ${n})`;
      const event = JSON.stringify({
        kind,
        type,
        severity,
        ts: new Date(ts).toISOString(),
        mac,
        ip,
        peer_ip: peer,
        explanation: `${summary}; seen ${n % 97} times in the last window, first at ${
          new Date(ts).toISOString()
        }`,
        evidence: Array.from({ length: 6 }, (_, j) => ({ at: ts - j * 1000, mac, ip: peer, op: "reply" })),
      });
      insert.run(ts, kind, type, severity, mac, ip, peer, kind === "trap" ? ip : null, summary, event);
    }
    db.exec("COMMIT");
    if (n % 200_000 === 0) {
      progress(`history: ${n.toLocaleString("en-US")} alerts, ${(used() / 1e6).toFixed(0)} MB`);
    }
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  history.close();
  return n;
}

/** The MAC of the registry's host `i`. */
function macOf(i: number): string {
  const hex = (n: number) => (n & 255).toString(16).padStart(2, "0");
  return `02:10:${hex(i >>> 16)}:${hex(i >>> 8)}:${hex(i)}:01`;
}

/**
 * arp-state.json with ARP_MACS MACs, written by the ARP history itself: the registry's hosts, learned (known),
 * seen over the last day, every third one having moved to a second address since.
 */
async function makeArpState(path: string, now: number): Promise<void> {
  const h = new ArpHistory({ path: `${path}.tmp` });
  h.learningStartMs = now - 30 * DAY_MS;
  for (let i = 1; i <= ARP_MACS; i++) {
    const mac = parseInt(macOf(i).replaceAll(":", ""), 16), seen = now - (ARP_MACS - i) * 1000;
    const [a, b, c, d] = addressOf(i).split(".").map(Number);
    h.claim(mac, ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, seen - DAY_MS);
    if (i % 3 === 0) h.claim(mac, ((a << 24) | ((b + 2) << 16) | (c << 8) | d) >>> 0, seen);
    h.markKnown(mac);
  }
  await h.save();
  await Deno.rename(`${path}.tmp`, path);
}

/** The cached state, made when missing (state_saves.ts reads it too). */
export async function cachedState(): Promise<void> {
  await cachedCoreState();
  if (await exists(ARP_CACHE)) return;
  progress(`making an ARP history of ${ARP_MACS.toLocaleString("en-US")} MACs (once)…`);
  await makeArpState(ARP_CACHE, Date.now());
}

async function cachedCoreState(): Promise<void> {
  if (await exists(join(CACHE, "complete"))) return;
  await Deno.remove(CACHE, { recursive: true }).catch(() => {});
  await Deno.mkdir(CACHE, { recursive: true });
  const now = Date.now();
  progress(`making ${DEVICES.toLocaleString("en-US")} devices (once; kept in ${CACHE})…`);
  await makeDevices(join(CACHE, "devices.json"), now);
  progress("making a 1 GB alert history (once, about a minute)…");
  const alerts = makeHistory(join(CACHE, "history.db"), now);
  await markStateSchema(CACHE);
  await Deno.writeTextFile(
    join(CACHE, "complete"),
    JSON.stringify({ made_at: new Date(now).toISOString(), alerts }),
  );
}

/** One daemon start on `stateDir`: spawn → /healthz 200, then what /stats says it loaded. */
async function startOnce(stateDir: string): Promise<StartupRun> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN],
    env: {
      FLINTNET_ENV_FILE: "/dev/null",
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.0/30",
      FLINTNET_STATE_DIR: stateDir,
      FLINTNET_TRAP_LISTEN: "off",
      FLINTNET_NETFLOW_LISTEN: "off",
      FLINTNET_IPFIX_LISTEN: "off",
      FLINTNET_SFLOW_LISTEN: "off",
      FLINTNET_LISTEN: `127.0.0.1:${port}`,
      FLINTNET_HISTORY_MAX_MB: "2000",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log.push(chunk);
  })().catch(() => {});
  try {
    let startup = NaN;
    for (let i = 0; i < 6000; i++) {
      const ok = await fetch(`${base}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false);
      if (ok) {
        startup = (performance.now() - started) / 1000;
        break;
      }
      await sleep(10);
    }
    if (!Number.isFinite(startup)) throw new Error(`the daemon never answered /healthz:\n${log.join("")}`);
    const token = (await Deno.readTextFile(join(stateDir, "api-token"))).trim();
    const headers = { Authorization: `Bearer ${token}` };
    const stats = await (await fetch(`${base}/stats`, { headers })).json();
    const device = await (await fetch(`${base}/devices/${addressOf(50)}`, { headers })).json();
    return {
      startup_s: startup,
      devices: stats.devices,
      refused: stats.devices_refused,
      alerts: stats.alerts.history.alerts,
      arp_claims: device.ip_claims?.length ?? 0,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reading;
  }
}

/** Drops the page cache (root only): the next start reads the binary and the state from the disk. */
async function dropPageCache(): Promise<boolean> {
  try {
    await run(["sync"]);
    await Deno.writeTextFile("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

/** Starts each figure is the median of: one start moves by ±0.3 s on this shared machine. */
const RUNS = 3;

/** RUNS starts, each on a state dir of its own (a start changes the files), the median one with all times. */
async function medianStart(
  full: boolean,
  cold: boolean,
  arp = false,
): Promise<StartupRun & { runs_s: number[] }> {
  const runs: StartupRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = await Deno.makeTempDir({ prefix: "flintnet-startup-" });
    try {
      if (full) {
        for (const f of ["devices.json", "history.db", "state-version.json"]) {
          await Deno.copyFile(join(CACHE, f), join(dir, f));
        }
      }
      if (arp) await Deno.copyFile(ARP_CACHE, join(dir, "arp-state.json"));
      // The copy's dirty pages are written out first, not while the daemon starts.
      await run(["sync"]);
      if (cold) await dropPageCache();
      runs.push(await startOnce(dir));
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
  runs.sort((a, b) => a.startup_s - b.startup_s);
  return { ...runs[RUNS >> 1], runs_s: runs.map((r) => Math.round(r.startup_s * 1000) / 1000) };
}

async function inside(): Promise<StartupStateResult> {
  await run(["ip", "link", "set", "lo", "up"]);
  progress("warm-up starts, empty state dir (Deno's transpile cache)…");
  await medianStart(false, false);
  progress(
    `${RUNS} starts each: empty state dir, then ${
      DEVICES.toLocaleString("en-US")
    } devices and a 1 GB history…`,
  );
  const empty = await medianStart(false, false);
  const loaded = await medianStart(true, false);
  progress(
    `${RUNS} starts with the same state and an ARP history of ${ARP_MACS.toLocaleString("en-US")} MACs…`,
  );
  const loadedArp = await medianStart(true, false, true);
  if (loadedArp.arp_claims === 0) {
    throw new Error(`the daemon did not restore the ARP history: /devices/${addressOf(50)} lists no claims`);
  }
  let cold: StartupStateResult["cold"] = null;
  if (await dropPageCache()) {
    progress("the same with the page cache dropped before each start…");
    cold = { empty: await medianStart(false, true), loaded: await medianStart(true, true) };
  }
  return {
    empty,
    loaded: {
      ...loaded,
      devices_in_file: DEVICES,
      history_bytes: (await Deno.stat(join(CACHE, "history.db"))).size,
      devices_json_bytes: (await Deno.stat(join(CACHE, "devices.json"))).size,
    },
    loaded_arp: { ...loadedArp, macs: ARP_MACS, arp_state_bytes: (await Deno.stat(ARP_CACHE)).size },
    cold,
    loadavg: Deno.loadavg().map((x) => x.toFixed(2)).join(" "),
  };
}

async function main(): Promise<void> {
  if (Deno.args.includes("--inside")) {
    console.log(JSON.stringify(await inside()));
    return;
  }
  await cachedState();
  await run(["ip", "netns", "del", NS], false);
  await run(["ip", "netns", "add", NS]);
  try {
    const out = await new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        NS,
        Deno.execPath(),
        "run",
        "--allow-all",
        new URL(import.meta.url).pathname,
        "--inside",
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error("the start-up run inside the namespace failed (see above)");
    Deno.stdout.writeSync(out.stdout);
  } finally {
    await run(["ip", "netns", "del", NS], false);
  }
}

if (import.meta.main) await main();
