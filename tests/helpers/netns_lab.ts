/**
 * A small network of namespaces for tests that need more than one host end of a veth: namespaces
 * cabled to each other by veth pairs (the "switches" of a topology test) and to a bridge in the host
 * namespace (their management network, where Flintnet runs). Names are fixed by the test, so a run
 * that crashed is cleaned up by the next one with the same names (leftovers are deleted first).
 *
 * @example
 * const lab = new NetnsLab();
 * try {
 *   await lab.namespace("fntp-a");
 *   await lab.namespace("fntp-b");
 *   await lab.cable("fntp-a", "fntpab", "fntp-b", "fntpba");
 * } finally { await lab.destroy(); }
 */
import { run } from "./netns.ts";
import { watchChild, type WatchedChild } from "./child_process.ts";

const NAME = /^[a-z0-9-]{1,15}$/;

function checkName(name: string): string {
  if (!NAME.test(name)) throw new RangeError(`name "${name}" is not valid; accepted: 1–15 of [a-z0-9-]`);
  return name;
}

/** Namespaces, cables and a bridge, deleted together. */
export class NetnsLab {
  readonly #namespaces: string[] = [];
  readonly #hostLinks: string[] = [];

  /** Creates a namespace with its loopback up (and IPv6 off, so only what a test sends is on the wire). */
  async namespace(name: string): Promise<void> {
    checkName(name);
    await run(["ip", "netns", "del", name], false);
    await run(["ip", "netns", "add", name]);
    this.#namespaces.push(name);
    await run(["ip", "-n", name, "link", "set", "lo", "up"]);
    await this.exec(name, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
    await this.exec(name, ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]);
  }

  /** A bridge in the host namespace with `addr` (e.g. "10.231.100.1/24"), up. */
  async bridge(name: string, addr: string): Promise<void> {
    checkName(name);
    await run(["ip", "link", "del", name], false);
    await run(["ip", "link", "add", name, "type", "bridge"]);
    this.#hostLinks.push(name);
    await run(["sysctl", "-qw", `net.ipv6.conf.${name}.disable_ipv6=1`]);
    await run(["ip", "addr", "add", addr, "dev", name]);
    await run(["ip", "link", "set", name, "up"]);
  }

  /** Cables namespace `ns` (interface `nsIf`, address `nsAddr`) to the host bridge by `hostIf`. */
  async toBridge(ns: string, nsIf: string, hostIf: string, bridge: string, nsAddr: string): Promise<void> {
    checkName(nsIf);
    checkName(hostIf);
    await run(["ip", "link", "del", hostIf], false);
    await run(["ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", ns]);
    this.#hostLinks.push(hostIf);
    await run(["sysctl", "-qw", `net.ipv6.conf.${hostIf}.disable_ipv6=1`]);
    await run(["ip", "link", "set", hostIf, "master", bridge]);
    await run(["ip", "link", "set", hostIf, "up"]);
    await run(["ip", "-n", ns, "addr", "add", nsAddr, "dev", nsIf]);
    await run(["ip", "-n", ns, "link", "set", nsIf, "up"]);
  }

  /** A cable between two namespaces: `ifA` in `nsA`, `ifB` in `nsB`, both up, no addresses. */
  async cable(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
    checkName(ifA);
    checkName(ifB);
    await run(["ip", "-n", nsA, "link", "del", ifA], false);
    await run(["ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
    await run(["ip", "-n", nsA, "link", "set", ifA, "up"]);
    await run(["ip", "-n", nsB, "link", "set", ifB, "up"]);
  }

  /** Unplugs a cable: deletes the veth pair `ifA` of `nsA` belongs to. */
  async unplug(nsA: string, ifA: string): Promise<void> {
    await run(["ip", "-n", nsA, "link", "del", ifA]);
  }

  /** Runs a command inside `ns`; rejects with its output when it fails. */
  async exec(ns: string, cmd: string[]): Promise<string> {
    return (await run(["ip", "netns", "exec", ns, ...cmd])).stdout;
  }

  /** `ip -j link` of `ns`: interface name → ifindex. */
  async ifIndexes(ns: string): Promise<Map<string, number>> {
    const links = JSON.parse(await this.exec(ns, ["ip", "-j", "link"])) as {
      ifindex: number;
      ifname: string;
    }[];
    return new Map(links.map((l) => [l.ifname, l.ifindex]));
  }

  /** Deletes everything made. Never throws. */
  async destroy(): Promise<void> {
    for (const l of this.#hostLinks.reverse()) await run(["ip", "link", "del", l], false).catch(() => {});
    for (const ns of this.#namespaces) await run(["ip", "netns", "del", ns], false).catch(() => {});
    this.#hostLinks.length = 0;
    this.#namespaces.length = 0;
  }
}

/** Starts `cmd` in namespace `ns`, watched (its output kept for a failing test); the caller stops it. */
export function spawnInNamespace(ns: string, cmd: string[]): WatchedChild {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...cmd],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return watchChild(child, { outputLimit: 20_000 });
}

/**
 * tcpdump writing every frame of `iface` in `ns` to `file`, resolved once it listens; stop() lets the last
 * packets be written first. `spawn` starts it (a lab's own, so the lab stops it and shows its output).
 *
 * Its buffer is 32 MiB unless `bufferKib` says otherwise: in immediate mode libpcap gives each frame a slot
 * of the snapshot length (256 KiB with `-s 0`), so tcpdump's default 2 MiB held 8 frames, and a burst of
 * more while it waited for a CPU (sfprobe's datagrams on a busy machine) was dropped by the kernel.
 */
export async function startTcpdump(
  spawn: (ns: string, cmd: string[]) => WatchedChild,
  ns: string,
  iface: string,
  file: string,
  opts: { bufferKib?: number } = {},
): Promise<{ stop(): Promise<void> }> {
  const buffer = ["-B", String(opts.bufferKib ?? 32 * 1024)];
  const w = spawn(ns, [
    "tcpdump",
    "-i",
    iface,
    "-s",
    "0",
    ...buffer,
    "-U",
    "--immediate-mode",
    "-n",
    "-w",
    file,
  ]);
  for (let i = 0; i < 100 && !/listening on/.test(w.output()); i++) await pause(50);
  if (!/listening on/.test(w.output())) throw new Error(`tcpdump did not start:\n${w.output()}`);
  return {
    stop: async () => {
      await pause(300); // let the last packets be written
      await w.stop();
    },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A UDP echo server in `ns` on each of `addresses`, answering from the address asked; wait for "ready". */
export function udpEchoIn(ns: string, addresses: readonly string[], port: number): WatchedChild {
  const code = `
import selectors, socket
sel = selectors.DefaultSelector()
for a in ${JSON.stringify(addresses)}:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, ${port})); sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        data, peer = key.fileobj.recvfrom(2048); key.fileobj.sendto(data, peer)
`;
  return spawnInNamespace(ns, ["/usr/bin/python3", "-u", "-c", code]);
}

/**
 * Each of `addresses` (on `iface` in `ns`) asks for `gateway` by broadcast ARP, as a host does when it first
 * needs its gateway: each claims its address on the LAN. Written with scapy (Debian's python3-scapy).
 */
export async function askForGateway(
  lab: NetnsLab,
  ns: string,
  iface: string,
  addresses: readonly string[],
  gateway: string,
): Promise<void> {
  await lab.exec(ns, [
    "/usr/bin/python3",
    "-c",
    `
from scapy.all import ARP, Ether, get_if_hwaddr, sendp
mac = get_if_hwaddr("${iface}")
sendp([Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc=a, pdst="${gateway}")
       for a in ${JSON.stringify(addresses)}], iface="${iface}", inter=0.002, verbose=False)
`,
  ]);
}

/**
 * From `ns`, datagram i goes from `sources[i % sources.length]` to `targets[i]` on `port`; each waits for its
 * answer (2 s at most), or with `burst` all are sent first and the answers collected after. Resolves to how
 * many were answered.
 */
export async function udpRoundTrips(
  lab: NetnsLab,
  ns: string,
  sources: readonly string[],
  targets: readonly string[],
  port: number,
  opts: { burst?: boolean } = {},
): Promise<number> {
  const code = `
import socket
socks = []
for a in ${JSON.stringify(sources)}:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, 0)); s.settimeout(2); socks.append(s)
def answered(s):
    try: s.recvfrom(2048); return 1
    except socket.timeout: return 0
n = 0
sent = []
for i, t in enumerate(${JSON.stringify(targets)}):
    s = socks[i % len(socks)]; s.sendto(b"hello", (t, ${port}))
    if ${opts.burst ? "True" : "False"}: sent.append(s)
    else: n += answered(s)
for s in sent: n += answered(s)
print(n)
`;
  return Number((await lab.exec(ns, ["/usr/bin/python3", "-c", code])).trim());
}
