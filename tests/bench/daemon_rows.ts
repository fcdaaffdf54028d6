/**
 * Table rows of the `daemon` section of `deno task bench` (tests/bench/daemon_live.ts): start-up,
 * idle memory, kernel drops beside tcpdump on the same trafgen streams, memory with 100 k and 1 M flows.
 */
import type { DaemonLiveResult } from "./daemon_live.ts";

const MB = 1_000_000;

/** The targets (issue 16). */
export const DAEMON_TARGET = { idleRss: 100 * MB, rss100k: 200 * MB, rss1m: 450 * MB, startupS: 1 };

type Row = { measure: string; flintnet: string; peer: string; target: string; result: string };

const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

/** Rows for one daemon_live.ts result. */
export function daemonRows(
  r: DaemonLiveResult,
  verdict: (value: number, target: number, higher: boolean) => string,
): Row[] {
  const rows: Row[] = [{
    measure: "start-up to /healthz, empty state dir",
    flintnet: `${r.startup_s.toFixed(2)} s`,
    peer: "—",
    target: `≤ ${DAEMON_TARGET.startupS} s`,
    result: verdict(r.startup_s, DAEMON_TARGET.startupS, false),
  }, {
    measure: "daemon idle RSS, defaults (20 s after start)",
    flintnet: mb(r.idle.rss_bytes),
    peer: `PSS ${mb(r.idle.pss_bytes)}; ring ${mb(r.idle.ring_rss_bytes)}, anon ${mb(r.idle.anon_bytes)}, ` +
      `files ${mb(r.idle.file_bytes)}`,
    target: `≤ ${mb(DAEMON_TARGET.idleRss)}`,
    result: verdict(r.idle.rss_bytes, DAEMON_TARGET.idleRss, false),
  }];
  for (const s of r.streams) {
    const ok = s.daemon_drops === 0 && s.daemon_packets >= s.frames;
    rows.push({
      measure: `live drops, ${s.mode}, ${(s.rate_pps / 1e6).toFixed(2)} M frames/s`,
      flintnet: `${s.daemon_drops.toLocaleString("en-US")} of ${s.daemon_packets.toLocaleString("en-US")} ` +
        `(ring ${s.ring_mb} MiB)`,
      peer: `tcpdump ${s.tcpdump_drops.toLocaleString("en-US")} of ${
        s.tcpdump_received.toLocaleString("en-US")
      }`,
      target: "0, ≤ tcpdump",
      result: ok && s.daemon_drops <= s.tcpdump_drops ? "PASS" : `MISS (${s.daemon_drops} dropped)`,
    });
  }
  for (const f of r.flows) {
    const target = f.target >= 1_000_000 ? DAEMON_TARGET.rss1m : DAEMON_TARGET.rss100k;
    rows.push({
      measure: `daemon RSS, ${f.target / 1000} k flows sent (after the streams)`,
      flintnet: mb(f.rss_bytes),
      peer: `PSS ${mb(f.pss_bytes)}; ${f.active.toLocaleString("en-US")} active`,
      target: `≤ ${mb(target)}`,
      result: verdict(f.rss_bytes, target, false),
    });
  }
  return rows;
}
