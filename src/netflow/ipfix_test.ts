/**
 * IPFIX (RFC 7011) through the collector, from hand-written messages: every octet is written here and
 * commented, and the expected records are the values written, not the decoder's output.
 */
import assert from "node:assert/strict";
import { ip4, ipfix, set, TestCollector, u16, u32, u64, u8 } from "../../tests/helpers/netflow_datagrams.ts";
import { formatIp } from "../net/address.ts";

const T0 = 1_700_000_000; // export time, seconds

/** Template 256 (45-octet records): addresses, ports, protocol, counts, start and end in ms. */
function template(id = 256): number[] {
  return set(
    2, // template set
    u16(id), // template ID
    u16(9), // field count
    [...u16(8), ...u16(4)], // sourceIPv4Address, 4 octets
    [...u16(12), ...u16(4)], // destinationIPv4Address, 4
    [...u16(7), ...u16(2)], // sourceTransportPort, 2
    [...u16(11), ...u16(2)], // destinationTransportPort, 2
    [...u16(4), ...u16(1)], // protocolIdentifier, 1
    [...u16(2), ...u16(8)], // packetDeltaCount, 8
    [...u16(1), ...u16(8)], // octetDeltaCount, 8
    [...u16(152), ...u16(8)], // flowStartMilliseconds, 8
    [...u16(153), ...u16(8)], // flowEndMilliseconds, 8
  );
}

/** One record of template 256. */
function record(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  packets: number,
  bytes: number,
): number[] {
  return [
    ...ip4(src), // sourceIPv4Address
    ...ip4(dst), // destinationIPv4Address
    ...u16(sport), // sourceTransportPort
    ...u16(dport), // destinationTransportPort
    ...u8(6), // protocolIdentifier: TCP
    ...u64(packets), // packetDeltaCount
    ...u64(bytes), // octetDeltaCount
    ...u64(T0 * 1000 - 5000), // flowStartMilliseconds: 5 s before export
    ...u64(T0 * 1000 - 1000), // flowEndMilliseconds: 1 s before export
  ];
}

const ip = (w: Uint32Array) => formatIp(4, w, 0);

Deno.test("ipfix: a data record is decoded through its template, field by field", () => {
  const t = new TestCollector();
  t.feed(ipfix(
    { exportTime: T0, sequence: 0, domain: 1 },
    template(),
    set(256, record("10.231.120.1", "10.231.120.2", 40000, 443, 12, 3456)),
  ));
  assert.equal(t.records.length, 1);
  const r = t.records[0];
  assert.deepEqual([ip(r.src), ip(r.dst), r.srcPort, r.dstPort, r.proto], [
    "10.231.120.1",
    "10.231.120.2",
    40000,
    443,
    6,
  ]);
  assert.deepEqual([r.packets, r.bytes, r.sampling], [12, 3456, 1]);
  assert.deepEqual([r.startMs, r.endMs, r.durationMs], [T0 * 1000 - 5000, T0 * 1000 - 1000, 4000]);
  assert.deepEqual([r.kind, r.domain, formatIp(4, r.exporter, 0)], [10, 1, "192.0.2.1"]);
  const s = t.stats();
  assert.deepEqual([s.datagrams, s.records, s.packets, s.bytes, s.malformed], [1, 1, 12, 3456, 0]);
});

Deno.test("ipfix: data that arrives before its template waits and is decoded when the template comes", () => {
  const t = new TestCollector();
  t.feed(
    ipfix(
      { exportTime: T0, sequence: 0, domain: 1 },
      set(256, record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4)),
    ),
  );
  assert.equal(t.records.length, 0);
  assert.equal(t.stats().pending_sets, 1);
  t.feed(ipfix({ exportTime: T0, sequence: 1, domain: 1 }, template()));
  assert.equal(t.records.length, 1);
  assert.deepEqual([t.records[0].packets, t.records[0].bytes], [3, 4]);
  const s = t.stats();
  assert.deepEqual([s.pending_sets, s.template_misses, s.malformed], [0, 0, 0]);
});

Deno.test("ipfix: data whose template never comes is counted as a template miss once the wait is over", () => {
  const t = new TestCollector({ limits: { pendingTtlMs: 60_000 } });
  const at = 1_700_000_000_000;
  t.feed(
    ipfix(
      { exportTime: T0, sequence: 0, domain: 1 },
      set(300, record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4)),
    ),
    "192.0.2.1",
    at,
  );
  t.c.tick(at + 59_000);
  assert.equal(t.stats().template_misses, 0);
  t.c.tick(at + 61_000);
  assert.deepEqual([t.stats().template_misses, t.stats().pending_sets], [1, 0]);
  assert.equal(t.stats().exporters["192.0.2.1"].template_misses, 1);
});

Deno.test("ipfix: a template ID reused with a new layout decodes later data with the new layout", () => {
  const t = new TestCollector();
  t.feed(
    ipfix(
      { exportTime: T0, sequence: 0, domain: 1 },
      template(),
      set(256, record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4)),
    ),
  );
  t.feed(ipfix(
    { exportTime: T0, sequence: 1, domain: 1 },
    set(
      2, // template set
      u16(256), // the same template ID
      u16(3), // field count
      [...u16(12), ...u16(4)], // destinationIPv4Address first now
      [...u16(8), ...u16(4)], // then sourceIPv4Address
      [...u16(2), ...u16(4)], // packetDeltaCount in 4 octets (reduced-size encoding)
    ),
    set(256, [...ip4("10.231.120.9"), ...ip4("10.231.120.8"), ...u32(77)]), // dst, src, packets
  ));
  assert.equal(t.records.length, 2);
  const r = t.records[1];
  assert.deepEqual([ip(r.src), ip(r.dst), r.packets, r.bytes], ["10.231.120.8", "10.231.120.9", 77, 0]);
  assert.equal(t.stats().templates, 1);
});

Deno.test("ipfix: observation domains of one exporter keep their own templates under the same ID", () => {
  const t = new TestCollector();
  const v6Template = set(
    2, // template set
    u16(256), // template ID 256 again, in domain 2
    u16(2), // field count
    [...u16(27), ...u16(16)], // sourceIPv6Address, 16
    [...u16(28), ...u16(16)], // destinationIPv6Address, 16
  );
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 1 }, template()));
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 2 }, v6Template));
  t.feed(
    ipfix(
      { exportTime: T0, sequence: 0, domain: 1 },
      set(256, record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4)),
    ),
  );
  t.feed(ipfix(
    { exportTime: T0, sequence: 0, domain: 2 },
    set(256, [0xfd, ...new Array(14).fill(0), 1, 0xfd, ...new Array(14).fill(0), 2]), // fd00::1 → fd00::2
  ));
  assert.deepEqual(
    t.records.map((r) => [r.domain, formatIp(r.family, r.src, 0), formatIp(r.family, r.dst, 0)]),
    [
      [1, "10.231.120.1", "10.231.120.2"],
      [2, "fd00::1", "fd00::2"],
    ],
  );
  assert.deepEqual([t.stats().exporters["192.0.2.1"].domains, t.stats().templates], [2, 2]);
});

Deno.test("ipfix: variable-length and enterprise-specific fields are skipped by their lengths", () => {
  const t = new TestCollector();
  t.feed(ipfix(
    { exportTime: T0, sequence: 0, domain: 1 },
    set(
      2, // template set
      u16(400), // template ID
      u16(5), // field count
      [...u16(8), ...u16(4)], // sourceIPv4Address
      [...u16(82), ...u16(0xffff)], // interfaceName, variable length
      [...u16(0x8000 | 12), ...u16(4), ...u32(29305)], // enterprise bit + element 12 of PEN 29305 (not ours)
      [...u16(12), ...u16(4)], // destinationIPv4Address
      [...u16(96), ...u16(0xffff)], // applicationName, variable length
    ),
    set(
      400,
      [...ip4("10.231.120.1"), 3, ...[101, 116, 104]], // src; interfaceName "eth" in the short form
      [9, 9, 9, 9], // the enterprise element's 4 octets
      [...ip4("10.231.120.2"), 255, ...u16(300), ...new Array(300).fill(120)], // dst; a 300-octet name, long form
      [...ip4("10.231.120.3"), 0, 1, 2, 3, 4, ...ip4("10.231.120.4"), 0], // a second record, empty strings
    ),
  ));
  assert.deepEqual(t.records.map((r) => [ip(r.src), ip(r.dst)]), [["10.231.120.1", "10.231.120.2"], [
    "10.231.120.3",
    "10.231.120.4",
  ]]);
  assert.equal(t.stats().malformed, 0);
});

Deno.test("ipfix: a zero-field template record withdraws its template; set ID 2 with count 0 withdraws all", () => {
  const t = new TestCollector();
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 1 }, template(256), template(257)));
  assert.equal(t.stats().templates, 2);
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 1 }, set(2, u16(256), u16(0)))); // withdraw 256
  assert.equal(t.stats().templates, 1);
  t.feed(
    ipfix(
      { exportTime: T0, sequence: 0, domain: 1 },
      set(256, record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4)),
    ),
  );
  assert.deepEqual([t.records.length, t.stats().pending_sets], [0, 1], "data for a withdrawn template waits");
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 1 }, set(2, u16(2), u16(0)))); // withdraw all templates
  assert.deepEqual([t.stats().templates, t.stats().malformed], [0, 0]);
});

Deno.test("ipfix: set lengths 0 to 3 and 0xFFFF are counted malformed and end the message, never thrown", () => {
  for (const length of [0, 1, 2, 3, 0xffff]) {
    const t = new TestCollector();
    t.feed(
      ipfix({ exportTime: T0, sequence: 0, domain: 1 }, template(), [
        ...u16(256),
        ...u16(length),
        0,
        0,
        0,
        0,
      ]),
    );
    const s = t.stats();
    assert.deepEqual(
      [s.datagrams, s.malformed, s.malformed_by_reason.bad_set_length],
      [1, 1, 1],
      `length ${length}`,
    );
    assert.equal(s.templates, 1, "the set before it was used");
  }
});

Deno.test("ipfix: a record that runs past its set is malformed, the records before it are kept", () => {
  const t = new TestCollector();
  const full = record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4);
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 1 }, template(), set(256, full, full.slice(0, 44))));
  // 44 octets are less than a record: padding by RFC 7011 §3.3.1, not an error …
  assert.deepEqual([t.records.length, t.stats().malformed], [1, 0]);
  const v = new TestCollector();
  v.feed(ipfix(
    { exportTime: T0, sequence: 0, domain: 1 },
    set(2, u16(256), u16(2), [...u16(8), ...u16(4)], [...u16(82), ...u16(0xffff)]), // src, interfaceName (var)
    set(256, [...ip4("10.231.120.1"), 2, 65, 66], [...ip4("10.231.120.2"), 9, 65]), // 2nd says 9 octets, has 1
  ));
  // … but a variable-length field longer than what is left is.
  assert.deepEqual([v.stats().malformed_by_reason.record_overrun, v.stats().other_records], [1, 1]);
});

Deno.test("ipfix: sequence numbers count data records per domain; a jump is a gap", () => {
  const t = new TestCollector();
  const r = record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4);
  t.feed(ipfix({ exportTime: T0, sequence: 100, domain: 1 }, template(), set(256, r, r))); // 2 records
  t.feed(ipfix({ exportTime: T0, sequence: 102, domain: 1 }, set(256, r))); // 100 + 2: in order
  t.feed(ipfix({ exportTime: T0, sequence: 7, domain: 2 }, template())); // another domain, its own count
  t.feed(ipfix({ exportTime: T0, sequence: 110, domain: 1 }, set(256, r))); // expected 103: a gap
  t.feed(ipfix({ exportTime: T0, sequence: 7, domain: 2 }, set(256, r))); // templates are not data: still 7
  assert.equal(t.stats().sequence_gaps, 1);
});

Deno.test("ipfix: an exporter numbering messages after their own records (softflowd 1.1) is not a gap", () => {
  const t = new TestCollector();
  const r = record("10.231.120.1", "10.231.120.2", 1, 2, 3, 4);
  t.feed(ipfix({ exportTime: T0, sequence: 2, domain: 1 }, template(), set(256, r, r))); // 2 records, says 2
  t.feed(ipfix({ exportTime: T0, sequence: 5, domain: 1 }, set(256, r, r, r))); // 3 more, says 2 + 3
  t.feed(ipfix({ exportTime: T0, sequence: 6, domain: 1 }, set(256, r))); // 1 more, says 5 + 1
  assert.equal(t.stats().sequence_gaps, 0);
  t.feed(ipfix({ exportTime: T0, sequence: 9, domain: 1 }, set(256, r))); // neither 6 + 1 nor 6
  assert.equal(t.stats().sequence_gaps, 1);
});

Deno.test("ipfix: options data sets the sampling rate (RFC 5477) and the uptime base (systemInitTimeMilliseconds)", () => {
  const t = new TestCollector();
  const init = T0 * 1000 - 3_600_000; // the exporter started an hour before this export
  t.feed(ipfix(
    { exportTime: T0, sequence: 0, domain: 1 },
    set(
      3, // options template set
      u16(260), // template ID
      u16(4), // field count
      u16(1), // scope field count
      [...u16(149), ...u16(4)], // scope: observationDomainId
      [...u16(160), ...u16(8)], // systemInitTimeMilliseconds
      [...u16(305), ...u16(4)], // samplingPacketInterval
      [...u16(306), ...u16(4)], // samplingPacketSpace
    ),
    set(260, [...u32(1), ...u64(init), ...u32(1), ...u32(99)]), // 1 taken, then 99 skipped: 1 in 100
    set(
      2, // template set
      u16(256), // template ID
      u16(6), // field count
      [...u16(8), ...u16(4)], // sourceIPv4Address
      [...u16(12), ...u16(4)], // destinationIPv4Address
      [...u16(2), ...u16(4)], // packetDeltaCount
      [...u16(1), ...u16(4)], // octetDeltaCount
      [...u16(22), ...u16(4)], // flowStartSysUpTime, ms since init
      [...u16(21), ...u16(4)], // flowEndSysUpTime
    ),
    set(256, [
      ...ip4("10.231.120.1"),
      ...ip4("10.231.120.2"),
      ...u32(2),
      ...u32(300),
      ...u32(60_000),
      ...u32(61_500),
    ]),
  ));
  const r = t.records[0];
  assert.deepEqual([r.sampling, r.packets, r.bytes], [100, 200, 30000]);
  assert.deepEqual([r.startMs, r.endMs], [init + 60_000, init + 61_500]);
  assert.equal(t.stats().options_records, 1);
});
