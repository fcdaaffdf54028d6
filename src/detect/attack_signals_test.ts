import assert from "node:assert/strict";
import type { AnomalyEvent, FlintnetEvent } from "../events/mod.ts";
import { FlowPipeline, FlowTable, flowToJson } from "../flow/mod.ts";
import { parseIp } from "../net/mod.ts";
import { batchOf, findFlow, type IpRow } from "../../tests/helpers/batch_rows.ts";
import { AttackAllowlist, parseAllowlist } from "./attack_allowlist.ts";
import { AttackSignals } from "./attack_signals.ts";
import { TcpHealthDetector } from "./tcp_health.ts";

const T0 = Date.UTC(2026, 11, 4, 12);
const IV = 10_000;

function setup(allowlist = new AttackAllowlist(null)) {
  const table = new FlowTable(10_000);
  const events: FlintnetEvent[] = [];
  const publish = (e: FlintnetEvent) => events.push(e);
  const tcp = new TcpHealthDetector(table, publish, { rate: 0.5, minSegments: 1000 });
  const attack = new AttackSignals(table, publish, { threshold: 0.7, synMin: 100, allowlist });
  const pipeline = new FlowPipeline(table, [tcp, attack], {
    intervalMs: IV,
    idleTimeoutMs: 600_000,
    activeTimeoutMs: 3_600_000,
  });
  const anomalies = () => events.filter((e): e is AnomalyEvent => e.kind === "anomaly");
  return { table, pipeline, anomalies };
}

function syn(src: string, sp: number, ts: number, ttl = 64): IpRow & { ttl: number } {
  return {
    src,
    dst: "192.0.2.80",
    srcPort: sp,
    dstPort: 80,
    proto: 6,
    ipBytes: 40,
    tsMs: ts,
    tcpFlags: 0x02,
    ttl,
  };
}

function consume(p: FlowPipeline, rows: (IpRow & { ttl?: number; seq?: number; payLen?: number })[]) {
  const b = batchOf(rows);
  rows.forEach((r, i) => {
    b.ttl[i] = r.ttl ?? 64;
    b.tcpSeq[i] = r.seq ?? 0;
    b.payLen[i] = r.payLen ?? 0;
  });
  p.consume(b);
}

Deno.test("parseAllowlist() reads addresses, networks and ports (tcp, udp or both) and counts the rest", () => {
  const a = parseAllowlist(
    "# good\n192.0.2.7\n10.0.0.0/8 ; lab\nport 443\n53/udp\n22/TCP\nport 70000\nnonsense\n",
  );
  assert.equal(a.entries, 5);
  assert.equal(a.malformed, 2);
  assert.deepEqual([a.tcpPorts[443], a.udpPorts[443], a.tcpPorts[53], a.udpPorts[53], a.tcpPorts[22]], [
    1,
    1,
    0,
    1,
    1,
  ]);
  const ip = parseIp("10.9.8.7")!;
  assert.ok(a.addresses.find(4, ip.words, 0) >= 0);
});

Deno.test("AttackSignals marks a source's unanswered SYNs as syn_flood, opens one attack episode and closes it with totals", () => {
  const s = setup();
  const rows = [];
  for (let i = 0; i < 150; i++) rows.push(syn("10.0.0.66", 20_000 + i, T0 + i));
  // an ordinary connection of the same source: answered and acknowledged
  rows.push({ ...syn("10.0.0.66", 40_000, T0 + 500), tcpFlags: 0x02 });
  rows.push({ ...syn("10.0.0.66", 40_000, T0 + 501), tcpFlags: 0x10, ipBytes: 52 });
  consume(s.pipeline, rows);
  consume(s.pipeline, [{ ...syn("10.0.0.5", 1, T0 + IV + 1), tcpFlags: 0x10 }]); // closes the interval
  const flooded = findFlow(s.table, {
    src: "10.0.0.66",
    dst: "192.0.2.80",
    srcPort: 20_000,
    dstPort: 80,
    proto: 6,
  });
  const ok = findFlow(s.table, {
    src: "10.0.0.66",
    dst: "192.0.2.80",
    srcPort: 40_000,
    dstPort: 80,
    proto: 6,
  });
  const fj = flowToJson(s.table, flooded, 1);
  assert.ok(fj.attack_signals.includes("syn_flood") && fj.attack_score >= 0.7, JSON.stringify(fj));
  assert.deepEqual(flowToJson(s.table, ok, 1).attack_signals, []);
  const open = s.anomalies().filter((e) => e.rule === "attack" && e.phase === "open");
  assert.equal(open.length, 1);
  assert.equal(open[0].src_ip, "10.0.0.66");
  assert.deepEqual(open[0].signals?.find((x) => x.name === "syn_flood")?.count, 150);
  // a quiet interval later the episode closes
  consume(s.pipeline, [{ ...syn("10.0.0.5", 1, T0 + 3 * IV + 1), tcpFlags: 0x10 }]);
  const closed = s.anomalies().filter((e) => e.rule === "attack" && e.phase === "closed");
  assert.equal(closed.length, 1);
  assert.equal(closed[0].episode_id, open[0].episode_id);
});

Deno.test("AttackSignals: tiny packets, a low first TTL and sequence gaps each mark their flow", () => {
  const s = setup();
  const rows: (IpRow & { ttl?: number; seq?: number; payLen?: number })[] = [];
  for (let i = 0; i < 120; i++) {
    rows.push({
      src: "10.0.0.7",
      dst: "192.0.2.9",
      srcPort: 5000,
      dstPort: 53,
      proto: 17,
      ipBytes: 29,
      tsMs: T0 + i,
    });
  }
  rows.push({
    src: "10.0.0.8",
    dst: "192.0.2.9",
    srcPort: 33434,
    dstPort: 33435,
    proto: 17,
    ipBytes: 60,
    tsMs: T0,
    ttl: 2,
  });
  // data segments of 100 octets with two holes in the sequence
  for (const [k, seq] of [1000, 1100, 1400, 1500, 1800].entries()) {
    rows.push({
      src: "10.0.0.9",
      dst: "192.0.2.9",
      srcPort: 44_000,
      dstPort: 443,
      proto: 6,
      ipBytes: 140,
      tsMs: T0 + 200 + k,
      tcpFlags: 0x18,
      seq,
      payLen: 100,
    });
  }
  consume(s.pipeline, rows);
  consume(s.pipeline, [{ ...syn("10.0.0.5", 1, T0 + IV + 1), tcpFlags: 0x10 }]);
  const sig = (k: { src: string; srcPort: number; dstPort: number; proto: number }) =>
    flowToJson(s.table, findFlow(s.table, { ...k, dst: "192.0.2.9" }), 1).attack_signals;
  assert.deepEqual(sig({ src: "10.0.0.7", srcPort: 5000, dstPort: 53, proto: 17 }), ["tiny_packets"]);
  assert.deepEqual(sig({ src: "10.0.0.8", srcPort: 33434, dstPort: 33435, proto: 17 }), ["low_ttl"]);
  assert.deepEqual(sig({ src: "10.0.0.9", srcPort: 44_000, dstPort: 443, proto: 6 }), ["sequence_gaps"]);
});

Deno.test("AttackSignals leaves traffic on the allow list unscored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fth-allow-" });
  try {
    await Deno.writeTextFile(`${dir}/attack-allowlist.txt`, "port 80\n");
    const allow = new AttackAllowlist(`${dir}/attack-allowlist.txt`);
    await allow.refresh();
    const s = setup(allow);
    const rows = [];
    for (let i = 0; i < 150; i++) rows.push(syn("10.0.0.66", 20_000 + i, T0 + i));
    consume(s.pipeline, rows);
    consume(s.pipeline, [{ ...syn("10.0.0.5", 1, T0 + IV + 1), tcpFlags: 0x10 }]);
    const id = findFlow(s.table, {
      src: "10.0.0.66",
      dst: "192.0.2.80",
      srcPort: 20_000,
      dstPort: 80,
      proto: 6,
    });
    assert.equal(flowToJson(s.table, id, 1).attack_score, 0);
    assert.equal(s.anomalies().length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
