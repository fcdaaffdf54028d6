/** Ready-made events for tests of the bus and everything fed by it. */
import type { AnomalyEvent, StatsEvent } from "../../src/events/mod.ts";

/** A stats event whose payload is `{ n }` (plus `pad` filler characters when given). */
export function sampleStats(n: number, pad = 0): StatsEvent {
  return {
    kind: "stats",
    ts: new Date(1_700_000_000_000 + n).toISOString(),
    stats: pad > 0 ? { n, pad: "x".repeat(pad) } : { n },
  };
}

/**
 * The open event of an anomaly episode of TCP 192.0.2.1:40000 → 192.0.2.2:443 carrying `bytes` in its
 * interval, against a baseline of 1 kB; `over` replaces members.
 */
export function sampleAnomaly(
  bytes: number,
  reason = "test",
  over: Partial<AnomalyEvent> = {},
): AnomalyEvent {
  return {
    kind: "anomaly",
    phase: "open",
    episode_id: "f-lp0q3iw0-0a1b2c3d",
    ts: "2023-11-14T22:13:30.000Z",
    started_at: "2023-11-14T22:13:10.000Z",
    ended_at: null,
    duration_s: 20,
    scope: "flow",
    subject: "192.0.2.1:40000 → 192.0.2.2:443 (TCP)",
    direction: "sent",
    src_ip: "192.0.2.1",
    dst_ip: "192.0.2.2",
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    community_id: "1:wCb3OG7yAFWelaUydu0D+125CLM=",
    cidr: null,
    rule: "spike",
    bytes,
    packets: 10,
    flows: 1,
    level_bytes: 1200,
    baseline: { source: "recent", typical_bytes: 1000, spread_factor: 1.4, intervals: 60, mature: true },
    ratio: bytes / 1000,
    score: 10,
    threshold_bytes: 4000,
    k: 4,
    ratio_min: 4,
    min_bytes: 1000,
    interval_s: 10,
    peak_bytes: bytes,
    total_bytes: bytes * 2,
    excess_bytes: bytes * 2 - 2000,
    intervals: 2,
    close_reason: null,
    flow_bytes: bytes * 3,
    flow_packets: 20,
    unreported_same: 0,
    unreported_cap: 0,
    reason,
    ...over,
  };
}
