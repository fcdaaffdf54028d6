/**
 * sFlow v5 through the collector, from hand-written datagrams (every field commented) around packets built
 * by the frame helpers: each expected value is what was written into the sampled packet or the sample
 * (addresses, ports, flags, VLAN, the IP length times the rate), not what the decoder computes.
 */
import assert from "node:assert/strict";
import {
  ip4,
  sflowDatagram as datagram,
  sflowFlowSample as flowSample,
  sflowItem as item,
  sflowSampledHeader as sampledHeader,
  TestCollector,
  u32,
} from "../../tests/helpers/netflow_datagrams.ts";
import {
  arp,
  ethernet,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  icmp,
  ipv4,
  ipv6,
  payload,
  PROTO,
  tcp,
  udp,
} from "../../tests/helpers/frames.ts";
import { formatIp } from "../net/address.ts";
import { FlowTable } from "../flow/mod.ts";
import { createFlowRecordBatch, SourceKind } from "./flow_record.ts";
import { NetflowCollector } from "./collector.ts";
import { parseIp } from "../net/mod.ts";

const SYN = 0x02;
const tcpPacket = ipv4(
  { src: "10.231.80.1", dst: "10.231.80.2", proto: PROTO.TCP, tos: 0x28 },
  tcp({ srcPort: 40001, dstPort: 443, flags: SYN }, payload(100)),
);
const udp6Packet = ipv6(
  { src: "2001:db8:80::1", dst: "2001:db8:80::2", proto: PROTO.UDP },
  udp({ srcPort: 5353, dstPort: 53 }, payload(30)),
);

Deno.test("sFlow: a flow sample's sampled Ethernet header becomes a record, counted times the rate", () => {
  const c = new TestCollector();
  const frame = ethernet({ etherType: ETHERTYPE_IPV4, vlans: [120] }, tcpPacket);
  c.feed(datagram(1, [flowSample(512, [sampledHeader(frame)])]), "192.0.2.1", 1_700_000_000_000);
  assert.equal(c.records.length, 1);
  const r = c.records[0];
  assert.deepEqual(
    [formatIp(4, r.src, 0), formatIp(4, r.dst, 0), r.srcPort, r.dstPort, r.proto, r.tcpFlags, r.tos, r.vlan],
    ["10.231.80.1", "10.231.80.2", 40001, 443, PROTO.TCP, SYN, 0x28, 120],
  );
  // tcpPacket is the IP packet: its octets (header included) and one packet, each 512 times
  assert.deepEqual([r.bytes, r.packets, r.sampling], [tcpPacket.length * 512, 512, 512]);
  assert.deepEqual([r.inIf, r.outIf, r.kind, r.receivedMs], [3, 4, SourceKind.Sflow, 1_700_000_000_000]);
  assert.deepEqual([r.startMs, r.endMs], [0, 0], "a sample has no times of its own");
  const s = c.stats();
  assert.deepEqual([s.datagrams, s.records, s.packets, s.bytes, s.malformed], [
    1,
    1,
    512,
    tcpPacket.length * 512,
    0,
  ]);
  assert.deepEqual(s.exporters["192.0.2.1"].versions, ["sflow_v5"], "the UDP source is the exporter");
});

Deno.test("sFlow: expanded flow samples, IPv6 headers and agents, sampled IPv4 records, ICMP types as ports", () => {
  const c = new TestCollector();
  const expanded = item(3, [
    ...u32(9), // sequence_number
    ...u32(0), // source_id_type
    ...u32(77), // source_id_index
    ...u32(1000), // sampling_rate
    ...u32(50_000), // sample_pool
    ...u32(0), // drops
    ...u32(0), // input format: ifIndex
    ...u32(77), // input value
    ...u32(0), // output format
    ...u32(78), // output value
    ...u32(1), // flow records
    ...sampledHeader(ethernet({ etherType: ETHERTYPE_IPV6 }, udp6Packet)),
  ]);
  const sampledIpv4 = item(3, [
    ...u32(84), // length of the IP packet
    ...u32(PROTO.ICMP), // protocol
    ...ip4("10.231.80.5"), // src_ip
    ...ip4("10.231.80.6"), // dst_ip
    ...u32(8), // src_port: the ICMP type where capture keeps it
    ...u32(0), // dst_port: the code
    ...u32(0), // tcp_flags
    ...u32(0), // tos
  ]);
  const icmpPacket = ipv4(
    { src: "10.231.80.7", dst: "10.231.80.8", proto: PROTO.ICMP },
    icmp({ type: 3, code: 1 }),
  );
  c.feed(
    datagram(1, [expanded, flowSample(2, [sampledIpv4]), flowSample(1, [sampledHeader(icmpPacket, 11)])], {
      ipv6Agent: true,
    }),
  );
  assert.equal(c.records.length, 3);
  const [v6, sampled, bare] = c.records;
  assert.deepEqual(
    [formatIp(6, v6.src, 0), formatIp(6, v6.dst, 0), v6.srcPort, v6.dstPort, v6.proto, v6.inIf, v6.outIf],
    ["2001:db8:80::1", "2001:db8:80::2", 5353, 53, PROTO.UDP, 77, 78],
  );
  assert.deepEqual([v6.bytes, v6.packets], [udp6Packet.length * 1000, 1000]);
  assert.deepEqual(
    [
      formatIp(4, sampled.src, 0),
      sampled.srcPort,
      sampled.dstPort,
      sampled.proto,
      sampled.bytes,
      sampled.packets,
    ],
    ["10.231.80.5", 8, 0, PROTO.ICMP, 168, 2],
  );
  assert.deepEqual(
    [formatIp(4, bare.dst, 0), bare.srcPort, bare.dstPort, bare.bytes],
    ["10.231.80.8", 3, 1, icmpPacket.length],
    "a bare IPv4 header (protocol 11), ICMP type and code in the ports",
  );
});

Deno.test("sFlow: IPv6 extension headers are walked to the ports; a later fragment counts without them", () => {
  const c = new TestCollector();
  const withOptions = ipv6(
    {
      src: "2001:db8:81::1",
      dst: "2001:db8:81::2",
      proto: PROTO.TCP,
      extensions: [{ type: 0, len8: 1 }, { type: 60 }],
    },
    tcp({ srcPort: 40002, dstPort: 22, flags: 0x18 }, payload(20)),
  );
  const firstFragment = ipv6(
    {
      src: "2001:db8:81::3",
      dst: "2001:db8:81::4",
      proto: PROTO.UDP,
      extensions: [{ type: 44, more: true }],
    },
    udp({ srcPort: 5000, dstPort: 6000 }, payload(40)),
  );
  const laterFragment = ipv6(
    {
      src: "2001:db8:81::3",
      dst: "2001:db8:81::4",
      proto: PROTO.UDP,
      extensions: [{ type: 44, offset: 48 }],
    },
    payload(40),
  );
  const later4 = ipv4(
    { src: "10.231.81.5", dst: "10.231.81.6", proto: PROTO.UDP, fragOffset: 1480 },
    payload(60),
  );
  c.feed(datagram(1, [
    flowSample(1, [sampledHeader(withOptions, 12)]),
    flowSample(1, [sampledHeader(firstFragment, 12)]),
    flowSample(1, [sampledHeader(laterFragment, 12)]),
    flowSample(1, [sampledHeader(later4, 11)]),
  ]));
  assert.deepEqual(
    c.records.map((r) => [r.proto, r.srcPort, r.dstPort, r.tcpFlags, r.bytes]),
    [
      [PROTO.TCP, 40002, 22, 0x18, withOptions.length],
      [PROTO.UDP, 5000, 6000, 0, firstFragment.length],
      [PROTO.UDP, 0, 0, 0, laterFragment.length],
      [PROTO.UDP, 0, 0, 0, later4.length],
    ],
  );
});

Deno.test("sFlow: counter samples and samples of packets that are not IP are no flows, and are counted", () => {
  const c = new TestCollector();
  const counters = item(2, [...u32(1), ...u32(3), ...u32(0)]); // sequence, source id, no counter records
  const arpFrame = ethernet(
    { etherType: ETHERTYPE_ARP },
    arp({ op: 1, sha: "02:00:00:00:00:01", spa: "10.231.80.1", tpa: "10.231.80.9" }),
  );
  const switchData = item(1001, [...u32(10), ...u32(0), ...u32(20), ...u32(0)]); // extended switch: VLANs
  c.feed(datagram(1, [counters, flowSample(64, [switchData, sampledHeader(arpFrame)])]));
  assert.equal(c.records.length, 0);
  const s = c.stats();
  assert.deepEqual([s.other_records, s.malformed, s.records], [2, 0, 0]);
});

Deno.test("sFlow: FLINTNET_NETFLOW_SAMPLING wins over the rate a sample announces", () => {
  const exporter = parseIp("192.0.2.1")!;
  const c = new TestCollector({ sampling: [{ family: 4, words: exporter.words, rate: 10 }] });
  c.feed(datagram(1, [flowSample(512, [sampledHeader(ethernet({ etherType: ETHERTYPE_IPV4 }, tcpPacket))])]));
  assert.deepEqual([c.records[0].packets, c.records[0].bytes, c.records[0].sampling], [
    10,
    tcpPacket.length * 10,
    10,
  ]);
});

Deno.test("sFlow: sequence numbers are followed per agent and sub-agent", () => {
  const c = new TestCollector();
  const sample = flowSample(1, [sampledHeader(ethernet({ etherType: ETHERTYPE_IPV4 }, tcpPacket))]);
  for (const seq of [1, 2, 4]) c.feed(datagram(seq, [sample]));
  for (const seq of [1, 2]) c.feed(datagram(seq, [sample], { subAgent: 1 })); // another sub-agent: its own count
  assert.equal(c.stats().sequence_gaps, 1, "3 never came");
  assert.equal(c.records.length, 5);
});

Deno.test("sFlow: two samples of one flow in a datagram both count in the flow table", () => {
  // NetFlow v5 records with the same times and counts are one flow reported twice; sFlow samples have no
  // times, and two of them are two packets.
  const table = new FlowTable(64);
  const c = new NetflowCollector({
    batch: createFlowRecordBatch(16),
    onBatch: (b) => {
      table.addRecords(b, 0, b.count);
      b.count = 0;
      return b;
    },
  });
  const sample = flowSample(100, [sampledHeader(ethernet({ etherType: ETHERTYPE_IPV4 }, tcpPacket))]);
  const d = Uint8Array.from(datagram(1, [sample, sample]));
  const from = parseIp("192.0.2.1")!;
  c.decode(d, d.length, 4, from.words, 0, 1_700_000_000_000);
  c.flush();
  assert.equal(table.size, 1);
  assert.deepEqual([table.packets(0), table.bytes(0), table.recordsSeenTwice], [
    200,
    tcpPacket.length * 200,
    0,
  ]);
});

Deno.test("sFlow: a datagram cut anywhere, or lying about its lengths, is counted and never throws", () => {
  const whole = datagram(1, [
    flowSample(8, [sampledHeader(ethernet({ etherType: ETHERTYPE_IPV4, vlans: [5, 6] }, tcpPacket))]),
    flowSample(8, [sampledHeader(ethernet({ etherType: ETHERTYPE_IPV6 }, udp6Packet))]),
  ]);
  const c = new TestCollector();
  for (let n = 0; n < whole.length; n++) c.feed(whole.slice(0, n));
  const s = c.stats();
  assert.equal(s.datagrams, whole.length);
  // 0 and 1 octets are no datagram of any version; from 2 on every cut is sFlow's: the header, or a sample
  assert.equal(s.malformed, whole.length, JSON.stringify(s.malformed_by_reason));
  assert.ok(s.malformed_by_reason.truncated_header > 0 && s.malformed_by_reason.record_overrun > 0);
  // the first sample is whole once the cut is past it: one record each time from then on
  assert.ok(c.records.length > 0 && c.records.every((r) => r.proto === PROTO.TCP));

  const lies = new TestCollector();
  const bad = (patch: (d: number[]) => void) => {
    const d = [...whole];
    patch(d);
    lies.feed(d);
  };
  bad((d) => d.splice(4, 4, ...u32(3))); // agent address type 3
  bad((d) => d.splice(0, 4, ...u32(4))); // sFlow version 4
  bad((d) => d.splice(24, 4, ...u32(1000))); // 1000 samples announced, 2 sent
  bad((d) => d.splice(32, 4, ...u32(0xfffffff0))); // the first sample's length past the datagram
  bad((d) => d.splice(72, 4, ...u32(0x7fffffff))); // its first record's length past the sample
  const reasons = lies.stats().malformed_by_reason;
  assert.deepEqual(
    [reasons.bad_length, reasons.unknown_version, reasons.record_overrun],
    [1, 1, 3],
    JSON.stringify(reasons),
  );

  const random = new TestCollector();
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 2000; i++) {
    const d = [...whole];
    for (let k = 0; k < 4; k++) d[8 + (next() * d.length >> 8) % (d.length - 8)] = next();
    random.feed(d);
  }
  assert.equal(random.stats().datagrams, 2000);
});
