/**
 * NetFlow v9 (RFC 3954) through the collector, from hand-written export packets: every octet is written
 * and commented here, and the expected values are the ones written.
 */
import assert from "node:assert/strict";
import { ip4, ip6, set, TestCollector, u16, u32, u8, v9 } from "../../tests/helpers/netflow_datagrams.ts";
import { formatIp } from "../net/address.ts";
import { RecordDirection } from "../flow/mod.ts";

const SECS = 1_700_000_000; // header UNIX seconds
const UP = 3_600_000; // header sysUptime: one hour, ms

/** Template 300 (25-octet records): v4 addresses, ports, protocol, counts, first/last switched, sampler ID. */
const TEMPLATE = set(
  0, // template flowset
  u16(300), // template ID
  u16(10), // field count
  [...u16(8), ...u16(4)], // IPV4_SRC_ADDR
  [...u16(12), ...u16(4)], // IPV4_DST_ADDR
  [...u16(7), ...u16(2)], // L4_SRC_PORT
  [...u16(11), ...u16(2)], // L4_DST_PORT
  [...u16(4), ...u16(1)], // PROTOCOL
  [...u16(2), ...u16(4)], // IN_PKTS
  [...u16(1), ...u16(4)], // IN_BYTES
  [...u16(22), ...u16(4)], // FIRST_SWITCHED, sysUptime ms
  [...u16(21), ...u16(4)], // LAST_SWITCHED
  [...u16(48), ...u16(1)], // FLOW_SAMPLER_ID
);

function rec(
  src: string,
  dst: string,
  proto: number,
  sport: number,
  dport: number,
  first: number,
  sampler = 0,
) {
  return [
    ...ip4(src), // IPV4_SRC_ADDR
    ...ip4(dst), // IPV4_DST_ADDR
    ...u16(sport), // L4_SRC_PORT
    ...u16(dport), // L4_DST_PORT
    ...u8(proto), // PROTOCOL
    ...u32(10), // IN_PKTS
    ...u32(1000), // IN_BYTES
    ...u32(first), // FIRST_SWITCHED
    ...u32((first + 2000) % 4294967296), // LAST_SWITCHED: 2 s later
    ...u8(sampler), // FLOW_SAMPLER_ID
  ];
}

const head = (sequence: number, sourceId = 7) => ({ sysUptime: UP, unixSecs: SECS, sequence, sourceId });

Deno.test("v9: records are timed from the header's sysUptime, across an uptime wrap", () => {
  const t = new TestCollector();
  t.feed(v9(head(0), TEMPLATE, set(300, rec("10.231.121.1", "10.231.121.2", 17, 5353, 53, UP - 10_000))));
  const r = t.records[0];
  assert.deepEqual([r.startMs, r.endMs], [SECS * 1000 - 10_000, SECS * 1000 - 8_000]);
  assert.deepEqual([r.proto, r.srcPort, r.dstPort, r.packets, r.bytes, r.kind, r.domain], [
    17,
    5353,
    53,
    10,
    1000,
    9,
    7,
  ]);
  // An exporter 1 s past an uptime wrap reports a flow that started 3 s before it, at 2^32 − 2000.
  const w = new TestCollector();
  w.feed(
    v9(
      { ...head(0), sysUptime: 1000 },
      TEMPLATE,
      set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, 4294967296 - 2000)),
    ),
  );
  assert.deepEqual([w.records[0].startMs, w.records[0].endMs], [SECS * 1000 - 3000, SECS * 1000 - 1000]);
});

Deno.test("v9: ICMP type and code go where capture puts them (source port type, destination port code)", () => {
  const t = new TestCollector();
  t.feed(v9(
    head(0),
    set(0, u16(301), u16(3), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)], [...u16(32), ...u16(2)]), // src, dst, ICMP_TYPE
    set(301, [...ip4("10.231.121.1"), ...ip4("10.231.121.2"), ...u16(0x0803)]), // type 8 code 3, no PROTOCOL field
    set(0, u16(302), u16(4), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)], [...u16(4), ...u16(1)], [
      ...u16(11),
      ...u16(2),
    ]),
    set(302, [...ip4("10.231.121.1"), ...ip4("10.231.121.2"), 1, ...u16(0x0b00)]), // ICMP, type 11 in L4_DST_PORT
  ));
  // Without PROTOCOL the record is not known to be ICMP: its key keeps the field as the destination port.
  assert.deepEqual(t.records.map((r) => [r.proto, r.srcPort, r.dstPort]), [[0, 0, 0], [1, 11, 0]]);
});

Deno.test("v9: options data gives the sampling interval, per sampler ID and for the source", () => {
  const t = new TestCollector();
  t.feed(v9(
    head(0),
    set(
      1, // options template flowset
      u16(310), // template ID
      u16(4), // option scope length: one field, 4 octets
      u16(8), // option length: two fields
      [...u16(1), ...u16(4)], // scope: System (RFC 3954 §6.1 scope type 1)
      [...u16(48), ...u16(1)], // FLOW_SAMPLER_ID
      [...u16(34), ...u16(4)], // SAMPLING_INTERVAL
      [0, 0], // padding to 32 bits
    ),
    set(310, [...u32(0), ...u8(1), ...u32(100)], [...u32(0), ...u8(2), ...u32(1000)], [0, 0]), // sampler 1: 1/100, 2: 1/1000
    TEMPLATE,
    set(
      300,
      rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP, 1), // sampler 1
      rec("10.231.121.3", "10.231.121.4", 6, 1, 2, UP, 2), // sampler 2
      rec("10.231.121.5", "10.231.121.6", 6, 1, 2, UP, 9), // unknown sampler: the source's last announced rate
    ),
  ));
  assert.deepEqual(t.records.map((r) => [r.sampling, r.packets, r.bytes]), [
    [100, 1000, 100_000],
    [1000, 10_000, 1_000_000],
    [1000, 10_000, 1_000_000],
  ]);
  assert.deepEqual([t.stats().options_records, t.stats().malformed], [2, 0]);
});

Deno.test("v9: FLINTNET_NETFLOW_SAMPLING for the exporter wins over announced rates", () => {
  const t = new TestCollector({ sampling: [{ family: 4, words: [0xc0000201, 0, 0, 0], rate: 50 }] }); // 192.0.2.1
  t.feed(v9(
    head(0),
    set(1, u16(310), u16(4), u16(4), [...u16(1), ...u16(4)], [...u16(34), ...u16(4)]), // scope System, SAMPLING_INTERVAL
    set(310, [...u32(0), ...u32(100)]), // 1 in 100 announced
    TEMPLATE,
    set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP, 1)),
  ));
  assert.deepEqual([t.records[0].sampling, t.records[0].packets], [50, 500]);
  assert.equal(t.stats().exporters["192.0.2.1"].sampling_override, 50);
});

Deno.test("v9: a zero-field template is counted, the templates beside it are kept", () => {
  const t = new TestCollector();
  t.feed(
    v9(
      head(0),
      set(0, [...u16(299), ...u16(0)], TEMPLATE.slice(4)),
      set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP)),
    ),
  );
  assert.deepEqual([t.stats().malformed_by_reason.empty_template, t.records.length, t.stats().templates], [
    1,
    1,
    1,
  ]);
});

Deno.test("v9: a reserved flowset ID is skipped and counted; the flowsets after it are decoded", () => {
  const t = new TestCollector();
  t.feed(
    v9(head(0), set(5, [1, 2, 3, 4]), TEMPLATE, set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP))),
  );
  assert.deepEqual([t.stats().malformed_by_reason.reserved_set_id, t.records.length], [1, 1]);
});

Deno.test("v9: sequence numbers count export packets per source ID; a jump is a gap", () => {
  const t = new TestCollector();
  t.feed(v9(head(41), TEMPLATE));
  t.feed(v9(head(42), set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP))));
  t.feed(v9(head(0, 8), TEMPLATE)); // source ID 8 counts on its own
  t.feed(v9(head(45), set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP)))); // 43 and 44 lost
  t.feed(v9(head(1, 8)));
  assert.equal(t.stats().sequence_gaps, 1);
  assert.equal(t.stats().exporters["192.0.2.1"].domains, 2);
});

Deno.test("v9: IPv6 flows and an IPv6 exporter", () => {
  const t = new TestCollector();
  t.feed(
    v9(
      head(0),
      set(0, u16(320), u16(3), [...u16(27), ...u16(16)], [...u16(28), ...u16(16)], [...u16(1), ...u16(4)]), // v6 src, dst, IN_BYTES
      set(320, [...ip6("2001:db8::1"), ...ip6("2001:db8::2"), ...u32(1500)]),
    ),
    "2001:db8::99",
  );
  const r = t.records[0];
  assert.deepEqual([formatIp(r.family, r.src, 0), formatIp(r.family, r.dst, 0), r.bytes], [
    "2001:db8::1",
    "2001:db8::2",
    1500,
  ]);
  assert.deepEqual([r.exporterFamily, formatIp(6, r.exporter, 0)], [6, "2001:db8::99"]);
  assert.ok(t.stats().exporters["2001:db8::99"]);
});

Deno.test("v9: DIRECTION says ingress (0) or egress (1); another value, or no field, says nothing", () => {
  const t = new TestCollector();
  t.feed(v9(
    head(0),
    set(0, u16(330), u16(3), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)], [...u16(61), ...u16(1)]), // src, dst, DIRECTION
    set(
      330,
      [...ip4("10.231.121.1"), ...ip4("10.231.121.2"), ...u8(0)], // ingress
      [...ip4("10.231.121.1"), ...ip4("10.231.121.2"), ...u8(1)], // egress
      [...ip4("10.231.121.1"), ...ip4("10.231.121.2"), ...u8(7)], // not a direction
    ),
  ));
  t.feed(v9(head(1), TEMPLATE, set(300, rec("10.231.121.1", "10.231.121.2", 6, 1, 2, UP)))); // no DIRECTION field
  assert.deepEqual(t.records.map((r) => r.direction), [
    RecordDirection.Ingress,
    RecordDirection.Egress,
    RecordDirection.Unknown,
    RecordDirection.Unknown,
  ]);
});
