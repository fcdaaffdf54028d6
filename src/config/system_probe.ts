/**
 * Facts about the machine that let Flintnet run with zero configuration:
 * which interface to watch, which network is "ours", where to keep state.
 *
 * Each function takes its input as an optional parameter (route table text,
 * interface list, candidate directory) so tests feed literal data instead of
 * depending on the machine they run on.
 */
import { formatIpv4, parseIpv4 } from "../net/mod.ts";
import { defaultRoutes } from "./default_routes.ts";

/** The probes config.ts uses for defaults; tests replace any of them. */
export interface SystemProbe {
  /** Name of the interface carrying the default route, if any. */
  defaultRouteInterface(): string | undefined;
  /** Network (CIDR) of the interface's first IPv4 address, if any. */
  interfaceIPv4Network(name: string): string | undefined;
  /** Names of the network interfaces on this machine. */
  interfaceNames(): string[];
  /** A writable directory for Flintnet's state, created if needed. */
  chooseStateDir(env: Record<string, string | undefined>): Promise<string>;
}

/** The real machine. */
export const systemProbe: SystemProbe = {
  defaultRouteInterface: () => defaultRouteInterface(),
  interfaceIPv4Network: (name) => interfaceIPv4Network(name),
  interfaceNames: () => interfaceNames(),
  chooseStateDir: (env) => chooseStateDir(env),
};

/** Where the state lives when Flintnet runs as a system service. */
export const SYSTEM_STATE_DIR = "/var/lib/flintnet";

/**
 * The interface of the default IPv4 route with the lowest metric.
 *
 * @param routeText contents of `/proc/net/route` (see proc_net(5)); read from
 *   the machine when omitted. Columns are found by their header names.
 */
export function defaultRouteInterface(routeText?: string): string | undefined {
  return defaultRoutes(routeText)[0]?.iface;
}

/**
 * The network of an interface's first IPv4 address, e.g. 192.0.2.2/24 → "192.0.2.0/24".
 *
 * @param ifaces the machine's addresses; `Deno.networkInterfaces()` when omitted
 */
export function interfaceIPv4Network(
  name: string,
  ifaces?: Deno.NetworkInterfaceInfo[],
): string | undefined {
  ifaces ??= safeNetworkInterfaces();
  const entry = ifaces.find((i) => i.name === name && i.family === "IPv4");
  if (!entry) return undefined;
  const [address, prefixText] = entry.cidr.split("/");
  const addr = parseIpv4(address);
  const prefix = Number(prefixText);
  if (addr === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  return ipv4Network(addr, prefix);
}

/**
 * Names of this machine's network interfaces, sorted.
 *
 * `/sys/class/net` lists interfaces without addresses too (a SPAN port usually
 * has none); `Deno.networkInterfaces()` is the fallback when sysfs is absent.
 */
export function interfaceNames(sysClassNet = "/sys/class/net"): string[] {
  const names = new Set<string>();
  try {
    for (const e of Deno.readDirSync(sysClassNet)) names.add(e.name);
  } catch {
    for (const i of safeNetworkInterfaces()) names.add(i.name);
  }
  return [...names].sort();
}

/** Options for {@link chooseStateDir}. */
export interface ChooseStateDirOptions {
  /** First choice when it exists and is writable or can be created. @default "/var/lib/flintnet" */
  systemDir?: string;
}

/**
 * Picks and creates (mode 0700) the state directory: `/var/lib/flintnet` when
 * usable, else `$XDG_STATE_HOME/flintnet`, else `~/.local/state/flintnet`.
 *
 * @throws Error when none can be created (no usable HOME either)
 */
export async function chooseStateDir(
  env: Record<string, string | undefined>,
  opts: ChooseStateDirOptions = {},
): Promise<string> {
  const candidates = [opts.systemDir ?? SYSTEM_STATE_DIR];
  // The XDG Base Directory spec says relative paths in $XDG_* are invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && xdg.startsWith("/")) candidates.push(`${stripSlash(xdg)}/flintnet`);
  const home = env.HOME;
  if (home && home.startsWith("/")) candidates.push(`${stripSlash(home)}/.local/state/flintnet`);
  const failures: string[] = [];
  for (const dir of candidates) {
    const why = await usableDir(dir);
    if (why === undefined) return dir;
    failures.push(`${dir}: ${why}`);
  }
  throw new Error(`no usable state directory (${failures.join("; ")}): set FLINTNET_STATE_DIR`);
}

/** The network containing IPv4 address `addr` (a 32-bit number) at `prefix` bits, as "a.b.c.d/prefix". */
export function ipv4Network(addr: number, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${formatIpv4((addr & mask) >>> 0)}/${prefix}`;
}

function safeNetworkInterfaces(): Deno.NetworkInterfaceInfo[] {
  try {
    return Deno.networkInterfaces();
  } catch {
    return [];
  }
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** Creates `dir` if needed and proves it writable; returns why not, or undefined when usable. */
async function usableDir(dir: string): Promise<string | undefined> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await Deno.stat(dir)).isDirectory) return "not a directory";
    // Permission bits do not tell the whole story (read-only mounts, ACLs): try it.
    const probe = `${dir}/.write-test-${Deno.pid}`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
