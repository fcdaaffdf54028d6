/**
 * PCAP recordings against real tools: two namespaces ("fpc-cli" 10.231.50.1 and "fpc-srv" 10.231.50.2,
 * also 10.231.51.2), the daemon capturing on the server's side of the cable, tcpdump recording the same
 * interface in parallel, traffic from ping, curl and nc. A recording downloaded through the API is read back
 * with tshark and compared frame by frame (time, length on the wire, captured length, MD5 of the octets)
 * with what tcpdump wrote for that host in the same period.
 */
import assert from "node:assert/strict";
import { startDaemon } from "./helpers/daemon.ts";
import { netnsUnavailable, run } from "./helpers/netns.ts";
import { recordingApi, RecordingLab } from "./helpers/recording_lab.ts";
import { freePort } from "./helpers/ports.ts";
import { assertSameFrames, tsharkFrames as frames } from "./helpers/pcap_oracle.ts";

const CLI = "fpc-cli", SRV = "fpc-srv", CLI_IF = "fpc-c0", SRV_IF = "fpc-s0";
const CLI_IP = "10.231.50.1", SRV_IP = "10.231.50.2", LISTED_IP = "10.231.51.2";
const TOKEN = "recording-test-token-0123456789";

const skip = await netnsUnavailable();
const missing = skip ?? (await run(["which", "tshark", "tcpdump", "curl", "nc"], false)).code !== 0
  ? skip ?? "tshark, tcpdump, curl or nc is missing"
  : null;
if (missing && Deno.env.get("CI") === "true") throw new Error(missing);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The lab: namespaces, a cable, a web server and a UDP listener on the server. */
class Lab extends RecordingLab {
  constructor() {
    super({
      cli: CLI,
      srv: SRV,
      cliIf: CLI_IF,
      srvIf: SRV_IF,
      cliIp: CLI_IP,
      srvIp: SRV_IP,
      moreSrvIps: [LISTED_IP],
    });
  }
}

/** The daemon's API from inside the server namespace. */
const api = (port: number, path: string, opts: Parameters<typeof recordingApi>[4] = {}) =>
  recordingApi(SRV, TOKEN, port, path, opts);

function daemonEnv(state: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FLINTNET_INTERFACE: SRV_IF,
    FLINTNET_CIDR: "10.231.50.0/24",
    FLINTNET_STATE_DIR: state,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_LISTEN: `127.0.0.1:${port}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_SNAPLEN: "2048",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_LOG_LEVEL: "info",
    ...extra,
  };
}

Deno.test({
  name: "a host recording downloaded through the API holds exactly the frames tcpdump saw for that host",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new Lab();
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    try {
      await lab.start();
      const port = await freePort();
      const state = `${lab.dir}/state`;
      daemon = await startDaemon(
        daemonEnv(state, port, { FLINTNET_RECORDINGS_MAX: "2", FLINTNET_RECORDING_MAX_MB: "1" }),
        30_000,
        SRV,
      );
      const ref = `${lab.dir}/tcpdump.pcap`;
      const dump = await lab.tcpdump(ref);

      // The things a client gets wrong.
      assert.equal((await api(port, "/recordings", { token: null })).status, 401);
      assert.equal((await api(port, "/recordings/999/pcap")).status, 404);
      assert.equal((await api(port, "/recordings/999", { method: "DELETE" })).status, 404);
      const bad = await api(port, "/recordings", {
        method: "POST",
        body: { filter: "host 10.231.50.1 or port 80" },
      });
      assert.equal(bad.status, 400);
      assert.match(
        String((bad.json!.error as { message: string }).message),
        /accepted: terms joined by 'and'/,
      );

      const made = await api(port, "/recordings", { method: "POST", body: { host: CLI_IP } });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      const id = made.json!.id as number;
      await sleep(1000);
      await lab.traffic();
      // A download while it runs is a valid pcap already.
      const partial = `${lab.dir}/partial.pcap`;
      const mid = await api(port, `/recordings/${id}/pcap`, { out: partial });
      assert.equal(mid.status, 200);
      assert.match(mid.headers, /content-type: application\/vnd\.tcpdump\.pcap/i);
      assert.match(mid.headers, /content-disposition: attachment; filename="flintnet-recording-\d+\.pcap"/i);
      assert.ok((await frames(partial)).length > 0, "the running recording's download reads back");
      await sleep(1000);
      const stopped = await api(port, `/recordings/${id}/stop`, { method: "POST" });
      assert.equal(stopped.json!.state, "stopped");
      await dump.stop();

      const file = `${lab.dir}/recording.pcap`;
      assert.equal((await api(port, `/recordings/${id}/pcap`, { out: file })).status, 200);
      const got = await frames(file);
      const from = Date.parse(String(stopped.json!.started)) * 1000,
        to = Date.parse(String(stopped.json!.stopped)) * 1000;
      const want = (await frames(
        ref,
        `ip.addr == ${CLI_IP} || arp.src.proto_ipv4 == ${CLI_IP} || arp.dst.proto_ipv4 == ${CLI_IP}`,
      ))
        .filter((f) => f.us >= from && f.us <= to);
      assert.ok(want.length > 40, `tcpdump saw the traffic (${want.length} frames)`);
      assertSameFrames(got, want);
      assert.equal(stopped.json!.packets, got.length);
      assert.equal(stopped.json!.bytes, (await Deno.stat(file)).size);

      // Bounds: 1 MiB a file (it stops there), two files kept (the oldest finished one is deleted).
      const big = await api(port, "/recordings", {
        method: "POST",
        body: { filter: `host ${CLI_IP} and proto tcp` },
      });
      assert.equal(big.status, 201);
      await sleep(1000);
      await lab.traffic(1, 25); // 25 × 60 kB > 1 MiB
      await sleep(500);
      const list = (await api(port, "/recordings")).json!.recordings as Record<string, unknown>[];
      const full = list.find((r) => r.id === big.json!.id)!;
      assert.equal(full.stop_reason, "size_limit", JSON.stringify(full));
      assert.ok((full.bytes as number) <= 1048576);
      const fullFile = `${lab.dir}/full.pcap`;
      await api(port, `/recordings/${full.id}/pcap`, { out: fullFile });
      const fullFrames = await frames(fullFile);
      assert.equal(fullFrames.length, full.packets);
      assert.ok(fullFrames.every((f) => f.src === CLI_IP || f.dst === CLI_IP));
      const third = await api(port, "/recordings", {
        method: "POST",
        body: { flow: { src_ip: CLI_IP, dst_ip: SRV_IP, protocol: "udp", src_port: 1, dst_port: 5353 } },
      });
      assert.equal(third.status, 201);
      const kept = (await api(port, "/recordings")).json!;
      assert.deepEqual((kept.recordings as { id: number }[]).map((r) => r.id), [full.id, third.json!.id]);
      assert.equal(
        (await api(port, `/recordings/${id}/pcap`)).status,
        404,
        "the oldest finished one was deleted",
      );
      assert.ok(daemon.records().some((r) => r.msg === "recording deleted to make room" && r.id === id));
      const stats = (await api(port, "/stats")).json!;
      assert.equal((stats.recordings as Record<string, number>).deleted_for_space, 1);
      assert.equal((await api(port, `/recordings/${third.json!.id}`, { method: "DELETE" })).status, 204);
      assert.equal((await api(port, `/recordings/${third.json!.id}/pcap`)).status, 404);
    } catch (e) {
      console.error(lab.output());
      if (daemon) console.error(daemon.lines.slice(-40).join("\n"));
      throw e;
    } finally {
      await daemon?.kill();
      await lab.destroy();
    }
  },
});

Deno.test({
  name: "a security event about a host starts a recording that holds the frames from before it",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new Lab();
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    try {
      await lab.start();
      const port = await freePort();
      const state = `${lab.dir}/state`;
      const list = `${lab.dir}/listed.txt`;
      await Deno.writeTextFile(list, `${LISTED_IP}\n`);
      daemon = await startDaemon(
        daemonEnv(state, port, {
          FLINTNET_RECORDING_AUTO: "1",
          FLINTNET_RECORDING_SECONDS: "3",
          FLINTNET_RECORDING_PRE_SECONDS: "10",
          FLINTNET_BLOCKLISTS: list,
        }),
        30_000,
        SRV,
      );
      const ref = `${lab.dir}/tcpdump.pcap`;
      const dump = await lab.tcpdump(ref);
      await lab.traffic(5, 0); // before any trigger
      await sleep(1500);
      await lab.lab.exec(CLI, ["ping", "-c", "2", "-i", "0.2", LISTED_IP]); // a block-listed address: security event
      let rec: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && rec?.state !== "stopped"; i++) {
        await sleep(200);
        rec = ((await api(port, "/recordings")).json!.recordings as Record<string, unknown>[])[0];
      }
      await dump.stop();
      assert.ok(rec, "a recording started");
      assert.equal(rec.trigger, "security");
      assert.equal(rec.host, CLI_IP);
      assert.equal(rec.state, "stopped");
      const file = `${lab.dir}/auto.pcap`;
      await api(port, `/recordings/${rec.id}/pcap`, { out: file });
      const got = await frames(file);
      const started = Date.parse(String(rec.started)) * 1000;
      const before = got.filter((f) => f.us < started);
      assert.ok(before.length > 0, "frames from before the trigger are in the file");
      // Every echo request the client sent to the server before the trigger, as tcpdump saw it, is there.
      const pings = (await frames(ref, `icmp.type == 8 && ip.dst == ${SRV_IP}`)).filter((f) =>
        f.us < started
      );
      assert.equal(pings.length, 5);
      const have = new Set(got.map((f) => f.md5));
      for (const p of pings) assert.ok(have.has(p.md5), `ping at ${p.us} is in the recording`);
      assert.ok(got.some((f) => f.dst === LISTED_IP), "and the traffic that triggered it");
    } catch (e) {
      console.error(lab.output());
      if (daemon) console.error(daemon.lines.slice(-40).join("\n"));
      throw e;
    } finally {
      await daemon?.kill();
      await lab.destroy();
    }
  },
});
