/**
 * LLDP and CDP frames for tests: two messages written octet by octet (one comment per field), the
 * shapes real switches send, and builders that put an LLDPDU or a CDP message into the frame it
 * travels in (EtherType 0x88cc to 01:80:c2:00:00:0e; IEEE 802.3 length + LLC/SNAP to 01:00:0c:cc:cc:cc).
 *
 * Specs: IEEE 802.1AB-2016 §8 (LLDPDU and its TLVs); CDP as Wireshark's packet-cdp.c reads it.
 */
import { concatBytes, ethernet, ETHERTYPE_LLDP, macBytes } from "./frames.ts";

const text = (s: string) => [...new TextEncoder().encode(s)];

/** A CDP TLV: type (2) | length counting these 4 octets (2) | value. */
export function cdpTlv(type: number, value: number[]): number[] {
  const len = value.length + 4;
  return [type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}

/** An LLDP TLV: type (7 bits) | length (9 bits) | value. */
export function lldpTlv(type: number, value: number[]): number[] {
  return [(type << 1) | (value.length >> 8), value.length & 0xff, ...value];
}

// deno-fmt-ignore
/** What a Catalyst access switch sends out of Gi1/0/7 (the TLVs of a real `show lldp` capture). */
export const SWITCH_LLDPDU: readonly number[] = [
  0x02, 0x07, // TLV 1 Chassis ID, length 7
  0x04, // subtype 4: MAC address
  0x00, 0xa7, 0x42, 0x0a, 0x00, 0x01, // 00:a7:42:0a:00:01
  0x04, 0x08, // TLV 2 Port ID, length 8
  0x05, // subtype 5: interface name
  ...text("Gi1/0/7"),
  0x06, 0x02, // TLV 3 TTL, length 2
  0x00, 0x78, // 120 s
  0x08, 0x15, // TLV 4 Port Description, length 21
  ...text("GigabitEthernet1/0/7!"),
  0x0a, 0x09, // TLV 5 System Name, length 9
  ...text("sw-access"),
  0x0c, 0x06, // TLV 6 System Description, length 6
  ...text("IOS 15"),
  0x0e, 0x04, // TLV 7 System Capabilities, length 4
  0x00, 0x14, // supported: bridge (bit 2) + router (bit 4)
  0x00, 0x04, // enabled: bridge
  0x10, 0x0c, // TLV 8 Management Address, length 12
  0x05, // address string length 5 (subtype + 4 octets)
  0x01, // address subtype 1: IPv4
  0xc0, 0x00, 0x02, 0x0b, // 192.0.2.11
  0x02, // interface subtype 2: ifIndex
  0x00, 0x00, 0x00, 0x01, // interface number 1
  0x00, // OID string length 0
  0xfe, 0x06, // TLV 127 organizationally specific, length 6
  0x00, 0x80, 0xc2, // OUI 00-80-C2 (IEEE 802.1)
  0x01, // subtype 1: Port VLAN ID
  0x00, 0x0a, // VLAN 10
  0x00, 0x00, // TLV 0 End of LLDPDU
  0x36, 0x00, // trailer after the End TLV (lldpd sends one): not part of the LLDPDU
];

/** Where the Management Address TLV of SWITCH_LLDPDU starts (for tests that aim at its nested lengths). */
export const SWITCH_LLDPDU_MGMT_AT = 9 + 10 + 4 + 23 + 11 + 8 + 6;

// deno-fmt-ignore
/** A Catalyst 2960-X announcing itself out of Gi1/0/48 (the TLVs of a real CDPv2 frame), after the SNAP header. */
export const SWITCH_CDP: readonly number[] = [
  0x02, // version 2
  0xb4, // holdtime 180 s
  0x00, 0x00, // checksum (not verified)
  ...cdpTlv(0x0001, text("sw-core.example.net")), // Device ID
  ...cdpTlv(0x0002, [ // Addresses
    0x00, 0x00, 0x00, 0x02, // 2 addresses
    0x01, 0x01, 0xcc, // protocol type NLPID, length 1, IP
    0x00, 0x04, 192, 0, 2, 1, // address length 4: 192.0.2.1
    0x02, 0x08, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, // 802.2, length 8, SNAP IPv6
    0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 16 octets: 2001:db8::1
  ]),
  ...cdpTlv(0x0003, text("GigabitEthernet1/0/48")), // Port ID
  ...cdpTlv(0x0004, [0x00, 0x00, 0x00, 0x28]), // Capabilities: switch (0x08) + IGMP (0x20)
  ...cdpTlv(0x0005, text("Cisco IOS Software, C2960X Software, Version 15.2(4)E10")), // Software version
  ...cdpTlv(0x0006, text("cisco WS-C2960X-48FPD-L")), // Platform
  ...cdpTlv(0x0009, text("CAMPUS")), // VTP management domain (not read)
  ...cdpTlv(0x000a, [0x00, 0x01]), // Native VLAN 1
  ...cdpTlv(0x000b, [0x01]), // Duplex: full
  ...cdpTlv(0x0016, [ // Management Addresses
    0x00, 0x00, 0x00, 0x01, // 1 address
    0x01, 0x01, 0xcc, 0x00, 0x04, 10, 0, 0, 1, // IP 10.0.0.1
  ]),
];

/** Where the Addresses TLV's value (its count) starts in SWITCH_CDP. */
export const SWITCH_CDP_ADDRESSES_AT = 4 + 4 + 19 + 4;

/** LLDP's nearest-bridge group address (IEEE 802.1AB-2016 Table 7-1). */
export const LLDP_MULTICAST = "01:80:c2:00:00:0e";
/** CDP's destination. */
export const CDP_MULTICAST = "01:00:0c:cc:cc:cc";

/** An Ethernet frame carrying `pdu` as LLDP, optionally VLAN-tagged. */
export function lldpFrame(pdu: readonly number[], o: { src?: string; vlans?: number[] } = {}): Uint8Array {
  return ethernet(
    { dst: LLDP_MULTICAST, src: o.src, etherType: ETHERTYPE_LLDP, vlans: o.vlans },
    Uint8Array.from(pdu),
  );
}

/** An IEEE 802.3 frame: length, LLC/SNAP (AA AA 03, OUI 00000c, PID 0x2000), the CDP message, zero padding. */
export function cdpFrame(message: readonly number[], o: { src?: string } = {}): Uint8Array {
  const llc = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, ...message];
  const head = concatBytes(macBytes(CDP_MULTICAST), macBytes(o.src ?? "02:00:00:00:00:01"));
  const frame = concatBytes(head, Uint8Array.of(llc.length >> 8, llc.length & 0xff), Uint8Array.from(llc));
  return frame.length >= 60 ? frame : concatBytes(frame, new Uint8Array(60 - frame.length));
}
