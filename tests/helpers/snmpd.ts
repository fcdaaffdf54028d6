/**
 * A real Net-SNMP agent (Debian's snmpd) for tests: started in the foreground on an address and port of
 * the test's choosing, with a config file the test writes, and without reading any system config
 * (`-C`), so what the agent answers is exactly what the test put there.
 *
 * @example
 * const agent = await startSnmpd({ address: "127.0.10.1", port: 1161, config: "rocommunity public 127.0.0.0/8\nsysname r1" });
 * try { … } finally { await agent.stop(); }
 */
import { watchChild } from "./child_process.ts";

/** Options of {@link startSnmpd}. */
export interface SnmpdOptions {
  /** Listen address: 127.x.y.z, or an address inside a network namespace given as `netns`. */
  address: string;
  /** UDP port. */
  port: number;
  /** snmpd.conf text (rocommunity, sysname, sysdescr, createUser, …). */
  config: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** A community to probe with until it answers. @default the first rocommunity in config */
  probeCommunity?: string;
}

/** A running snmpd. */
export interface Snmpd {
  /** "address:port", as snmpget takes it. */
  readonly endpoint: string;
  /** Everything snmpd printed so far (printed by the helper when a test fails). */
  output(): string;
  /** Stops the agent and removes its files. Idempotent. */
  stop(): Promise<void>;
}

/** Environment that keeps Net-SNMP tools from loading (and complaining about) MIB files: OIDs stay numeric. */
export const NET_SNMP_ENV = { MIBS: "", MIBDIRS: "/nonexistent" };

/** Why snmpd cannot run here, or null when it can. */
export async function snmpdUnavailable(): Promise<string | null> {
  for (const tool of ["/usr/sbin/snmpd", "/usr/bin/snmpget"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install snmpd snmp`;
    }
  }
  return null;
}

/** Runs snmpget once; true when the agent answered. */
async function answers(endpoint: string, community: string, netns?: string): Promise<boolean> {
  const args = [
    "snmpget",
    "-v2c",
    "-c",
    community,
    "-t",
    "0.3",
    "-r",
    "0",
    "-On",
    endpoint,
    "1.3.6.1.2.1.1.3.0",
  ];
  const cmd = netns ? ["ip", "netns", "exec", netns, ...args] : args;
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "null",
    stderr: "null",
    env: NET_SNMP_ENV,
  })
    .output();
  return out.code === 0;
}

/** Starts snmpd and waits until it answers SNMP (or fails with its output). */
export async function startSnmpd(o: SnmpdOptions): Promise<Snmpd> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-snmpd-" });
  const conf = `${dir}/snmpd.conf`;
  await Deno.writeTextFile(conf, o.config);
  const endpoint = `${o.address}:${o.port}`;
  const args = [
    "/usr/sbin/snmpd",
    "-f",
    "-Lo",
    "-C",
    "-c",
    conf,
    "-p",
    `${dir}/snmpd.pid`,
    `udp:${endpoint}`,
  ];
  const cmd = o.netns ? ["ip", "netns", "exec", o.netns, ...args] : args;
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { ...NET_SNMP_ENV, SNMP_PERSISTENT_DIR: `${dir}/persist` },
  }).spawn();
  const watched = watchChild(child);
  const output = () => watched.output();
  const stop = async () => {
    await watched.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const community = o.probeCommunity ?? /^\s*rocommunity6?\s+(\S+)/m.exec(o.config)?.[1];
  for (let i = 0; i < 100; i++) {
    if (watched.exited) break;
    if (community === undefined) {
      await new Promise((r) => setTimeout(r, 300));
      break;
    }
    if (await answers(endpoint, community, o.netns)) return { endpoint, output, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  if (community === undefined && !watched.exited) return { endpoint, output, stop };
  await stop();
  throw new Error(`snmpd on ${endpoint} did not answer; its output:\n${output()}`);
}
