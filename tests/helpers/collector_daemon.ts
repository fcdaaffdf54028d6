/**
 * The flow collector end to end: captures whose flows are known (written here), the daemon as a user starts
 * it with its collector listeners on ports of the test, and its `/flows` read back in the captures' terms.
 *
 * await withCollectorDaemon("flintnet-e2e-x-", { netflow: port }, async (dir, base) => {
 *   const { pcap, truth } = capture(140, 25);
 *   … export pcap to the port …
 *   assert.deepEqual(await flowsAsTruth(base, "10.231.140.0/23"), truth.sort(byKey));
 * });
 */
import assert from "node:assert/strict";
import { startDaemon } from "./daemon.ts";
import { writePcap } from "./capture_writer.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, payload, PROTO, tcp, udp } from "./frames.ts";
import { freePort } from "./ports.ts";

const TOKEN = "e2e-netflow-token-0123456789abcdef";
/** The daemon's API token, as a request header. */
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** A flow as a capture holds it: `proto src:port > dst:port`, packets, IP octets. */
export interface Truth {
  key: string;
  packets: number;
  bytes: number;
}

/** Orders truths by key. */
export const byKey = (x: Truth, y: Truth): number => x.key < y.key ? -1 : 1;

/** A capture of `flows` flows from 10.231.`net`.x, and what each flow holds (packets, IPv4 total lengths). */
export function capture(net: number, flows: number): { pcap: Uint8Array; truth: Truth[] } {
  const frames: { data: Uint8Array; tsMs: number }[] = [];
  const truth: Truth[] = [];
  const start = Date.now() - 30_000;
  for (let f = 0; f < flows; f++) {
    const src = `10.231.${net}.${f + 1}`, dst = `10.231.${net + 1}.1`, packets = 2 + (f % 7);
    const proto = f % 2 ? PROTO.UDP : PROTO.TCP, sport = 20000 + f, dport = f % 2 ? 53 : 443;
    let bytes = 0;
    for (let p = 0; p < packets; p++) {
      const body = payload(50 + 10 * p + f);
      const l4 = proto === PROTO.UDP
        ? udp({ srcPort: sport, dstPort: dport }, body)
        : tcp({ srcPort: sport, dstPort: dport, flags: p === 0 ? 0x02 : 0x18 }, body);
      const ip = ipv4({ src, dst, proto }, l4);
      bytes += ip.length;
      frames.push({ data: ethernet({ etherType: ETHERTYPE_IPV4 }, ip), tsMs: start + f * 10 + p });
    }
    truth.push({ key: `${proto} ${src}:${sport} > ${dst}:${dport}`, packets, bytes });
  }
  frames.sort((a, b) => a.tsMs - b.tsMs);
  return { pcap: writePcap(frames), truth };
}

/** GET `url` with the token: 200 and its JSON. */
export async function json(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { headers: AUTH });
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return await r.json();
}

/** The collector's UDP ports of a test daemon; a listener not given is off. */
export interface CollectorPorts {
  netflow?: number;
  ipfix?: number;
  sflow?: number;
}

/**
 * Runs `body` against the daemon as a user starts it, on lo, with the collector's listeners on the ports given
 * (the others off); its log is printed when `body` fails, and it is stopped and its state removed after.
 */
export async function withCollectorDaemon(
  prefix: string,
  ports: CollectorPorts,
  body: (dir: string, base: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const httpPort = freePort();
  const listen = (port: number | undefined) => port === undefined ? "off" : `127.0.0.1:${port}`;
  const daemon = await startDaemon({
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_STATE_DIR: dir,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_LISTEN: `127.0.0.1:${httpPort}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_NETFLOW_LISTEN: listen(ports.netflow),
    FLINTNET_IPFIX_LISTEN: listen(ports.ipfix),
    FLINTNET_SFLOW_LISTEN: listen(ports.sflow),
  });
  try {
    await body(dir, `http://127.0.0.1:${httpPort}`);
  } catch (e) {
    console.error(daemon.lines.join("\n"));
    throw e;
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The flows of `GET /flows` in `cidr`, keyed and counted as capture() writes its truth, sorted by key. */
export async function flowsAsTruth(base: string, cidr: string): Promise<Truth[]> {
  const page = await json(`${base}/flows?cidr=${cidr}&limit=500`);
  const flows = page.flows as {
    src_ip: string;
    dst_ip: string;
    src_port: number;
    dst_port: number;
    protocol: number;
    packets: number;
    bytes: number;
  }[];
  return flows.map((f) => ({
    key: `${f.protocol} ${f.src_ip}:${f.src_port} > ${f.dst_ip}:${f.dst_port}`,
    packets: f.packets,
    bytes: f.bytes,
  })).sort(byKey);
}

/** Polls `GET /stats` until `done` says so (10 s at most); the last document read. */
export async function statsWhen(
  base: string,
  done: (stats: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  let stats: Record<string, unknown> = {};
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    stats = await json(`${base}/stats`);
    if (done(stats)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return stats;
}
