import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { buildTrapEvent, TrapReceiver } from "./trap_receiver.ts";
import {
  decodeEnvelope,
  decodeTrapPdu,
  encodeInformResponse,
  MalformedPdu,
  renderOctets,
} from "./trap_pdu.ts";
import { trapName, v1TrapOid } from "./trap_names.ts";
import { mutateDatagram, seededRandom } from "../../tests/helpers/datagram_mutator.ts";

// --- BER written by hand (X.690), so the decoder is checked against bytes, not against itself. ---

function tlv(tag: number, ...parts: (number[] | Uint8Array)[]): Uint8Array {
  const body = parts.flatMap((p) => Array.from(p));
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.of(tag, ...len, ...body);
}
const int = (...octets: number[]) => tlv(0x02, octets);
const str = (s: string) => tlv(0x04, new TextEncoder().encode(s));
const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const vb = (oid: number[], value: Uint8Array) => seq(tlv(0x06, oid), value);

// OIDs as BER contents: 1.3 packs to 0x2b.
const SYS_UPTIME_0 = [0x2b, 6, 1, 2, 1, 1, 3, 0]; // 1.3.6.1.2.1.1.3.0
const SNMP_TRAP_OID_0 = [0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0]; // 1.3.6.1.6.3.1.1.4.1.0
const LINK_DOWN = [0x2b, 6, 1, 6, 3, 1, 1, 5, 3]; // 1.3.6.1.6.3.1.1.5.3
const IF_INDEX_3 = [0x2b, 6, 1, 2, 1, 2, 2, 1, 1, 3]; // 1.3.6.1.2.1.2.2.1.1.3
const NET_SNMP = [0x2b, 6, 1, 4, 1, 0xbf, 0x08]; // 1.3.6.1.4.1.8072 (8072 = 0x3f·128 + 0x08)

/** An SNMPv2c message: version 1, community, PDU with request-id 0x1234, no error. */
function v2cMessage(pduTag: number, community: string, ...varbinds: Uint8Array[]): Uint8Array {
  return seq(int(1), str(community), tlv(pduTag, int(0x12, 0x34), int(0), int(0), seq(...varbinds)));
}

/** An SNMPv1 Trap-PDU message. */
function v1Message(
  agent: number[],
  generic: number,
  specific: number,
  ...varbinds: Uint8Array[]
): Uint8Array {
  return seq(
    int(0),
    str("public"),
    tlv(
      0xa4,
      tlv(0x06, NET_SNMP),
      tlv(0x40, agent),
      int(generic),
      int(specific),
      tlv(0x43, [0x30, 0x39]),
      seq(...varbinds),
    ),
  );
}

function decode(msg: Uint8Array, maxVarbinds = 64, maxValueBytes = 1024) {
  return decodeTrapPdu(decodeEnvelope(msg), maxVarbinds, maxValueBytes);
}

Deno.test("v1TrapOid() maps generic traps 0–5 to snmpTraps.1–6 as RFC 3584 §3.1 says", () => {
  const rfcTable = [
    "1.3.6.1.6.3.1.1.5.1", // coldStart
    "1.3.6.1.6.3.1.1.5.2", // warmStart
    "1.3.6.1.6.3.1.1.5.3", // linkDown
    "1.3.6.1.6.3.1.1.5.4", // linkUp
    "1.3.6.1.6.3.1.1.5.5", // authenticationFailure
    "1.3.6.1.6.3.1.1.5.6", // egpNeighborLoss
  ];
  for (let g = 0; g < 6; g++) assert.equal(v1TrapOid("1.3.6.1.4.1.9", g, 99), rfcTable[g]);
});

Deno.test("v1TrapOid() maps an enterprise-specific trap to enterprise.0.specific", () => {
  assert.equal(v1TrapOid("1.3.6.1.4.1.8072.2.3", 6, 17), "1.3.6.1.4.1.8072.2.3.0.17");
});

Deno.test("v1TrapOid() rejects generic-trap values outside 0–6", () => {
  assert.equal(v1TrapOid("1.3.6.1.4.1.9", 7, 0), null);
  assert.equal(v1TrapOid("1.3.6.1.4.1.9", -1, 0), null);
});

Deno.test("trapName() names the standard notifications and calls the rest enterpriseSpecific", () => {
  assert.equal(trapName("1.3.6.1.6.3.1.1.5.1"), "coldStart");
  assert.equal(trapName("1.3.6.1.6.3.1.1.5.4"), "linkUp");
  assert.equal(trapName("1.3.6.1.6.3.1.1.5.5"), "authenticationFailure");
  assert.equal(trapName("1.3.6.1.4.1.8072.2.3.0.1"), "enterpriseSpecific");
});

Deno.test("decodeTrapPdu() renders each value type as text", () => {
  const msg = v2cMessage(
    0xa7,
    "public",
    vb(SYS_UPTIME_0, tlv(0x43, [0x01, 0x00])), // 256
    vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN)),
    vb([0x2b, 1], int(0xff, 0xd6)), // -42
    vb([0x2b, 2], tlv(0x41, [0xff, 0xff, 0xff, 0xff])), // Counter32 sent without its leading zero
    vb([0x2b, 3], tlv(0x42, [0x00, 0xee, 0x6b, 0x28, 0x00])), // Gauge32 4000000000
    vb([0x2b, 4], tlv(0x46, [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), // Counter64 max
    vb([0x2b, 5], tlv(0x40, [10, 1, 2, 3])),
    vb([0x2b, 6], tlv(0x06, [0x88, 0x37, 3])), // 2.999.3 (first sub-id 999+80 = 0x88 0x37)
    vb([0x2b, 7], tlv(0x04, [0xde, 0xad, 0x00])),
    vb([0x2b, 8], tlv(0x05, [])),
    vb([0x2b, 9], tlv(0x81, [])), // noSuchInstance
  );
  const d = decode(msg);
  assert.deepEqual(d.varbinds.slice(2), [
    { oid: "1.3.1", type: "Integer", value: "-42" },
    { oid: "1.3.2", type: "Counter32", value: "4294967295" },
    { oid: "1.3.3", type: "Gauge32", value: "4000000000" },
    { oid: "1.3.4", type: "Counter64", value: "18446744073709551615" },
    { oid: "1.3.5", type: "IpAddress", value: "10.1.2.3" },
    { oid: "1.3.6", type: "ObjectIdentifier", value: "2.999.3" },
    { oid: "1.3.7", type: "OctetString", value: "de ad 00" },
    { oid: "1.3.8", type: "Null", value: "" },
    { oid: "1.3.9", type: "NoSuchInstance", value: "" },
  ]);
  assert.deepEqual(d.varbinds[0], { oid: "1.3.6.1.2.1.1.3.0", type: "TimeTicks", value: "256" });
});

Deno.test("renderOctets() keeps printable UTF-8 text and shows other octets as hex", () => {
  const enc = new TextEncoder();
  assert.equal(
    renderOctets(enc.encode("GigabitEthernet0/1 — uplink\n"), 1024),
    "GigabitEthernet0/1 — uplink\n",
  );
  assert.equal(renderOctets(Uint8Array.of(0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e), 1024), "00 1a 2b 3c 4d 5e");
  assert.equal(renderOctets(Uint8Array.of(0x41, 0x1b, 0x42), 1024), "41 1b 42"); // ESC is not printable
  assert.equal(renderOctets(new Uint8Array(0), 1024), "");
});

Deno.test("renderOctets() cuts long values at the cap and marks the cut", () => {
  const long = new TextEncoder().encode("x".repeat(5000));
  assert.equal(renderOctets(long, 1024), "x".repeat(1024) + "…");
  // A cut inside a two-octet character is not mistaken for binary.
  const accents = new TextEncoder().encode("é".repeat(600)); // 1200 octets
  assert.equal(renderOctets(accents, 1023), "é".repeat(511) + "…");
  const binary = new Uint8Array(2000).fill(0xff);
  assert.equal(renderOctets(binary, 4), "ff ff ff ff …");
});

Deno.test("decodeTrapPdu() keeps maxVarbinds varbinds and counts the rest", () => {
  const extra = Array.from({ length: 10 }, (_, i) => vb([0x2b, i], int(i)));
  const d = decode(v2cMessage(0xa7, "public", vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN)), ...extra), 4);
  assert.equal(d.varbinds.length, 4);
  assert.equal(d.omitted, 7);
});

Deno.test("buildTrapEvent() names a v2c linkDown and takes ifIndex from its varbind", () => {
  const msg = v2cMessage(
    0xa7,
    "public",
    vb(SYS_UPTIME_0, tlv(0x43, [0x30, 0x39])), // 12345
    vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN)),
    vb(IF_INDEX_3, int(3)),
  );
  const e = buildTrapEvent(decode(msg), "127.0.0.5", "2024-05-01T00:00:00.000Z");
  assert.equal(e.name, "linkDown");
  assert.equal(e.trap_oid, "1.3.6.1.6.3.1.1.5.3");
  assert.equal(e.uptime_cs, 12345);
  assert.equal(e.if_index, 3);
  assert.equal(e.version, "v2c");
  assert.equal(e.pdu, "trap");
  assert.equal(e.reason, "linkDown from 127.0.0.5: interface 3 went down");
  assert.equal(e.if_name, null);
  // With the device's polled interfaces: the name, asked for the agent's own interface.
  const asked: [string, number][] = [];
  const named = buildTrapEvent(decode(msg), "127.0.0.5", "t", (ip, ifIndex) => {
    asked.push([ip, ifIndex]);
    return ifIndex === 3 ? "Gi1/0/3" : null;
  });
  assert.deepEqual(asked, [["127.0.0.5", 3]]);
  assert.equal(named.if_name, "Gi1/0/3");
  assert.equal(named.reason, "linkDown from 127.0.0.5: interface 3 (Gi1/0/3) went down");
});

Deno.test("buildTrapEvent() uses a v1 agent-addr as the source, and the UDP source when it is 0.0.0.0", () => {
  const withAgent = buildTrapEvent(
    decode(v1Message([10, 0, 0, 7], 3, 0, vb(IF_INDEX_3, int(3)))),
    "127.0.0.1",
    "t",
  );
  assert.equal(withAgent.source_ip, "10.0.0.7");
  assert.equal(withAgent.name, "linkUp");
  assert.equal(withAgent.if_index, 3);
  assert.equal(withAgent.uptime_cs, 12345);
  const without = buildTrapEvent(decode(v1Message([0, 0, 0, 0], 0, 0)), "127.0.0.9", "t");
  assert.equal(without.source_ip, "127.0.0.9");
  assert.equal(without.name, "coldStart");
});

Deno.test("buildTrapEvent() maps a v1 enterprise-specific trap and describes it", () => {
  const e = buildTrapEvent(
    decode(v1Message([10, 0, 0, 7], 6, 17, vb([0x2b, 1], str("hi")))),
    "127.0.0.1",
    "t",
  );
  assert.equal(e.name, "enterpriseSpecific");
  assert.equal(e.trap_oid, "1.3.6.1.4.1.8072.0.17");
  assert.equal(e.reason, "enterprise-specific trap 1.3.6.1.4.1.8072.0.17 from 10.0.0.7 with 1 value");
});

Deno.test("buildTrapEvent() refuses a v2c trap without snmpTrapOID.0 and a v1 generic-trap of 7", () => {
  const noTrapOid = decode(v2cMessage(0xa7, "public", vb(SYS_UPTIME_0, tlv(0x43, [1]))));
  assert.throws(() => buildTrapEvent(noTrapOid, "127.0.0.1", "t"), MalformedPdu);
  assert.throws(() => buildTrapEvent(decode(v1Message([0, 0, 0, 0], 7, 0)), "127.0.0.1", "t"), MalformedPdu);
});

Deno.test("decodeEnvelope() reads an SNMPv3 message's version without reading further", () => {
  const v3 = seq(int(3), seq(int(1), int(0x05, 0xdc), tlv(0x04, [4]), int(3)), str("rest"));
  assert.equal(decodeEnvelope(v3).version, 3);
});

Deno.test("encodeInformResponse() answers with a Response-PDU carrying the same request-id and varbinds", () => {
  const reqId = int(0x12, 0x34);
  const varbinds = seq(vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN)));
  const expected = seq(int(1), str("public"), tlv(0xa2, reqId, int(0), int(0), varbinds));
  assert.deepEqual(encodeInformResponse(new TextEncoder().encode("public"), reqId, varbinds), expected);
});

Deno.test("the decoder turns 10,000 garbage datagrams into decoded traps or MalformedPdu, nothing else", () => {
  const seeds = [
    v1Message([10, 0, 0, 7], 6, 17, vb([0x2b, 1], str("hello")), vb(IF_INDEX_3, int(3))),
    v2cMessage(0xa6, "public", vb(SYS_UPTIME_0, tlv(0x43, [1])), vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN))),
    v2cMessage(
      0xa7,
      "public",
      vb(SNMP_TRAP_OID_0, tlv(0x06, LINK_DOWN)),
      vb([0x2b, 4], tlv(0x46, [1, 2, 3])),
    ),
  ];
  const seed = 20240501;
  const rand = seededRandom(seed);
  let ok = 0;
  let malformed = 0;
  for (let i = 0; i < 10_000; i++) {
    const bytes = mutateDatagram(seeds, rand);
    try {
      const d = decode(bytes);
      buildTrapEvent(d, "127.0.0.1", "t");
      ok++;
    } catch (err) {
      if (!(err instanceof MalformedPdu)) {
        assert.fail(`case ${i} (seed ${seed}) threw ${err}: ${Array.from(bytes, (b) => b.toString(16))}`);
      }
      malformed++;
    }
  }
  assert.equal(ok + malformed, 10_000);
  assert.ok(malformed > 0 && ok > 0, `expected both outcomes, got ${ok} ok and ${malformed} malformed`);
});

Deno.test("new TrapReceiver() rejects a maxVarbinds below 2", () => {
  assert.throws(
    () =>
      new TrapReceiver({
        hostname: "127.0.0.1",
        port: 1,
        communities: () => "any",
        publish() {},
        maxVarbinds: 1,
      }),
    RangeError,
  );
});

Deno.test("TrapReceiver.start() says the port is in use when something else holds it", async () => {
  const holder = createSocket("udp4");
  await new Promise<void>((resolve) => holder.bind({ address: "127.0.40.2", port: 10163 }, resolve));
  const receiver = new TrapReceiver({
    hostname: "127.0.40.2",
    port: 10163,
    communities: () => "any",
    publish() {},
  });
  try {
    await assert.rejects(
      receiver.start(),
      /cannot listen for SNMP traps on 127\.0\.40\.2:10163: the port is already in use/,
    );
  } finally {
    await receiver.stop();
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
