/**
 * End to end: the daemon as a user starts it, with its NetFlow and IPFIX listeners on ports of this
 * test, receives softflowd's export of two captures written here (one as NetFlow v5, one as IPFIX).
 * Every flow of the captures shows in GET /flows with the packets and IP bytes the capture holds,
 * /stats and /metrics count the records under `collector`, and the exporter becomes a device.
 */
import assert from "node:assert/strict";
import { startDaemon } from "./helpers/daemon.ts";
import { writePcap } from "./helpers/capture_writer.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, payload, PROTO, tcp, udp } from "./helpers/frames.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";

const CI = Deno.env.get("CI") === "true";
const SOFTFLOWD = "/usr/sbin/softflowd";
const missing = await Deno.stat(SOFTFLOWD).then(
  () => null,
  () => "softflowd is missing: apt-get install softflowd",
);
const PMACCTD = "/usr/sbin/pmacctd";
const pmacctMissing = await Deno.stat(PMACCTD).then(
  () => null,
  () => "pmacctd is missing: apt-get install pmacct",
);
const TOKEN = "e2e-netflow-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** A free TCP port on 127.0.0.1 just now. */
function freeTcpPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

interface Truth {
  key: string;
  packets: number;
  bytes: number;
}

/** A capture of `flows` flows from 10.231.`net`.x, and what each flow holds (packets, IPv4 total lengths). */
function capture(net: number, flows: number): { pcap: Uint8Array; truth: Truth[] } {
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

async function json(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { headers: AUTH });
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return await r.json();
}

/**
 * Runs `body` against the daemon as a user starts it, on lo, with the collector's listeners on the ports given
 * ("off": none); its log is printed when `body` fails, and it is stopped and its state removed after.
 */
async function withCollectorDaemon(
  prefix: string,
  netflowPort: number | "off",
  ipfixPort: number | "off",
  body: (dir: string, base: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const httpPort = freeTcpPort();
  const listen = (port: number | "off") => port === "off" ? "off" : `127.0.0.1:${port}`;
  const daemon = await startDaemon({
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_STATE_DIR: dir,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_LISTEN: `127.0.0.1:${httpPort}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_NETFLOW_LISTEN: listen(netflowPort),
    FLINTNET_IPFIX_LISTEN: listen(ipfixPort),
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
async function flowsAsTruth(base: string, cidr: string): Promise<Truth[]> {
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

const byKey = (x: Truth, y: Truth) => x.key < y.key ? -1 : 1;

Deno.test({
  name: "daemon: softflowd's NetFlow v5 and IPFIX exports show in /flows, /stats, /metrics and /devices",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const [netflowPort, ipfixPort] = [await freeUdpPort(), await freeUdpPort()];
    await withCollectorDaemon("flintnet-e2e-netflow-", netflowPort, ipfixPort, async (dir, base) => {
      const a = capture(132, 30), b = capture(134, 40);
      await Deno.writeFile(`${dir}/a.pcap`, a.pcap);
      await Deno.writeFile(`${dir}/b.pcap`, b.pcap);
      for (const [file, port, version] of [["a", netflowPort, "5"], ["b", ipfixPort, "10"]] as const) {
        const out = await new Deno.Command(SOFTFLOWD, {
          args: ["-r", `${dir}/${file}.pcap`, "-n", `127.0.0.1:${port}`, "-v", version, "-d", "-c", "none"]
            .concat(["-p", `${dir}/softflowd.pid`]),
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      }
      const truth = [...a.truth, ...b.truth];
      let stats: Record<string, unknown> = {};
      let collector: Record<string, unknown> = {};
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        stats = await json(`${base}/stats`);
        collector = stats.collector as Record<string, unknown>;
        if (collector.records === truth.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(collector.records, truth.length, JSON.stringify(collector));
      assert.equal(collector.packets, truth.reduce((n, t) => n + t.packets, 0));
      assert.equal(collector.bytes, truth.reduce((n, t) => n + t.bytes, 0));
      assert.deepEqual([collector.malformed, collector.template_misses, collector.kernel_drops], [0, 0, 0]);
      const listeners = collector.listeners as { name: string; listening: boolean; port: number }[];
      assert.deepEqual(listeners.map((l) => [l.name, l.listening, l.port]), [
        ["netflow", true, netflowPort],
        ["ipfix", true, ipfixPort],
      ]);
      const exporter =
        (collector.exporters as Record<string, { versions: string[]; records: number }>)["127.0.0.1"];
      assert.deepEqual([exporter.versions, exporter.records], [["netflow_v5", "ipfix"], truth.length]);

      // Every flow of both captures in the live table, as the capture holds it.
      assert.deepEqual(await flowsAsTruth(base, "10.231.132.0/22"), truth.sort(byKey));

      const metrics = await (await fetch(`${base}/metrics`, { headers: AUTH })).text();
      assert.match(metrics, new RegExp(`^flintnet_collector_records_total ${truth.length}$`, "m"));
      assert.match(
        metrics,
        new RegExp(
          `^flintnet_collector_exporter_records_total\\{exporter="127.0.0.1"\\} ${truth.length}$`,
          "m",
        ),
      );
      assert.match(metrics, /^flintnet_collector_listening\{listener="ipfix"\} 1$/m);

      const device = await json(`${base}/devices/127.0.0.1`);
      assert.ok((device.sources as string[]).includes("netflow"), JSON.stringify(device));
    });
  },
});

/**
 * One router, one address, one observation domain: its probe on the way in and its probe on the way out each
 * export every flow of a capture, as NetFlow ingress and egress on a router's interfaces do. IPFIX records say
 * their direction; NetFlow v5 records cannot, and arrive as twins.
 */
async function ingressAndEgress(version: 5 | 10, net: number): Promise<void> {
  if (pmacctMissing) throw new Error(pmacctMissing);
  const port = await freeUdpPort();
  const [netflowPort, ipfixPort] = version === 5 ? [port, "off" as const] : ["off" as const, port];
  await withCollectorDaemon(
    `flintnet-e2e-direction-v${version}-`,
    netflowPort,
    ipfixPort,
    async (dir, base) => {
      const { pcap, truth } = capture(net, 25);
      await Deno.writeFile(`${dir}/c.pcap`, pcap);
      for (const direction of ["in", "out"]) {
        await Deno.writeTextFile(
          `${dir}/${direction}.conf`,
          [
            "daemonize: false",
            `pcap_savefile: ${dir}/c.pcap`,
            // pmacct 1.7 applies nfprobe_direction to a named plugin only (unnamed, every record says ingress)
            "plugins: nfprobe[router]",
            `nfprobe_receiver[router]: 127.0.0.1:${port}`,
            `nfprobe_version[router]: ${version}`,
            // v5 has an engine type and id, v9 and IPFIX a source id
            `nfprobe_engine[router]: ${version === 5 ? "7:1" : "7"}`,
            `nfprobe_direction[router]: ${direction}`,
          ].join("\n") + "\n",
        );
        const out = await new Deno.Command(PMACCTD, {
          args: ["-f", `${dir}/${direction}.conf`],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(
          out.code,
          0,
          new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout),
        );
      }
      let stats: Record<string, unknown> = {};
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        stats = await json(`${base}/stats`);
        if ((stats.collector as { records: number }).records >= 2 * truth.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const collector = stats.collector as { records: number; packets: number };
      // Both probes exported every flow: the collector received each twice.
      assert.equal(collector.records, 2 * truth.length, JSON.stringify(collector));
      assert.equal(collector.packets, 2 * truth.reduce((n, t) => n + t.packets, 0));
      const flows = stats.flows as {
        records_seen_twice: number;
        records_seen_unsummed: number;
        records_seen_twice_by_exporter: Record<string, number>;
      };
      assert.deepEqual(
        [flows.records_seen_twice, flows.records_seen_unsummed, flows.records_seen_twice_by_exporter],
        [truth.length, 0, { "127.0.0.1": truth.length }],
      );
      const got = await flowsAsTruth(base, `10.231.${net}.0/23`);
      assert.deepEqual(got, truth.sort(byKey), "each flow as the capture holds it, once");
    },
  );
}

Deno.test({
  name:
    "daemon: a router's ingress and egress IPFIX records of the same flows (two pmacctd probes) count each flow once",
  ignore: pmacctMissing !== null && !CI,
  fn: () => ingressAndEgress(10, 136),
});

Deno.test({
  name:
    "daemon: a router's ingress and egress NetFlow v5 records (twins without a direction, two pmacctd probes) count each flow once",
  ignore: pmacctMissing !== null && !CI,
  fn: () => ingressAndEgress(5, 138),
});
