/**
 * Open vSwitch as a real switch in tests: ovsdb-server and ovs-vswitchd run from a temporary directory
 * (no system service), one userspace bridge (datapath "netdev": no kernel module needed), and a port per
 * network namespace: a veth pair whose host end is the switch port and whose other end is the namespace's
 * eth0, addressed in one subnet, with IPv6 off and static neighbours so that only the test's own traffic
 * crosses the switch. OVS exports sFlow of the bridge (flow samples, and each port's counters) when asked.
 *
 * @example
 * const sw = await startOvsSwitch(dir, "fnsw0", [{ ns: "fn-swa", port: "swa-p", ip: "10.231.201.1" }, …]);
 * try { await sw.sflow(`127.0.0.1:${port}`, { polling: 1 }); … } finally { await sw.stop(); }
 */
import { watchChild, type WatchedChild } from "./child_process.ts";
import { run } from "./netns.ts";

/** Open vSwitch's programs, and why they cannot run here (null when they can). */
export async function ovsUnavailable(): Promise<string | null> {
  const r = await run(["which", "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl"], false);
  return r.code === 0 ? null : "Open vSwitch is missing: apt-get install openvswitch-switch";
}

/** A namespace behind a switch port. */
export interface OvsHost {
  /** Namespace name. */
  ns: string;
  /** The switch port: the veth pair's host end (≤ 15 characters). */
  port: string;
  /** The namespace's address in the switch's /24. */
  ip: string;
}

/** A running switch. */
export interface OvsSwitch {
  /** The kernel's ifIndex of each port, by port name (what sFlow calls the port). */
  readonly ifIndex: Record<string, number>;
  /** Sends sFlow to `target` (host:port): each port's counters every `polling` s, 1 in `sampling` packets. */
  sflow(target: string, o: { polling: number; sampling?: number }): Promise<void>;
  /** Runs `cmd` in host `ns`'s namespace. */
  exec(ns: string, cmd: string[]): Promise<string>;
  /** What ovs-vswitchd and ovsdb-server printed (for a failing test). */
  output(): string;
  /** Stops the switch and removes the bridge, ports and namespaces. Never throws. */
  stop(): Promise<void>;
}

const SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";

/** Starts a switch whose bridge `bridge` connects `hosts`, its database and sockets under `dir`. */
export async function startOvsSwitch(dir: string, bridge: string, hosts: OvsHost[]): Promise<OvsSwitch> {
  const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const db = `unix:${dir}/db.sock`;
  const children: WatchedChild[] = [];
  const spawn = (cmd: string, args: string[]) =>
    children.push(
      watchChild(new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).spawn(), {
        outputLimit: 20_000,
      }),
    );
  const vsctl = async (...args: string[]) =>
    (await run(["ovs-vsctl", `--db=${db}`, "--timeout=10", ...args])).stdout.trim();
  const cleanup = async () => {
    await run(["ovs-vsctl", `--db=${db}`, "--timeout=3", "--if-exists", "del-br", bridge], false);
    for (const c of children.reverse()) await c.stop();
    // The userspace datapath's own tap devices outlive a stopped ovs-vswitchd.
    for (const link of [bridge, "ovs-netdev", ...hosts.map((h) => h.port)]) {
      await run(["ip", "link", "del", link], false);
    }
    for (const h of hosts) await run(["ip", "netns", "del", h.ns], false);
  };
  await cleanup(); // leftovers of a run that was killed
  try {
    await run(["ovsdb-tool", "create", `${dir}/conf.db`, SCHEMA]);
    spawn("ovsdb-server", [`${dir}/conf.db`, `--remote=punix:${dir}/db.sock`, `--unixctl=${dir}/ovsdb.ctl`]);
    await waitFor(() => Deno.stat(`${dir}/db.sock`).then(() => true, () => false), "ovsdb-server's socket");
    await vsctl("--no-wait", "init");
    spawn("ovs-vswitchd", [db, `--unixctl=${dir}/vswitchd.ctl`, `--log-file=${dir}/vswitchd.log`]);
    await vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev");
    const ifIndex: Record<string, number> = {};
    for (const h of hosts) {
      await run(["ip", "netns", "add", h.ns]);
      await run(["ip", "link", "add", h.port, "type", "veth", "peer", "name", "eth0", "netns", h.ns]);
      const inNs = (cmd: string[]) => run(["ip", "netns", "exec", h.ns, ...cmd]);
      await inNs(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
      await run(["sysctl", "-qw", `net.ipv6.conf.${h.port}.disable_ipv6=1`]);
      await inNs(["ip", "addr", "add", `${h.ip}/24`, "dev", "eth0"]);
      await inNs(["ip", "link", "set", "eth0", "up"]);
      await run(["ip", "link", "set", h.port, "up"]);
      await vsctl("add-port", bridge, h.port);
      ifIndex[h.port] =
        JSON.parse((await run(["ip", "-j", "link", "show", "dev", h.port])).stdout)[0].ifindex;
    }
    // Every namespace knows every other's MAC: no ARP crosses the switch.
    const macs = await Promise.all(
      hosts.map(async (h) =>
        JSON.parse((await run(["ip", "-n", h.ns, "-j", "link", "show", "dev", "eth0"])).stdout)[0]
          .address as string
      ),
    );
    for (const [i, h] of hosts.entries()) {
      for (const [j, other] of hosts.entries()) {
        if (i === j) continue;
        await run([
          "ip",
          "-n",
          h.ns,
          "neigh",
          "replace",
          other.ip,
          "lladdr",
          macs[j],
          "dev",
          "eth0",
          "nud",
          "permanent",
        ]);
      }
    }
    return {
      ifIndex,
      async sflow(target, o) {
        await vsctl(
          "--",
          "--id=@s",
          "create",
          "sflow",
          "agent=lo",
          `target="${target}"`,
          `polling=${o.polling}`,
          `sampling=${o.sampling ?? 1000}`,
          "header=128",
          "--",
          "set",
          "bridge",
          bridge,
          "sflow=@s",
        );
      },
      exec: async (ns, cmd) => (await run(["ip", "netns", "exec", ns, ...cmd])).stdout,
      output: () => children.map((c) => c.output()).join("\n"),
      stop: cleanup,
    };
  } catch (e) {
    const out = children.map((c) => c.output()).join("\n");
    await cleanup();
    throw new Error(`${e instanceof Error ? e.message : e}\n${out}`);
  }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not appear within 10 s`);
}
