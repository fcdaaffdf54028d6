/**
 * NetFlow v5 through the collector, from hand-written datagrams (every octet commented), and the
 * problems any version can have before its body: a short datagram, an unknown version.
 */
import assert from "node:assert/strict";
import { ip4, TestCollector, u16, u32, u8 } from "../../tests/helpers/netflow_datagrams.ts";
import { formatIp } from "../net/address.ts";

const SECS = 1_700_000_000;
const UP = 100_000; // sysUptime, ms

function header(count: number, sequence: number, sampling = 0, engine = [0, 0]): number[] {
  return [
    ...u16(5), // version
    ...u16(count), // records in this datagram
    ...u32(UP), // sysUptime, ms
    ...u32(SECS), // unix_secs
    ...u32(500_000_000), // unix_nsecs: half a second
    ...u32(sequence), // flow_sequence: flows exported before this datagram
    ...u8(engine[0]), // engine_type
    ...u8(engine[1]), // engine_id
    ...u16(sampling), // 2 bits mode, 14 bits interval
  ];
}

function record(
  src: string,
  dst: string,
  proto: number,
  sport: number,
  dport: number,
  flags = 0x1b,
): number[] {
  return [
    ...ip4(src), // srcaddr
    ...ip4(dst), // dstaddr
    ...ip4("10.231.122.254"), // nexthop
    ...u16(3), // input ifIndex
    ...u16(4), // output ifIndex
    ...u32(7), // dPkts
    ...u32(700), // dOctets
    ...u32(UP - 4000), // first: sysUptime at the first packet
    ...u32(UP - 1000), // last
    ...u16(sport), // srcport
    ...u16(dport), // dstport
    ...u8(0), // pad1
    ...u8(flags), // tcp_flags
    ...u8(proto), // prot
    ...u8(0x28), // tos
    ...u16(64512), // src_as
    ...u16(64513), // dst_as
    ...u8(24), // src_mask
    ...u8(16), // dst_mask
    ...u16(0), // pad2
  ];
}

Deno.test("v5: every field of a fixed record lands in the flow record", () => {
  const t = new TestCollector();
  t.feed([...header(1, 0), ...record("10.231.122.1", "10.231.122.2", 6, 40000, 22)]);
  const r = t.records[0];
  assert.deepEqual(
    [formatIp(4, r.src, 0), formatIp(4, r.dst, 0), r.srcPort, r.dstPort, r.proto, r.tcpFlags, r.tos],
    ["10.231.122.1", "10.231.122.2", 40000, 22, 6, 0x1b, 0x28],
  );
  assert.deepEqual([r.inIf, r.outIf, r.srcAs, r.dstAs, r.packets, r.bytes, r.sampling], [
    3,
    4,
    64512,
    64513,
    7,
    700,
    1,
  ]);
  const exported = SECS * 1000 + 500;
  assert.deepEqual([r.startMs, r.endMs, r.durationMs], [exported - 4000, exported - 1000, 3000]);
  assert.deepEqual([r.kind, r.family], [5, 4]);
});

Deno.test("v5: the header's sampling interval multiplies packets and bytes", () => {
  const t = new TestCollector();
  t.feed([...header(1, 0, 0x4000 | 10), ...record("10.231.122.1", "10.231.122.2", 17, 1, 2)]); // mode 1, 1 in 10
  assert.deepEqual([t.records[0].sampling, t.records[0].packets, t.records[0].bytes], [10, 70, 7000]);
  assert.deepEqual([t.stats().packets, t.stats().bytes], [70, 7000]);
});

Deno.test("v5: ICMP type and code in the destination port become source port and destination port", () => {
  const t = new TestCollector();
  t.feed([...header(1, 0), ...record("10.231.122.1", "10.231.122.2", 1, 0, 0x0300 | 1)]); // type 3 code 1
  assert.deepEqual([t.records[0].srcPort, t.records[0].dstPort], [3, 1]);
});

Deno.test("v5: flow_sequence counts flows per engine; a jump is a gap", () => {
  const t = new TestCollector();
  const two = [
    ...record("10.231.122.1", "10.231.122.2", 6, 1, 2),
    ...record("10.231.122.3", "10.231.122.4", 6, 1, 2),
  ];
  t.feed([...header(2, 10), ...two]);
  t.feed([...header(2, 12), ...two]); // 10 + 2: in order
  t.feed([...header(2, 0, 0, [1, 1]), ...two]); // another engine counts on its own
  t.feed([...header(2, 20), ...two]); // expected 14
  assert.deepEqual([t.stats().sequence_gaps, t.stats().records], [1, 8]);
});

Deno.test("v5: a count the datagram cannot hold, a short datagram and an unknown version are counted malformed", () => {
  const t = new TestCollector();
  t.feed([...header(3, 0), ...record("10.231.122.1", "10.231.122.2", 6, 1, 2)]); // says 3, holds 1
  t.feed([...header(0, 0)]); // no records at all
  t.feed(header(1, 0).slice(0, 20)); // a header cut short
  t.feed([0]); // one octet
  t.feed([...u16(7), ...new Array(30).fill(0)]); // version 7
  const s = t.stats();
  assert.deepEqual([s.datagrams, s.malformed, s.records], [5, 5, 0]);
  assert.deepEqual(
    [
      s.malformed_by_reason.bad_length,
      s.malformed_by_reason.truncated_header,
      s.malformed_by_reason.unknown_version,
    ],
    [2, 2, 1],
  );
});
