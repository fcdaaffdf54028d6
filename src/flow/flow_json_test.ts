import assert from "node:assert/strict";
import { createPacketBatch } from "../decode/packet_batch.ts";
import { FlowTable } from "./flow_table.ts";
import { type FlowJson, flowToJson, topFlowsByBytes } from "./flow_json.ts";
import { flowVisibilityJson, visibilityOf } from "./flow_visibility.ts";
import { flowThreatsJson, threatsOf } from "./flow_threats.ts";
import { addIpRow, findFlow, type FlowKeyText } from "../../tests/helpers/batch_rows.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

/** 2023-11-14T22:13:20.000Z */
const T0 = 1_700_000_000_000;

/** The Community ID spec's TCP example; the spec gives its ID. */
const WEB: FlowKeyText = {
  src: "128.232.110.120",
  dst: "66.35.250.204",
  srcPort: 34855,
  dstPort: 80,
  proto: 6,
};

/** A table holding `flows`, each as one packet per entry of its `bytes`, 1 ms apart from `tsMs`. */
function tableWith(flows: { key: FlowKeyText; bytes: number[]; tsMs: number }[], capacity = 64): FlowTable {
  const table = new FlowTable(capacity);
  const b = createPacketBatch(256);
  for (const f of flows) {
    f.bytes.forEach((ipBytes, i) => addIpRow(b, { ...f.key, ipBytes, tsMs: f.tsMs + i }));
  }
  table.update(b, 0, b.count);
  return table;
}

Deno.test("flowToJson() renders a flow with exactly the documented field names and values", () => {
  const table = new FlowTable(8);
  const b = createPacketBatch(8);
  addIpRow(b, { ...WEB, tsMs: T0 + 250, ipBytes: 60, tcpFlags: 0x02 }); // SYN
  addIpRow(b, { ...WEB, tsMs: T0 + 1_250, ipBytes: 1500, tcpFlags: 0x18 }); // PSH|ACK
  addIpRow(b, { ...WEB, tsMs: T0 + 2_750, ipBytes: 52, tcpFlags: 0x11 }); // FIN|ACK
  table.update(b, 0, b.count);
  const id = findFlow(table, WEB);
  // The detector's columns: log-volume centre ln(100 kB + 1500 B) and a mean absolute deviation of 0.4.
  table.ewmaMean[id] = Math.log(100_000 + 1500);
  table.ewmaVar[id] = 0.4;
  table.ewmaIntervals[id] = 3;
  const json = flowToJson(table, id, 3);
  const expected: FlowJson = {
    src_ip: "128.232.110.120",
    dst_ip: "66.35.250.204",
    src_port: 34855,
    dst_port: 80,
    protocol: 6,
    bytes: 60 + 1500 + 52,
    packets: 3,
    first_seen: "2023-11-14T22:13:20.250Z",
    last_seen: "2023-11-14T22:13:22.750Z",
    duration_s: 2.5,
    tcp_flags: 0x02 | 0x18 | 0x11,
    // σ = √(π/2) × 0.4 for normally distributed log-volume; the spread factor is e^σ = 1.651.
    baseline: { source: "recent", typical_bytes: 100_000, spread_factor: 1.651, intervals: 3, mature: true },
    community_id: "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
    // visibility: nothing named it, and no TCP health detector ran over these rows
    server_name: null,
    name_source: null,
    retransmissions: 0,
    out_of_order: 0,
    zero_windows: 0,
    rtt_ms: null,
    // threats: no block list, no attack signal
    blocklist: null,
    attack_score: 0,
    attack_signals: [],
  };
  assert.deepEqual(json, expected);
  // Nothing more, nothing less, once serialised (no undefined members, no extra keys).
  assert.deepEqual(JSON.parse(JSON.stringify(json)), expected);
  assert.deepEqual(
    Object.keys(json.baseline).sort(),
    ["intervals", "mature", "source", "spread_factor", "typical_bytes"],
  );
});

Deno.test("flowToJson() calls a baseline mature only from the warm-up count on", () => {
  const table = tableWith([{ key: WEB, bytes: [100], tsMs: T0 }]);
  const id = findFlow(table, WEB);
  table.ewmaIntervals[id] = 29;
  assert.equal(flowToJson(table, id, 30).baseline.mature, false);
  table.ewmaIntervals[id] = 30;
  assert.equal(flowToJson(table, id, 30).baseline.mature, true);
});

Deno.test("flowToJson() writes IPv6 addresses as RFC 5952 text and a one-packet flow lasts 0 s", () => {
  const key: FlowKeyText = {
    src: "2001:db8:0:0:0:0:0:1",
    dst: "2001:DB8::2",
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
  };
  const table = tableWith([{ key, bytes: [80], tsMs: T0 + 0.5 }]);
  const json = flowToJson(table, findFlow(table, key), 30);
  assert.equal(json.src_ip, "2001:db8::1");
  assert.equal(json.dst_ip, "2001:db8::2");
  assert.equal(json.duration_s, 0);
  assert.equal(json.first_seen, json.last_seen);
  // Community ID of TCP [2001:db8::1]:40000 → [2001:db8::2]:443, from the spec with Python's hashlib.
  assert.equal(json.community_id, "1:RYG3Msb11GthNt1OYXJouPzmrvA=");
  assert.deepEqual(json.baseline, {
    source: "recent",
    typical_bytes: 0,
    spread_factor: 1,
    intervals: 0,
    mature: false,
  });
});

Deno.test("topFlowsByBytes() orders flows by bytes, largest first, ties by id, and skips removed flows", () => {
  const key = (n: number): FlowKeyText => ({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    srcPort: n,
    dstPort: 80,
    proto: 6,
  });
  // Flow 2 is created first and is the least recently seen; flows 0 and 3 tie on bytes.
  const table = tableWith([
    { key: key(2), bytes: [900], tsMs: T0 },
    { key: key(0), bytes: [500], tsMs: T0 + 100 },
    { key: key(1), bytes: [60, 40], tsMs: T0 + 200 },
    { key: key(3), bytes: [250, 250], tsMs: T0 + 300 },
    { key: key(4), bytes: [300], tsMs: T0 + 400 },
  ]);
  const ids = [0, 1, 2, 3, 4].map((n) => findFlow(table, key(n)));
  assert.ok(ids[0] < ids[3], "flow 0 was created before flow 3");
  assert.deepEqual(topFlowsByBytes(table, 3), [ids[2], ids[0], ids[3]]);
  assert.deepEqual(topFlowsByBytes(table, 10), [ids[2], ids[0], ids[3], ids[4], ids[1]]);
  assert.deepEqual(topFlowsByBytes(table, 0), []);
  table.expireIdle(T0 + 1); // removes flow 2 only
  assert.deepEqual(topFlowsByBytes(table, 3), [ids[0], ids[3], ids[4]]);
});

Deno.test("topFlowsByBytes() of an empty table is empty", () => {
  assert.deepEqual(topFlowsByBytes(new FlowTable(4), 5), []);
});

Deno.test("flowToJson() holds its visibility and threat parts whole and in order, for every kind of flow", () => {
  const rand = seededRng(7);
  const table = new FlowTable(4096);
  const b = createPacketBatch(4096);
  for (let i = 0; i < 3000; i++) {
    const v6 = i % 5 === 0;
    addIpRow(b, {
      src: v6 ? `2001:db8::${(i % 900).toString(16)}` : `10.1.${i % 200}.${i % 250}`,
      dst: v6 ? `2001:db8:1::${(i % 70).toString(16)}` : `198.51.100.${i % 90}`,
      srcPort: 1024 + (rand() % 60000),
      dstPort: [443, 53, 80, 0][rand() % 4],
      proto: [6, 17, v6 ? 58 : 1, 132][rand() % 4],
      ipBytes: 40 + (rand() % 1461),
      tsMs: T0 + rand() % 3_600_000 + (rand() % 1000) / 7, // fractions of a millisecond too
      tcpFlags: rand() % 256,
    });
  }
  table.update(b, 0, b.count);
  const names = visibilityOf(table), threats = threatsOf(table);
  const odd = ['a"quoted"\\name.example', "ünïcode.example", "tab\there.example", "x".repeat(253)];
  let checked = 0;
  for (let id = 0; id < table.highWater; id++) {
    if (table.family[id] === 0) continue;
    // Baselines: none yet, learning, mature, and values no real flow has (NaN, huge).
    const kind = rand() % 5;
    table.ewmaIntervals[id] = kind === 0 ? 0 : rand() % 10;
    table.ewmaMean[id] = kind === 3 ? NaN : kind === 4 ? 1e6 : Math.log(1500 + rand() % 1e7);
    table.ewmaVar[id] = kind === 4 ? 1e6 : (rand() % 2000) / 1000;
    if (id % 3 === 0) names.setName(id, odd[id % odd.length], 1 + (id % 3));
    if (table.proto[id] === 6) {
      names.syncTcp(id);
      names.retransmissions[id] = rand() % 50;
      names.outOfOrder[id] = rand() % 9;
      names.zeroWindows[id] = rand() % 3;
      names.rttMs[id] = id % 4 === 0 ? NaN : (rand() % 100_000) / 997;
    }
    threats.sync(id);
    if (id % 11 === 0) {
      threats.listed.set(id, { list: id % 2 ? "feodo" : 'my "list"', entry: "198.51.100.0/24" });
      threats.listedSide[id] = id % 4 === 1 ? 1 : 2;
    }
    threats.attackScore[id] = (rand() % 1000) / 997;
    threats.attackSignals[id] = rand() % 32;
    // The parts as their own renderers give them, after the flow's own members: the same text.
    const json = flowToJson(table, id, 3);
    const src = json.src_ip, dst = json.dst_ip;
    const {
      server_name: _n,
      name_source: _s,
      retransmissions: _r,
      out_of_order: _o,
      zero_windows: _z,
      rtt_ms: _t,
      blocklist: _b,
      attack_score: _a,
      attack_signals: _g,
      ...own
    } = json;
    const parts = { ...own, ...flowVisibilityJson(table, id), ...flowThreatsJson(table, id, src, dst) };
    assert.equal(JSON.stringify(json), JSON.stringify(parts), `flow ${id}`);
    checked++;
  }
  assert.ok(checked > 2500, `${checked} flows compared`);
});
