/**
 * End to end: the daemon, started as a user would start it (a subprocess of main.ts with FLINTNET_*
 * settings), captures on the host side of a veth pair while a sender in a network namespace keeps a
 * steady UDP flow, then bursts, then stops. The burst is one anomaly episode: its start and its end are
 * logged with the flow's real addresses and ports, arrive on the authenticated SSE stream (open, then
 * closed) and show in GET /anomalies as one entry; the two hosts and their subnet, whose totals rose by
 * the same bytes, raise nothing of their own (the flow explains them). SIGTERM must stop the daemon
 * promptly even with a stream open, and leave the learned baselines in the state directory.
 */
import assert from "node:assert/strict";
import { createVethPair, netnsUnavailable } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const PYTHON = "/usr/bin/python3";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const missing = await netnsUnavailable();
const PORT = 18480;
const TOKEN = "e2e-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

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
  name:
    "daemon raises one anomaly episode for a UDP burst, opened and closed: logged, on /stream, in GET /anomalies; stops on SIGTERM",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`daemon end-to-end test cannot run: ${missing}`);
    const pair = await createVethPair({
      ns: "fnan-e2e",
      hostIf: "fnane2e-h",
      nsIf: "fnane2e-n",
      hostAddr: "10.231.180.1/24",
      nsAddr: "10.231.180.2/24",
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
        FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
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
      // Subscribe to anomalies as a program would, before the traffic starts.
      const streamAbort = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${PORT}/stream?types=anomaly`, {
        headers: AUTH,
        signal: streamAbort.signal,
      });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
      const streamed = readSse(stream.body!);
      // 6 steady seconds: the first (partial) interval is skipped, then 3 warm-up intervals, then mature.
      await pair.exec([PYTHON, "-c", SENDER, pair.hostIp, "6"]);
      const anomalyLines = () =>
        lines.filter((l) => l.includes('"component":"anomaly"')).map((l) => JSON.parse(l));
      // The flow goes quiet after the burst: three quiet intervals close the episode.
      await waitFor(() => anomalyLines().some((l) => l.phase === "closed"), 10_000, lines);
      const logged = anomalyLines();
      assert.deepEqual(logged.map((l) => [l.level, l.phase, l.scope]), [
        ["warn", "open", "flow"],
        ["info", "closed", "flow"],
      ], "a 3-second burst is one episode of the flow: no second alert, none for its hosts or subnet");
      assert.equal(logged[0].episode_id, logged[1].episode_id);
      assert.match(logged[0].msg, new RegExp(`^${pair.nsIp}:40123 → ${pair.hostIp}:5514 \\(UDP\\) sent `));
      assert.match(logged[1].msg, /is back to normal after \d+ s: peak /);
      assert.match(logged[0].community_id, /^1:[A-Za-z0-9+/]{27}=$/);
      // The same episode on the stream, as SSE events with their bus ids: open, then closed ...
      const event = await streamed.next(5_000);
      assert.equal(event.event, "anomaly");
      const data = JSON.parse(event.data);
      assert.equal(data.kind, "anomaly");
      assert.equal(data.phase, "open");
      assert.equal(data.src_ip, pair.nsIp);
      assert.equal(data.dst_ip, pair.hostIp);
      assert.equal(data.src_port, 40123);
      assert.equal(data.dst_port, 5514);
      assert.equal(data.protocol, 17);
      assert.equal(data.community_id, logged[0].community_id);
      assert.equal(event.id, String(data.id));
      // The burst's second carried 2,000 datagrams of 500 IP bytes, against a baseline of about 20.
      assert.ok(data.bytes > 500_000 && data.bytes <= 1_000_000, `bytes ${data.bytes}`);
      assert.ok(data.ratio >= 4 && data.score >= 4 && data.bytes >= data.min_bytes, JSON.stringify(data));
      const end = JSON.parse((await streamed.next(5_000)).data);
      assert.equal(end.phase, "closed");
      assert.equal(end.episode_id, data.episode_id);
      assert.equal(end.close_reason, "back_to_normal");
      assert.ok(end.total_bytes >= data.bytes && end.peak_bytes >= data.bytes, JSON.stringify(end));
      // ... and in GET /anomalies, where scripts look: one entry, the episode as it ended.
      const listed = await (await fetch(`http://127.0.0.1:${PORT}/anomalies`, { headers: AUTH })).json();
      assert.equal(listed.count, 1);
      assert.equal(listed.anomalies[0].id, end.id);
      assert.equal(listed.anomalies[0].phase, "closed");
      assert.equal(listed.anomalies[0].bytes, data.bytes);
      // Without the token: refused.
      const refused = await fetch(`http://127.0.0.1:${PORT}/anomalies`);
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
      const stopAt = Date.now();
      daemon.kill("SIGTERM");
      const status = await daemon.status;
      assert.equal(status.code, 0);
      assert.ok(Date.now() - stopAt < 5_000, "stops within 5 s of SIGTERM, with a stream open");
      // The flow had a baseline for less than an hour: nothing to keep yet, but the file is written.
      const saved = JSON.parse(await Deno.readTextFile(`${stateDir}/baselines.json`));
      assert.equal(saved.version, 1);
      assert.equal(saved.interval_s, 1);
      streamAbort.abort();
      await streamed.done.catch(() => {});
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

/** Reads SSE events from a response body; `next()` waits for the next event (comments skipped). */
function readSse(body: ReadableStream<Uint8Array>) {
  const events: { event: string; data: string; id: string }[] = [];
  let wake: (() => void) | undefined;
  const done = (async () => {
    let buf = "";
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const e = { event: "message", data: "", id: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) e.event = line.slice(7);
          else if (line.startsWith("data: ")) e.data += line.slice(6);
          else if (line.startsWith("id: ")) e.id = line.slice(4);
        }
        if (e.data !== "") events.push(e);
        wake?.();
      }
    }
  })();
  return {
    done,
    async next(ms: number) {
      const until = Date.now() + ms;
      while (events.length === 0) {
        if (Date.now() > until) throw new Error(`no SSE event within ${ms} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return events.shift()!;
    },
  };
}
