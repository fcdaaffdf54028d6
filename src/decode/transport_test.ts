import assert from "node:assert/strict";
import { Malformed, OK } from "./malformed.ts";
import { createPacketBatch } from "./packet_batch.ts";
import { decodeTransport, IpProto, readTcpHeader, TcpFlag, tcpFlagsText } from "./transport.ts";

// deno-fmt-ignore
/** A TCP header with 12 bytes of options (data offset 8), high-bit sequence and ack numbers. */
const TCP_WITH_OPTIONS = Uint8Array.from([
  0xff, 0xfe, // source port 65534
  0x00, 0x50, // destination port 80
  0xfe, 0xdc, 0xba, 0x98, // sequence number 0xfedcba98 (above 2^31: must stay unsigned)
  0x80, 0x00, 0x00, 0x01, // acknowledgement number 0x80000001
  0x80, // data offset 8 (32 bytes), reserved 0
  0x18, // flags PSH + ACK
  0x72, 0x10, // window 29200
  0xab, 0xcd, // checksum
  0x00, 0x00, // urgent pointer
  0x01, 0x01, // NOP, NOP
  0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // timestamps: TSval 1, TSecr 2
  0x68, 0x69, // data "hi"
]);

Deno.test("readTcpHeader() reads ports, unsigned seq/ack, header length, flags and window", () => {
  assert.deepEqual(readTcpHeader(TCP_WITH_OPTIONS, 0), {
    srcPort: 65534,
    dstPort: 80,
    seq: 0xfedcba98,
    ack: 0x80000001,
    headerLength: 32,
    flags: 0x18,
    window: 29200,
  });
});

Deno.test("readTcpHeader() reads a header at an offset", () => {
  const buf = new Uint8Array(5 + TCP_WITH_OPTIONS.length);
  buf.set(TCP_WITH_OPTIONS, 5);
  assert.equal(readTcpHeader(buf, 5)?.seq, 0xfedcba98);
});

Deno.test("readTcpHeader() returns undefined for fewer than 20 bytes", () => {
  assert.equal(readTcpHeader(TCP_WITH_OPTIONS.subarray(0, 19), 0), undefined);
  assert.equal(readTcpHeader(TCP_WITH_OPTIONS, 0, 19), undefined, "end limits the header too");
  assert.notEqual(readTcpHeader(TCP_WITH_OPTIONS, 0, 20), undefined);
});

Deno.test("readTcpHeader() returns undefined for a data offset below 5", () => {
  const bad = TCP_WITH_OPTIONS.slice();
  bad[12] = 0x40; // data offset 4 (16 bytes)
  assert.equal(readTcpHeader(bad, 0), undefined);
});

Deno.test("tcpFlagsText() spells flags in FSRPAUEC order", () => {
  assert.equal(tcpFlagsText(0), "");
  assert.equal(tcpFlagsText(0x02), "S");
  assert.equal(tcpFlagsText(0x12), "SA");
  assert.equal(tcpFlagsText(0x11), "FA");
  assert.equal(tcpFlagsText(0x18), "PA");
  assert.equal(tcpFlagsText(0x04), "R");
  assert.equal(tcpFlagsText(0xc2), "SEC"); // SYN with ECN negotiation (RFC 3168)
  assert.equal(tcpFlagsText(0xff), "FSRPAUEC");
});

Deno.test("TcpFlag holds the RFC 9293 / RFC 3168 bit values", () => {
  assert.deepEqual(TcpFlag, {
    FIN: 0x01,
    SYN: 0x02,
    RST: 0x04,
    PSH: 0x08,
    ACK: 0x10,
    URG: 0x20,
    ECE: 0x40,
    CWR: 0x80,
  });
});

Deno.test("decodeTransport() fills ports and flags for TCP", () => {
  const batch = createPacketBatch(4);
  assert.equal(decodeTransport(TCP_WITH_OPTIONS, 0, TCP_WITH_OPTIONS.length, IpProto.Tcp, batch, 2), OK);
  assert.deepEqual([batch.srcPort[2], batch.dstPort[2], batch.tcpFlags[2]], [65534, 80, 0x18]);
});

Deno.test("decodeTransport() reads SCTP ports (RFC 9260 common header)", () => {
  // deno-fmt-ignore
  const sctp = Uint8Array.from([
    0x0b, 0x59, // source port 2905 (M3UA)
    0x0b, 0x59, // destination port 2905
    0x00, 0x00, 0x00, 0x01, // verification tag
    0x00, 0x00, 0x00, 0x00, // checksum
  ]);
  const batch = createPacketBatch(1);
  batch.tcpFlags[0] = 0xff; // left over from an earlier row
  assert.equal(decodeTransport(sctp, 0, sctp.length, IpProto.Sctp, batch, 0), OK);
  assert.deepEqual([batch.srcPort[0], batch.dstPort[0], batch.tcpFlags[0]], [2905, 2905, 0]);
});

Deno.test("decodeTransport() gives ports 0 to a protocol without ports (GRE)", () => {
  const batch = createPacketBatch(1);
  batch.srcPort[0] = 1;
  batch.dstPort[0] = 2;
  batch.tcpFlags[0] = 3;
  assert.equal(decodeTransport(new Uint8Array(0), 0, 0, 47, batch, 0), OK);
  assert.deepEqual([batch.srcPort[0], batch.dstPort[0], batch.tcpFlags[0]], [0, 0, 0]);
});

Deno.test("decodeTransport() reports truncated headers by protocol", () => {
  const batch = createPacketBatch(1);
  const b = new Uint8Array(64);
  assert.equal(decodeTransport(b, 0, 13, IpProto.Tcp, batch, 0), Malformed.TruncatedTcp);
  assert.equal(decodeTransport(b, 0, 7, IpProto.Udp, batch, 0), Malformed.TruncatedUdp);
  assert.equal(decodeTransport(b, 0, 3, IpProto.Sctp, batch, 0), Malformed.TruncatedUdp);
  assert.equal(decodeTransport(b, 0, 1, IpProto.Icmp, batch, 0), Malformed.TruncatedIcmp);
  assert.equal(decodeTransport(b, 0, 1, IpProto.Icmpv6, batch, 0), Malformed.TruncatedIcmp);
  // A start beyond the end (an extension header that claimed more than there was).
  assert.equal(decodeTransport(b, 40, 30, IpProto.Udp, batch, 0), Malformed.TruncatedUdp);
});
