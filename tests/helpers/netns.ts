/**
 * Network namespaces with a veth pair, as private test networks: one end stays in the host namespace
 * (where Flintnet captures), the other lives in a namespace the test sends from. Traffic never leaves
 * the machine. Needs root and iproute2.
 *
 * Names are chosen by the caller and fixed per test, so a run that crashed before destroy() is cleaned
 * up by the next run with the same names (createVethPair deletes leftovers first).
 *
 * @example
 * const skip = await netnsUnavailable();
 * const pair = await createVethPair({ ...vethNames("lcap1"), hostAddr: "10.231.1.1/24", nsAddr: "10.231.1.2/24" });
 * try {
 *   await pair.exec(["/usr/bin/python3", "-c", "…"]);
 * } finally {
 *   await pair.destroy();
 * }
 */

/** Options of {@link createVethPair}. */
export interface VethOptions {
  /** Namespace name (short and unique per test). */
  ns: string;
  /** Host-side interface name (≤ 15 characters). */
  hostIf: string;
  /** Namespace-side interface name (≤ 15 characters). */
  nsIf: string;
  /** Host-side address with prefix, inside 10.231.0.0/16, e.g. "10.231.7.1/24". */
  hostAddr: string;
  /** Namespace-side address with prefix, e.g. "10.231.7.2/24". */
  nsAddr: string;
  /** Keep IPv6 on both ends; off by default so router solicitations and MLD do not add frames. */
  ipv6?: boolean;
  /**
   * Give each end a permanent ARP entry for the other, so the first packets are neither queued behind
   * ARP resolution nor accompanied by ARP frames. Turn off to see real ARP. @default true
   */
  staticNeighbours?: boolean;
}

/** A live veth pair. */
export interface VethPair extends Readonly<VethOptions> {
  /** Host-side address without prefix. */
  readonly hostIp: string;
  /** Namespace-side address without prefix. */
  readonly nsIp: string;
  /** Host-side MAC, "aa:bb:…" (changes when the link is created again). */
  readonly hostMac: string;
  /** Namespace-side MAC. */
  readonly nsMac: string;
  /** Runs a command inside the namespace; rejects with its output when it exits non-zero. */
  exec(cmd: string[]): Promise<CommandOutput>;
  /** Deletes the veth pair (both ends), keeping the namespace: "the interface went away". */
  deleteLink(): Promise<void>;
  /** Creates the veth pair again with the same names and addresses (after deleteLink()). */
  createLink(): Promise<void>;
  /** Deletes the link and the namespace. Idempotent; never throws. */
  destroy(): Promise<void>;
}

/** What a finished command printed. */
export interface CommandOutput {
  /** Exit code. */
  code: number;
  /** Standard output, as text. */
  stdout: string;
  /** Standard error, as text. */
  stderr: string;
}

/** Linux IFNAMSIZ - 1. */
const MAX_IFNAME = 15;

/** Names for test `tag` (≤ 10 characters): namespace "fn-<tag>", interfaces "<tag>-h" and "<tag>-n". */
export function vethNames(tag: string): Pick<VethOptions, "ns" | "hostIf" | "nsIf"> {
  if (!/^[a-z0-9]{1,10}$/.test(tag)) {
    throw new RangeError(`veth tag "${tag}" is not valid; accepted: 1–10 of [a-z0-9]`);
  }
  return { ns: `fn-${tag}`, hostIf: `${tag}-h`, nsIf: `${tag}-n` };
}

/** Why namespaces cannot be used here (not root, no `ip`), or null when they can. */
export async function netnsUnavailable(): Promise<string | null> {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid() !== 0) return "network namespaces need root";
  try {
    const r = await run(["ip", "netns", "list"], false);
    return r.code === 0 ? null : `"ip netns list" failed: ${r.stderr.trim()}`;
  } catch {
    return `"ip" (iproute2) is not installed`;
  }
}

/** Runs a command; with `strict`, rejects with its output when it exits non-zero. */
export async function run(cmd: string[], strict = true): Promise<CommandOutput> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  const r = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  if (strict && r.code !== 0) {
    throw new Error(`${cmd.join(" ")} exited with ${r.code}\n${r.stdout}${r.stderr}`);
  }
  return r;
}

/** Creates the namespace and the veth pair, addressed and up, after removing leftovers of the same names. */
export async function createVethPair(opts: VethOptions): Promise<VethPair> {
  for (const name of [opts.hostIf, opts.nsIf]) {
    if (name.length === 0 || name.length > MAX_IFNAME || /[\s/]/.test(name)) {
      throw new RangeError(
        `interface name "${name}" is not valid; accepted: 1–${MAX_IFNAME} characters, no spaces or "/"`,
      );
    }
  }
  for (const addr of [opts.hostAddr, opts.nsAddr]) {
    if (!/^10\.231\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(addr)) {
      throw new RangeError(
        `address "${addr}" is not valid; accepted: an address with prefix inside 10.231.0.0/16`,
      );
    }
  }
  await removeLeftovers(opts);
  await run(["ip", "netns", "add", opts.ns]);
  const pair = new Pair(opts);
  try {
    await pair.createLink();
  } catch (e) {
    await pair.destroy();
    throw e;
  }
  return pair;
}

class Pair implements VethPair {
  readonly ns: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostAddr: string;
  readonly nsAddr: string;
  readonly ipv6: boolean;
  readonly staticNeighbours: boolean;
  readonly hostIp: string;
  readonly nsIp: string;
  hostMac = "";
  nsMac = "";
  #destroyed = false;

  constructor(o: VethOptions) {
    this.ns = o.ns;
    this.hostIf = o.hostIf;
    this.nsIf = o.nsIf;
    this.hostAddr = o.hostAddr;
    this.nsAddr = o.nsAddr;
    this.ipv6 = o.ipv6 ?? false;
    this.staticNeighbours = o.staticNeighbours ?? true;
    this.hostIp = o.hostAddr.split("/")[0];
    this.nsIp = o.nsAddr.split("/")[0];
  }

  exec(cmd: string[]): Promise<CommandOutput> {
    return run(["ip", "netns", "exec", this.ns, ...cmd]);
  }

  async createLink(): Promise<void> {
    // Deleting a namespace tears its interfaces down asynchronously; a same-named add may briefly collide.
    for (let attempt = 0;; attempt++) {
      const r = await run([
        "ip",
        "link",
        "add",
        this.hostIf,
        "type",
        "veth",
        "peer",
        "name",
        this.nsIf,
        "netns",
        this.ns,
      ], false);
      if (r.code === 0) break;
      if (attempt >= 20 || !/exists/i.test(r.stderr)) {
        throw new Error(`ip link add ${this.hostIf} failed: ${r.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!this.ipv6) {
      await run(["sysctl", "-qw", `net.ipv6.conf.${this.hostIf}.disable_ipv6=1`]);
      await this.exec(["sysctl", "-qw", `net.ipv6.conf.${this.nsIf}.disable_ipv6=1`]);
    }
    await run(["ip", "addr", "add", this.hostAddr, "dev", this.hostIf]);
    await run(["ip", "-n", this.ns, "addr", "add", this.nsAddr, "dev", this.nsIf]);
    await run(["ip", "-n", this.ns, "link", "set", "lo", "up"]);
    await run(["ip", "-n", this.ns, "link", "set", this.nsIf, "up"]);
    await run(["ip", "link", "set", this.hostIf, "up"]);
    this.hostMac = await macOf(["ip", "-j", "link", "show", "dev", this.hostIf]);
    this.nsMac = await macOf(["ip", "-n", this.ns, "-j", "link", "show", "dev", this.nsIf]);
    if (this.staticNeighbours) {
      await run([
        "ip",
        "neigh",
        "replace",
        this.nsIp,
        "lladdr",
        this.nsMac,
        "dev",
        this.hostIf,
        "nud",
        "permanent",
      ]);
      await run([
        "ip",
        "-n",
        this.ns,
        "neigh",
        "replace",
        this.hostIp,
        "lladdr",
        this.hostMac,
        "dev",
        this.nsIf,
        "nud",
        "permanent",
      ]);
    }
  }

  async deleteLink(): Promise<void> {
    await run(["ip", "link", "del", this.hostIf]);
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await removeLeftovers(this);
  }
}

async function macOf(cmd: string[]): Promise<string> {
  const [link] = JSON.parse((await run(cmd)).stdout) as { address: string }[];
  return link.address;
}

async function removeLeftovers(o: Pick<VethOptions, "ns" | "hostIf">): Promise<void> {
  // The host end first: deleting it removes its peer synchronously, unlike a namespace deletion.
  await run(["ip", "link", "del", o.hostIf], false).catch(() => undefined);
  await run(["ip", "netns", "del", o.ns], false).catch(() => undefined);
}
