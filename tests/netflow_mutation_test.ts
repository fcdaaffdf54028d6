/**
 * One million corrupted NetFlow v5, v9, IPFIX and sFlow v5 datagrams through the collector: random bytes,
 * truncations, bit flips, boundary values in length fields (set lengths, field counts, variable-length
 * prefixes), spliced slices of valid messages, from four exporters so templates and waiting data build
 * up between datagrams. Nothing may throw; every datagram is counted once, as decoded or as malformed
 * (under one reason); every record that comes out is sane; the state held stays within its bounds.
 * The generator is seeded, so a failure names a datagram the same run reproduces. How long a datagram
 * takes at most is measured by the bench, not asserted here.
 */
import assert from "node:assert/strict";
import { NetflowCollector } from "../src/netflow/collector.ts";
import { createFlowRecordBatch, type FlowRecordBatch } from "../src/netflow/flow_record.ts";
import { NETFLOW_MALFORMED_NAMES } from "../src/netflow/malformed.ts";
import { mutateDatagram, seededRandom } from "./helpers/datagram_mutator.ts";
import {
  ip4,
  ip6,
  ipfix,
  set,
  sflowCounterSample,
  sflowDatagram,
  sflowFlowSample,
  sflowIfCounters,
  sflowItem,
  sflowSampledHeader,
  u16,
  u32,
  u64,
  v9,
} from "./helpers/netflow_datagrams.ts";
import { ethernet, ETHERTYPE_IPV6, ipv6, PROTO, udp } from "./helpers/frames.ts";

const TOTAL = 1_000_000;
const SEED = 0x0f10_3713;
const T0 = 1_700_000_000;

/** Valid datagrams of every kind the collector reads. */
function seeds(): Uint8Array[] {
  const v5 = Uint8Array.from([
    ...u16(5),
    ...u16(2),
    ...u32(100_000),
    ...u32(T0),
    ...u32(0),
    ...u32(7),
    0,
    0,
    ...u16(0x4000 | 4), // header
    ...[...ip4("10.231.127.1"), ...ip4("10.231.127.2"), ...ip4("0.0.0.0"), ...u16(1), ...u16(2)], // addresses, ifs
    ...[...u32(5), ...u32(500), ...u32(90_000), ...u32(99_000), ...u16(80), ...u16(443), 0, 0x18, 6, 0], // counts…
    ...[...u16(1), ...u16(2), 24, 24, 0, 0], // AS, masks, pad
    ...[...ip4("10.231.127.3"), ...ip4("10.231.127.4"), ...ip4("0.0.0.0"), ...u16(1), ...u16(2)],
    ...[...u32(1), ...u32(84), ...u32(95_000), ...u32(95_000), ...u16(0), ...u16(0x0800), 0, 0, 1, 0],
    ...[...u16(0), ...u16(0), 0, 0, 0, 0],
  ]);
  const v9Template = set(0, u16(300), u16(5), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)], [
    ...u16(1),
    ...u16(4),
  ], [
    ...u16(22),
    ...u16(4),
  ], [...u16(21), ...u16(4)]);
  const v9Options = set(1, u16(310), u16(4), u16(8), [...u16(1), ...u16(4)], [...u16(48), ...u16(2)], [
    ...u16(34),
    ...u16(2),
  ], [...u32(0), ...u16(1), ...u16(10)]);
  const v9Data = set(300, [
    ...ip4("10.231.127.5"),
    ...ip4("10.231.127.6"),
    ...u32(900),
    ...u32(1),
    ...u32(2),
  ]);
  const head9 = (seq: number) => ({ sysUptime: 5000, unixSecs: T0, sequence: seq, sourceId: 3 });
  const ipfixTemplate = set(
    2,
    [...u16(256), ...u16(6)],
    [...u16(27), ...u16(16), ...u16(28), ...u16(16)], // v6 addresses
    [...u16(2), ...u16(8), ...u16(1), ...u16(8)], // counts
    [...u16(82), ...u16(0xffff)], // interfaceName, variable
    [...u16(0x8000 | 5), ...u16(2), ...u32(29305)], // an enterprise element
  );
  const ipfixOptions = set(3, [...u16(260), ...u16(3), ...u16(1)], [...u16(149), ...u16(4)], [
    ...u16(160),
    ...u16(8),
  ], [
    ...u16(305),
    ...u16(4),
  ]);
  const ipfixData = set(256, [
    ...ip6("2001:db8::1"),
    ...ip6("2001:db8::2"),
    ...u64(3),
    ...u64(3000),
    2,
    104,
    105,
    0,
    1,
  ]);
  // sFlow: a tagged IPv6 frame's header, a counter sample (Ethernet and interface counters), a sampled IPv4 record
  const frame = ethernet(
    { etherType: ETHERTYPE_IPV6, vlans: [10, 20] },
    ipv6({ src: "2001:db8::5", dst: "2001:db8::6", proto: PROTO.UDP }, udp({ srcPort: 1, dstPort: 2 })),
  );
  const sampledIpv4 = sflowItem(3, [
    ...[...u32(40), ...u32(6), ...ip4("10.231.127.7"), ...ip4("10.231.127.8")],
    ...[...u32(80), ...u32(443), ...u32(0x12), ...u32(0)],
  ]);
  const sflow = sflowDatagram(9, [
    sflowFlowSample(256, [
      sflowItem(1001, [...u32(10), ...u32(0), ...u32(20), ...u32(0)]),
      sflowSampledHeader(frame),
    ]),
    sflowCounterSample([
      sflowItem(2, new Array(52).fill(0)),
      sflowIfCounters({
        ifIndex: 3,
        ifType: 6,
        speed: 1e9,
        status: 3,
        inOctets: 2 ** 40,
        inDiscards: 1,
        inErrors: 2,
        outOctets: 2 ** 33,
        outErrors: 3,
      }),
    ]),
    sflowFlowSample(16, [sampledIpv4]),
  ]);
  return [
    v5,
    Uint8Array.from(sflow),
    v9(head9(0), v9Template, v9Data),
    v9(head9(1), v9Options, v9Data, set(0, u16(301), u16(0))),
    v9(head9(2), v9Data),
    ipfix({ exportTime: T0, sequence: 0, domain: 1 }, ipfixTemplate, ipfixOptions, ipfixData),
    ipfix(
      { exportTime: T0, sequence: 1, domain: 1 },
      set(260, [...u32(1), ...u64(T0 * 1000 - 60_000), ...u32(100)]),
      ipfixData,
    ),
    ipfix(
      { exportTime: T0, sequence: 2, domain: 2 },
      ipfixData,
      set(2, u16(256), u16(0)),
      set(2, u16(2), u16(0)),
    ),
  ];
}

/** Length fields at their edges: 0–4, 255/256, 0xfffe/0xffff, over an even offset. */
function lengthEdge(base: Uint8Array, rand: () => number): Uint8Array {
  const out = base.slice();
  const at = 2 * Math.floor(rand() * (out.length >> 1));
  const v = [0, 1, 2, 3, 4, 255, 256, 0xfffe, 0xffff][Math.floor(rand() * 9)];
  out[at] = v >>> 8;
  if (at + 1 < out.length) out[at + 1] = v & 0xff;
  return out;
}

Deno.test(`collector: ${TOTAL.toLocaleString("en-US")} corrupted datagrams, each counted once, none thrown`, () => {
  const rand = seededRandom(SEED);
  const base = seeds();
  let records = 0;
  const check = (b: FlowRecordBatch) => {
    for (let i = 0; i < b.count; i++) {
      assert.ok(b.family[i] === 4 || b.family[i] === 6, "family");
      for (const v of [b.bytes[i], b.packets[i], b.startMs[i], b.endMs[i], b.sampling[i]]) {
        assert.ok(Number.isFinite(v) && v >= 0, `a sane number, not ${v}`);
      }
    }
    records += b.count;
    b.count = 0;
    return b;
  };
  let counters = 0;
  const c = new NetflowCollector({
    onBatch: check,
    batch: createFlowRecordBatch(64),
    // every port's counters that come out are sane (none dropped here: the bound is per second of ticks)
    limits: { interfaceCountersPerTick: Number.MAX_SAFE_INTEGER },
    onInterfaceCounters(k) {
      counters++;
      for (
        const v of [k.ifIndex, k.ifType, k.uptimeMs, k.speedBps ?? 0, k.inErrors ?? 0, k.inDiscards ?? 0]
      ) {
        assert.ok(Number.isFinite(v) && v >= 0, `a sane counter, not ${v}`);
      }
      for (const o of [k.inOctets, k.outOctets]) assert.ok(o === null || o >= 0n, `octets ${o}`);
    },
  });
  const exporters = [0x0ae77f01, 0x0ae77f02, 0x0ae77f03, 0x0ae77f04].map((w) => Uint32Array.of(w, 0, 0, 0));
  const counted = () => {
    let datagrams = 0, malformed = 0;
    for (const e of c.exporters()) {
      datagrams += e.counters.datagrams;
      malformed += e.counters.malformed;
    }
    return { datagrams, malformed };
  };
  let malformedSeen = 0;
  for (let n = 0; n < TOTAL; n++) {
    const d = n % 7 === 6 ? lengthEdge(base[n % base.length], rand) : mutateDatagram(base, rand);
    const before = counted();
    try {
      c.decode(d, d.length, 4, exporters[n & 3], 0, 1_700_000_000_000 + n);
    } catch (e) {
      throw new Error(`datagram ${n} (seed ${SEED}) threw: ${e}\n${Array.from(d).join(",")}`);
    }
    const after = counted();
    assert.equal(after.datagrams - before.datagrams, 1, `datagram ${n} counted once`);
    assert.ok(after.malformed - before.malformed <= 1, `datagram ${n} malformed at most once`);
    malformedSeen += after.malformed - before.malformed;
    if (n % 1000 === 999) c.flush();
  }
  c.flush();
  const s = c.stats();
  assert.equal(s.datagrams, TOTAL);
  assert.equal(s.malformed, malformedSeen);
  assert.equal(
    Object.values(s.malformed_by_reason).reduce((a, b) => a + b, 0),
    s.malformed,
    "one reason each",
  );
  assert.equal(s.records, records, "every record decoded reached the batch");
  assert.ok(counters > 1000, `ports' counters came out (${counters})`);
  assert.equal(s.interface_counters, counters, "every port's counters read were handed on");
  const reasons = NETFLOW_MALFORMED_NAMES.filter((r) => s.malformed_by_reason[r] > 0);
  assert.ok(reasons.length >= 8, `the corruptions reach most checks: ${reasons.join(", ")}`);
  assert.ok(s.templates <= 16384 && s.pending_bytes <= 4 << 20, "state within its bounds");
  console.log(
    `  ${s.malformed.toLocaleString("en-US")} malformed (${
      Object.entries(s.malformed_by_reason).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(", ")
    }), ${
      s.records.toLocaleString("en-US")
    } records, ${counters} ports' counters, ${s.template_misses} template misses, ${s.templates} templates`,
  );
});
