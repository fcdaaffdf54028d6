/**
 * A real LLDP agent (Debian's lldpd) inside a network namespace, as a test's switch or server: its own
 * system name (a UTS namespace: `unshare --uts sh -c 'hostname NAME; exec lldpd …'`), its own control
 * socket, the interfaces and management address the test chooses, a transmit interval of 1 s (so a
 * test waits seconds, not half a minute), optionally CDPv2 frames too and the AgentX subagent that
 * serves LLDP-MIB through an snmpd master.
 *
 * @example
 * const agent = await startLldpd({ netns: "fntp-a", hostname: "tpnode1", interfaces: ["fntp12a"] });
 * try { await agent.waitForNeighbours(1, 10_000); } finally { await agent.stop(); }
 */
import { watchChild } from "./child_process.ts";

/** Options of {@link startLldpd}. */
export interface LldpdOptions {
  /** Network namespace to run in. */
  netns: string;
  /** System name it announces. */
  hostname: string;
  /** Interfaces it runs on (-I); all when absent. */
  interfaces?: string[];
  /** Management address it announces (-m). */
  managementIp?: string;
  /** Serve LLDP-MIB through the AgentX master listening on this socket (-x -X). */
  agentxSocket?: string;
  /** Send CDPv2 frames too, even without a CDP peer (-ccccc). */
  cdp?: boolean;
  /** Seconds between frames (lldpcli `configure lldp tx-interval`). @default 1 */
  txIntervalS?: number;
}

/** A neighbour as `lldpcli show neighbors` lists it. */
export interface LldpdNeighbour {
  /** The local interface it was heard on. */
  iface: string;
  /** Its system name. */
  name: string;
}

/** A running lldpd. */
export interface Lldpd {
  /** What it printed so far. */
  output(): string;
  /** Its neighbours now (`lldpcli -f json show neighbors`). */
  neighbours(): Promise<LldpdNeighbour[]>;
  /** Waits until it has heard at least `n` neighbours; rejects with its output after `ms`. */
  waitForNeighbours(n: number, ms: number): Promise<LldpdNeighbour[]>;
  /** Stops it and removes its files. Idempotent. */
  stop(): Promise<void>;
}

/** Why lldpd cannot run here, or null when it can. */
export async function lldpdUnavailable(): Promise<string | null> {
  for (const tool of ["/usr/sbin/lldpd", "/usr/sbin/lldpcli", "/usr/bin/unshare"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install lldpd util-linux`;
    }
  }
  return null;
}

async function lldpcli(
  o: LldpdOptions,
  socket: string,
  args: string[],
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("ip", {
    args: ["netns", "exec", o.netns, "/usr/sbin/lldpcli", "-u", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) };
}

/** lldpcli's JSON: one object per interface, or the object itself when there is one. */
function parseNeighbours(json: string): LldpdNeighbour[] {
  const doc = JSON.parse(json) as { lldp?: { interface?: unknown } };
  const raw = doc.lldp?.interface;
  const list = Array.isArray(raw) ? raw : raw ? Object.entries(raw).map(([k, v]) => ({ [k]: v })) : [];
  const out: LldpdNeighbour[] = [];
  for (const entry of list as Record<string, { chassis?: Record<string, unknown> }>[]) {
    for (const [iface, v] of Object.entries(entry)) {
      const name = Object.keys(v.chassis ?? {})[0] ?? "";
      out.push({ iface, name });
    }
  }
  return out;
}

/** Starts lldpd and waits until its control socket answers. */
export async function startLldpd(o: LldpdOptions): Promise<Lldpd> {
  if (!/^[a-z0-9-]{1,63}$/.test(o.hostname)) throw new RangeError(`hostname "${o.hostname}" is not valid`);
  const dir = await Deno.makeTempDir({ prefix: "flintnet-lldpd-" });
  // lldpd applies its configuration with lldpcli as its own unprivileged user: it must reach the socket.
  await Deno.chmod(dir, 0o755);
  const socket = `${dir}/lldpd.socket`;
  const conf = `${dir}/lldpd.conf`;
  await Deno.writeTextFile(conf, `configure lldp tx-interval ${o.txIntervalS ?? 1}\n`);
  const args = ["-d", "-u", socket, "-O", conf];
  if (o.interfaces) args.push("-I", o.interfaces.join(","));
  if (o.managementIp) args.push("-m", o.managementIp);
  if (o.agentxSocket) args.push("-x", "-X", o.agentxSocket);
  if (o.cdp) args.push("-ccccc");
  const script = `hostname ${o.hostname} && exec /usr/sbin/lldpd ${args.join(" ")}`;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", o.netns, "unshare", "--uts", "sh", "-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const watched = watchChild(child, { outputLimit: 1 << 20 });
  const stop = async () => {
    await watched.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const neighbours = async () => {
    const r = await lldpcli(o, socket, ["-f", "json", "show", "neighbors"]);
    return r.code === 0 ? parseNeighbours(r.out) : [];
  };
  const agent: Lldpd = {
    output: () => watched.output(),
    neighbours,
    async waitForNeighbours(n, ms) {
      const until = Date.now() + ms;
      for (;;) {
        const list = await neighbours();
        if (list.length >= n) return list;
        if (watched.exited || Date.now() > until) {
          throw new Error(
            `lldpd ${o.hostname} heard ${list.length} of ${n} neighbours; its output:\n${watched.output()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop,
  };
  for (let i = 0; i < 50 && !watched.exited; i++) {
    if ((await lldpcli(o, socket, ["show", "configuration"])).code === 0) return agent;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`lldpd ${o.hostname} did not start; its output:\n${watched.output()}`);
}
