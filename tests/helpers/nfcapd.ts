/**
 * A real NetFlow/IPFIX collector (Debian's nfdump: nfcapd) as the reference for Flintnet's: started on
 * a free loopback UDP port with its own directory, waited for until its socket is bound, stopped with
 * SIGTERM (which writes its file), and its flows read back with `nfdump -o csv`.
 *
 * @example
 * const ref = await startNfcapd();
 * try { …export to 127.0.0.1:${ref.port}…; const flows = await ref.flows(); } finally { await ref.stop(); }
 */
import { createSocket } from "node:dgram";
import { watchChild, type WatchedChild } from "./child_process.ts";

/** One flow as nfdump prints it, ICMP type/code moved where Flintnet keeps them (source port type, destination port code). */
export interface NfdumpFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  packets: number;
  bytes: number;
}

/** What nfcapd says as it ends: "Ident: 'none' Flows: …, Packets: …, Bytes: …, Sequence Errors: …, Bad Packets: …". */
export interface NfcapdSummary {
  flows: number;
  packets: number;
  bytes: number;
  sequenceErrors: number;
  badPackets: number;
}

/** A running nfcapd. */
export interface Nfcapd {
  /** The UDP port it listens on (127.0.0.1). */
  readonly port: number;
  /** Everything it printed (shown when a test fails). */
  output(): string;
  /** Stops it (its file is written then) and reads every flow it kept. */
  flows(): Promise<NfdumpFlow[]>;
  /** Stops it and returns the totals it printed as it ended (without reading its file). */
  summary(): Promise<NfcapdSummary>;
  /** Stops it and removes its directory. Idempotent; never throws. */
  stop(): Promise<void>;
}

/** Why nfcapd cannot run here, or null when it can. */
export async function nfcapdUnavailable(): Promise<string | null> {
  for (const tool of ["/usr/bin/nfcapd", "/usr/bin/nfdump"]) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install nfdump`;
    }
  }
  return null;
}

/** A UDP port free on 127.0.0.1 just now (the kernel's pick for port 0). */
export function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The receive queue (octets) of the socket bound to 127.0.0.1:`port`, or -1 when there is none. */
async function receiveQueue(port: number): Promise<number> {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of (await Deno.readTextFile("/proc/net/udp")).split("\n")) {
    const cols = line.trim().split(/\s+/); // sl local rem st tx_queue:rx_queue …
    if (cols[1] === want) return parseInt(cols[4].split(":")[1], 16);
  }
  return -1;
}

const PROTOCOLS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, ICMP6: 58 };

/** Parses `nfdump -o csv` (nfdump 1.7: a header line, rows, then a summary). */
export function parseNfdumpCsv(text: string): NfdumpFlow[] {
  const lines = text.split("\n");
  const head = lines[0].split(",");
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`nfdump csv has no ${name} column: ${lines[0]}`);
    return i;
  };
  const [sa, da, sp, dp, pr, pkt, byt] = ["sa", "da", "sp", "dp", "pr", "ipkt", "ibyt"].map(col);
  const out: NfdumpFlow[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith("Summary") || line.startsWith("No matching flows") || line.trim() === "") break;
    const f = line.split(",");
    const proto = PROTOCOLS[f[pr]] ?? Number(f[pr]);
    if (!Number.isInteger(proto)) throw new Error(`nfdump protocol ${f[pr]} is not one the test knows`);
    let srcPort = Number(f[sp]), dstPort = Number(f[dp]);
    if (proto === 1 || proto === 58) [srcPort, dstPort] = [dstPort >> 8, dstPort & 255]; // type << 8 | code
    out.push({
      src: f[sa],
      dst: f[da],
      srcPort,
      dstPort,
      proto,
      packets: Number(f[pkt]),
      bytes: Number(f[byt]),
    });
  }
  return out;
}

/** Starts nfcapd on 127.0.0.1 and waits until its socket is bound. */
export async function startNfcapd(): Promise<Nfcapd> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-nfcapd-" });
  const port = await freeUdpPort();
  // -B: a receive buffer as large as Flintnet's, so a burst is judged alike; -t 3600: one file for the test.
  const child: WatchedChild = watchChild(
    new Deno.Command("/usr/bin/nfcapd", {
      args: ["-b", "127.0.0.1", "-p", String(port), "-w", dir, "-t", "3600", "-B", String(32 << 20)],
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= child.stop().then(() => Deno.remove(dir, { recursive: true }).catch(() => undefined));
  for (const until = Date.now() + 10_000; (await receiveQueue(port)) < 0;) {
    if (child.exited || Date.now() > until) {
      const out = child.output();
      await stop();
      throw new Error(`nfcapd did not bind 127.0.0.1:${port}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // SIGTERM makes nfcapd write its file and exit without reading what still waits in its socket: wait
  // until it has read everything (an empty queue twice, 100 ms apart) first.
  const drainThenStop = async () => {
    for (let empty = 0, until = Date.now() + 10_000; empty < 2 && Date.now() < until;) {
      empty = (await receiveQueue(port)) === 0 ? empty + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    await child.stop();
  };
  return {
    port,
    output: () => child.output(),
    async summary() {
      await drainThenStop();
      const m = /Flows: (\d+), Packets: (\d+), Bytes: (\d+), Sequence Errors: (\d+), Bad Packets: (\d+)/.exec(
        child.output(),
      );
      if (!m) throw new Error(`nfcapd printed no summary:\n${child.output()}`);
      const [flows, packets, bytes, sequenceErrors, badPackets] = m.slice(1).map(Number);
      return { flows, packets, bytes, sequenceErrors, badPackets };
    },
    async flows() {
      await drainThenStop();
      const out = await new Deno.Command("/usr/bin/nfdump", {
        args: ["-R", dir, "-o", "csv"],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const text = new TextDecoder().decode(out.stdout);
      if (out.code !== 0) throw new Error(`nfdump -R failed: ${new TextDecoder().decode(out.stderr)}`);
      return parseNfdumpCsv(text);
    },
    stop,
  };
}
