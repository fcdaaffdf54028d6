/**
 * The lab of the PCAP recording tests: two namespaces cabled by a veth pair (offloads off, so one captured
 * segment is one wire segment), a web server (Python's http.server on 8080, serving `<dir>/www`) and a UDP
 * listener (nc on 5353) on the server side, tcpdump on the server's interface as the reference capture, and
 * the daemon's API reached with curl from inside the server namespace. Each test gives its own names and
 * addresses; a failing test prints every child's output.
 *
 * @example
 * const lab = new RecordingLab({ cli: "fre-cli", srv: "fre-srv", cliIf: "fre-c0", srvIf: "fre-s0",
 *   cliIp: "10.231.75.1", srvIp: "10.231.75.2" });
 * try { await lab.start(); … } finally { await lab.destroy(); }
 */
import { run } from "./netns.ts";
import { NetnsLab, spawnInNamespace, startTcpdump } from "./netns_lab.ts";
import type { WatchedChild } from "./child_process.ts";

/** Names and addresses of one lab. */
export interface RecordingLabNames {
  /** Client and server namespaces and their ends of the cable. */
  cli: string;
  srv: string;
  cliIf: string;
  srvIf: string;
  /** Addresses (/24) of the client and the server. */
  cliIp: string;
  srvIp: string;
  /** More addresses of the server, each in a /24 the client routes over the cable. */
  moreSrvIps?: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The lab: namespaces, a cable, a web server and a UDP listener on the server. */
export class RecordingLab {
  readonly lab = new NetnsLab();
  readonly children: WatchedChild[] = [];
  readonly dir = Deno.makeTempDirSync({ prefix: "flintnet-rec-" });
  readonly n: RecordingLabNames;

  constructor(names: RecordingLabNames) {
    this.n = names;
  }

  async start(): Promise<void> {
    const { cli: CLI, srv: SRV, cliIf: CLI_IF, srvIf: SRV_IF, cliIp: CLI_IP, srvIp: SRV_IP } = this.n;
    await this.lab.namespace(CLI);
    await this.lab.namespace(SRV);
    await this.lab.cable(CLI, CLI_IF, SRV, SRV_IF);
    await this.lab.exec(CLI, ["ip", "addr", "add", `${CLI_IP}/24`, "dev", CLI_IF]);
    await this.lab.exec(SRV, ["ip", "addr", "add", `${SRV_IP}/24`, "dev", SRV_IF]);
    for (const ip of this.n.moreSrvIps ?? []) {
      await this.lab.exec(CLI, ["ip", "route", "add", `${ip.replace(/\.\d+$/, ".0")}/24`, "dev", CLI_IF]);
      await this.lab.exec(SRV, ["ip", "addr", "add", `${ip}/24`, "dev", SRV_IF]);
    }
    for (const [ns, dev] of [[CLI, CLI_IF], [SRV, SRV_IF]]) {
      // one captured segment is one wire segment, ≤ 1514 octets
      await this.lab.exec(ns, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"]);
    }
    await Deno.mkdir(`${this.dir}/www`);
    await Deno.writeFile(`${this.dir}/www/big.bin`, crypto.getRandomValues(new Uint8Array(60_000)));
    await Deno.writeTextFile(`${this.dir}/www/index.html`, "hello\n");
    this.spawn(SRV, ["/usr/bin/python3", "-m", "http.server", "8080", "-d", `${this.dir}/www`]);
    this.spawn(SRV, ["nc", "-u", "-l", "-k", "-p", "5353"]);
    for (let i = 0; i < 50; i++) {
      const r = await run(
        ["ip", "netns", "exec", CLI, "curl", "-s", "-m", "2", `http://${SRV_IP}:8080/`],
        false,
      );
      if (r.code === 0) return;
      await sleep(100);
    }
    throw new Error(`the web server never answered:\n${this.output()}`);
  }

  spawn(ns: string, cmd: string[]): WatchedChild {
    const w = spawnInNamespace(ns, cmd);
    this.children.push(w);
    return w;
  }

  /** Traffic from the client: pings, a web page and a larger file, a UDP datagram. */
  async traffic(pings = 3, bigFiles = 1): Promise<void> {
    const { cli: CLI, srvIp: SRV_IP } = this.n;
    await this.lab.exec(CLI, ["ping", "-c", String(pings), "-i", "0.2", SRV_IP]);
    await this.lab.exec(CLI, ["curl", "-s", "-o", "/dev/null", `http://${SRV_IP}:8080/`]);
    for (let i = 0; i < bigFiles; i++) {
      await this.lab.exec(CLI, ["curl", "-s", "-o", "/dev/null", `http://${SRV_IP}:8080/big.bin`]);
    }
    await this.lab.exec(CLI, ["sh", "-c", `echo hello | nc -u -w 1 ${SRV_IP} 5353`]);
  }

  /** tcpdump on the daemon's interface; stop() once the last packets are written. */
  tcpdump(file: string): Promise<{ stop(): Promise<void> }> {
    // 32 MiB: a burst on the veth outruns tcpdump's default 2 MiB buffer on a busy machine
    return startTcpdump((ns, cmd) => this.spawn(ns, cmd), this.n.srv, this.n.srvIf, file, {
      bufferKib: 32768,
    });
  }

  output(): string {
    return this.children.map((c) => c.output()).join("\n----\n");
  }

  async destroy(): Promise<void> {
    for (const c of this.children) await c.stop();
    await this.lab.destroy();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** The daemon's API from inside namespace `ns` with `token`: status and parsed body (or the raw file with `out`). */
export async function recordingApi(
  ns: string,
  token: string,
  port: number,
  path: string,
  opts: { method?: string; body?: unknown; token?: string | null; out?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> | null; headers: string }> {
  const r = await run([
    "ip",
    "netns",
    "exec",
    ns,
    "curl",
    "-sS",
    "-m",
    "10",
    "-D",
    "-",
    "-X",
    opts.method ?? "GET",
    ...(opts.token === null ? [] : ["-H", `Authorization: Bearer ${opts.token ?? token}`]),
    ...(opts.body === undefined
      ? []
      : ["-H", "Content-Type: application/json", "--data", JSON.stringify(opts.body)]),
    ...(opts.out ? ["-o", opts.out] : []),
    `http://127.0.0.1:${port}${path}`,
  ]); // deno-fmt-ignore
  const split = r.stdout.indexOf("\r\n\r\n");
  const headers = r.stdout.slice(0, split);
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(headers)?.[1]);
  const rest = r.stdout.slice(split + 4).trim();
  return { status, json: rest && !opts.out ? JSON.parse(rest) : null, headers };
}
