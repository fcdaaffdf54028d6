/**
 * What the stream keeps current for every screen: the stats series of the last 15 minutes, recent
 * anomalies and security events, the device list, whether the agent has advisories, and revision
 * counters that tell screens showing API pages (alerts, topology, advisories) to fetch again. One batch of events (one animation frame) is one
 * signal update, whatever its size.
 *
 * @module
 */
import { batch, signal } from "@preact/signals";
import type { StreamEvent } from "./stream.ts";
import type { DeviceJson, InterfaceJson, SecurityEvent, StoredAnomaly } from "./types.ts";

/** One point of the dashboard's charts. */
export interface StatsSample {
  /** When, epoch ms. */
  t: number;
  /** Frames per second over the last stats interval, all capture interfaces. */
  pps: number;
  /** Bits per second over the same. */
  bps: number;
  /** Active flows. */
  flows: number;
  /** Kernel drops since start, all interfaces. */
  drops: number;
}

/** How far back the charts go. */
export const SERIES_MS = 15 * 60_000;
/** Recent anomalies and security events kept in memory. */
export const MAX_RECENT = 500;

/** The last stats snapshot (the shape of GET /stats). */
export const latestStats = signal<Record<string, unknown> | null>(null);
/** The charts' points, oldest first. */
export const statsSeries = signal<StatsSample[]>([]);
/**
 * Anomaly episodes, newest first, each once as its latest event (the open one, then the closed one with
 * the summary), as GET /anomalies holds them: loaded from it, then kept current by the stream.
 */
export const recentAnomalies = signal<StoredAnomaly[]>([]);
/** Security events seen on the stream since login, newest first (history is GET /alerts). */
export const recentSecurity = signal<(SecurityEvent & { id: number })[]>([]);
/** Devices by address. */
export const devices = signal<ReadonlyMap<string, DeviceJson>>(new Map());
/** Whether GET /devices has answered. */
export const devicesLoaded = signal(false);
/** Advisories raised on the stream since login (the menu's badge; the list is GET /advisories). */
export const advisoriesRaised = signal(0);
/** Whether this agent serves GET /advisories (its OpenAPI document lists it); null until known. */
export const advisoriesServed = signal<boolean | null>(null);
/** Bumped when something a screen fetched may have changed. */
export const revisions = {
  alerts: signal(0),
  topology: signal(0),
  anomalies: signal(0),
  /** An advisory was raised or resolved: GET /advisories has changed. */
  advisories: signal(0),
  /**
   * A polled interface has new rates: the topology's link colours have changed. Bumped at most once per
   * LINKS_REFRESH_MS (a site's switches send hundreds of interface events a minute).
   */
  links: signal(0),
};

/** Shortest time between two refetches of the topology for new link rates. */
export const LINKS_REFRESH_MS = 10_000;
let linksBumpedAt = -Infinity;
let linksPending: ReturnType<typeof setTimeout> | null = null;

/** Bumps revisions.links now, or once LINKS_REFRESH_MS has passed since the last bump (one trailing bump). */
function bumpLinks(now: number): void {
  if (linksPending !== null) return;
  const wait = linksBumpedAt + LINKS_REFRESH_MS - now;
  const bump = () => {
    linksPending = null;
    linksBumpedAt = Date.now();
    revisions.links.value++;
  };
  if (wait <= 0) bump();
  else linksPending = setTimeout(bump, wait);
}

/** Capture counters summed over interfaces: frames and their bytes, and kernel drops. */
export function captureTotals(
  stats: Record<string, unknown>,
): { frames: number; bytes: number; drops: number } {
  let frames = 0, bytes = 0, drops = 0;
  const capture = stats.capture as Record<string, Record<string, unknown>> | undefined;
  for (const c of Object.values(capture ?? {})) {
    frames += Number(c.rows) || 0;
    bytes += Number(c.bytes) || 0;
    drops += Number((c.kernel as Record<string, unknown> | undefined)?.drops) || 0;
  }
  return { frames, bytes, drops };
}

/** Active flows of a stats snapshot. */
export function activeFlows(stats: Record<string, unknown>): number {
  return Number((stats.flows as Record<string, unknown> | undefined)?.active) || 0;
}

let previous: { t: number; frames: number; bytes: number } | null = null;

/**
 * Adds a stats snapshot to the series. Rates come from the difference with the previous snapshot;
 * counters that went back (the agent restarted) give no point.
 */
export function addStatsSample(
  series: readonly StatsSample[],
  stats: Record<string, unknown>,
  t: number,
): StatsSample[] {
  const now = captureTotals(stats);
  const prev = previous;
  previous = { t, frames: now.frames, bytes: now.bytes };
  if (!prev || t <= prev.t || now.frames < prev.frames || now.bytes < prev.bytes) return series.slice();
  const dt = (t - prev.t) / 1000;
  const sample: StatsSample = {
    t,
    pps: (now.frames - prev.frames) / dt,
    bps: ((now.bytes - prev.bytes) * 8) / dt,
    flows: activeFlows(stats),
    drops: now.drops,
  };
  const from = t - SERIES_MS;
  const kept = series.filter((s) => s.t >= from);
  kept.push(sample);
  return kept;
}

/** Forgets everything (logout). */
export function resetLiveState(): void {
  previous = null;
  batch(() => {
    latestStats.value = null;
    statsSeries.value = [];
    recentAnomalies.value = [];
    recentSecurity.value = [];
    devices.value = new Map();
    devicesLoaded.value = false;
    advisoriesServed.value = null;
    advisoriesRaised.value = 0;
  });
}

function patchInterface(d: DeviceJson, iface: InterfaceJson): DeviceJson {
  const interfaces = d.interfaces.slice();
  const i = interfaces.findIndex((x) => x.index === iface.index);
  if (i >= 0) interfaces[i] = iface;
  else interfaces.push(iface);
  return { ...d, interfaces };
}

/**
 * `list` (newest first, one entry per episode) with `newer` events filed in: an event of an episode
 * already listed replaces it where it is (its closed event after its open one), any other goes first.
 * `newer` is in arrival order. At most {@link MAX_RECENT} are kept.
 */
export function mergeAnomalies(
  list: readonly StoredAnomaly[],
  newer: readonly StoredAnomaly[],
): StoredAnomaly[] {
  const out = list.slice();
  const at = new Map(out.map((a, i) => [a.episode_id, i]));
  const fresh: StoredAnomaly[] = [];
  const freshAt = new Map<string, number>();
  for (const e of newer) {
    const i = at.get(e.episode_id);
    const j = freshAt.get(e.episode_id);
    if (i !== undefined) out[i] = e;
    else if (j !== undefined) fresh[j] = e;
    else freshAt.set(e.episode_id, fresh.push(e) - 1);
  }
  return fresh.reverse().concat(out).slice(0, MAX_RECENT);
}

/** Applies one frame's events. */
export function applyEvents(events: readonly StreamEvent[]): void {
  let stats: { data: Record<string, unknown>; t: number }[] | null = null;
  const anomalies: StoredAnomaly[] = [];
  const security: (SecurityEvent & { id: number })[] = [];
  let advisory = false, raised = 0;
  let devs: Map<string, DeviceJson> | null = null;
  let alerts = false, topology = false, gap = false, links = false;
  for (const e of events) {
    switch (e.kind) {
      case "stats": {
        const t = Date.parse(String(e.data.ts)) || Date.now();
        (stats ??= []).push({ data: e.data.stats as Record<string, unknown>, t });
        break;
      }
      case "anomaly":
        anomalies.push(e.data as unknown as StoredAnomaly);
        alerts = true;
        break;
      case "security":
        security.push(e.data as unknown as SecurityEvent & { id: number });
        alerts = true;
        break;
      case "trap":
        alerts = true;
        break;
      case "device": {
        const d = e.data.device as DeviceJson | undefined;
        if (d) (devs ??= new Map(devices.value)).set(d.ip, d);
        break;
      }
      case "interface": {
        const ip = String(e.data.device_ip);
        const map = devs ??= new Map(devices.value);
        const d = map.get(ip);
        if (d) map.set(ip, patchInterface(d, e.data.interface as InterfaceJson));
        links = true;
        break;
      }
      case "topology":
        topology = true;
        break;
      case "advisory":
        // Also an alert of kind advisory in GET /alerts.
        advisory = alerts = true;
        if (e.data.phase === "raised") raised++;
        break;
      case "gap":
        gap = true;
        break;
    }
  }
  batch(() => {
    if (stats) {
      let series = statsSeries.value;
      for (const s of stats) series = addStatsSample(series, s.data, s.t);
      statsSeries.value = series;
      latestStats.value = stats[stats.length - 1].data;
    }
    if (anomalies.length) recentAnomalies.value = mergeAnomalies(recentAnomalies.value, anomalies);
    if (security.length) {
      recentSecurity.value = security.reverse().concat(recentSecurity.value).slice(0, MAX_RECENT);
    }
    if (advisory || gap) revisions.advisories.value++;
    if (raised) advisoriesRaised.value += raised;
    if (devs) devices.value = devs;
    if (alerts || gap) revisions.alerts.value++;
    if (topology || gap) revisions.topology.value++;
    if (gap) revisions.anomalies.value++;
  });
  if (links) bumpLinks(Date.now());
}
