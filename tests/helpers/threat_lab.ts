/**
 * Two network namespaces cabled together for the threat tests (block lists, attack signals, recordings):
 * "fth-cli" (10.231.95.1) sends, "fth-srv" (10.231.95.2 … .9, one address per role a test gives them)
 * answers with a small TCP/UDP server on every address, and tcpdump records on the server's side of the
 * cable — where a daemon under test captures too, so tshark and Flintnet read the same packets. Started
 * children are watched (their output shown when a test fails) and stopped by destroy(), which never throws.
 */
import type { WatchedChild } from "./child_process.ts";
import { netnsUnavailable, run } from "./netns.ts";
import { NetnsLab, spawnInNamespace, startTcpdump } from "./netns_lab.ts";

/** Why the lab cannot run here (no namespaces, no hping3, which its tests send with), or null. */
export async function threatLabUnavailable(): Promise<string | null> {
  return await netnsUnavailable() ??
    ((await run(["which", "hping3"], false)).code !== 0 ? "hping3 is missing (Debian package hping3)" : null);
}

/** Names and addresses of the lab. */
export const THREAT_LAB = {
  cli: "fth-cli",
  srv: "fth-srv",
  cliIf: "fth-c0",
  srvIf: "fth-s0",
  cliIp: "10.231.95.1",
  /** The server's addresses: .2 … .9. */
  srvIps: [
    "10.231.95.2",
    "10.231.95.3",
    "10.231.95.4",
    "10.231.95.5",
    "10.231.95.6",
    "10.231.95.7",
    "10.231.95.8",
    "10.231.95.9",
  ],
  cidr: "10.231.95.0/24",
  tcpPort: 8080,
  udpPort: 5353,
  /** A port nothing listens on (SYNs there are answered with RST). */
  closedPort: 9,
} as const;

/** TCP: accept, read a line, answer it, close; UDP: echo. On every address. */
const SERVER = `
import socket, threading
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", ${THREAT_LAB.tcpPort})); s.listen(128)
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(2); c.recv(4096); c.sendall(b"ok\\n")
        except Exception:
            pass
        c.close()
def udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", ${THREAT_LAB.udpPort}))
    while True:
        d, a = u.recvfrom(2048); u.sendto(d, a)
threading.Thread(target=udp, daemon=True).start()
print("listening", flush=True)
tcp()
`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A running lab. */
export class ThreatLab {
  readonly #lab = new NetnsLab();
  readonly #children: WatchedChild[] = [];

  /** Builds the namespaces and starts the server; waits until it answers. */
  async start(): Promise<void> {
    const L = THREAT_LAB;
    await this.#lab.namespace(L.cli);
    await this.#lab.namespace(L.srv);
    await this.#lab.cable(L.cli, L.cliIf, L.srv, L.srvIf);
    await this.#lab.exec(L.cli, ["ip", "addr", "add", `${L.cliIp}/24`, "dev", L.cliIf]);
    for (const ip of L.srvIps) await this.#lab.exec(L.srv, ["ip", "addr", "add", `${ip}/24`, "dev", L.srvIf]);
    // one captured segment is one wire segment
    for (const [ns, dev] of [[L.cli, L.cliIf], [L.srv, L.srvIf]]) {
      await this.#lab.exec(ns, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"]);
    }
    const server = this.spawn(L.srv, ["/usr/bin/python3", "-c", SERVER]);
    await this.waitForOutput(server, /listening/);
    for (let i = 0; i < 50; i++) {
      try {
        await this.tcp(L.srvIps[0]);
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`the lab server never answered:\n${this.output()}`);
  }

  /** Runs a command in the client namespace; rejects with its output when it fails. */
  cli(cmd: string[]): Promise<string> {
    return this.#lab.exec(THREAT_LAB.cli, cmd);
  }

  /** Runs a command in the server namespace. */
  srv(cmd: string[]): Promise<string> {
    return this.#lab.exec(THREAT_LAB.srv, cmd);
  }

  /** One TCP connection from the client to `ip`: a line sent, the answer read, closed. */
  async tcp(ip: string): Promise<void> {
    await this.cli([
      "/usr/bin/python3",
      "-c",
      `import socket; c = socket.create_connection(("${ip}", ${THREAT_LAB.tcpPort}), 2); ` +
      `c.sendall(b"hi\\n"); c.recv(100); c.close()`,
    ]);
  }

  /** One UDP datagram from the client to `ip` and its echo. */
  async udp(ip: string): Promise<void> {
    await this.cli([
      "/usr/bin/python3",
      "-c",
      `import socket; u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2); ` +
      `u.sendto(b"x", ("${ip}", ${THREAT_LAB.udpPort})); u.recvfrom(100)`,
    ]);
  }

  /** A GET of the daemon's API (running in the server namespace on 127.0.0.1:`port`), parsed. */
  async api(port: number, token: string, path: string, method = "GET", body?: string): Promise<unknown> {
    const out = await this.srv([
      "curl",
      "-sS",
      "-m",
      "10",
      "-X",
      method,
      "-H",
      `Authorization: Bearer ${token}`,
      ...(body === undefined ? [] : ["-H", "Content-Type: application/json", "--data", body]),
      `http://127.0.0.1:${port}${path}`,
    ]);
    return out.trim() === "" ? null : JSON.parse(out);
  }

  /** Starts tcpdump on the server's side of the cable; resolves once it listens. Stop it with the result. */
  record(file: string): Promise<{ stop(): Promise<void> }> {
    return startTcpdump((ns, cmd) => this.spawn(ns, cmd), THREAT_LAB.srv, THREAT_LAB.srvIf, file);
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

  /** Everything the children printed, for a failing test. */
  output(): string {
    return this.#children.map((c) => c.output()).join("\n----\n");
  }

  /** Stops the children and deletes the namespaces. Never throws. */
  async destroy(): Promise<void> {
    for (const c of this.#children) await c.stop();
    await this.#lab.destroy();
  }
}

/** An IPv4 address as a number (the test's own arithmetic, independent of Flintnet's parsers). */
export function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/** True when `ip` is inside `cidr` (IPv4), by the test's own arithmetic. */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = Math.floor(ipv4Number(net) / size) * size;
  const a = ipv4Number(ip);
  return a >= start && a < start + size;
}
