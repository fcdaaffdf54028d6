/**
 * LLDP vectors: LLDPDUs written octet by octet (here and in tests/helpers/discovery_frames.ts, one
 * comment per field) and what each must give.
 * Expected values come from the octets written, never from the decoder's own output.
 */
import assert from "node:assert/strict";
import { Malformed, OK } from "./malformed.ts";
import { parseLldp, validateLldp } from "./lldp.ts";
import { SWITCH_LLDPDU, SWITCH_LLDPDU_MGMT_AT } from "../../tests/helpers/discovery_frames.ts";

const bytes = (a: readonly number[]) => Uint8Array.from(a);

Deno.test("parseLldp() reads every TLV of a switch's LLDPDU", () => {
  const b = bytes(SWITCH_LLDPDU);
  assert.equal(validateLldp(b, 0, b.length), OK);
  const pdu = parseLldp(b, 0, b.length)!;
  assert.deepEqual(pdu, {
    chassisId: { subtype: 4, bytes: bytes([0x00, 0xa7, 0x42, 0x0a, 0x00, 0x01]) },
    portId: { subtype: 5, bytes: new TextEncoder().encode("Gi1/0/7") },
    ttl: 120,
    portDescription: "GigabitEthernet1/0/7!",
    systemName: "sw-access",
    systemDescription: "IOS 15",
    capabilities: { supported: 0x14, enabled: 0x04 },
    managementAddresses: [{ family: 1, bytes: bytes([192, 0, 2, 11]), ifSubtype: 2, ifNumber: 1 }],
    portVlan: 10,
  });
});

Deno.test("parseLldp() reads at an offset and stops at the end it is given", () => {
  const frame = bytes([0xee, 0xee, 0xee, ...SWITCH_LLDPDU, 0xee]);
  assert.equal(parseLldp(frame, 3, frame.length - 1)?.systemName, "sw-access");
});

Deno.test("an LLDPDU without End of LLDPDU ends at the frame's end (802.1AB-2009)", () => {
  const withoutEnd = SWITCH_LLDPDU.slice(0, SWITCH_LLDPDU.length - 4);
  const b = bytes(withoutEnd);
  assert.equal(validateLldp(b, 0, b.length), OK);
  assert.equal(parseLldp(b, 0, b.length)?.portVlan, 10);
});

Deno.test("validateLldp() refuses a wrong order, a repeat, zero and overlong lengths", () => {
  const chassis = [0x02, 0x07, 0x04, 0, 0, 0, 0, 0, 1];
  const port = [0x04, 0x02, 0x07, 0x41]; // Port ID, local "A"
  const ttl = [0x06, 0x02, 0x00, 0x78];
  const end = [0x00, 0x00];
  const cases: [string, number[], number][] = [
    ["port before chassis", [...port, ...chassis, ...ttl, ...end], Malformed.BadLldp],
    ["TTL missing", [...chassis, ...port, ...end], Malformed.BadLldp],
    ["chassis ID twice", [...chassis, ...port, ...ttl, ...chassis, ...end], Malformed.BadLldp],
    ["chassis ID of length 0", [0x02, 0x00, ...port, ...ttl, ...end], Malformed.BadLldp],
    ["TTL of length 3", [...chassis, ...port, 0x06, 0x03, 0, 0x78, 0, ...end], Malformed.BadLldp],
    ["End with a length", [...chassis, ...port, ...ttl, 0x00, 0x01, 0x00], Malformed.BadLldp],
    ["capabilities of length 2", [...chassis, ...port, ...ttl, 0x0e, 0x02, 0, 4, ...end], Malformed.BadLldp],
    [
      "org TLV shorter than its OUI",
      [...chassis, ...port, ...ttl, 0xfe, 0x02, 0, 0x80, ...end],
      Malformed.BadLldp,
    ],
    ["a TLV beyond the frame", [...chassis, ...port, ...ttl, 0x0a, 0x20, 0x41], Malformed.TruncatedLldp],
    ["cut inside a TLV header", [...chassis, ...port, ...ttl, 0x0a], Malformed.TruncatedLldp],
    ["nothing after the EtherType", [], Malformed.TruncatedLldp],
    ["only the chassis ID", [...chassis], Malformed.TruncatedLldp],
    ["all zeros", [0, 0, 0, 0], Malformed.BadLldp],
  ];
  for (const [what, octets, want] of cases) {
    const b = bytes(octets);
    assert.equal(validateLldp(b, 0, b.length), want, what);
    assert.equal(parseLldp(b, 0, b.length), null, what);
  }
});

Deno.test("validateLldp() checks the lengths nested in a Management Address TLV", () => {
  const head = SWITCH_LLDPDU.slice(0, 9 + 10 + 4); // chassis, port, TTL
  assert.equal(SWITCH_LLDPDU[SWITCH_LLDPDU_MGMT_AT], 0x10);
  // deno-fmt-ignore
  const mgmt = (addrLen: number, oidLen: number, tlvLen: number) => [
    0x10, tlvLen, // TLV 8, length
    addrLen, 0x01, 192, 0, 2, 11, // address string length, IPv4, address
    0x02, 0, 0, 0, 1, // ifIndex 1
    oidLen, // OID string length
  ];
  const ok = bytes([...head, ...mgmt(5, 0, 12), 0, 0]);
  assert.equal(validateLldp(ok, 0, ok.length), OK);
  for (const [addrLen, oidLen] of [[0, 0], [1, 0], [40, 0], [200, 0], [5, 1], [5, 200], [6, 0]]) {
    const b = bytes([...head, ...mgmt(addrLen, oidLen, 12), 0, 0]);
    assert.equal(validateLldp(b, 0, b.length), Malformed.BadLldp, `address length ${addrLen}, OID ${oidLen}`);
  }
});
