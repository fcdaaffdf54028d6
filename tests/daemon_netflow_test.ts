/**
 * End to end: the daemon as a user starts it, with its NetFlow and IPFIX listeners on ports of this
 * test, receives softflowd's export of two captures written here (one as NetFlow v5, one as IPFIX).
 * Every flow of the captures shows in GET /flows with the packets and IP bytes the capture holds,
 * /stats and /metrics count the records under `collector`, and the exporter becomes a device.
 */
import assert from "node:assert/strict";
import {
  AUTH,
  byKey,
  capture,
  flowsAsTruth,
  json,
  statsWhen,
  withCollectorDaemon,
} from "./helpers/collector_daemon.ts";
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

Deno.test({
  name: "daemon: softflowd's NetFlow v5 and IPFIX exports show in /flows, /stats, /metrics and /devices",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const [netflowPort, ipfixPort] = [await freeUdpPort(), await freeUdpPort()];
    await withCollectorDaemon(
      "flintnet-e2e-netflow-",
      { netflow: netflowPort, ipfix: ipfixPort },
      async (dir, base) => {
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
        const stats = await statsWhen(
          base,
          (s) => (s.collector as Record<string, unknown>).records === truth.length,
        );
        const collector = stats.collector as Record<string, unknown>;
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
      },
    );
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
  await withCollectorDaemon(
    `flintnet-e2e-direction-v${version}-`,
    version === 5 ? { netflow: port } : { ipfix: port },
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
      const stats = await statsWhen(
        base,
        (s) => (s.collector as { records: number }).records >= 2 * truth.length,
      );
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
