/**
 * Table rows of the `daemon` section of `deno task bench` (tests/bench/daemon_live.ts): start-up,
 * idle memory, kernel drops beside tcpdump on the same trafgen streams, peak memory under an ARP flood it
 * cannot keep up with, memory with 100 k and 1 M flows.
 */
import type { DaemonLiveResult } from "./daemon_live.ts";
import type { StartupStateResult } from "./startup_state.ts";
import type { SaveFigures, StateSavesResult } from "./state_saves.ts";

const MB = 1_000_000;

/** The issue's targets (issue 16). */
export const DAEMON_TARGET = {
  idleRss: 100 * MB,
  rss100k: 200 * MB,
  rss1m: 450 * MB,
  startupS: 1,
  startupLoadedS: 2,
};

type Row = { measure: string; flintnet: string; peer: string; target: string; result: string };

const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

/** Rows for one state_saves.ts result: how long a save of each large state file holds the main thread. */
export function stateSaveRows(r: StateSavesResult): Row[] {
  const row = (file: string, what: string, f: SaveFigures): Row => {
    const stalls = [...f.stalls_ms].sort((a, b) => a - b);
    return {
      measure: `longest main-thread stall while saving ${file} at its bound (${
        f.entries.toLocaleString("en-US")
      } ${what}, ${mb(f.bytes)}; median of ${stalls.length} saves)`,
      flintnet: `${stalls[stalls.length >> 1]} ms`,
      peer: `each save ${f.stalls_ms.join(", ")} ms held, ${f.saves_ms.join(", ")} ms to the file in place`,
      target: "(diagnostic)",
      result: "—",
    };
  };
  return [row("devices.json", "devices", r.registry), row("arp-state.json", "MACs", r.arp)];
}

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
        `(ring ${s.ring_mb} MiB${s.waits_for_main > 0 ? `, ${s.waits_for_main} waits for main` : ""})`,
      peer: `tcpdump ${s.tcpdump_drops.toLocaleString("en-US")} of ${
        s.tcpdump_received.toLocaleString("en-US")
      }`,
      target: "0, ≤ tcpdump",
      result: ok && s.daemon_drops <= s.tcpdump_drops ? "PASS" : `MISS (${s.daemon_drops} dropped)`,
    });
  }
  const a = r.arp_flood;
  if (a) {
    rows.push({
      measure: `daemon peak RSS, ARP flood of new claims, ${(a.rate_pps / 1e6).toFixed(2)} M frames/s`,
      flintnet: `${mb(a.peak_rss_bytes)}; ${a.daemon_drops.toLocaleString("en-US")} of ` +
        `${a.daemon_packets.toLocaleString("en-US")} dropped`,
      peer: `tcpdump ${a.tcpdump_drops.toLocaleString("en-US")} dropped; the Worker waited ` +
        `${a.waits_for_main.toLocaleString("en-US")} times`,
      target: `≤ ${mb(DAEMON_TARGET.rss1m)}`,
      result: verdict(a.peak_rss_bytes, DAEMON_TARGET.rss1m, false),
    });
  }
  for (const f of r.flows) {
    const target = f.target >= 1_000_000 ? DAEMON_TARGET.rss1m : DAEMON_TARGET.rss100k;
    rows.push({
      measure: `daemon RSS, ${f.target / 1000} k flows sent (after the streams)`,
      flintnet: mb(f.rss_bytes),
      peer: `PSS ${mb(f.pss_bytes)}; ${f.active.toLocaleString("en-US")} active, ${
        f.daemon_drops.toLocaleString("en-US")
      } frames dropped`,
      target: `≤ ${mb(target)}`,
      result: verdict(f.rss_bytes, target, false),
    });
  }
  return rows;
}

/** Rows for one startup_state.ts result: the start with a full state directory, warm and cold. */
export function startupStateRows(
  r: StartupStateResult,
  verdict: (value: number, target: number, higher: boolean) => string,
): Row[] {
  const l = r.loaded;
  const state = `${(l.devices_in_file / 1000).toFixed(0)} k devices (${mb(l.devices_json_bytes)}), ` +
    `${mb(l.history_bytes)} alert history`;
  const rows: Row[] = [{
    measure: `start-up to /healthz, ${state}`,
    flintnet: `${l.startup_s.toFixed(2)} s`,
    peer: `empty state dir ${r.empty.startup_s.toFixed(2)} s; ${l.devices.toLocaleString("en-US")} devices ` +
      `kept (the registry's bound), ${l.alerts.toLocaleString("en-US")} alerts`,
    target: `≤ ${DAEMON_TARGET.startupLoadedS} s`,
    result: verdict(l.startup_s, DAEMON_TARGET.startupLoadedS, false),
  }];
  const a = r.loaded_arp;
  rows.push({
    measure: `start-up to /healthz, the same state and an ARP history at its bound (${
      a.macs.toLocaleString("en-US")
    } MACs, ${mb(a.arp_state_bytes)})`,
    flintnet: `${a.startup_s.toFixed(2)} s`,
    peer: `without it ${l.startup_s.toFixed(2)} s`,
    target: "(diagnostic)",
    result: "—",
  });
  if (r.cold) {
    rows.push({
      measure: "start-up to /healthz, the same state, page cache dropped (as after a boot)",
      flintnet: `${r.cold.loaded.startup_s.toFixed(2)} s`,
      peer: `empty state dir ${r.cold.empty.startup_s.toFixed(2)} s`,
      target: `≤ ${DAEMON_TARGET.startupLoadedS} s`,
      result: verdict(r.cold.loaded.startup_s, DAEMON_TARGET.startupLoadedS, false),
    });
  }
  return rows;
}
