/**
 * `deno task bench --only=threats`: what block lists cost. Writes a FireHOL-style list of 1,000,000
 * entries (random /32s with some /24 … /16 networks, as published lists mix them), then measures in this
 * process: the time ThreatLists takes to read it, the bytes of its typed arrays, the RSS it added, and
 * lookups per second; then replays the benchmark capture (argument 1) with and without the list, so the
 * per-new-flow check shows in packets/s.
 *
 *   deno run -A tests/bench/threat_lists.ts tests/bench/.cache/bench.pcap
 *
 * Prints one JSON line ({@link ThreatBenchResult}); progress on stderr.
 */
import { ThreatLists } from "../../src/detect/mod.ts";
import { seededRng as rng } from "../helpers/seeded_rng.ts";

/** What the section measured. */
export interface ThreatBenchResult {
  /** Entries written to the list. */
  entries_written: number;
  /** File size, bytes. */
  file_bytes: number;
  /** Entries in use after nested ones were dropped. */
  entries_loaded: number;
  /** Time to stat, read and parse it into the lookup structure, ms (median of 3 loads). */
  load_ms: number;
  /** RSS after the load minus before, bytes (the list's arrays plus what the read left behind). */
  rss_added_bytes: number;
  /** Lookups per second on random addresses (find over the one list). */
  lookups_per_s: number;
  /** Replay of the benchmark capture without and with the list, packets/s as replay reports it. */
  replay_pps: { without: number; with: number } | null;
}

type Verdict = (value: number, target: number, higher: boolean) => string;
type Row = { measure: string; flintnet: string; peer: string; target: string; result: string };

/** Targets: a 1 M-entry list loads in well under a reload interval and fits beside the flow table. */
export const THREAT_TARGET = { loadMs: 2000, rssAdded: 64_000_000, replayCost: 0.05 };

/** Rows of the bench table. */
export function threatRows(r: ThreatBenchResult, verdict: Verdict): Row[] {
  const rows: Row[] = [{
    measure: `block list of ${(r.entries_written / 1e6).toFixed(1)} M entries: load time`,
    flintnet: `${r.load_ms.toFixed(0)} ms (${r.entries_loaded.toLocaleString("en-US")} kept)`,
    peer: `file ${(r.file_bytes / 1e6).toFixed(1)} MB`,
    target: `≤ ${THREAT_TARGET.loadMs} ms`,
    result: verdict(r.load_ms, THREAT_TARGET.loadMs, false),
  }, {
    measure: "block list of 1 M entries: RSS added",
    flintnet: `${(r.rss_added_bytes / 1e6).toFixed(1)} MB`,
    peer: `${(r.lookups_per_s / 1e6).toFixed(1)} M lookups/s`,
    target: `≤ ${THREAT_TARGET.rssAdded / 1e6} MB`,
    result: verdict(r.rss_added_bytes, THREAT_TARGET.rssAdded, false),
  }];
  if (r.replay_pps) {
    const cost = 1 - r.replay_pps.with / r.replay_pps.without;
    rows.push({
      measure: "replay pkt/s with a 1 M-entry block list (median of 3 each)",
      flintnet: `${(r.replay_pps.with / 1e6).toFixed(2)} M/s`,
      peer: `without ${(r.replay_pps.without / 1e6).toFixed(2)} M/s`,
      target: `cost ≤ ${THREAT_TARGET.replayCost * 100}%`,
      result: verdict(Math.max(cost, 1e-9), THREAT_TARGET.replayCost, false),
    });
  }
  return rows;
}

const ENTRIES = 1_000_000;

async function writeList(path: string): Promise<number> {
  const next = rng(20261204);
  const lines: string[] = ["# synthetic FireHOL-style netset for the bench", "#"];
  for (let i = 0; i < ENTRIES; i++) {
    const a = next(), r = i % 50;
    const bits = i % 1000 === 0 ? 16 : r < 4 ? 24 : 32;
    const net = bits === 32 ? a : (a & (0xffffffff << (32 - bits))) >>> 0;
    const q = `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}`;
    lines.push(bits === 32 ? q : `${q}/${bits}`);
  }
  const text = lines.join("\n") + "\n";
  await Deno.writeTextFile(path, text);
  return text.length;
}

async function replayPps(pcap: string, lists: string | null): Promise<number> {
  const env: Record<string, string> = { NO_COLOR: "1", FLINTNET_ENV_FILE: "/dev/null" };
  if (lists) env.FLINTNET_BLOCKLISTS = lists;
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "replay", pcap],
    env,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!out.success) throw new Error(`replay ${lists ? "with" : "without"} the list failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout)).packets_per_s;
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-bench-lists-" });
  try {
    const path = `${dir}/bench_level1.netset`;
    console.error(`threats: writing a ${ENTRIES.toLocaleString("en-US")}-entry list…`);
    const fileBytes = await writeList(path);
    const times: number[] = [];
    let loaded = 0, rssAdded = 0;
    let keep: ThreatLists | null = null;
    for (let i = 0; i < 3; i++) {
      keep = null;
      (globalThis as { gc?: () => void }).gc?.();
      const before = Deno.memoryUsage().rss;
      const lists = new ThreatLists([path]);
      const t0 = performance.now();
      await lists.refresh();
      times.push(performance.now() - t0);
      (globalThis as { gc?: () => void }).gc?.();
      if (i === 0) rssAdded = Deno.memoryUsage().rss - before;
      loaded = lists.status()[0].entries;
      keep = lists;
    }
    times.sort((a, b) => a - b);
    const w = new Uint32Array(4), next = rng(7);
    let hits = 0;
    const n = 2_000_000, t0 = performance.now();
    for (let i = 0; i < n; i++) {
      w[0] = next();
      if (keep!.find(4, w, 0) >= 0) hits++;
    }
    const lookups = n / ((performance.now() - t0) / 1000);
    console.error(`threats: loaded ${loaded} entries in ${times[1].toFixed(0)} ms; ${hits} random hits`);
    let replay: ThreatBenchResult["replay_pps"] = null;
    const pcap = Deno.args[0];
    if (pcap) {
      console.error("threats: replay of the bench capture without and with the list…");
      await replayPps(pcap, null); // warm-up
      const without: number[] = [], withList: number[] = [];
      // interleaved, so a change in machine load hits both alike; the median of three each
      for (let i = 0; i < 3; i++) {
        without.push(await replayPps(pcap, null));
        withList.push(await replayPps(pcap, path));
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[1];
      replay = { without: median(without), with: median(withList) };
    }
    const result: ThreatBenchResult = {
      entries_written: ENTRIES,
      file_bytes: fileBytes,
      entries_loaded: loaded,
      load_ms: Math.round(times[1] * 10) / 10,
      rss_added_bytes: rssAdded,
      lookups_per_s: Math.round(lookups),
      replay_pps: replay,
    };
    console.log(JSON.stringify(result));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
