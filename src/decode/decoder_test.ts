/**
 * Decoder vectors: hand-written frames, one comment per field, and the row or counter each must give.
 * Expected values come from the bytes written here (addresses as hex words beside their dotted form),
 * never from the decoder's own output.
 */
import assert from "node:assert/strict";
import { LinkType } from "./frame_sink.ts";
import { type DecodeCounters, Decoder } from "./decoder.ts";
import { MALFORMED_NAMES } from "./malformed.ts";
import { type BatchConsumer, createPacketBatch, type PacketBatch, RowKind } from "./packet_batch.ts";

/** One decoded row, copied out of the batch. */
interface Row {
  kind: number;
  tsMs: number;
  frameLen: number;
  vlan: number;
  family: number;
  src: number[];
  dst: number[];
  srcPort: number;
  dstPort: number;
  proto: number;
  ipBytes: number;
  tcpFlags: number;
  ethSrc: number;
  arpOp: number;
  arpSha: number;
  arpTha: number;
  arpUnicast: number;
}

/** Copies every row of every batch it is given. */
class CopyingConsumer implements BatchConsumer {
  rows: Row[] = [];
  batches = 0;
  consume(b: PacketBatch): void {
    this.batches++;
    for (let r = 0; r < b.count; r++) {
      const a = r * 4;
      this.rows.push({
        kind: b.kind[r],
        tsMs: b.tsMs[r],
        frameLen: b.frameLen[r],
        vlan: b.vlan[r],
        family: b.family[r],
        src: Array.from(b.src.subarray(a, a + 4)),
        dst: Array.from(b.dst.subarray(a, a + 4)),
        srcPort: b.srcPort[r],
        dstPort: b.dstPort[r],
        proto: b.proto[r],
        ipBytes: b.ipBytes[r],
        tcpFlags: b.tcpFlags[r],
        ethSrc: b.ethSrc[r],
        arpOp: b.arpOp[r],
        arpSha: b.arpSha[r],
        arpTha: b.arpTha[r],
        arpUnicast: b.arpUnicast[r],
      });
    }
  }
}

/** A frame to feed. */
interface Input {
  bytes: number[];
  /** @default LinkType.Ethernet */
  linkType?: number;
  /** @default bytes.length */
  wireLen?: number;
  /** Bytes captured (the rest of `bytes` is not offered). @default bytes.length */
  capLen?: number;
  /** @default 1_700_000_000_000 + index */
  tsMs?: number;
  /** Set decoder.vlanHint before this frame. */
  vlanHint?: number;
}

/**
 * Feeds the frames, each at an odd offset inside a buffer whose surrounding bytes are 0xEE, so a read
 * before `off` or past `capLen` sees garbage instead of a convenient zero.
 */
function decode(
  inputs: Input[],
  capacity?: number,
): { rows: Row[]; counters: DecodeCounters; batches: number } {
  const consumer = new CopyingConsumer();
  const decoder = new Decoder(consumer, capacity);
  inputs.forEach((f, i) => {
    const off = 7;
    const buf = new Uint8Array(off + f.bytes.length + 64).fill(0xee);
    buf.set(f.bytes, off);
    const capLen = f.capLen ?? f.bytes.length;
    buf.fill(0xee, off + capLen);
    if (f.vlanHint !== undefined) decoder.vlanHint = f.vlanHint;
    decoder.frame(
      buf,
      off,
      capLen,
      f.wireLen ?? f.bytes.length,
      f.tsMs ?? 1_700_000_000_000 + i,
      f.linkType ?? 1,
    );
  });
  decoder.flush();
  return { rows: consumer.rows, counters: decoder.counters(), batches: consumer.batches };
}

/** a.b.c.d as the unsigned word the batch holds. */
function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Only the named counters are non-zero, with these values (malformed by name). */
function assertCounters(
  c: DecodeCounters,
  expected: Partial<Omit<DecodeCounters, "malformed">> & {
    malformed?: Record<string, number>;
  },
): void {
  const { malformed = {}, ...plain } = expected;
  for (const k of Object.keys(c) as (keyof DecodeCounters)[]) {
    if (k === "malformed" || k === "malformed_total") continue;
    const want = (plain as Record<string, number>)[k] ?? (k === "frames" ? c.frames : 0);
    assert.equal(c[k], want, `counter ${k}`);
  }
  for (const name of MALFORMED_NAMES) {
    assert.equal(c.malformed[name], malformed[name] ?? 0, `malformed.${name}`);
  }
  assert.equal(c.malformed_total, Object.values(malformed).reduce((s, n) => s + n, 0), "malformed_total");
}

// ---------------------------------------------------------------- reusable hand-written parts

// deno-fmt-ignore
const ETH_IPV4 = [
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC 02:00:00:00:00:02
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC 02:00:00:00:00:01
  0x08, 0x00, // EtherType IPv4
];

// deno-fmt-ignore
const ETH_IPV6 = [
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC 02:00:00:00:00:02
  0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC 02:00:00:00:00:01
  0x86, 0xdd, // EtherType IPv6
];

/** 02:00:00:00:00:01 as the 48-bit integer the batch holds. */
const MAC_SRC = 0x020000000001;

// deno-fmt-ignore
/** IPv4 192.0.2.1 → 198.51.100.7, TCP, total length 44. */
const IPV4_TCP_HEADER = [
  0x45, // version 4, IHL 5 (20 bytes)
  0x00, // DSCP 0, ECN 0
  0x00, 0x2c, // total length 44 = 20 IP + 20 TCP + 4 data
  0x12, 0x34, // identification
  0x40, 0x00, // flags DF, fragment offset 0
  0x40, // TTL 64
  0x06, // protocol 6 (TCP)
  0x00, 0x00, // header checksum (not verified by the decoder)
  0xc0, 0x00, 0x02, 0x01, // source 192.0.2.1
  0xc6, 0x33, 0x64, 0x07, // destination 198.51.100.7
];

// deno-fmt-ignore
/** TCP 40000 → 443, SYN+ACK, with 4 bytes of data. */
const TCP_SYNACK_WITH_DATA = [
  0x9c, 0x40, // source port 40000
  0x01, 0xbb, // destination port 443
  0x00, 0x00, 0x00, 0x01, // sequence number 1
  0x00, 0x00, 0x00, 0x00, // acknowledgement number 0
  0x50, // data offset 5 (20 bytes), reserved 0
  0x12, // flags SYN (0x02) + ACK (0x10)
  0xff, 0xff, // window 65535
  0x00, 0x00, // checksum (not verified)
  0x00, 0x00, // urgent pointer
  0xde, 0xad, 0xbe, 0xef, // 4 bytes of data
];

/** Ethernet II + IPv4 + TCP, padded by the NIC to the 60-byte minimum. */
const ETH_IPV4_TCP = [
  ...ETH_IPV4,
  ...IPV4_TCP_HEADER,
  ...TCP_SYNACK_WITH_DATA,
  0x00,
  0x00, /* Ethernet padding */
];

// deno-fmt-ignore
/** IPv4 10.0.0.1 → 10.0.0.2, UDP, total length 32 (20 IP + 8 UDP + 4 data). */
const IPV4_UDP = [
  0x45, // version 4, IHL 5
  0x00, // DSCP/ECN
  0x00, 0x20, // total length 32
  0x00, 0x01, // identification
  0x00, 0x00, // no flags, offset 0
  0x40, // TTL 64
  0x11, // protocol 17 (UDP)
  0x00, 0x00, // header checksum
  0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1
  0x0a, 0x00, 0x00, 0x02, // destination 10.0.0.2
  0xd4, 0x31, // UDP source port 54321
  0x00, 0x35, // UDP destination port 53
  0x00, 0x0c, // UDP length 12 = 8 header + 4 data
  0x00, 0x00, // UDP checksum (none)
  0x01, 0x02, 0x03, 0x04, // data
];

/** The row fields of IPV4_UDP, for frames that carry it. */
const IPV4_UDP_ROW = {
  kind: RowKind.Ip,
  family: 4,
  src: [v4(10, 0, 0, 1), 0, 0, 0],
  dst: [v4(10, 0, 0, 2), 0, 0, 0],
  srcPort: 54321,
  dstPort: 53,
  proto: 17,
  ipBytes: 32,
  tcpFlags: 0,
};

function pick(row: Row, like: object): Partial<Row> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, row[k as keyof Row]]));
}

// ---------------------------------------------------------------- Ethernet and VLANs

Deno.test("Decoder decodes Ethernet II IPv4 TCP: addresses, ports, flags, IP bytes and frame length", () => {
  const { rows, counters } = decode([{ bytes: ETH_IPV4_TCP, tsMs: 1_700_000_000_123.456 }]);
  assert.deepEqual(rows, [{
    kind: RowKind.Ip,
    tsMs: 1_700_000_000_123.456,
    frameLen: 60, // the wire length, padding included
    vlan: 0,
    family: 4,
    src: [0xc0000201, 0, 0, 0], // 192.0.2.1
    dst: [0xc6336407, 0, 0, 0], // 198.51.100.7
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
    ipBytes: 44, // the total length field, not the padded frame
    tcpFlags: 0x12,
    ethSrc: MAC_SRC,
    arpOp: 0,
    arpSha: 0,
    arpTha: 0,
    arpUnicast: 0,
  }]);
  assertCounters(counters, { frames: 1, ipv4: 1 });
});

Deno.test("Decoder takes the frame length from the wire length when the record is cut by a snaplen", () => {
  const { rows } = decode([{ bytes: ETH_IPV4_TCP, capLen: 54 + 4, wireLen: 1514 }]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].frameLen, 1514);
  assert.equal(rows[0].ipBytes, 44);
});

Deno.test("Decoder keeps the VLAN id of an 802.1Q tag", () => {
  // deno-fmt-ignore
  const frame = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x81, 0x00, // TPID 802.1Q
    0x20, 0x64, // TCI: PCP 1, DEI 0, VID 100
    0x08, 0x00, // EtherType IPv4
    ...IPV4_UDP,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // padding to 60 bytes
  ];
  const { rows, counters } = decode([{ bytes: frame }]);
  assert.equal(rows.length, 1);
  assert.deepEqual(pick(rows[0], IPV4_UDP_ROW), IPV4_UDP_ROW);
  assert.equal(rows[0].vlan, 100);
  assert.equal(rows[0].ethSrc, MAC_SRC);
  assertCounters(counters, { frames: 1, ipv4: 1, name_payloads: 1 }); // a DNS query: set aside for the names
});

Deno.test("Decoder keeps the outer VLAN id of a QinQ (802.1ad) stack", () => {
  // deno-fmt-ignore
  const frame = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x88, 0xa8, // TPID 802.1ad (service tag)
    0x00, 0xc8, // TCI: VID 200 (outer)
    0x81, 0x00, // TPID 802.1Q (customer tag)
    0x01, 0x2c, // TCI: VID 300 (inner)
    0x08, 0x00, // EtherType IPv4
    ...IPV4_UDP,
  ];
  // deno-fmt-ignore
  const legacy = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x91, 0x00, // TPID 0x9100 (pre-standard double tagging)
    0x0f, 0xff, // TCI: VID 4095
    0x81, 0x00, // TPID 802.1Q
    0x00, 0x05, // TCI: VID 5
    0x08, 0x00, // EtherType IPv4
    ...IPV4_UDP,
  ];
  const { rows, counters } = decode([{ bytes: frame }, { bytes: legacy }]);
  assert.equal(rows.length, 2);
  assert.deepEqual(pick(rows[0], IPV4_UDP_ROW), IPV4_UDP_ROW);
  assert.equal(rows[0].vlan, 200);
  assert.equal(rows[1].vlan, 4095);
  assertCounters(counters, { frames: 2, ipv4: 2, name_payloads: 2 });
});

Deno.test("Decoder uses vlanHint (a tag the kernel stripped) for the next frame only", () => {
  const { rows } = decode([
    { bytes: ETH_IPV4_TCP, vlanHint: 42 },
    { bytes: ETH_IPV4_TCP },
  ]);
  assert.deepEqual(rows.map((r) => r.vlan), [42, 0]);
});

Deno.test("Decoder counts a non-IP EtherType as other, with no row", () => {
  // deno-fmt-ignore
  const stp = [
    0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, // destination: bridge group address (STP)
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x00, 0x26, // 802.3 length 38
    0x42, 0x42, 0x03, // LLC: DSAP 0x42, SSAP 0x42 (spanning tree), UI
    0x00, 0x00, 0x00, 0x00, // BPDU: protocol 0, version 0, type 0 (config), flags
  ];
  // deno-fmt-ignore
  const tagged = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x81, 0x00, // TPID 802.1Q
    0x00, 0x0a, // VID 10
    0x88, 0x8e, // EtherType EAPOL
    0x01, 0x01, 0x00, 0x00, // EAPOL start
  ];
  const { rows, counters } = decode([{ bytes: stp }, { bytes: tagged }]);
  assert.equal(rows.length, 0);
  assertCounters(counters, { frames: 2, other: 2 });
});

// ---------------------------------------------------------------- IPv4

Deno.test("Decoder skips IPv4 options (IHL 6) to reach the transport header", () => {
  // deno-fmt-ignore
  const frame = [
    ...ETH_IPV4,
    0x46, // version 4, IHL 6 (24 bytes)
    0x00, // DSCP/ECN
    0x00, 0x24, // total length 36 = 24 IP + 8 UDP + 4 data
    0x00, 0x02, // identification
    0x00, 0x00, // no flags, offset 0
    0x01, // TTL 1
    0x11, // protocol 17 (UDP)
    0x00, 0x00, // header checksum
    0xc0, 0xa8, 0x01, 0x0a, // source 192.168.1.10
    0xe0, 0x00, 0x00, 0x16, // destination 224.0.0.22
    0x94, 0x04, 0x00, 0x00, // option: Router Alert (RFC 2113), length 4, value 0
    0x13, 0x88, // UDP source port 5000
    0x17, 0x70, // UDP destination port 6000
    0x00, 0x0c, // UDP length 12
    0x00, 0x00, // UDP checksum
    0xaa, 0xbb, 0xcc, 0xdd, // data
  ];
  const { rows, counters } = decode([{ bytes: frame }]);
  assert.equal(rows.length, 1);
  assert.deepEqual(pick(rows[0], { src: 0, dst: 0, srcPort: 0, dstPort: 0, proto: 0, ipBytes: 0 }), {
    src: [v4(192, 168, 1, 10), 0, 0, 0],
    dst: [v4(224, 0, 0, 22), 0, 0, 0],
    srcPort: 5000,
    dstPort: 6000,
    proto: 17,
    ipBytes: 36,
  });
  assertCounters(counters, { frames: 1, ipv4: 1 });
});

// deno-fmt-ignore
/** First fragment of a UDP datagram: MF set, offset 0, id 0x4242, carries the UDP header. */
const IPV4_FIRST_FRAGMENT = [
  ...ETH_IPV4,
  0x45, // version 4, IHL 5
  0x00, // DSCP/ECN
  0x00, 0x24, // total length 36 = 20 IP + 16 (UDP header + 8 data)
  0x42, 0x42, // identification 0x4242
  0x20, 0x00, // flags MF, fragment offset 0
  0x40, // TTL
  0x11, // protocol UDP
  0x00, 0x00, // header checksum
  0x0a, 0x01, 0x01, 0x01, // source 10.1.1.1
  0x0a, 0x02, 0x02, 0x02, // destination 10.2.2.2
  0x11, 0x5c, // UDP source port 4444
  0x08, 0xae, // UDP destination port 2222
  0x00, 0x30, // UDP length 48 (the whole datagram: 8 + 40)
  0x00, 0x00, // UDP checksum
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // the first 8 bytes of data
];

/** A later fragment (offset 16 bytes, last) of datagram `id` from 10.1.1.1 to 10.2.2.2. */
function laterFragment(id: number): number[] {
  // deno-fmt-ignore
  return [
    ...ETH_IPV4,
    0x45, // version 4, IHL 5
    0x00, // DSCP/ECN
    0x00, 0x34, // total length 52 = 20 IP + 32 data
    id >> 8, id & 0xff, // identification
    0x00, 0x02, // flags none (last fragment), fragment offset 2 (16 bytes)
    0x40, // TTL
    0x11, // protocol UDP
    0x00, 0x00, // header checksum
    0x0a, 0x01, 0x01, 0x01, // source 10.1.1.1
    0x0a, 0x02, 0x02, 0x02, // destination 10.2.2.2
    // data that would read as ports 0x7777/0x8888 if taken for a UDP header
    0x77, 0x77, 0x88, 0x88, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ];
}

Deno.test("Decoder attributes a later IPv4 fragment to the ports of its first fragment", () => {
  const { rows, counters } = decode([{ bytes: IPV4_FIRST_FRAGMENT }, { bytes: laterFragment(0x4242) }]);
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.deepEqual([r.src[0], r.dst[0], r.proto, r.srcPort, r.dstPort], [
      v4(10, 1, 1, 1),
      v4(10, 2, 2, 2),
      17,
      4444,
      2222,
    ]);
  }
  assert.deepEqual(rows.map((r) => r.ipBytes), [36, 52]);
  assertCounters(counters, { frames: 2, ipv4: 2, fragments_attributed: 1 });
});

Deno.test("Decoder counts a later IPv4 fragment without its first fragment as unattributed, ports 0", () => {
  // Same addresses, but a different identification from the first fragment that was seen.
  const { rows, counters } = decode([{ bytes: IPV4_FIRST_FRAGMENT }, { bytes: laterFragment(0x4243) }]);
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[1].proto, rows[1].srcPort, rows[1].dstPort, rows[1].ipBytes], [17, 0, 0, 52]);
  assertCounters(counters, { frames: 2, ipv4: 2, fragments_unattributed: 1 });
});

// ---------------------------------------------------------------- IPv6

// deno-fmt-ignore
/** IPv6 2001:db8::1 → 2001:db8::2, the fixed header with next header `nh` and payload length `plen`. */
function ipv6Header(nh: number, plen: number): number[] {
  return [
    0x60, 0x00, 0x00, 0x00, // version 6, traffic class 0, flow label 0
    plen >> 8, plen & 0xff, // payload length
    nh, // next header
    0x40, // hop limit 64
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // source 2001:db8::1
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, // destination 2001:db8::2
  ];
}

const V6_SRC = [0x20010db8, 0, 0, 1];
const V6_DST = [0x20010db8, 0, 0, 2];

Deno.test("Decoder walks IPv6 hop-by-hop, destination options and fragment headers to TCP", () => {
  // deno-fmt-ignore
  const frame = [
    ...ETH_IPV6,
    ...ipv6Header(0, 8 + 16 + 8 + 20), // next header 0 (hop-by-hop), payload 52
    // hop-by-hop options header (8 bytes)
    0x3c, // next header 60 (destination options)
    0x00, // length 0 (8 bytes)
    0x05, 0x02, 0x00, 0x00, // Router Alert option (RFC 2711), MLD
    0x01, 0x00, // PadN, 0 bytes
    // destination options header (16 bytes)
    0x2c, // next header 44 (fragment)
    0x01, // length 1 (16 bytes)
    0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // PadN covering 12 bytes
    // fragment header (8 bytes): an atomic fragment (RFC 6946), offset 0, M 0
    0x06, // next header 6 (TCP)
    0x00, // reserved
    0x00, 0x00, // offset 0, res, M 0
    0x00, 0x00, 0x00, 0x99, // identification
    // TCP
    0x00, 0x16, // source port 22
    0xc3, 0x50, // destination port 50000
    0x00, 0x00, 0x00, 0x10, // sequence number
    0x00, 0x00, 0x00, 0x20, // acknowledgement number
    0x50, // data offset 5
    0x18, // flags PSH + ACK
    0x01, 0x00, // window
    0x00, 0x00, // checksum
    0x00, 0x00, // urgent pointer
  ];
  const { rows, counters } = decode([{ bytes: frame }]);
  assert.equal(rows.length, 1);
  assert.deepEqual(
    pick(rows[0], { family: 0, src: 0, dst: 0, proto: 0, srcPort: 0, dstPort: 0, tcpFlags: 0, ipBytes: 0 }),
    {
      family: 6,
      src: V6_SRC,
      dst: V6_DST,
      proto: 6,
      srcPort: 22,
      dstPort: 50000,
      tcpFlags: 0x18,
      ipBytes: 40 + 52, // payload length + 40
    },
  );
  assertCounters(counters, { frames: 1, ipv6: 1 });
});

Deno.test("Decoder decodes IPv6 UDP", () => {
  // deno-fmt-ignore
  const frame = [
    ...ETH_IPV6,
    ...ipv6Header(17, 10), // next header UDP, payload 10
    0x02, 0x22, // source port 546 (DHCPv6 client)
    0x02, 0x23, // destination port 547 (DHCPv6 server)
    0x00, 0x0a, // length 10
    0x00, 0x00, // checksum
    0x01, 0x02, // data
  ];
  const { rows, counters } = decode([{ bytes: frame }]);
  assert.deepEqual(pick(rows[0], { family: 0, proto: 0, srcPort: 0, dstPort: 0, ipBytes: 0, frameLen: 0 }), {
    family: 6,
    proto: 17,
    srcPort: 546,
    dstPort: 547,
    ipBytes: 50,
    frameLen: 64,
  });
  assertCounters(counters, { frames: 1, ipv6: 1 });
});

/** An IPv6 fragment header carrying UDP: the first fragment (with ports) or a later one. */
function ipv6Fragment(first: boolean, id: number): number[] {
  // deno-fmt-ignore
  return [
    ...ETH_IPV6,
    ...ipv6Header(44, 8 + 16), // next header 44 (fragment), payload 24
    0x11, // next header 17 (UDP)
    0x00, // reserved
    ...(first ? [0x00, 0x01] : [0x00, 0x10]), // offset 0 with M=1, or offset 2 (16 bytes) with M=0
    id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff, // identification
    ...(first
      ? [0x01, 0xbb, 0x30, 0x39, 0x00, 0x20, 0x00, 0x00] // UDP: ports 443 → 12345, length 32
      : [0x99, 0x99, 0x99, 0x99, 0x00, 0x00, 0x00, 0x00]), // data (not a header)
    0, 0, 0, 0, 0, 0, 0, 0, // data
  ];
}

Deno.test("Decoder attributes a later IPv6 fragment to its first fragment's ports", () => {
  const { rows, counters } = decode([
    { bytes: ipv6Fragment(true, 0xdeadbeef) },
    { bytes: ipv6Fragment(false, 0xdeadbeef) },
    { bytes: ipv6Fragment(false, 0x01020304) }, // never saw its first fragment
  ]);
  assert.deepEqual(rows.map((r) => [r.proto, r.srcPort, r.dstPort, r.ipBytes]), [
    [17, 443, 12345, 64],
    [17, 443, 12345, 64],
    [17, 0, 0, 64],
  ]);
  assertCounters(counters, { frames: 3, ipv6: 3, fragments_attributed: 1, fragments_unattributed: 1 });
});

/** `n` destination-options headers (8 bytes each) followed by an 8-byte UDP header. */
function ipv6WithExtensions(n: number): number[] {
  const exts: number[] = [];
  for (let i = 0; i < n; i++) {
    // next header (60 again, or 17 after the last), length 0 (8 bytes), PadN covering 4 bytes
    exts.push(i + 1 < n ? 0x3c : 0x11, 0x00, 0x01, 0x04, 0, 0, 0, 0);
  }
  // UDP: ports 1000 → 2000, length 8, checksum 0
  const udpHeader = [0x03, 0xe8, 0x07, 0xd0, 0x00, 0x08, 0x00, 0x00];
  return [...ETH_IPV6, ...ipv6Header(n ? 0x3c : 0x11, exts.length + 8), ...exts, ...udpHeader];
}

Deno.test("Decoder follows 12 IPv6 extension headers and refuses a 13th", () => {
  const { rows, counters } = decode([{ bytes: ipv6WithExtensions(12) }, { bytes: ipv6WithExtensions(13) }]);
  assert.deepEqual(rows.map((r) => [r.proto, r.srcPort, r.dstPort]), [[17, 1000, 2000]]);
  assertCounters(counters, { frames: 2, ipv6: 1, malformed: { bad_ipv6_extension_chain: 1 } });
});

// deno-fmt-ignore
/** An empty IPv6 packet (next header 59, payload length 0), padded to Ethernet's 60-byte minimum. */
const IPV6_NO_NEXT_HEADER = [...ETH_IPV6, ...ipv6Header(59, 0), 0, 0, 0, 0, 0, 0 /* padding */];

Deno.test({
  // Regression (was a bug): src/decode/ipv6.ts decodeIpv6 treats payload length 0 as a jumbogram even without a
  // hop-by-hop Jumbo Payload option, so an empty packet counts its Ethernet padding: ipBytes 46, not 40.
  name: "Decoder counts an empty IPv6 packet (no next header) as 40 IP bytes, not its padding",
  fn() {
    const { rows } = decode([{ bytes: IPV6_NO_NEXT_HEADER }]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].proto, 59);
    assert.equal(rows[0].ipBytes, 40);
  },
});

Deno.test({
  // Regression (was a bug): src/decode/ipv6.ts decodeIpv6: with payload length 0 the IP bytes are taken from wireRemain,
  // which is negative when a corrupt record's original length is below its captured length; the
  // negative number wraps to ~4 GB in the Uint32Array ipBytes column and the row is emitted.
  name: "Decoder never reports more IP bytes than the wire length, even for a record with wireLen < capLen",
  fn() {
    const { rows } = decode([{ bytes: IPV6_NO_NEXT_HEADER, wireLen: 10 }]);
    for (const r of rows) assert.ok(r.ipBytes <= r.frameLen, `ipBytes ${r.ipBytes} > frameLen ${r.frameLen}`);
  },
});

// ---------------------------------------------------------------- ICMP

Deno.test("Decoder puts the ICMP type in srcPort and the code in dstPort", () => {
  // deno-fmt-ignore
  const echo = [
    ...ETH_IPV4,
    0x45, 0x00, // version 4, IHL 5, DSCP/ECN
    0x00, 0x1c, // total length 28 = 20 + 8
    0x00, 0x07, 0x00, 0x00, // identification, no fragmentation
    0x40, 0x01, // TTL 64, protocol 1 (ICMP)
    0x00, 0x00, // header checksum
    0xc0, 0x00, 0x02, 0x01, // source 192.0.2.1
    0xc0, 0x00, 0x02, 0x02, // destination 192.0.2.2
    0x08, // type 8 (echo request)
    0x00, // code 0
    0x00, 0x00, // checksum
    0x12, 0x34, 0x00, 0x01, // identifier, sequence
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // Ethernet padding
  ];
  // deno-fmt-ignore
  const unreachable = [
    ...ETH_IPV4,
    0x45, 0x00, // version 4, IHL 5, DSCP/ECN
    0x00, 0x38, // total length 56 = 20 + 8 + 28 (the offending header and 8 bytes)
    0x00, 0x08, 0x00, 0x00, // identification, no fragmentation
    0x40, 0x01, // TTL, protocol ICMP
    0x00, 0x00, // header checksum
    0xc0, 0x00, 0x02, 0x02, // source 192.0.2.2
    0xc0, 0x00, 0x02, 0x01, // destination 192.0.2.1
    0x03, // type 3 (destination unreachable)
    0x03, // code 3 (port unreachable)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // checksum, unused
    ...IPV4_UDP.slice(0, 28), // the datagram that could not be delivered
  ];
  const { rows, counters } = decode([{ bytes: echo }, { bytes: unreachable }]);
  assert.deepEqual(rows.map((r) => [r.proto, r.srcPort, r.dstPort, r.ipBytes]), [[1, 8, 0, 28], [
    1,
    3,
    3,
    56,
  ]]);
  assertCounters(counters, { frames: 2, ipv4: 2 });
});

Deno.test("Decoder puts the ICMPv6 type in srcPort and the code in dstPort", () => {
  // deno-fmt-ignore
  const frame = [
    ...ETH_IPV6,
    ...ipv6Header(58, 8), // next header 58 (ICMPv6), payload 8
    0x80, // type 128 (echo request)
    0x00, // code 0
    0x00, 0x00, // checksum
    0x00, 0x01, 0x00, 0x02, // identifier, sequence
  ];
  // deno-fmt-ignore
  const timeExceeded = [
    ...ETH_IPV6,
    ...ipv6Header(58, 8),
    0x03, // type 3 (time exceeded)
    0x01, // code 1 (fragment reassembly time exceeded)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // checksum, unused
  ];
  const { rows } = decode([{ bytes: frame }, { bytes: timeExceeded }]);
  assert.deepEqual(rows.map((r) => [r.family, r.proto, r.srcPort, r.dstPort, r.ipBytes]), [
    [6, 58, 128, 0, 48],
    [6, 58, 3, 1, 48],
  ]);
});

// ---------------------------------------------------------------- ARP

Deno.test("Decoder fills the ARP columns of a request and a reply", () => {
  // deno-fmt-ignore
  const request = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // destination: broadcast
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source MAC
    0x08, 0x06, // EtherType ARP
    0x00, 0x01, // hardware type 1 (Ethernet)
    0x08, 0x00, // protocol type IPv4
    0x06, // hardware address length
    0x04, // protocol address length
    0x00, 0x01, // operation 1 (request)
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // sender MAC 02:00:00:00:00:01
    0xc0, 0xa8, 0x00, 0x0a, // sender IP 192.168.0.10
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target MAC (unknown)
    0xc0, 0xa8, 0x00, 0x01, // target IP 192.168.0.1
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // padding to 60 bytes
  ];
  // deno-fmt-ignore
  const reply = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // destination MAC
    0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, // source MAC
    0x08, 0x06, // EtherType ARP
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // Ethernet, IPv4, lengths 6 and 4
    0x00, 0x02, // operation 2 (reply)
    0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, // sender MAC 0a:1b:2c:3d:4e:5f
    0xc0, 0xa8, 0x00, 0x01, // sender IP 192.168.0.1
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // target MAC 02:00:00:00:00:01
    0xc0, 0xa8, 0x00, 0x0a, // target IP 192.168.0.10
  ];
  const { rows, counters } = decode([{ bytes: request }, { bytes: reply }]);
  const arpCols = {
    kind: 0,
    arpOp: 0,
    arpSha: 0,
    src: 0,
    arpTha: 0,
    dst: 0,
    ethSrc: 0,
    frameLen: 0,
    arpUnicast: 0,
  };
  assert.deepEqual(rows.map((r) => pick(r, arpCols)), [
    {
      kind: RowKind.Arp,
      arpOp: 1,
      arpSha: 0x020000000001,
      src: [v4(192, 168, 0, 10), 0, 0, 0],
      arpTha: 0,
      dst: [v4(192, 168, 0, 1), 0, 0, 0],
      ethSrc: 0x020000000001,
      frameLen: 60,
      arpUnicast: 0, // to ff:ff:ff:ff:ff:ff: looking for 192.168.0.1
    },
    {
      kind: RowKind.Arp,
      arpOp: 2,
      arpSha: 0x0a1b2c3d4e5f,
      src: [v4(192, 168, 0, 1), 0, 0, 0],
      arpTha: 0x020000000001,
      dst: [v4(192, 168, 0, 10), 0, 0, 0],
      ethSrc: 0x0a1b2c3d4e5f,
      frameLen: 42,
      arpUnicast: 1, // to 02:00:00:00:00:01 alone
    },
  ]);
  assertCounters(counters, { frames: 2, arp: 2 });
});

// ---------------------------------------------------------------- other link types

Deno.test("Decoder: an ARP frame says whether it went to one station, by MAC or by a cooked capture's packet type", () => {
  // deno-fmt-ignore
  const body = [
    0x08, 0x06, // protocol ARP (Ethernet: the EtherType; cooked: the protocol field, written below)
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // Ethernet, IPv4, lengths 6 and 4
    0x00, 0x01, // operation 1 (request)
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // sender MAC 02:00:00:00:00:01
    0xc0, 0xa8, 0x00, 0x0a, // sender IP 192.168.0.10
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // target MAC (unknown: Linux leaves it zero in both kinds)
    0xc0, 0xa8, 0x00, 0x01, // target IP 192.168.0.1
  ];
  const arpBody = body.slice(2);
  const ether = (dst: number[]) => [...dst, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, ...body];
  // SLL: packet type (2) | ARPHRD_ETHER | address length 6 | sender's MAC + 2 unused | protocol ARP
  const sll = (type: number) => [0, type, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x06, ...arpBody];
  // SLL2: protocol ARP | reserved | ifindex 3 | ARPHRD_ETHER | packet type | address length 6 | address
  const sll2 = (
    type: number,
  ) => [0x08, 0x06, 0, 0, 0, 0, 0, 3, 0, 1, type, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...arpBody];
  const { rows, counters } = decode([
    { bytes: ether([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) }, // broadcast: looking for someone
    { bytes: ether([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]) }, // unicast: re-checking a known neighbour
    { bytes: ether([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]) }, // multicast: not one station
    { bytes: sll(0), linkType: LinkType.LinuxSll }, // PACKET_HOST
    { bytes: sll(1), linkType: LinkType.LinuxSll }, // PACKET_BROADCAST
    { bytes: sll(3), linkType: LinkType.LinuxSll }, // PACKET_OTHERHOST
    { bytes: sll(4), linkType: LinkType.LinuxSll }, // PACKET_OUTGOING: the capture does not say to whom
    { bytes: sll2(0), linkType: LinkType.LinuxSll2 },
    { bytes: sll2(1), linkType: LinkType.LinuxSll2 },
  ]);
  assert.deepEqual(rows.map((r) => [r.kind, r.arpOp, r.arpUnicast]), [
    [RowKind.Arp, 1, 0],
    [RowKind.Arp, 1, 1],
    [RowKind.Arp, 1, 0],
    [RowKind.Arp, 1, 1],
    [RowKind.Arp, 1, 0],
    [RowKind.Arp, 1, 1],
    [RowKind.Arp, 1, 0],
    [RowKind.Arp, 1, 1],
    [RowKind.Arp, 1, 0],
  ]);
  assertCounters(counters, { frames: 9, arp: 9 });
});

Deno.test("Decoder reads Linux cooked captures v1 (SLL) and v2 (SLL2)", () => {
  // deno-fmt-ignore
  const sll = [
    0x00, 0x00, // packet type 0 (to us)
    0x00, 0x01, // ARPHRD_ETHER
    0x00, 0x06, // link-layer address length 6
    0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x00, 0x00, // address 0a:1b:2c:3d:4e:5f, 2 unused bytes
    0x08, 0x00, // protocol IPv4
    ...IPV4_UDP,
  ];
  // deno-fmt-ignore
  const sll2 = [
    0x08, 0x00, // protocol IPv4
    0x00, 0x00, // reserved
    0x00, 0x00, 0x00, 0x03, // interface index 3
    0x00, 0x01, // ARPHRD_ETHER
    0x04, // packet type 4 (sent by us)
    0x06, // link-layer address length 6
    0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x00, 0x00, // address, 2 unused bytes
    ...IPV4_UDP,
  ];
  // deno-fmt-ignore
  const sllNoAddress = [
    0x00, 0x04, // packet type 4 (sent by us)
    0x03, 0x04, // ARPHRD_LOOPBACK... (772 = 0x0304)
    0x00, 0x00, // link-layer address length 0
    0, 0, 0, 0, 0, 0, 0, 0, // no address
    0x08, 0x00, // protocol IPv4
    ...IPV4_UDP,
  ];
  const { rows, counters } = decode([
    { bytes: sll, linkType: LinkType.LinuxSll },
    { bytes: sll2, linkType: LinkType.LinuxSll2 },
    { bytes: sllNoAddress, linkType: LinkType.LinuxSll },
  ]);
  assert.equal(rows.length, 3);
  for (const r of rows) assert.deepEqual(pick(r, IPV4_UDP_ROW), IPV4_UDP_ROW);
  assert.deepEqual(rows.map((r) => r.ethSrc), [0x0a1b2c3d4e5f, 0x0a1b2c3d4e5f, 0]);
  assert.deepEqual(rows.map((r) => r.frameLen), [48, 52, 48]);
  assertCounters(counters, { frames: 3, ipv4: 3, name_payloads: 3 });
});

Deno.test("Decoder reads raw IP frames by their version nibble", () => {
  // deno-fmt-ignore
  const v6 = [
    ...ipv6Header(17, 8), // UDP, payload 8
    0x00, 0x7b, 0x00, 0x7b, 0x00, 0x08, 0x00, 0x00, // UDP 123 → 123, length 8
  ];
  const { rows, counters } = decode([
    { bytes: IPV4_UDP, linkType: LinkType.Raw },
    { bytes: v6, linkType: LinkType.Raw },
  ]);
  assert.deepEqual(pick(rows[0], IPV4_UDP_ROW), IPV4_UDP_ROW);
  assert.deepEqual(pick(rows[1], { family: 0, src: 0, srcPort: 0, dstPort: 0, ipBytes: 0, ethSrc: 0 }), {
    family: 6,
    src: V6_SRC,
    srcPort: 123,
    dstPort: 123,
    ipBytes: 48,
    ethSrc: 0,
  });
  assertCounters(counters, { frames: 2, ipv4: 1, ipv6: 1, name_payloads: 1 });
});

Deno.test("Decoder counts a frame of an unknown link type as unsupported_link_type", () => {
  const { rows, counters } = decode([
    { bytes: ETH_IPV4_TCP, linkType: 105 }, // LINKTYPE_IEEE802_11
    { bytes: ETH_IPV4_TCP, linkType: 0 }, // LINKTYPE_NULL (BSD loopback)
  ]);
  assert.equal(rows.length, 0);
  assertCounters(counters, { frames: 2, unsupported_link_type: 2 });
});

// ---------------------------------------------------------------- malformed

/** A vector per malformed reason; every reason in MALFORMED_NAMES must appear at least once. */
const MALFORMED_VECTORS: { reason: string; what: string; input: Input }[] = [
  {
    reason: "truncated_ethernet",
    what: "13 bytes: the EtherType is cut",
    input: { bytes: ETH_IPV4.slice(0, 13) },
  },
  {
    reason: "truncated_vlan",
    what: "an 802.1Q TPID with only 2 bytes after it",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4.slice(0, 12), // MACs
      0x81, 0x00, // TPID 802.1Q
      0x00, 0x0a, // TCI, then nothing: the inner EtherType is missing
    ] },
  },
  {
    reason: "truncated_linux_sll",
    what: "a 15-byte SLL header",
    input: { bytes: [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08], linkType: LinkType.LinuxSll },
  },
  {
    reason: "truncated_linux_sll",
    what: "a 19-byte SLL2 header",
    input: {
      bytes: [0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0],
      linkType: LinkType.LinuxSll2,
    },
  },
  {
    reason: "truncated_ipv4",
    what: "19 bytes of IPv4 header",
    input: { bytes: [...ETH_IPV4, ...IPV4_TCP_HEADER.slice(0, 19)] },
  },
  {
    reason: "truncated_ipv4",
    what: "an empty raw frame",
    input: { bytes: [], linkType: LinkType.Raw },
  },
  {
    reason: "truncated_ipv4",
    what: "IHL 6 with the options cut by the snaplen",
    input: { bytes: [...ETH_IPV4, 0x46, ...IPV4_TCP_HEADER.slice(1), 0x01, 0x01], wireLen: 100 },
  },
  {
    reason: "bad_ip_version",
    what: "EtherType IPv4 carrying a version-6 header",
    input: { bytes: [...ETH_IPV4, 0x65, ...IPV4_TCP_HEADER.slice(1), ...TCP_SYNACK_WITH_DATA] },
  },
  {
    reason: "bad_ip_version",
    what: "EtherType IPv6 carrying a version-4 header",
    input: { bytes: [...ETH_IPV6, 0x45, ...ipv6Header(17, 8).slice(1), 0, 1, 0, 2, 0, 8, 0, 0] },
  },
  {
    reason: "bad_ipv4_header_length",
    what: "IHL 4 (16 bytes, below the minimum 20)",
    input: { bytes: [...ETH_IPV4, 0x44, ...IPV4_TCP_HEADER.slice(1), ...TCP_SYNACK_WITH_DATA] },
  },
  {
    reason: "bad_ipv4_total_length",
    what: "total length 16, shorter than the header",
    // deno-fmt-ignore
    input: { bytes: [...ETH_IPV4, 0x45, 0x00, 0x00, 0x10 /* total length 16 */, ...IPV4_TCP_HEADER.slice(4), ...TCP_SYNACK_WITH_DATA] },
  },
  {
    reason: "bad_ipv4_total_length",
    what: "total length 0xffff, beyond the frame on the wire",
    // deno-fmt-ignore
    input: { bytes: [...ETH_IPV4, 0x45, 0x00, 0xff, 0xff /* total length 65535 */, ...IPV4_TCP_HEADER.slice(4), ...TCP_SYNACK_WITH_DATA] },
  },
  {
    reason: "truncated_ipv6",
    what: "39 bytes of IPv6 header",
    input: { bytes: [...ETH_IPV6, ...ipv6Header(17, 8).slice(0, 39)] },
  },
  {
    reason: "truncated_ipv6",
    what: "a payload length beyond the frame on the wire",
    input: { bytes: [...ETH_IPV6, ...ipv6Header(17, 1000), 0, 1, 0, 2, 0, 8, 0, 0] },
  },
  {
    reason: "truncated_ipv6",
    what: "a hop-by-hop header cut after its first byte",
    input: { bytes: [...ETH_IPV6, ...ipv6Header(0, 1), 0x11] },
  },
  {
    reason: "truncated_ipv6",
    what: "a fragment header of 4 bytes",
    input: { bytes: [...ETH_IPV6, ...ipv6Header(44, 4), 0x11, 0x00, 0x00, 0x01] },
  },
  {
    reason: "bad_ipv6_extension_chain",
    what: "13 destination-options headers",
    input: { bytes: ipv6WithExtensions(13) },
  },
  {
    reason: "truncated_tcp",
    what: "13 bytes of TCP inside the IPv4 total length (the Ethernet padding is not TCP)",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4,
      0x45, 0x00, 0x00, 0x21 /* total length 33 = 20 + 13 */, ...IPV4_TCP_HEADER.slice(4),
      ...TCP_SYNACK_WITH_DATA.slice(0, 13),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // padding to 60 bytes
    ] },
  },
  {
    reason: "truncated_tcp",
    what: "TCP header cut by the snaplen",
    input: { bytes: ETH_IPV4_TCP, capLen: 14 + 20 + 10, wireLen: 60 },
  },
  {
    reason: "bad_tcp_data_offset",
    what: "data offset 4 (16 bytes, below the minimum 20)",
    // deno-fmt-ignore
    input: { bytes: [...ETH_IPV4, ...IPV4_TCP_HEADER, ...TCP_SYNACK_WITH_DATA.slice(0, 12), 0x40 /* data offset 4 */, ...TCP_SYNACK_WITH_DATA.slice(13)] },
  },
  {
    reason: "truncated_udp",
    what: "7 bytes of UDP",
    input: { bytes: [...ETH_IPV4, 0x45, 0x00, 0x00, 0x1b, /* total length 27 */ ...IPV4_UDP.slice(4, 27)] },
  },
  {
    reason: "bad_udp_length",
    what: "UDP length 7 (below the 8-byte header)",
    input: {
      bytes: [...ETH_IPV4, ...IPV4_UDP.slice(0, 24), 0x00, 0x07, /* UDP length 7 */ ...IPV4_UDP.slice(26)],
    },
  },
  {
    reason: "truncated_icmp",
    what: "1 byte of ICMP",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4,
      0x45, 0x00, 0x00, 0x15, // version 4, IHL 5, total length 21
      0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, // id, flags, TTL, protocol ICMP, checksum
      0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, // 192.0.2.1 → 192.0.2.2
      0x08, // type 8, then nothing
    ] },
  },
  {
    reason: "truncated_icmp",
    what: "an ICMPv6 header of 1 byte",
    input: { bytes: [...ETH_IPV6, ...ipv6Header(58, 1), 0x80] },
  },
  {
    reason: "truncated_arp",
    what: "27 bytes of ARP",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4.slice(0, 12), 0x08, 0x06, // MACs, EtherType ARP
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // Ethernet/IPv4 request
      1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, // target IP cut after 3 bytes
    ] },
  },
  {
    reason: "bad_arp",
    what: "hardware type 6 (IEEE 802)",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4.slice(0, 12), 0x08, 0x06,
      0x00, 0x06, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // hardware type 6
      1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ] },
  },
  {
    reason: "bad_arp",
    what: "operation 3 (RARP request)",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4.slice(0, 12), 0x08, 0x06,
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x03, // operation 3
      1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ] },
  },
  {
    reason: "too_many_vlan_tags",
    what: "five stacked 802.1Q tags",
    // deno-fmt-ignore
    input: { bytes: [
      ...ETH_IPV4.slice(0, 12),
      0x81, 0x00, 0x00, 0x01, // tag 1
      0x81, 0x00, 0x00, 0x02, // tag 2
      0x81, 0x00, 0x00, 0x03, // tag 3
      0x81, 0x00, 0x00, 0x04, // tag 4
      0x81, 0x00, 0x00, 0x05, // tag 5: one too many
      0x08, 0x00, // EtherType IPv4
      ...IPV4_UDP,
    ] },
  },
  {
    reason: "truncated_lldp",
    what: "an LLDP Chassis ID TLV longer than the frame",
    // deno-fmt-ignore
    input: { bytes: [
      0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, ...ETH_IPV4.slice(6, 12), // LLDP multicast, source MAC
      0x88, 0xcc, // EtherType LLDP
      0x02, 0x40, // Chassis ID TLV, length 64
      0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // subtype MAC and 6 octets, then the frame ends
    ], wireLen: 60 },
  },
  {
    reason: "bad_lldp",
    what: "an LLDPDU whose first TLV is the TTL",
    // deno-fmt-ignore
    input: { bytes: [
      0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, ...ETH_IPV4.slice(6, 12),
      0x88, 0xcc, // EtherType LLDP
      0x06, 0x02, 0x00, 0x78, // TTL TLV where Chassis ID must be
      0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // Chassis ID
      0x04, 0x02, 0x07, 0x41, // Port ID "A"
      0x00, 0x00, // End
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // padding
    ] },
  },
  {
    reason: "truncated_cdp",
    what: "a CDP message cut inside its header",
    // deno-fmt-ignore
    input: { bytes: [
      0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, ...ETH_IPV4.slice(6, 12), // CDP multicast, source MAC
      0x00, 0x0a, // 802.3 length 10
      0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, // LLC/SNAP, OUI Cisco, PID CDP
      0x02, 0xb4, // version 2, holdtime 180: the checksum is beyond the 802.3 length
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // padding
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ] },
  },
  {
    reason: "bad_cdp",
    what: "a CDP TLV of length 2",
    // deno-fmt-ignore
    input: { bytes: [
      0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, ...ETH_IPV4.slice(6, 12),
      0x00, 0x26, // 802.3 length 38
      0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, // LLC/SNAP, OUI Cisco, PID CDP
      0x02, 0xb4, 0x00, 0x00, // version 2, holdtime 180, checksum
      0x00, 0x01, 0x00, 0x07, 0x73, 0x77, 0x31, // Device ID "sw1"
      0x00, 0x03, 0x00, 0x02, // Port ID TLV claiming 2 octets: less than its own header
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ] },
  },
];

for (const v of MALFORMED_VECTORS) {
  Deno.test(`Decoder counts malformed.${v.reason} for ${v.what}`, () => {
    const { rows, counters } = decode([v.input]);
    assert.equal(rows.length, 0);
    assertCounters(counters, { frames: 1, malformed: { [v.reason]: 1 } });
  });
}

Deno.test("Decoder malformed vectors cover every malformed reason", () => {
  const covered = new Set(MALFORMED_VECTORS.map((v) => v.reason));
  assert.deepEqual(MALFORMED_NAMES.filter((n) => !covered.has(n)), []);
});

Deno.test("Decoder accepts four VLAN tags", () => {
  // deno-fmt-ignore
  const frame = [
    ...ETH_IPV4.slice(0, 12),
    0x88, 0xa8, 0x00, 0x01, // tag 1 (802.1ad), VID 1
    0x81, 0x00, 0x00, 0x02, // tag 2, VID 2
    0x81, 0x00, 0x00, 0x03, // tag 3, VID 3
    0x81, 0x00, 0x00, 0x04, // tag 4, VID 4
    0x08, 0x00, // EtherType IPv4
    ...IPV4_UDP,
  ];
  const { rows } = decode([{ bytes: frame }]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].vlan, 1);
});

// ---------------------------------------------------------------- batching

Deno.test("Decoder hands each full batch to its consumer and the rest on flush()", () => {
  const inputs = Array.from({ length: 5 }, (_, i) => ({ bytes: ETH_IPV4_TCP, tsMs: 1000 + i }));
  const { rows, batches } = decode(inputs, 2);
  assert.equal(batches, 3); // 2 + 2 on the way, 1 on flush
  assert.deepEqual(rows.map((r) => r.tsMs), [1000, 1001, 1002, 1003, 1004]);
});

Deno.test("Decoder continues into the batch its consumer returns when it gives one away", () => {
  const seen: PacketBatch[] = [];
  const decoder = new Decoder({
    consume(b) {
      seen.push(b);
      return createPacketBatch(b.capacity);
    },
  }, 2);
  const buf = Uint8Array.from(ETH_IPV4_TCP);
  for (let i = 0; i < 5; i++) decoder.frame(buf, 0, buf.length, buf.length, 2000 + i, LinkType.Ethernet);
  decoder.flush();
  assert.equal(seen.length, 3);
  assert.equal(new Set(seen).size, 3, "a batch given away is never written again");
  assert.deepEqual(seen.map((b) => Array.from(b.tsMs.subarray(0, b.count))), [[2000, 2001], [2002, 2003], [
    2004,
  ]]);
});

Deno.test("Decoder flush() with nothing buffered does not call the consumer", () => {
  const { batches } = decode([]);
  assert.equal(batches, 0);
});
