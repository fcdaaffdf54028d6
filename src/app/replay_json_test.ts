import assert from "node:assert/strict";
import { replayJson, type ReplayResult } from "./replay.ts";

Deno.test("replayJson() writes what JSON.stringify writes, with anomalies shared by two lists", () => {
  const anomaly = (id: number) => ({
    kind: "anomaly",
    id,
    phase: "open",
    reason: `flow ${id} → “quoted” \u2028 ${"\\"} text`,
    baseline: { source: "recent", typical_bytes: id * 1.5, mature: false },
    ended_at: null,
    signals: ["sequence_gaps", undefined],
  });
  const anomalies = [anomaly(1), anomaly(2)];
  const security = { kind: "security", id: 3, type: "arp_spoof", missing: undefined };
  const result = {
    file: 'a "b".pcap',
    format: "pcap",
    totals: { frames: 3, nested: { list: [1, null, "x"] } },
    flows: [],
    anomalies,
    events: [anomalies[0], security, anomalies[1]],
    neighbours: [],
    dns: { "10.0.0.1": [{ name: "example.org", answers: [] }] },
    elapsed_s: 0.123,
    packets_per_s: 24,
    later: undefined,
  } as unknown as ReplayResult;
  assert.equal(replayJson(result), JSON.stringify(result));
  const empty = { ...result, anomalies: [], events: [] } as ReplayResult;
  assert.equal(replayJson(empty), JSON.stringify(empty));
});
