/**
 * End to end: the daemon, started as a user would start it (a subprocess of main.ts with FLINTNET_*
 * settings), captures on the host side of a veth pair while a sender in a network namespace keeps a
 * steady UDP flow, then bursts. The anomaly must be logged with the flow's real addresses and ports,
 * and SIGTERM must stop the daemon promptly.
 */
import assert from "node:assert/strict";
import { createVethPair, netnsUnavailable, vethNames } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const PYTHON = "/usr/bin/python3";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const missing = await netnsUnavailable();

/** Steady 20 × 500-byte datagrams per second for `steady` seconds, then 2,000 per second for 3 s. */
const SENDER = `
import socket, sys, time
dst, steady = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40123))
start = time.time()
for second in range(steady + 3):
    n = 20 if second < steady else 2000
    for _ in range(n):
        s.sendto(b"x" * 472, (dst, 5514))
    time.sleep(max(0, start + second + 1 - time.time()))
`;

Deno.test({
  name: "daemon logs one anomaly for a UDP burst after a steady baseline, and stops on SIGTERM",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`daemon end-to-end test cannot run: ${missing}`);
    const pair = await createVethPair({
      ...vethNames("e2eano"),
      hostAddr: "10.231.40.1/24",
      nsAddr: "10.231.40.2/24",
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-e2e-" });
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN],
      env: {
        FLINTNET_ENV_FILE: "/dev/null",
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_INTERFACE: pair.hostIf,
        FLINTNET_ANOMALY_INTERVAL: "1",
        FLINTNET_ANOMALY_WARMUP: "3",
        FLINTNET_ANOMALY_MIN_BYTES: "100000",
        FLINTNET_LISTEN: "127.0.0.1:18480",
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoderStream();
      let buf = "";
      for await (const chunk of daemon.stderr.pipeThrough(decoder)) {
        buf += chunk;
        const parts = buf.split("\n");
        buf = parts.pop()!;
        lines.push(...parts);
      }
    })();
    const stdoutDone = daemon.stdout.cancel();
    try {
      await waitFor(() => lines.some((l) => l.includes('"Flintnet started"')), 15_000, lines);
      // 6 steady seconds: the first (partial) interval is skipped, then 3 warm-up intervals, then mature.
      await pair.exec([PYTHON, "-c", SENDER, pair.hostIp, "6"]);
      await waitFor(() => lines.some((l) => l.includes('"component":"anomaly"')), 5_000, lines);
      const anomalies = lines.filter((l) => l.includes('"component":"anomaly"')).map((l) => JSON.parse(l));
      assert.equal(anomalies.length, 1, "a 3-second burst is one anomaly, not one per interval");
      assert.match(anomalies[0].msg, new RegExp(`${pair.nsIp}:40123 → ${pair.hostIp}:5514 \\(UDP\\)`));
      assert.match(anomalies[0].community_id, /^1:[A-Za-z0-9+/]{27}=$/);
      const stopAt = Date.now();
      daemon.kill("SIGTERM");
      const status = await daemon.status;
      assert.equal(status.code, 0);
      assert.ok(Date.now() - stopAt < 5_000, "stops within 5 s of SIGTERM");
      await reading;
    } catch (err) {
      console.error(lines.join("\n")); // the daemon's own words, for whoever reads the failure
      throw err;
    } finally {
      try {
        daemon.kill("SIGKILL");
      } catch { /* already gone */ }
      await daemon.status;
      await stdoutDone.catch(() => {});
      await reading.catch(() => {});
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});

async function waitFor(cond: () => boolean, ms: number, lines: string[]): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms; daemon said:\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
