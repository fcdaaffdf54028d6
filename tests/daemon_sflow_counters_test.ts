/**
 * End to end: a switch that sends sFlow and does not answer SNMP has its ports as interfaces in Flintnet,
 * with their rates and states. The switch is Open vSwitch (a userspace bridge of two namespaces), sending
 * each port's counters every second to the daemon as a user starts it. The expected answers are the kernel's:
 * each port's ifIndex, its bytes received over the seconds a paced sender ran (`ip -s link`), its state.
 */
import assert from "node:assert/strict";
import { AUTH, json, withCollectorDaemon } from "./helpers/collector_daemon.ts";
import { netnsUnavailable, run } from "./helpers/netns.ts";
import { ovsUnavailable, startOvsSwitch } from "./helpers/ovs.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";
import { watchChild } from "./helpers/child_process.ts";
import type { InterfaceJson } from "../src/events/mod.ts";

const CI = Deno.env.get("CI") === "true";
const missing = (await netnsUnavailable()) ?? (await ovsUnavailable());
if (missing && CI) throw new Error(missing);

const PYTHON = "/usr/bin/python3";
const A = { ns: "fn-swca", port: "swca-p", ip: "10.231.203.1" };
const B = { ns: "fn-swcb", port: "swcb-p", ip: "10.231.203.2" };
const SEND_S = 5, PERIOD_S = 0.002, PAYLOAD = 1000;

/** The kernel's received and sent octets of `link`, and whether it is up. */
async function linkStats(link: string): Promise<{ rx: number; tx: number; up: boolean }> {
  const l = JSON.parse((await run(["ip", "-s", "-j", "link", "show", "dev", link])).stdout)[0];
  return { rx: l.stats64.rx.bytes, tx: l.stats64.tx.bytes, up: l.operstate === "UP" };
}

/** The interfaces of the exporter's device, by ifIndex (none before the device exists). */
async function interfaces(base: string): Promise<Map<number, InterfaceJson>> {
  const r = await fetch(`${base}/devices/127.0.0.1`, { headers: AUTH });
  if (r.status === 404) {
    await r.body?.cancel();
    return new Map();
  }
  assert.equal(r.status, 200);
  const d = await r.json() as { interfaces: InterfaceJson[] };
  return new Map(d.interfaces.map((i) => [i.index, i]));
}

async function until<T>(what: string, read: () => Promise<T | undefined>, seconds = 10): Promise<T> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

Deno.test({
  name:
    "daemon: a switch's sFlow port counters (Open vSwitch) are its interfaces, rates and states as the kernel counts them",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const port = await freeUdpPort();
    await withCollectorDaemon("flintnet-e2e-sflow-counters-", { sflow: port }, async (dir, base) => {
      const sw = await startOvsSwitch(await Deno.makeTempDir({ dir, prefix: "ovs-" }), "fnswc0", [A, B]);
      const sink = watchChild(
        new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            B.ns,
            PYTHON,
            "-c",
            [
              "import socket",
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
              "s.bind(('0.0.0.0', 9))", // a listener: no ICMP port unreachable goes back through the switch
              "while True: s.recv(4096)",
            ].join("\n"),
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
      try {
        const [ifA, ifB] = [sw.ifIndex[A.port], sw.ifIndex[B.port]];
        await sw.sflow(`127.0.0.1:${port}`, { polling: 1 });
        // Both ports appear, named by the ifIndex the kernel gave them (sFlow carries no names).
        const first = await until("both ports as interfaces", async () => {
          const m = await interfaces(base);
          return m.has(ifA) && m.has(ifB) ? m : undefined;
        });
        for (const i of [ifA, ifB]) {
          const itf = first.get(i)!;
          assert.deepEqual([itf.name, itf.type, itf.oper_status, itf.admin_status], [
            `ifIndex ${i}`,
            "ethernetCsmacd",
            "up",
            "up",
          ]);
        }

        // A paced one-way stream A → B: A's port receives it (in), B's port sends it on (out).
        const before = await Promise.all([linkStats(A.port), linkStats(B.port)]);
        const seen: { aIn: number; aOut: number; bIn: number; bOut: number }[] = [];
        let sending = true;
        const watch = (async () => {
          while (sending) {
            const m = await interfaces(base);
            const a = m.get(ifA)!, b = m.get(ifB)!;
            if (a.in_bps !== null && b.out_bps !== null) {
              seen.push({ aIn: a.in_bps, aOut: a.out_bps!, bIn: b.in_bps!, bOut: b.out_bps });
            }
            await new Promise((r) => setTimeout(r, 250));
          }
        })();
        const sent = await sw.exec(A.ns, [
          PYTHON,
          "-c",
          [
            "import socket, time",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            `payload = b'x' * ${PAYLOAD}`,
            "t0 = time.monotonic(); due = t0",
            `for i in range(${Math.round(SEND_S / PERIOD_S)}):`,
            `    s.sendto(payload, ('${B.ip}', 9))`,
            `    due += ${PERIOD_S}`,
            "    d = due - time.monotonic()",
            "    if d > 0: time.sleep(d)",
            "print(time.monotonic() - t0)",
          ].join("\n"),
        ]);
        const after = await Promise.all([linkStats(A.port), linkStats(B.port)]);
        sending = false;
        await watch;
        const seconds = Number(sent.trim());
        const kernelIn = ((after[0].rx - before[0].rx) * 8) / seconds; // bits/s into A's port
        const kernelOut = ((after[1].tx - before[1].tx) * 8) / seconds; // bits/s out of B's port
        // Not vacuous: the stream is about 4 Mb/s (500 frames of 1,042 octets a second).
        assert.ok(kernelIn > 3e6 && kernelIn < 5e6, `kernel: ${kernelIn} b/s into ${A.port}`);
        // The samples taken while the stream ran at full rate (the middle of the ones read).
        const busy = seen.filter((s) => s.aIn > kernelIn / 2);
        assert.ok(busy.length >= 6, `rates read while sending: ${JSON.stringify(seen)}`);
        const aIn = median(busy.map((s) => s.aIn)), bOut = median(busy.map((s) => s.bOut));
        assert.ok(Math.abs(aIn - kernelIn) / kernelIn < 0.1, `A in: Flintnet ${aIn}, kernel ${kernelIn}`);
        assert.ok(
          Math.abs(bOut - kernelOut) / kernelOut < 0.1,
          `B out: Flintnet ${bOut}, kernel ${kernelOut}`,
        );
        // Nothing flows the other way (IPv6 off, static neighbours, a listener at B).
        assert.ok(median(busy.map((s) => s.aOut)) < kernelIn * 0.02, JSON.stringify(busy));
        assert.ok(median(busy.map((s) => s.bIn)) < kernelIn * 0.02, JSON.stringify(busy));

        // B's port goes down: so does its interface; A's stays up.
        await run(["ip", "link", "set", B.port, "down"]);
        assert.equal((await linkStats(B.port)).up, false);
        const down = await until("B's port down", async () => {
          const m = await interfaces(base);
          return m.get(ifB)?.oper_status === "down" ? m : undefined;
        });
        assert.equal(down.get(ifA)!.oper_status, "up");

        const stats = await json(`${base}/stats`);
        const collector = stats.collector as {
          malformed: number;
          exporters: Record<string, { interface_counters: number; versions: string[] }>;
        };
        assert.equal(collector.malformed, 0);
        assert.deepEqual(collector.exporters["127.0.0.1"].versions, ["sflow_v5"]);
        const read = collector.exporters["127.0.0.1"].interface_counters;
        assert.ok(read >= 2 * 8, JSON.stringify(collector));
        const metrics = await (await fetch(`${base}/metrics`, { headers: AUTH })).text();
        const m = /^flintnet_collector_exporter_interface_counters_total\{exporter="127\.0\.0\.1"\} (\d+)$/m
          .exec(metrics);
        assert.ok(m && Number(m[1]) >= read, `/metrics: ${m?.[0]}; /stats before it: ${read}`);
      } catch (e) {
        console.error(sw.output());
        throw e;
      } finally {
        await sink.stop();
        await sw.stop();
      }
    });
  },
});
