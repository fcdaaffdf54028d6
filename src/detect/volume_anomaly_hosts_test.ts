import assert from "node:assert/strict";
import type { FlowKeyText } from "../../tests/helpers/batch_rows.ts";
import { anomalyHarness, steady } from "../../tests/helpers/anomaly_harness.ts";

const MB = 1_000_000;
/** A local host's long-lived flow to a server outside. */
const BACKUP: FlowKeyText = { src: "10.0.1.5", dst: "198.51.100.7", srcPort: 40000, dstPort: 443, proto: 6 };

/** `n` short flows of 10.0.1.5 to one outside address, each with its own source port. */
function shortFlows(n: number, first: number): FlowKeyText[] {
  return Array.from({ length: n }, (_, i) => ({
    src: "10.0.1.5",
    dst: "203.0.113.66",
    srcPort: first + i,
    dstPort: 443,
    proto: 6,
  }));
}

Deno.test("VolumeAnomalyDetector sees a host exfiltrating over many short flows, none of them old enough to alert", () => {
  const h = anomalyHarness();
  for (let i = 0; i < 40; i++) h.send(BACKUP, i, MB);
  // From interval 40: 5 MB more an interval, over 50 new flows of 30 s (three intervals) each.
  for (let i = 40; i < 52; i++) {
    h.send(BACKUP, i, MB);
    const wave = Math.floor((i - 40) / 3);
    for (const key of shortFlows(50, 30000 + wave * 50)) h.send(key, i, 100_000, 2);
  }
  h.series(BACKUP, steady(10, MB), 52);
  h.pipeline.finish();
  const opens = h.opens();
  assert.deepEqual(opens.map((e) => [e.scope, e.subject, e.direction]), [["host", "10.0.1.5", "sent"]]);
  const e = opens[0];
  assert.equal(e.started_at, h.at(40));
  assert.equal(e.bytes, 6 * MB);
  assert.equal(e.flows, 51);
  assert.deepEqual([e.src_ip, e.dst_ip, e.src_port, e.protocol, e.community_id], [
    "10.0.1.5",
    null,
    null,
    null,
    null,
  ]);
  assert.ok(
    e.reason.startsWith("10.0.1.5 sent 6.0 MB in 10 s over 51 flows, 6.0× its usual 1.0 MB"),
    e.reason,
  );
  const end = h.closes()[0];
  assert.equal(end.episode_id, e.episode_id);
  assert.equal(end.total_bytes, 12 * 6 * MB);
  assert.equal(end.excess_bytes, 12 * 5 * MB);
});

Deno.test("VolumeAnomalyDetector reports a flow's surge once: its host and subnet rose by the same bytes and stay quiet", () => {
  const h = anomalyHarness();
  h.series(BACKUP, [...steady(40, MB), 8 * MB, 8 * MB, 8 * MB, ...steady(10, MB)]);
  h.pipeline.finish();
  assert.deepEqual(h.opens().map((e) => e.scope), ["flow"]);
  assert.ok(h.detector.stats().explained >= 2, "the host and its subnet were explained by the flow");
});

Deno.test("VolumeAnomalyDetector sees a subnet whose new hosts together carry far more than it did", () => {
  const h = anomalyHarness();
  const old = Array.from({ length: 10 }, (_, i): FlowKeyText => ({
    src: `10.0.9.${10 + i}`,
    dst: "198.51.100.7",
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
  }));
  const fresh = old.map((k, i) => ({ ...k, src: `10.0.9.${100 + i}` }));
  for (let i = 0; i < 60; i++) {
    for (const k of old) h.send(k, i, 200_000, 2);
    // From interval 40 ten hosts never seen before send 1 MB each: each new, the subnet 6× its usual.
    if (i >= 40 && i < 46) { for (const k of fresh) h.send(k, i, MB, 2); }
  }
  h.pipeline.finish();
  assert.deepEqual(h.opens().map((e) => [e.scope, e.subject, e.direction, e.cidr]), [
    ["subnet", "10.0.9.0/24", "sent", "10.0.9.0/24"],
  ]);
  assert.ok(h.opens()[0].reason.includes("over 20 flows"), h.opens()[0].reason);
});

Deno.test("VolumeAnomalyDetector watches a host's received traffic apart from what it sends, IPv6 too", () => {
  const h = anomalyHarness();
  // 2001:db8::/32 is local in the harness; 3fff::/20 (RFC 9637, documentation) is outside.
  const down: FlowKeyText = { src: "3fff::1", dst: "2001:db8:7::9", srcPort: 443, dstPort: 50000, proto: 6 };
  const up: FlowKeyText = { ...down, src: down.dst, dst: down.src, srcPort: 50000, dstPort: 443 };
  for (let i = 0; i < 60; i++) {
    h.send(up, i, 100_000); // what the host sends stays at 100 kB an interval
    h.send(down, i, MB);
    // Another server sends it 9 MB an interval for five intervals: it receives 10× its usual.
    if (i >= 40 && i < 45) h.send({ ...down, src: "3fff::2" }, i, 9 * MB);
  }
  h.pipeline.finish();
  assert.deepEqual(h.opens().map((e) => [e.scope, e.subject, e.direction, e.src_ip, e.dst_ip]), [
    ["host", "2001:db8:7::9", "received", null, "2001:db8:7::9"],
  ]);
  // Its /64 received the same bytes: explained by the host's anomaly, not reported again.
  assert.ok(h.detector.stats().explained >= 1);
});
