/**
 * Two network namespaces cabled together, with real servers and real clients, for the visibility tests:
 * "fvi-srv" (10.231.90.2, and .3 as a second address DNS names) runs dnsmasq, `openssl s_server` and
 * Python's http.server; "fvi-cli" (10.231.90.1) runs dig, curl and `openssl s_client`. tcpdump records on
 * the server's side of the cable (where a daemon under test captures too), so tshark and Flintnet read the
 * same packets. Every server is started through watchChild (its output shown when a test fails) and
 * stopped by destroy(), which never throws.
 */
import type { WatchedChild } from "./child_process.ts";
import { NetnsLab, spawnInNamespace, startTcpdump } from "./netns_lab.ts";
import { run } from "./netns.ts";
import { makeTestCert } from "./test_cert.ts";

/** Names and addresses of the lab. */
export const LAB = {
  cli: "fvi-cli",
  srv: "fvi-srv",
  cliIf: "fvi-c0",
  srvIf: "fvi-s0",
  cliIp: "10.231.90.1",
  srvIp: "10.231.90.2",
  /** A second server address, the one DNS gives names to. */
  webIp: "10.231.90.3",
  cidr: "10.231.90.0/24",
  tlsPort: 4433,
  httpPort: 8080,
} as const;

/** The zone dnsmasq serves (names under a reserved test TLD, RFC 6761; addresses in the lab). */
export const ZONE = {
  web: "web.flintnet.test", // A 10.231.90.3
  alias: "alias.flintnet.test", // CNAME web.flintnet.test
  v6: "v6.flintnet.test", // AAAA fd00:231::3 (never contacted)
  ttl: 300,
} as const;

/** A running lab. */
export class VisibilityLab {
  readonly #lab = new NetnsLab();
  readonly #children: WatchedChild[] = [];
  #dir = "";

  /** Builds the namespaces and starts the servers; waits until each answers. */
  async start(): Promise<void> {
    this.#dir = await Deno.makeTempDir({ prefix: "fvi-lab-" });
    await this.#lab.namespace(LAB.cli);
    await this.#lab.namespace(LAB.srv);
    await this.#lab.cable(LAB.cli, LAB.cliIf, LAB.srv, LAB.srvIf);
    await this.#lab.exec(LAB.cli, ["ip", "addr", "add", `${LAB.cliIp}/24`, "dev", LAB.cliIf]);
    await this.#lab.exec(LAB.srv, ["ip", "addr", "add", `${LAB.srvIp}/24`, "dev", LAB.srvIf]);
    await this.#lab.exec(LAB.srv, ["ip", "addr", "add", `${LAB.webIp}/24`, "dev", LAB.srvIf]);
    // Without offload each captured segment is one wire segment (an MSS the test sets is honoured in the
    // capture, and netem drops real segments, not 64 KiB super-segments).
    for (const [ns, dev] of [[LAB.cli, LAB.cliIf], [LAB.srv, LAB.srvIf]]) {
      await this.#lab.exec(ns, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"]);
    }
    const { cert, key } = await makeTestCert(this.#dir);
    await Deno.writeTextFile(`${this.#dir}/index.html`, "flintnet visibility lab\n");
    this.spawn(LAB.srv, [
      "dnsmasq",
      "-k",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--bind-interfaces",
      `--listen-address=${LAB.srvIp}`,
      "--except-interface=lo",
      `--pid-file=${this.#dir}/dnsmasq.pid`,
      `--local-ttl=${ZONE.ttl}`,
      "--local=/flintnet.test/", // authoritative: an unknown name is NXDOMAIN
      `--host-record=${ZONE.web},${LAB.webIp}`,
      `--host-record=${ZONE.v6},fd00:231::3`,
      `--cname=${ZONE.alias},${ZONE.web}`,
      "--log-queries",
      "--log-facility=-",
    ]);
    this.spawn(LAB.srv, [
      "openssl",
      "s_server",
      "-accept",
      `${LAB.srvIp}:${LAB.tlsPort}`,
      "-cert",
      cert,
      "-key",
      key,
      "-www",
    ]);
    this.spawn(LAB.srv, [
      "/usr/bin/python3",
      "-m",
      "http.server",
      String(LAB.httpPort),
      "--bind",
      LAB.srvIp,
      "--directory",
      this.#dir,
    ]);
    await this.#waitFor(() =>
      this.cli(["dig", "+time=1", "+tries=1", `@${LAB.srvIp}`, ZONE.web, "A", "+short"])
    );
    await this.#waitFor(() => this.cli(["curl", "-sS", "-m", "2", `http://${LAB.srvIp}:${LAB.httpPort}/`]));
    await this.#waitFor(() =>
      this.cli([
        "sh",
        "-c",
        `openssl s_client -connect ${LAB.srvIp}:${LAB.tlsPort} </dev/null >/dev/null 2>&1`,
      ])
    );
  }

  /** Runs a command in the client namespace; rejects with its output when it fails. */
  cli(cmd: string[]): Promise<string> {
    return this.#lab.exec(LAB.cli, cmd);
  }

  /** `openssl s_client -servername NAME` from the client: one TLS handshake with that SNI, then closed. */
  async tlsHello(serverName: string): Promise<void> {
    await this.cli([
      "sh",
      "-c",
      `openssl s_client -connect ${LAB.srvIp}:${LAB.tlsPort} -servername ${serverName} </dev/null >/dev/null 2>&1`,
    ]);
  }

  /** `curl` from the client to the HTTP server, with this Host header. */
  async httpGet(host: string): Promise<void> {
    await this.cli([
      "curl",
      "-sS",
      "-m",
      "5",
      "-o",
      "/dev/null",
      "-H",
      `Host: ${host}`,
      `http://${LAB.srvIp}:${LAB.httpPort}/`,
    ]);
  }

  /** Runs a command in the server namespace. */
  srv(cmd: string[]): Promise<string> {
    return this.#lab.exec(LAB.srv, cmd);
  }

  /** Starts tcpdump on the server's side of the cable; resolves once it listens. Stop it with the result. */
  record(file: string): Promise<{ stop(): Promise<void> }> {
    return startTcpdump((ns, cmd) => this.spawn(ns, cmd), LAB.srv, LAB.srvIf, file);
  }

  /** Everything the servers printed, for a failing test. */
  output(): string {
    return this.#children.map((c) => c.output()).join("\n----\n");
  }

  /** Stops the servers and deletes the namespaces. Never throws. */
  async destroy(): Promise<void> {
    for (const c of this.#children) await c.stop();
    await this.#lab.destroy();
    if (this.#dir) await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  /** Starts `cmd` in namespace `ns`, watched: its output is in output(), destroy() stops it. */
  spawn(ns: string, cmd: string[]): WatchedChild {
    const w = spawnInNamespace(ns, cmd);
    this.#children.push(w);
    return w;
  }

  /** Waits until `child` printed something matching `re`. */
  async waitForOutput(child: WatchedChild, re: RegExp, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (re.test(child.output())) return;
    throw new Error(`no ${re} within ${ms} ms:\n${child.output()}`);
  }

  /** Waits until `child` exited. */
  async waitForExit(child: WatchedChild, ms = 60_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (child.exited) return;
    throw new Error(`still running after ${ms} ms:\n${child.output()}`);
  }

  async #waitFor(probe: () => Promise<unknown>): Promise<void> {
    let last: unknown;
    for (let i = 0; i < 50; i++) {
      try {
        await probe();
        return;
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new Error(`a lab server never answered: ${last}\n${this.output()}`);
  }
}

/** Reads fields from a capture with tshark: one array of values per frame (empty frames left out). */
export async function tsharkFields(
  file: string,
  filter: string,
  fields: string[],
  extra: string[] = [],
): Promise<string[][]> {
  const r = await run([
    "tshark",
    "-r",
    file,
    "-n",
    ...extra,
    "-Y",
    filter,
    "-T",
    "fields",
    "-E",
    "separator=\t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => l.split("\t"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
