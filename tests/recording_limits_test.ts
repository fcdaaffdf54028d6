/**
 * The bandwidth trigger of PCAP recording against real traffic: two namespaces ("fre-cli" 10.231.75.1,
 * "fre-srv" 10.231.75.2), the daemon capturing on the server's side of the cable with auto-start on and
 * FLINTNET_RECORDING_BPS set, tcpdump recording the same interface. A curl download well above the threshold
 * in one anomaly interval starts a recording of the client, which must hold exactly the frames tcpdump saw
 * for it from the look-back window on (count, lengths, MD5 of the octets, time within 1 ms); a second burst
 * within FLINTNET_RECORDING_COOLDOWN starts none (and /stats says the cooldown held it back).
 */
import assert from "node:assert/strict";
import { startDaemon } from "./helpers/daemon.ts";
import { netnsUnavailable, run } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";
import { assertSameFrames, pcapToolsMissing, tsharkFrames } from "./helpers/pcap_oracle.ts";
import { recordingApi, RecordingLab } from "./helpers/recording_lab.ts";

const CLI = "fre-cli", SRV = "fre-srv", CLI_IF = "fre-c0", SRV_IF = "fre-s0";
const CLI_IP = "10.231.75.1", SRV_IP = "10.231.75.2";
const TOKEN = "recording-limits-token-0123456789";
/**
 * 2 Mbit/s: a burst is 2 MB sent at 2 MB/s, so however the 2 s intervals cut it, one of them holds at least
 * 1 MB (4 Mbit/s); the pings before it are a few hundred bit/s.
 */
const BPS = 2_000_000, INTERVAL_S = 2, PRE_S = 10, SECONDS = 3;

const skip = await netnsUnavailable();
const missing = skip ?? await pcapToolsMissing() ??
  ((await run(["which", "tcpdump", "curl"], false)).code !== 0 ? "tcpdump or curl is missing" : null);
if (missing && Deno.env.get("CI") === "true") throw new Error(missing);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

type Rec = Record<string, unknown>;

Deno.test({
  name:
    "a host above FLINTNET_RECORDING_BPS is recorded as tcpdump saw it, and not again within the cooldown",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new RecordingLab({
      cli: CLI,
      srv: SRV,
      cliIf: CLI_IF,
      srvIf: SRV_IF,
      cliIp: CLI_IP,
      srvIp: SRV_IP,
    });
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    const api = (port: number, path: string, opts: Parameters<typeof recordingApi>[4] = {}) =>
      recordingApi(SRV, TOKEN, port, path, opts);
    try {
      await lab.start();
      const body = new Uint8Array(2_000_000);
      for (let o = 0; o < body.length; o += 65536) crypto.getRandomValues(body.subarray(o, o + 65536));
      await Deno.writeFile(`${lab.dir}/www/burst.bin`, body);
      // tcpdump before the daemon: the look-back window reaches back to the daemon's start (its first
      // sweep ARPs the client), and the reference must hold every frame the daemon could have seen.
      const ref = `${lab.dir}/tcpdump.pcap`;
      const dump = await lab.tcpdump(ref);
      const port = await freePort();
      daemon = await startDaemon(
        {
          FLINTNET_INTERFACE: SRV_IF,
          FLINTNET_CIDR: "10.231.75.0/24",
          FLINTNET_STATE_DIR: `${lab.dir}/state`,
          FLINTNET_TRAP_LISTEN: "off",
          FLINTNET_LISTEN: `127.0.0.1:${port}`,
          FLINTNET_API_TOKEN: TOKEN,
          FLINTNET_SNAPLEN: "2048",
          FLINTNET_DISCOVERY_INTERVAL: "0",
          FLINTNET_LOG_LEVEL: "info",
          FLINTNET_ANOMALY_INTERVAL: `${INTERVAL_S}s`,
          FLINTNET_RECORDING_AUTO: "1",
          FLINTNET_RECORDING_BPS: String(BPS),
          FLINTNET_RECORDING_SECONDS: String(SECONDS),
          FLINTNET_RECORDING_PRE_SECONDS: String(PRE_S),
          FLINTNET_RECORDING_COOLDOWN: "10m",
        },
        30_000,
        SRV,
      );
      const burst = () =>
        lab.lab.exec(CLI, [
          "curl",
          "-s",
          "--limit-rate",
          "2M",
          "-o",
          "/dev/null",
          `http://${SRV_IP}:8080/burst.bin`,
        ]); // deno-fmt-ignore
      const bandwidthOf = async (host: string) =>
        ((await api(port, "/recordings")).json!.recordings as Rec[]).filter((r) =>
          r.trigger === "bandwidth" && r.host === host
        );

      // Below the threshold: a few pings over several intervals start nothing.
      await lab.lab.exec(CLI, ["ping", "-c", "10", "-i", "0.5", SRV_IP]);
      await sleep(INTERVAL_S * 1000 + 500);
      assert.deepEqual(await bandwidthOf(CLI_IP), [], "pings stay below the threshold");

      await burst();
      let rec: Rec | undefined;
      for (let i = 0; i < 100 && rec?.state !== "stopped"; i++) {
        await sleep(200);
        rec = (await bandwidthOf(CLI_IP))[0];
      }
      assert.ok(rec, "the burst started a recording of the client");
      assert.equal(rec.state, "stopped", JSON.stringify(rec));
      assert.equal(rec.stop_reason, "duration");
      assert.match(String(rec.reason), new RegExp(`above FLINTNET_RECORDING_BPS ${BPS}`));

      // A second burst within the cooldown: the trigger fires, the cooldown holds it back.
      const skippedBefore = (await api(port, "/stats")).json!.recordings as {
        auto_skipped: { cooldown: number };
      };
      await burst();
      await sleep(2 * INTERVAL_S * 1000 + 500);
      await dump.stop();
      assert.equal((await bandwidthOf(CLI_IP)).length, 1, "no second recording within the cooldown");
      const skippedAfter = (await api(port, "/stats")).json!.recordings as {
        auto_skipped: { cooldown: number };
      };
      assert.ok(
        skippedAfter.auto_skipped.cooldown > skippedBefore.auto_skipped.cooldown,
        `the second burst crossed the threshold and the cooldown held it back: ${
          JSON.stringify([skippedBefore, skippedAfter])
        }`,
      );

      // The recording against tcpdump: every frame of the client from the look-back window to the stop.
      const file = `${lab.dir}/bandwidth.pcap`;
      assert.equal((await api(port, `/recordings/${rec.id}/pcap`, { out: file })).status, 200);
      const got = await tsharkFrames(file);
      const from = (Date.parse(String(rec.started)) - PRE_S * 1000) * 1000,
        to = Date.parse(String(rec.stopped)) * 1000;
      const want = (await tsharkFrames(
        ref,
        `ip.addr == ${CLI_IP} || arp.src.proto_ipv4 == ${CLI_IP} || arp.dst.proto_ipv4 == ${CLI_IP}`,
      )).filter((f) => f.us >= from && f.us <= to);
      assert.ok(want.length > 1000, `tcpdump saw the burst (${want.length} frames)`);
      assert.ok(
        got.some((f) => f.us < Date.parse(String(rec!.started)) * 1000),
        "the burst is before the trigger",
      );
      assertSameFrames(got, want);
      assert.equal(rec.packets, got.length);
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
