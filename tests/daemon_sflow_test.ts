/**
 * End to end: a switch's sFlow reaches the daemon as a user starts it. The switch is pmacctd's `sfprobe`
 * plugin sampling a capture written here and sending sFlow v5 to the daemon's sFlow port; tcpdump keeps the
 * datagrams it sent (capturing lo), and tshark's reading of them is the expected answer: each flow in GET /flows with the
 * packets (the sampling rates added up) and IP octets (each sampled packet's IP length times its rate) of
 * the samples on the wire. The capture's own flows bound it from the other side: every flow there, none else.
 */
import assert from "node:assert/strict";
import {
  AUTH,
  byKey,
  capture,
  flowsAsTruth,
  statsWhen,
  type Truth,
  withCollectorDaemon,
} from "./helpers/collector_daemon.ts";
import { watchChild } from "./helpers/child_process.ts";
import { startTcpdump } from "./helpers/netns_lab.ts";
import { run } from "./helpers/netns.ts";
import { tshark } from "./helpers/advisory_capture.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";

const PMACCTD = "/usr/sbin/pmacctd";
const missing = (await run(["which", PMACCTD, "tcpdump", "tshark"], false)).code !== 0
  ? "pmacctd, tcpdump or tshark is missing: apt-get install pmacct tcpdump tshark"
  : null;
if (missing && Deno.env.get("CI") === "true") throw new Error(missing);

/** tcpdump on lo (not in a namespace), into `path`; resolves once it listens. */
function tcpdumpOnLo(path: string): Promise<{ stop(): Promise<void> }> {
  const spawn = (_ns: string, cmd: string[]) =>
    watchChild(new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped", stderr: "piped" }).spawn());
  return startTcpdump(spawn, "", "lo", path);
}

/**
 * The flows of the sFlow datagrams in `path` (sent to `port`) as tshark reads them. Per frame, tshark lists
 * each field once per occurrence: the datagram's own IP and UDP header first, then each sampled packet's, in
 * the order of the flow samples and their sampling rates.
 */
async function tsharkFlows(
  path: string,
  port: number,
): Promise<{ truth: Truth[]; samples: number }> {
  const fields = [
    "sflow.flow_sample.sampling_rate",
    "ip.src",
    "ip.dst",
    "ip.len",
    "ip.proto",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
  ];
  const rows = await tshark(
    path,
    `sflow && udp.dstport==${port} && !icmp`,
    fields,
    `udp.port==${port},sflow`,
  );
  const flows = new Map<string, Truth>();
  let samples = 0;
  for (const row of rows) {
    // (a datagram of counter samples alone has no rate, and no IP header but its own)
    const [rates, src, dst, len, proto, tsp, tdp, usp, udp] = row.map((c) => c === "" ? [] : c.split(","));
    if (proto.length !== rates.length + 1 || proto.slice(1).some((p) => p !== "6" && p !== "17")) {
      throw new Error(`a frame tshark reads otherwise than one IP packet a sample: ${row.join("\t")}`);
    }
    const ports = { "6": [tsp, tdp, 0], "17": [usp, udp, 1] } as Record<string, [string[], string[], number]>;
    rates.forEach((rateText, i) => {
      const ip = i + 1; // the datagram's own IP header is the first
      const [sps, dps, skip] = ports[proto[ip]];
      const nth = proto.slice(1, ip + 1).filter((p) => p === proto[ip]).length - 1 + skip;
      const key = `${proto[ip]} ${src[ip]}:${sps[nth]} > ${dst[ip]}:${dps[nth]}`;
      const rate = Number(rateText);
      const f = flows.get(key) ?? { key, packets: 0, bytes: 0 };
      f.packets += rate;
      f.bytes += Number(len[ip]) * rate;
      flows.set(key, f);
      samples++;
    });
  }
  return { truth: [...flows.values()].sort(byKey), samples };
}

/** The collector's part of /stats once its datagram count has not grown for 1.5 s (10 s at most). */
async function settledCollector(base: string): Promise<Record<string, unknown>> {
  let last = -1, since = 0;
  const stats = await statsWhen(base, (s) => {
    const n = (s.collector as { datagrams: number }).datagrams;
    if (n !== last) [last, since] = [n, Date.now()];
    return n > 0 && Date.now() - since >= 1500;
  });
  return stats.collector as Record<string, unknown>;
}

/** pmacctd's sfprobe sampling 1 in `rate` packets of a capture of 10.231.`net`.x; checked as the file says. */
async function sflowOfCapture(net: number, rate: number): Promise<void> {
  if (missing) throw new Error(missing);
  const port = await freeUdpPort();
  await withCollectorDaemon(`flintnet-e2e-sflow-${rate}-`, { sflow: port }, async (dir, base) => {
    const { pcap, truth } = capture(net, 25);
    await Deno.writeFile(`${dir}/c.pcap`, pcap);
    await Deno.writeTextFile(
      `${dir}/sw.conf`,
      [
        "daemonize: false",
        `pcap_savefile: ${dir}/c.pcap`,
        "plugins: sfprobe[switch]",
        `sfprobe_receiver[switch]: 127.0.0.1:${port}`,
        "sfprobe_agentip[switch]: 192.0.2.10",
        `sampling_rate: ${rate}`,
      ].join("\n") + "\n",
    );
    const dump = await tcpdumpOnLo(`${dir}/sflow.pcap`);
    try {
      const out = await new Deno.Command(PMACCTD, {
        args: ["-f", `${dir}/sw.conf`],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout));
      // sfprobe's plugin process may send its last datagrams after pmacctd exits: tcpdump keeps listening
      // until the daemon has received nothing new for two of its once-a-second reports.
      await settledCollector(base);
    } finally {
      await dump.stop();
    }
    // Read again now that tcpdump has stopped: a datagram that came between is in neither or in both (the
    // plugin's periodic counter samples can come late; they hold no flow).
    const collector = await settledCollector(base);
    const wire = await tsharkFlows(`${dir}/sflow.pcap`, port);
    const packets = truth.reduce((n, t) => n + t.packets, 0);
    // Not vacuous: at rate 1 pmacctd samples (nearly) every packet; at 4, about a quarter of them.
    assert.ok(wire.samples >= (packets / rate) * 0.5, `${wire.samples} samples of ${packets} packets`);
    assert.equal(
      collector.records,
      wire.samples,
      `tshark read ${wire.samples} samples; ${JSON.stringify(collector)}`,
    );
    assert.equal(collector.malformed, 0);
    const exporter = (collector.exporters as Record<string, { versions: string[] }>)["127.0.0.1"];
    assert.deepEqual(exporter.versions, ["sflow_v5"]);
    const listeners = (collector.listeners as { name: string; listening: boolean }[]).map((l) => [
      l.name,
      l.listening,
    ]);
    assert.deepEqual(listeners, [["sflow", true]]);

    // Each flow as the samples on the wire count it, and only flows of the capture.
    const got = await flowsAsTruth(base, `10.231.${net}.0/23`);
    assert.deepEqual(got, wire.truth, "each flow as tshark reads the samples");
    const written = new Set(truth.map((t) => t.key));
    assert.ok(got.every((f) => written.has(f.key)), "no flow the capture does not hold");

    const metrics = await (await fetch(`${base}/metrics`, { headers: AUTH })).text();
    assert.match(metrics, /^flintnet_collector_listening\{listener="sflow"\} 1$/m);
  });
}

Deno.test({
  name: "daemon: a switch's sFlow (pmacctd sfprobe, every packet sampled) shows in /flows as tshark reads it",
  ignore: missing !== null && Deno.env.get("CI") !== "true",
  fn: () => sflowOfCapture(150, 1),
});

Deno.test({
  name: "daemon: sFlow sampled 1 in 4 counts each sample four times, as its sampling rate says",
  ignore: missing !== null && Deno.env.get("CI") !== "true",
  fn: () => sflowOfCapture(152, 4),
});
