/**
 * Advisories and flow history in the running daemon: Flintnet captures the host end of a veth pair while
 * `nmap -sS` scans that end from a namespace. Within the minute after the scan the port_scan advisory
 * must be on /stream, on GET /advisories (JSON and CSV), in the alert history (GET /alerts?kind=advisory)
 * and posted to a webhook; GET /flows?since= must list the scan's flows from the history, as many as
 * tshark counts distinct probes in tcpdump's capture of the same interface. After a restart and the
 * same scan again, the advisory is still open under its id and is not raised or posted again.
 *
 * Namespace fan-atk (10.231.62.2), host end fanh0 (10.231.62.1); HTTP and the webhook on free loopback ports.
 */
import assert from "node:assert/strict";
import type { AdvisoryEvent } from "../src/events/mod.ts";
import { type Daemon, openSse, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { run } from "./helpers/netns.ts";
import { advisoryToolsMissing } from "./helpers/advisory_capture.ts";
import { freePort } from "./helpers/ports.ts";
import { parseCsv } from "./helpers/csv_parse.ts";
import { watchChild, type WatchedChild } from "./helpers/child_process.ts";

const CI = Deno.env.get("CI") === "true";
const NS = "fan-atk", HOST_IF = "fanh0", NS_IF = "fana0";
const HOST_IP = "10.231.62.1", SCANNER = "10.231.62.2";
const TOKEN = "advisory-daemon-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

const missing = await advisoryToolsMissing(
  ["/usr/bin/nmap", "/usr/bin/tcpdump", "/usr/bin/tshark"],
  "nmap tcpdump tshark",
);

async function cleanup(): Promise<void> {
  await run(["ip", "link", "del", HOST_IF], false);
  await run(["ip", "netns", "del", NS], false);
}

Deno.test({
  name:
    "a scan the daemon captures is an advisory on the stream, the list, the alert history and a webhook, " +
    "and its flows are in the history",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`daemon advisory test cannot run: ${missing}`);
    await cleanup();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-advisory-daemon-" });
    const posted: Record<string, unknown>[] = [];
    const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      posted.push(await req.json());
      return new Response("ok");
    });
    let daemon: Daemon | undefined;
    let stream: SseReader | undefined;
    let dump: WatchedChild | undefined;
    try {
      await run(["ip", "netns", "add", NS]);
      await run(["ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF, "netns", NS]);
      await run(["sysctl", "-qw", `net.ipv6.conf.${HOST_IF}.disable_ipv6=1`]);
      await run(["ip", "addr", "add", `${HOST_IP}/24`, "dev", HOST_IF]);
      await run(["ip", "link", "set", HOST_IF, "up"]);
      await run(["ip", "-n", NS, "addr", "add", `${SCANNER}/24`, "dev", NS_IF]);
      await run(["ip", "-n", NS, "link", "set", NS_IF, "up"]);
      await run(["ip", "-n", NS, "link", "set", "lo", "up"]);

      const port = freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        FLINTNET_STATE_DIR: dir,
        FLINTNET_INTERFACE: HOST_IF,
        FLINTNET_CIDR: "10.231.62.0/24",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_DISCOVERY_INTERVAL: "0",
        FLINTNET_LEARNING_PERIOD: "1h",
        FLINTNET_WEBHOOK_URLS: `http://127.0.0.1:${hook.addr.port}/hook`,
        FLINTNET_SCAN_THRESHOLD: "200/100",
      };
      daemon = await startDaemon(env);
      stream = await openSse(`${base}/stream?types=advisory`, AUTH);
      dump = watchChild(
        new Deno.Command("tcpdump", {
          args: ["--immediate-mode", "-i", HOST_IF, "-w", `${dir}/scan.pcap`, "-U", "-s", "128", "tcp"],
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
      for (let i = 0; i < 100 && !dump.output().includes("listening on"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // Early in a minute, so the scan (a second or two) stays inside one.
      const sec = new Date().getUTCSeconds();
      if (sec >= 40) await new Promise((r) => setTimeout(r, (61 - sec) * 1000));
      const startedAt = new Date(Date.now() - 60_000).toISOString();
      await run(["ip", "netns", "exec", NS, "nmap", "-n", "-Pn", "-sS", "-T5", "-p", "1-400", HOST_IP]);

      // The minute closes on the daemon's clock: at most a minute and a tick after the scan.
      const ev = await stream.waitFor(
        (e) => e.event === "advisory" && JSON.parse(e.data).type === "port_scan",
        90_000,
        "a port_scan advisory on /stream",
      );
      const others = stream.events.filter((e) => e.event === "advisory" && e !== ev).map((e) =>
        JSON.parse(e.data)
      );
      assert.deepEqual(others.map((a) => a.summary), [], "no other advisory");
      await dump.stop();
      const raised = JSON.parse(ev.data) as AdvisoryEvent;
      assert.equal(raised.type, "port_scan");
      assert.equal(raised.phase, "raised");
      assert.equal(raised.ip, SCANNER);

      // tshark: the distinct ports the scanner sent a SYN without ACK to, in the advisory's minute.
      const from = Date.parse(raised.evidence.minute_start as string) / 1000;
      const to = Date.parse(raised.evidence.minute_end as string) / 1000;
      const syns = (await run([
        "tshark",
        "-r",
        `${dir}/scan.pcap`,
        "-Y",
        `ip.src==${SCANNER} && tcp.flags.syn==1 && tcp.flags.ack==0 && frame.time_epoch >= ${from} && ` +
        `frame.time_epoch < ${to}`,
        "-T",
        "fields",
        "-e",
        "tcp.srcport",
        "-e",
        "tcp.dstport",
      ])).stdout.trim().split("\n").filter((l) => l !== "");
      assert.equal(raised.evidence.ports, new Set(syns.map((l) => l.split("\t")[1])).size);

      const list = await (await fetch(`${base}/advisories?type=port_scan&state=open`, { headers: AUTH }))
        .json();
      assert.equal(list.total_matched, 1);
      assert.equal(list.advisories[0].advisory_id, raised.advisory_id);
      const csv = parseCsv(await (await fetch(`${base}/advisories?format=csv`, { headers: AUTH })).text());
      assert.equal(csv[1][csv[0].indexOf("advisory_id")], raised.advisory_id);

      const alerts = await (await fetch(`${base}/alerts?kind=advisory`, { headers: AUTH })).json();
      assert.ok(
        alerts.alerts.some((a: { type: string; ip: string }) => a.type === "port_scan" && a.ip === SCANNER),
        JSON.stringify(alerts),
      );

      for (let i = 0; i < 100 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const body = posted.find((p) => (p.event as AdvisoryEvent)?.kind === "advisory");
      assert.ok(body, `no webhook: ${JSON.stringify(posted)}`);
      assert.equal((body.event as AdvisoryEvent).advisory_id, raised.advisory_id);
      assert.match(body.subject as string, /Port scan: 10\.231\.62\.2/);

      // The history: the scanner's TCP flows, one per port pair tshark counts (the scan was inside that minute).
      let flows = 0, cursor: string | null = null;
      do {
        const q: string = `${base}/flows?since=${startedAt}&src_ip=${SCANNER}&protocol=tcp&limit=1000${
          cursor ? `&cursor=${cursor}` : ""
        }`;
        const page: { source: string; flows: unknown[]; next_cursor: string | null } =
          await (await fetch(q, { headers: AUTH })).json();
        assert.equal(page.source, "history");
        flows += page.flows.length;
        cursor = page.next_cursor;
      } while (cursor);
      const pairs = (await run([
        "tshark",
        "-r",
        `${dir}/scan.pcap`,
        "-Y",
        `ip.src==${SCANNER}`,
        "-T",
        "fields",
        "-e",
        "tcp.srcport",
        "-e",
        "tcp.dstport",
      ])).stdout.trim().split("\n").filter((l) => l !== "");
      assert.equal(flows, new Set(pairs).size);
      // Filters the history cannot apply (it keeps no names, block-list hits or scores) are refused, not ignored.
      for (const live of ["name=example.com", "blocklisted=true", "min_attack_score=0.5"]) {
        const r = await fetch(`${base}/flows?since=${startedAt}&${live}`, { headers: AUTH });
        const err = await r.json();
        assert.equal(r.status, 400, `${live}: ${JSON.stringify(err)}`);
        assert.match(JSON.stringify(err), /filters live flows only/);
      }
      const stats = await (await fetch(`${base}/stats`, { headers: AUTH })).json();
      assert.ok(stats.flow_history.minutes_written >= 1, JSON.stringify(stats.flow_history));
      assert.equal(stats.analysis.raised >= 1, true);

      const stop = await daemon.terminate();
      assert.equal(stop.code, 0);
      assert.ok((await Deno.stat(`${dir}/flows.sqlite`)).isFile);

      // A restart (an upgrade, a reboot), and the same scan again: the advisory is still open under its id,
      // and the minute that finds the scan again updates it instead of raising (and posting) it a second time.
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/advisories.json`));
      assert.deepEqual(saved.open.map((o: { event: AdvisoryEvent }) => o.event.advisory_id), [
        raised.advisory_id,
      ]);
      const postedBefore = posted.length;
      await stream.close();
      daemon = await startDaemon(env);
      stream = await openSse(`${base}/stream?types=advisory`, AUTH);
      const open = async () =>
        (await (await fetch(`${base}/advisories?state=open`, { headers: AUTH })).json())
          .advisories as AdvisoryEvent[];
      assert.deepEqual((await open()).map((a) => [a.advisory_id, a.phase]), [[raised.advisory_id, "raised"]]);
      const again = new Date().getUTCSeconds();
      if (again >= 40) await new Promise((r) => setTimeout(r, (61 - again) * 1000));
      const rescanAt = Date.now();
      await run(["ip", "netns", "exec", NS, "nmap", "-n", "-Pn", "-sS", "-T5", "-p", "1-400", HOST_IP]);
      let seenAgain: AdvisoryEvent | undefined;
      for (let i = 0; i < 90 && !seenAgain; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        seenAgain = (await open()).find((a) =>
          a.advisory_id === raised.advisory_id && Date.parse(a.ts) > rescanAt
        );
      }
      assert.ok(seenAgain, "the minute with the second scan updated the advisory restored from the file");
      const analysis = (await (await fetch(`${base}/stats`, { headers: AUTH })).json()).analysis;
      assert.deepEqual([analysis.raised, analysis.restored, analysis.open], [0, 1, 1]);
      const raisedAgain = stream.events.filter((e) =>
        e.event === "advisory" && JSON.parse(e.data).phase === "raised"
      );
      assert.deepEqual(raisedAgain, [], "nothing raised again on the stream");
      assert.deepEqual(
        posted.slice(postedBefore).filter((p) => (p.event as AdvisoryEvent)?.phase === "raised"),
        [],
        "nothing posted again as raised",
      );
      assert.equal((await daemon.terminate()).code, 0);
    } catch (e) {
      if (daemon) console.error(daemon.lines.join("\n"));
      if (dump) console.error(dump.output());
      throw e;
    } finally {
      await stream?.close();
      await dump?.stop();
      await daemon?.kill();
      await hook.shutdown();
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
