/**
 * CDP vectors: messages written octet by octet (here and in tests/helpers/discovery_frames.ts, one
 * comment per field) and what each must give.
 * Expected values come from the octets written, never from the decoder's own output.
 */
import assert from "node:assert/strict";
import { isCdpSnap, parseCdp, validateCdp } from "./cdp.ts";
import { Malformed, OK } from "./malformed.ts";
import { cdpTlv as tlv, SWITCH_CDP } from "../../tests/helpers/discovery_frames.ts";

const text = (s: string) => [...new TextEncoder().encode(s)];

const bytes = (a: readonly number[]) => Uint8Array.from(a);

Deno.test("parseCdp() reads every TLV of a switch's CDPv2 message", () => {
  const b = bytes(SWITCH_CDP);
  assert.equal(validateCdp(b, 0, b.length), OK);
  assert.deepEqual(parseCdp(b, 0, b.length), {
    version: 2,
    ttl: 180,
    deviceId: "sw-core.example.net",
    portId: "GigabitEthernet1/0/48",
    capabilities: 0x28,
    softwareVersion: "Cisco IOS Software, C2960X Software, Version 15.2(4)E10",
    platform: "cisco WS-C2960X-48FPD-L",
    nativeVlan: 1,
    fullDuplex: true,
    addresses: [
      { family: 4, bytes: bytes([192, 0, 2, 1]) },
      { family: 6, bytes: bytes([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) },
    ],
    managementAddresses: [{ family: 4, bytes: bytes([10, 0, 0, 1]) }],
  });
});

Deno.test("isCdpSnap() knows CDP's SNAP header from other Cisco protocols on the same address", () => {
  const cdp = bytes([0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00]);
  const vtp = bytes([0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x03]); // PID 0x2003 (VTP)
  const stp = bytes([0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00]); // LLC 0x42 (STP)
  assert.equal(isCdpSnap(cdp, 0, 8), true);
  assert.equal(isCdpSnap(cdp, 0, 7), false);
  assert.equal(isCdpSnap(vtp, 0, 8), false);
  assert.equal(isCdpSnap(stp, 0, 8), false);
});

Deno.test("up to three octets after the last TLV are padding", () => {
  const b = bytes([...SWITCH_CDP, 0, 0, 0]);
  assert.equal(validateCdp(b, 0, b.length), OK);
});

Deno.test("validateCdp() refuses bad versions, lengths, address lists and a missing Device ID", () => {
  const head = [0x02, 0xb4, 0x00, 0x00];
  const id = tlv(0x0001, text("sw1"));
  const cases: [string, number[], number][] = [
    ["version 3", [0x03, 0xb4, 0, 0, ...id], Malformed.BadCdp],
    ["no Device ID", [...head, ...tlv(0x0003, text("Gi0/1"))], Malformed.BadCdp],
    ["TLV length 0", [...head, ...id, 0x00, 0x03, 0x00, 0x00], Malformed.BadCdp],
    ["TLV length 3", [...head, ...id, 0x00, 0x03, 0x00, 0x03, 0x41], Malformed.BadCdp],
    ["TLV beyond the frame", [...head, ...id, 0x00, 0x03, 0x00, 0x40, 0x41, 0x42], Malformed.TruncatedCdp],
    ["capabilities of 2 octets", [...head, ...id, ...tlv(0x0004, [0, 8])], Malformed.BadCdp],
    ["address count beyond the TLV", [
      ...head,
      ...id,
      ...tlv(0x0002, [0, 0, 0, 9, 1, 1, 0xcc, 0, 4, 1, 2, 3, 4]),
    ], Malformed.BadCdp],
    ["address length beyond the TLV", [
      ...head,
      ...id,
      ...tlv(0x0002, [0, 0, 0, 1, 1, 1, 0xcc, 0, 200, 1, 2, 3, 4]),
    ], Malformed.BadCdp],
    [
      "protocol length beyond the TLV",
      [...head, ...id, ...tlv(0x0016, [0, 0, 0, 1, 1, 250, 0xcc])],
      Malformed.BadCdp,
    ],
    ["address list without its count", [...head, ...id, ...tlv(0x0002, [0, 0])], Malformed.BadCdp],
    ["header cut", [0x02, 0xb4], Malformed.TruncatedCdp],
  ];
  for (const [what, octets, want] of cases) {
    const b = bytes(octets);
    assert.equal(validateCdp(b, 0, b.length), want, what);
    assert.equal(parseCdp(b, 0, b.length), null, what);
  }
});

Deno.test("an address of another protocol is skipped, the rest kept", () => {
  // deno-fmt-ignore
  const b = bytes([0x02, 0xb4, 0, 0, ...tlv(0x0001, text("r1")), ...tlv(0x0002, [
    0, 0, 0, 2, // 2 addresses
    0x01, 0x01, 0x81, 0x00, 0x02, 0xab, 0xcd, // NLPID 0x81 (CLNS): skipped
    0x01, 0x01, 0xcc, 0x00, 0x04, 198, 51, 100, 9, // IP 198.51.100.9
  ])]);
  assert.deepEqual(parseCdp(b, 0, b.length)?.addresses, [{ family: 4, bytes: bytes([198, 51, 100, 9]) }]);
});
