/**
 * Discovery benchmark subprocess: one /22 sweep at the daemon's defaults, beside Net-SNMP's `snmpget`
 * probing the same addresses serially. Prints one JSON line last. Needs root (a network namespace).
 *
 *   deno run --allow-all tests/bench/discovery_sweep.ts [--silent-sample 25]
 *
 * The namespace fn-bench22 is joined to this one by a veth pair: the host end bench22-h holds
 * 10.231.60.1/22, the namespace end 10.231.63.254/22, without static neighbours, so the kernel ARPs for
 * every address it sends to. Inside the namespace a few more addresses of the /22 are added: some with
 * a real snmpd (Debian's, one per address), one with none. Every other address of the /22 has no host
 * at all: ARP goes unanswered and SNMP times out.
 *
 * Flintnet: a DiscoverySweeper wired as src/app_devices.ts wires the daemon's (the real arpSweep on
 * bench22-h, Inventory.probe as the SNMP probe, Inventory.found as the sink, a real DeviceRegistry in a
 * temp dir) at the defaults: concurrency 64 (FLINTNET_DISCOVERY_CONCURRENCY), timeout 1 s, 1 retry.
 * What it found is compared with what was set up here.
 *
 * Reference: `snmpget -t 1 -r 1` of sysDescr.0, one address after the other, on every address that has
 * a host (agents, the host-only address, the namespace end, this machine's own end) and on
 * `--silent-sample` silent ones; each kind's mean time × its count in the /22 is the extrapolation.
 */
import { EventBus, type SweepProgress } from "../../src/events/mod.ts";
import { Inventory } from "../../src/devices/inventory.ts";
import { OuiRegistry } from "../../src/devices/oui.ts";
import { DeviceRegistry } from "../../src/devices/registry.ts";
import { arpSweep } from "../../src/discovery/arp_sweep.ts";
import { ipv4Hosts, parseCidr } from "../../src/net/cidr.ts";
import { CredentialTable } from "../../src/snmp/credentials.ts";
import { DiscoverySweeper, type FoundHost } from "../../src/discovery/sweeper.ts";
import { createVethPair, netnsUnavailable, vethNames } from "../helpers/netns.ts";
import { NET_SNMP_ENV, type Snmpd, snmpdUnavailable, startSnmpd } from "../helpers/snmpd.ts";

/** The target for a /22 sweep, seconds. */
export const SWEEP_TARGET_S = 60;

const CIDR = "10.231.60.0/22";
const HOST_END = "10.231.60.1";
const NS_END = "10.231.63.254";
/** Addresses with an SNMP agent, spread over the four /24s of the /22. */
const AGENTS = ["10.231.60.20", "10.231.61.7", "10.231.61.130", "10.231.62.45", "10.231.63.200"];
/** An address with a host that answers ARP but runs no agent. */
const HOST_ONLY = "10.231.62.222";
const COMMUNITY = "public";
const CONCURRENCY = 64;
const TIMEOUT_MS = 1000;
const RETRIES = 1;
const SYS_DESCR_OID = "1.3.6.1.2.1.1.1.0";

/** Whom an address belongs to in the set-up. */
type Kind = "agent" | "host_only" | "ns_end" | "self" | "silent";

/** What discovery_sweep.ts prints. */
export interface DiscoveryResult {
  cidr: string;
  /** Addresses the sweep was to probe. */
  total: number;
  concurrency: number;
  timeout_ms: number;
  retries: number;
  /** sweeper.sweep() from call to resolution, seconds. */
  wall_s: number;
  /** CPU time (user + system) of this process during the sweep, seconds. */
  cpu_s: number;
  /** The sweep's final progress. */
  progress: SweepProgress;
  /** What was set up: hosts that answer ARP, and of those the ones with an agent. */
  expected: { found: string[]; snmp: string[] };
  /** What the sweep reported through onFound. */
  found: string[];
  snmp: string[];
  /** Agents whose sysName the sweep reported as the snmpd.conf written here says. */
  names_matching: number;
  /** True when found/snmp equal expected, as sets and in the progress counts. */
  matches: boolean;
  rss_before_bytes: number;
  rss_after_bytes: number;
  reference: {
    /** Addresses probed per kind, and the mean seconds per probe. */
    per_kind: Record<Kind, { sampled: number; in_cidr: number; mean_s: number; answered: number }>;
    /** Wall time over the sample, seconds. */
    sample_wall_s: number;
    /** Σ mean × count over the kinds. */
    extrapolated_s: number;
  };
}

function agentName(i: number): string {
  return `bench-agent-${i + 1}`;
}

async function cpuSeconds(): Promise<number> {
  const stat = await Deno.readTextFile("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100) ticks
}

/** One serial `snmpget` of sysDescr.0 at the sweep's timeout and retries; seconds and whether it answered. */
async function snmpget(ip: string): Promise<{ s: number; ok: boolean }> {
  const started = performance.now();
  const out = await new Deno.Command("/usr/bin/snmpget", {
    args: [
      "-v2c",
      "-c",
      COMMUNITY,
      "-t",
      String(TIMEOUT_MS / 1000),
      "-r",
      String(RETRIES),
      "-On",
      ip,
      SYS_DESCR_OID,
    ],
    env: NET_SNMP_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return { s: (performance.now() - started) / 1000, ok: out.code === 0 };
}

async function reference(
  kinds: Map<string, Kind>,
  silentSample: number,
): Promise<DiscoveryResult["reference"]> {
  const all = [...kinds.keys()];
  const silent = all.filter((ip) => kinds.get(ip) === "silent");
  const step = silent.length / silentSample;
  const sample = [
    ...all.filter((ip) => kinds.get(ip) !== "silent"),
    ...Array.from({ length: silentSample }, (_, k) => silent[Math.floor(k * step)]),
  ];
  const perKind = {} as DiscoveryResult["reference"]["per_kind"];
  for (const kind of ["agent", "host_only", "ns_end", "self", "silent"] as const) {
    perKind[kind] = {
      sampled: 0,
      in_cidr: all.filter((ip) => kinds.get(ip) === kind).length,
      mean_s: 0,
      answered: 0,
    };
  }
  const started = performance.now();
  for (const ip of sample) {
    const r = await snmpget(ip);
    const k = perKind[kinds.get(ip)!];
    k.mean_s += r.s;
    k.sampled++;
    if (r.ok) k.answered++;
  }
  const sampleWall = (performance.now() - started) / 1000;
  let extrapolated = 0;
  for (const k of Object.values(perKind)) {
    k.mean_s = k.sampled ? k.mean_s / k.sampled : 0;
    extrapolated += k.mean_s * k.in_cidr;
  }
  return { per_kind: perKind, sample_wall_s: sampleWall, extrapolated_s: extrapolated };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Runs the benchmark. */
export async function benchDiscovery(silentSample: number): Promise<DiscoveryResult> {
  const why = (await netnsUnavailable()) ?? (await snmpdUnavailable());
  if (why) throw new Error(why);
  const pair = await createVethPair({
    ...vethNames("bench22"),
    hostAddr: `${HOST_END}/22`,
    nsAddr: `${NS_END}/22`,
    staticNeighbours: false,
  });
  const agents: Snmpd[] = [];
  const dir = await Deno.makeTempDir({ prefix: "flintnet-bench-discovery-" });
  try {
    for (const ip of [...AGENTS, HOST_ONLY]) {
      await pair.exec(["ip", "addr", "add", `${ip}/22`, "dev", pair.nsIf]);
    }
    for (const [i, ip] of AGENTS.entries()) {
      agents.push(
        await startSnmpd({
          address: ip,
          port: 161,
          netns: pair.ns,
          config: `rocommunity ${COMMUNITY} ${CIDR}\nsysname ${agentName(i)}\n` +
            `sysdescr Flintnet bench agent ${i + 1} (Net-SNMP snmpd)\nsyslocation bench22\n`,
        }),
      );
    }
    const kinds = new Map<string, Kind>();
    for (const ip of ipv4Hosts(parseCidr(CIDR))) kinds.set(ip, "silent");
    for (const ip of AGENTS) kinds.set(ip, "agent");
    kinds.set(HOST_ONLY, "host_only");
    kinds.set(NS_END, "ns_end");
    kinds.set(HOST_END, "self");

    const bus = new EventBus();
    const registry = new DeviceRegistry({
      path: `${dir}/devices.json`,
      publish: (e) => bus.publish(e),
      oui: await OuiRegistry.load(),
    });
    const inventory = new Inventory({
      registry,
      bus,
      credentials: new CredentialTable({
        defaultCredentials: { version: "v2c", community: COMMUNITY },
        rules: [],
      }),
      snmp: { port: 161, timeoutMs: TIMEOUT_MS, retries: RETRIES },
      concurrency: CONCURRENCY,
      servicePorts: () => new Map(),
      onArpTable: () => {},
    });
    const reported: FoundHost[] = [];
    const sweeper = new DiscoverySweeper({
      concurrency: CONCURRENCY,
      arpSweep: (iface, targets, signal) => arpSweep({ iface, targets, signal }),
      snmpProbe: (ip) => inventory.probe(ip),
      onProgress: (p, phase) => {
        if (phase !== "progress" || p.scanned % 256 < 32) {
          console.error(`discovery: ${phase} ${p.scanned}/${p.total}, found ${p.found}, snmp ${p.snmp}`);
        }
      },
      onFound: (f) => {
        reported.push(f);
        inventory.found(f);
      },
    });

    const rssBefore = Deno.memoryUsage().rss;
    const cpuBefore = await cpuSeconds();
    const started = performance.now();
    const progress = await sweeper.sweep({
      cidrs: [CIDR],
      interfaces: [pair.hostIf],
      extraHosts: [],
      trigger: "api",
    });
    const wall = (performance.now() - started) / 1000;
    const cpu = await cpuSeconds() - cpuBefore;
    const rssAfter = Deno.memoryUsage().rss;
    // Inventory.found() polls each agent it is told of; let those polls end before the registry stops.
    for (let i = 0; i < 100 && AGENTS.some((ip) => registry.get(ip)?.snmp.poll_ms == null); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await registry.stop();

    const expected = {
      found: [...AGENTS, HOST_ONLY, NS_END].sort(),
      snmp: [...AGENTS].sort(),
    };
    const found = reported.map((f) => f.ip).sort();
    const snmp = reported.filter((f) => f.system).map((f) => f.ip).sort();
    const namesMatching = AGENTS.filter((ip, i) =>
      reported.find((f) => f.ip === ip)?.system?.sysName === agentName(i)
    )
      .length;
    console.error(
      `discovery: ${wall.toFixed(2)} s, found ${found.length} (${found.join(" ")}), snmp ${snmp.length}; ` +
        `Net-SNMP snmpget on every host and ${silentSample} silent addresses, serially…`,
    );
    const ref = await reference(kinds, silentSample);
    return {
      cidr: CIDR,
      total: progress.total,
      concurrency: CONCURRENCY,
      timeout_ms: TIMEOUT_MS,
      retries: RETRIES,
      wall_s: wall,
      cpu_s: cpu,
      progress,
      expected,
      found,
      snmp,
      names_matching: namesMatching,
      matches: sameSet(found, expected.found) && sameSet(snmp, expected.snmp) &&
        progress.found === expected.found.length && progress.snmp === expected.snmp.length &&
        progress.scanned === progress.total,
      rss_before_bytes: rssBefore,
      rss_after_bytes: rssAfter,
      reference: ref,
    };
  } catch (e) {
    for (const a of agents) console.error(`snmpd ${a.endpoint} output:\n${a.output().slice(-2048)}`);
    throw e;
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await pair.destroy();
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  }
}

/** Table rows for the discovery figures (the bench driver's format). */
export function discoveryRows(
  r: DiscoveryResult,
  verdict: (value: number, target: number, higher: boolean) => string,
): { measure: string; flintnet: string; peer: string; target: string; result: string }[] {
  const sampled = Object.values(r.reference.per_kind).reduce((n, k) => n + k.sampled, 0);
  return [{
    measure: `discovery sweep ${r.cidr} (${r.total.toLocaleString("en-US")} addresses)`,
    flintnet: `${r.wall_s.toFixed(1)} s, found ${r.progress.found} (snmp ${r.progress.snmp}), CPU ${
      r.cpu_s.toFixed(1)
    } s`,
    peer: `snmpget serial ≈ ${r.reference.extrapolated_s.toFixed(0)} s (extrapolated from ${sampled})`,
    target: `≤ ${SWEEP_TARGET_S} s, found ${r.expected.found.length} (snmp ${r.expected.snmp.length})`,
    result: r.matches && r.names_matching === r.expected.snmp.length
      ? verdict(r.wall_s, SWEEP_TARGET_S, false)
      : `MISS (found ≠ set-up, in ${r.wall_s.toFixed(1)} s)`,
  }];
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--silent-sample");
  const n = i < 0 ? 25 : Number(Deno.args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    console.error(`--silent-sample ${Deno.args[i + 1]} is not valid; accepted: 1–1000`);
    Deno.exit(2);
  }
  console.log(JSON.stringify(await benchDiscovery(n)));
}
