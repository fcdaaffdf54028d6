/**
 * Traffic spike and drop from real traffic: `curl` downloads files from a Python HTTP server between two
 * namespaces (10.231.64.1 ← 10.231.64.2) while tcpdump records; Wireshark's editcap and mergecap lay copies
 * of those recordings out as fourteen minutes — twelve ordinary minutes, one with seven and a half times the downloads,
 * one silent, then a single packet — and `flintnet replay` of the result must raise a spike for
 * 10.231.64.0/24 in minute 12 and a drop in minute 13, with the octets tshark sums for those minutes.
 */
import assert from "node:assert/strict";
import { NetnsLab } from "./helpers/netns_lab.ts";
import { run } from "./helpers/netns.ts";
import { watchChild, type WatchedChild } from "./helpers/child_process.ts";
import { advisoryToolsMissing, replayAdvisories, startTcpdump, tshark } from "./helpers/advisory_capture.ts";

const CI = Deno.env.get("CI") === "true";
const CLIENT = "10.231.64.1", SERVER = "10.231.64.2", SUBNET = "10.231.64.0/24";
const MINUTE_S = 60;
/** The capture's minute 0 (a whole minute, in the past). */
const T0 = Math.floor(Date.UTC(2026, 0, 6, 10, 0) / 1000);

const missing = await advisoryToolsMissing(
  ["/usr/bin/tshark", "/usr/bin/tcpdump", "/usr/bin/editcap", "/usr/bin/mergecap", "/usr/bin/curl"],
  "tshark tcpdump curl",
);

/** One download of the 1 MB file from the client's namespace; its exit code. */
async function download(strict = true): Promise<number> {
  const url = `http://${SERVER}:8080/blob`;
  return (await run(["ip", "netns", "exec", "fan-lan", "curl", "-s", "-o", "/dev/null", url], strict)).code;
}

/** Records `downloads` curl downloads of the 1 MB file into `path`. */
async function record(path: string, downloads: number): Promise<void> {
  const dump = await startTcpdump("fan-lan", "fanlan0", path);
  try {
    for (let i = 0; i < downloads; i++) await download();
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await dump.stop();
  }
}

/** The first frame's time of a capture, epoch seconds. */
async function firstTime(path: string): Promise<number> {
  const rows = await tshark(path, "frame.number==1", ["frame.time_epoch"]);
  return Number(rows[0][0]);
}

/** A copy of `path` moved so its first frame is at `at` (epoch seconds). */
async function placed(path: string, at: number, out: string): Promise<string> {
  await run(["editcap", "-t", String(at - await firstTime(path)), path, out]);
  return out;
}

Deno.test({
  name:
    "replay of real downloads laid out as minutes raises a spike and a drop for the subnet with tshark's octets",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`traffic change test cannot run: ${missing}`);
    const lab = new NetnsLab();
    const dir = await Deno.makeTempDir({ prefix: "flintnet-change-" });
    let http: WatchedChild | undefined;
    try {
      await lab.namespace("fan-lan");
      await lab.namespace("fan-web");
      await lab.cable("fan-lan", "fanlan0", "fan-web", "fanweb0");
      await lab.exec("fan-lan", ["ip", "addr", "add", `${CLIENT}/24`, "dev", "fanlan0"]);
      await lab.exec("fan-web", ["ip", "addr", "add", `${SERVER}/24`, "dev", "fanweb0"]);
      await Deno.writeFile(`${dir}/blob`, new Uint8Array(1_000_000).map((_, i) => (i * 31) & 255));
      http = watchChild(
        new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            "fan-web",
            "/usr/bin/python3",
            "-m",
            "http.server",
            "8080",
            "--bind",
            SERVER,
          ],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
      let up = false;
      for (let i = 0; i < 150 && !up; i++) {
        up = await download(false) === 0;
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, `the HTTP server never answered: ${http.output()}`);
      await record(`${dir}/normal.pcap`, 2);
      await record(`${dir}/busy.pcap`, 15);

      const parts: string[] = [];
      for (let m = 0; m < 12; m++) {
        parts.push(await placed(`${dir}/normal.pcap`, T0 + m * MINUTE_S + 5, `${dir}/m${m}.pcap`));
      }
      parts.push(await placed(`${dir}/busy.pcap`, T0 + 12 * MINUTE_S + 5, `${dir}/m12.pcap`));
      // Minute 13 is silent; one frame in minute 14 moves the capture's clock past it.
      await run(["editcap", "-r", `${dir}/normal.pcap`, `${dir}/one.pcap`, "1"]);
      parts.push(await placed(`${dir}/one.pcap`, T0 + 14 * MINUTE_S + 30, `${dir}/m14.pcap`));
      await run(["mergecap", "-F", "pcap", "-w", `${dir}/day.pcap`, ...parts]);

      const advisories = await replayAdvisories(`${dir}/day.pcap`);
      const mine = advisories.filter((a) => a.subject === SUBNET && a.phase === "raised");
      assert.deepEqual(
        mine.map((a) => a.type),
        ["traffic_spike", "traffic_drop"],
        JSON.stringify(advisories),
      );
      const [spike, drop] = mine;

      // tshark: the IP octets of each minute (every frame is between the two hosts of the subnet).
      const minuteBytes = async (m: number) => {
        const rows = await tshark(
          `${dir}/day.pcap`,
          `ip && frame.time_epoch >= ${T0 + m * MINUTE_S} && frame.time_epoch < ${T0 + (m + 1) * MINUTE_S}`,
          ["ip.len"],
        );
        return rows.reduce((n, [len]) => n + Number(len), 0);
      };
      const sums: number[] = [];
      for (let m = 0; m <= 13; m++) sums.push(await minuteBytes(m));
      assert.equal(spike.evidence.minute_start, new Date((T0 + 12 * MINUTE_S) * 1000).toISOString());
      assert.equal(spike.evidence.bytes, sums[12]);
      assert.equal(drop.evidence.minute_start, new Date((T0 + 13 * MINUTE_S) * 1000).toISOString());
      assert.equal(drop.evidence.bytes, 0);
      assert.equal(sums[13], 0);
      // The baseline before the spike: the minutes' mean, as tshark's sums give it (they are near equal).
      const mean = sums.slice(0, 12).reduce((a, b) => a + b, 0) / 12;
      assert.ok(
        Math.abs((spike.evidence.baseline_bytes as number) - mean) / mean < 0.02,
        JSON.stringify(spike),
      );
      assert.match(drop.summary, /^The traffic of 10\.231\.64\.0\/24 dropped 100 % at 10:13 UTC/);
    } catch (e) {
      if (http) console.error(http.output());
      throw e;
    } finally {
      await http?.stop();
      await lab.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
