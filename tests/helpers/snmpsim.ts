/**
 * Simulated SNMP agents for tests and benchmarks: Debian's snmpsimd (package snmpsim) serving the
 * `.snmprec` files of a data directory on one or many UDP endpoints. The community selects the file:
 * `public.snmprec` answers community "public", `cisco_c2960x.snmprec` answers "cisco_c2960x", on every
 * endpoint.
 *
 * snmpsimd refuses to run as root without dropping to another user, and builds its indexes after
 * dropping, so the helper copies the data into a temp dir that user can read and gives it a cache dir
 * it can write.
 *
 * @example
 * const sim = await startSnmpsim({ endpoints: ["127.0.20.1:16100"], dataDir: "tests/fixtures/snmprec" });
 * try { … } finally { await sim.stop(); }
 */

import { createSocket } from "node:dgram";
import { watchChild } from "./child_process.ts";
import { NET_SNMP_ENV } from "./snmpd.ts";

/** Options of {@link startSnmpsim}. */
export interface SnmpsimOptions {
  /** "a.b.c.d:port" for every agent address (127.x.y.z, or 10.231.x.y inside `netns`). */
  endpoints: string[];
  /** Run inside this network namespace (`ip netns exec`), answering on the namespace's addresses. */
  netns?: string;
  /** Directory of `.snmprec` files (subdirectories allowed: community "a/b" is file a/b.snmprec). */
  dataDir: string;
  /** How long to wait for the agents to answer, in ms (indexing big files takes a while). @default 60000 */
  readyTimeoutMs?: number;
}

/** A running snmpsimd. */
export interface Snmpsim {
  /** The last 1 MB of what snmpsimd printed (it logs every request; printed when a test fails). */
  output(): string;
  /** Stops the simulator and removes its files. Idempotent. */
  stop(): Promise<void>;
}

const PYTHON = "/usr/bin/python3";
const SNMPSIMD = "/usr/bin/snmpsimd";
const OUTPUT_LIMIT = 1 << 20;

/** Why snmpsimd cannot run here, or null when it can. */
export async function snmpsimUnavailable(): Promise<string | null> {
  for (const tool of [PYTHON, SNMPSIMD, "/usr/bin/snmpget"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install snmpsim snmp`;
    }
  }
  const probe = await new Deno.Command(PYTHON, {
    args: ["-c", "import snmpsim"],
    stdout: "null",
    stderr: "null",
  })
    .output();
  return probe.code === 0 ? null : `${PYTHON} cannot import snmpsim: apt-get install snmpsim`;
}

/** Copies `.snmprec` files (recursively) so snmpsimd's unprivileged user can read them. */
async function copyData(from: string, to: string): Promise<string[]> {
  const communities: string[] = [];
  await Deno.mkdir(to, { recursive: true, mode: 0o755 });
  await Deno.chmod(to, 0o755);
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) {
      const sub = await copyData(`${from}/${e.name}`, `${to}/${e.name}`);
      communities.push(...sub.map((c) => `${e.name}/${c}`));
    } else if (e.isFile && e.name.endsWith(".snmprec")) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      await Deno.chmod(`${to}/${e.name}`, 0o644);
      communities.push(e.name.slice(0, -".snmprec".length));
    }
  }
  return communities;
}

/** One snmpget of sysUpTime.0 (from inside `netns` when given); true when the agent answered. */
async function answers(endpoint: string, community: string, netns?: string): Promise<boolean> {
  const get = [
    "/usr/bin/snmpget",
    "-v2c",
    "-c",
    community,
    "-t",
    "0.5",
    "-r",
    "0",
    "-On",
    endpoint,
    "1.3.6.1.2.1.1.3.0",
  ];
  const cmd = netns ? ["ip", "netns", "exec", netns, ...get] : get;
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "null",
    env: NET_SNMP_ENV,
  }).output();
  return out.code === 0 && new TextDecoder().decode(out.stdout).includes("1.3.6.1.2.1.1.3.0");
}

/** Rejects, naming the endpoint, when something on this machine already listens on it. */
async function endpointFree(ep: string): Promise<void> {
  const [hostname, port] = ep.split(":");
  const socket = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(Number(port), hostname, () => resolve());
    });
  } catch (e) {
    throw new Error(`snmpsim endpoint ${ep} is already in use (another test run on this machine?): ${e}`);
  } finally {
    socket.close();
  }
}

/**
 * Starts snmpsimd on every endpoint and waits until it answers on the first and the last (snmpsimd
 * binds every endpoint before it answers any, so the last answering means all are up). Rejects with
 * snmpsimd's output when it exits or does not answer in time.
 */
export async function startSnmpsim(o: SnmpsimOptions): Promise<Snmpsim> {
  if (o.endpoints.length === 0) throw new RangeError("startSnmpsim needs at least one endpoint");
  const allowed = o.netns
    ? /^(?:127\.\d{1,3}|10\.231)\.\d{1,3}\.\d{1,3}:\d{1,5}$/
    : /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/;
  for (const ep of o.endpoints) {
    if (!allowed.test(ep)) {
      throw new RangeError(
        `snmpsim endpoint "${ep}" is not valid; accepted: 127.x.y.z:port${
          o.netns ? " or 10.231.x.y:port" : ""
        }`,
      );
    }
  }
  // Another test run on this machine (a second checkout's suite) may hold the same endpoint: then the
  // readiness probe would be answered by *its* agent, with its data, and the test would read a mix.
  if (!o.netns) {
    for (const ep of new Set([o.endpoints[0], o.endpoints[o.endpoints.length - 1]])) await endpointFree(ep);
  }
  const dir = await Deno.makeTempDir({ prefix: "flintnet-snmpsim-" });
  await Deno.chmod(dir, 0o755);
  const dataDir = `${dir}/data`;
  const cacheDir = `${dir}/cache`;
  let communities: string[];
  try {
    communities = await copyData(o.dataDir, dataDir);
    await Deno.mkdir(cacheDir);
    await Deno.chmod(cacheDir, 0o777);
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  if (communities.length === 0) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(`no .snmprec files in ${o.dataDir}`);
  }
  // Endpoints go in an --args-from-file (snmpsimd's own way to list many), keeping a 1,000-endpoint
  // command line well under ARG_MAX; snmpsimd reads only endpoint and SNMPv3 options from that file.
  const argsFile = `${dir}/endpoints`;
  await Deno.writeTextFile(
    argsFile,
    o.endpoints.map((ep) => `--agent-udpv4-endpoint=${ep}`).join("\n") + "\n",
  );
  await Deno.chmod(argsFile, 0o644);
  const args = [
    SNMPSIMD,
    `--data-dir=${dataDir}`,
    `--cache-dir=${cacheDir}`,
    "--logging-method=stderr",
    ...(Deno.uid() === 0 ? ["--process-user=nobody", "--process-group=nogroup"] : []),
    `--args-from-file=${argsFile}`,
  ];

  const argv = o.netns ? ["ip", "netns", "exec", o.netns, PYTHON, ...args] : [PYTHON, ...args];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const watched = watchChild(child, { outputLimit: OUTPUT_LIMIT });
  const output = () => watched.output();
  const stop = async () => {
    await watched.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const probes = [...new Set([o.endpoints[0], o.endpoints[o.endpoints.length - 1]])];
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  const pending = new Set(probes);
  while (!watched.exited && Date.now() < deadline) {
    for (const ep of [...pending]) {
      if (await answers(ep, communities[0], o.netns)) pending.delete(ep);
    }
    if (pending.size === 0) return { output, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(
    `snmpsimd on ${o.endpoints.length} endpoint(s) ${
      watched.exited ? "exited" : "did not answer"
    }; its output:\n${output()}`,
  );
}
