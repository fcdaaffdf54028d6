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

/** An anomaly of TCP 192.0.2.1:40000 → 192.0.2.2:443 carrying `bytes` in its interval. */
export function sampleAnomaly(bytes: number, reason = "test"): AnomalyEvent {
  return {
    kind: "anomaly",
    ts: "2023-11-14T22:13:30.000Z",
    src_ip: "192.0.2.1",
    dst_ip: "192.0.2.2",
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    bytes,
    packets: 10,
    ewma_bytes: 1000,
    ewma_stddev_bytes: 100,
    threshold_bytes: 1400,
    min_bytes: 1000,
    score: 10,
    k: 4,
    interval_s: 10,
    duration_s: 60,
    flow_bytes: bytes * 2,
    flow_packets: 20,
    community_id: "1:wCb3OG7yAFWelaUydu0D+125CLM=",
    reason,
  };
}
