/**
 * CDP, the Cisco Discovery Protocol: an IEEE 802.3 frame (a length where the EtherType would be) to
 * 01:00:0c:cc:cc:cc carrying LLC/SNAP (DSAP 0xAA, SSAP 0xAA, UI 0x03, OUI 00:00:0c, PID 0x2000), then
 * version (1) | holdtime in seconds (1) | checksum (2) and TLVs of type (2) | length (2, counting these
 * four octets) | value. Cisco never published a specification; the layout here is the one Wireshark's
 * packet-cdp.c and lldpd's cdp.c agree on.
 *
 * As for LLDP, {@link validateCdp} checks every length (and the address lists nested in the Addresses
 * and Management Addresses TLVs) without allocating, and {@link parseCdp} builds the object on the slow
 * path after running it.
 */
import { u16, u32 } from "../net/mod.ts";
import { Malformed, OK } from "./malformed.ts";

/** LLC/SNAP header of CDP: DSAP, SSAP, control, OUI 00:00:0c (Cisco), PID 0x2000. */
export const CDP_SNAP_LENGTH = 8;

/** 802.3 length fields are at most 1500 (0x05DC); larger values are EtherTypes (IEEE 802.3 §3.2.6). */
export const MAX_8023_LENGTH = 0x05dc;

/** TLV types (Wireshark packet-cdp.c). */
export const CdpTlv = {
  DeviceId: 0x0001,
  Addresses: 0x0002,
  PortId: 0x0003,
  Capabilities: 0x0004,
  SoftwareVersion: 0x0005,
  Platform: 0x0006,
  NativeVlan: 0x000a,
  Duplex: 0x000b,
  ManagementAddresses: 0x0016,
} as const;

/** Address protocol types: NLPID (1) with protocol 0xCC is IPv4; 802.2 (2) with SNAP …86DD is IPv6. */
const PT_NLPID = 1, PT_8022 = 2, NLPID_IP = 0xcc;

/** One address of an Addresses or Management Addresses TLV. */
export interface CdpAddress {
  /** 4 or 6. */
  family: 4 | 6;
  /** 4 or 16 octets. */
  bytes: Uint8Array;
}

/** A CDP message as a person reads it. */
export interface CdpPdu {
  /** CDP version (1 or 2). */
  version: number;
  /** Holdtime in seconds: how long the sender's entry is to be kept. */
  ttl: number;
  /** Device ID: the sender's host name (often with domain or serial number). */
  deviceId: string;
  /** Port ID: the sender's interface, e.g. "GigabitEthernet1/0/1". */
  portId: string | null;
  /** Capabilities bit map (0x01 router, 0x02 bridge, 0x08 switch, 0x10 host, 0x80 phone …). */
  capabilities: number | null;
  /** Software version text. */
  softwareVersion: string | null;
  /** Platform, e.g. "cisco WS-C2960X-48FPD-L". */
  platform: string | null;
  /** Native (untagged) VLAN of the port. */
  nativeVlan: number | null;
  /** Full duplex (true), half (false). */
  fullDuplex: boolean | null;
  /** IPv4 and IPv6 addresses of the Addresses TLV. */
  addresses: CdpAddress[];
  /** IPv4 and IPv6 addresses of the Management Addresses TLV. */
  managementAddresses: CdpAddress[];
}

/** True when `b[p, end)` starts with CDP's LLC/SNAP header. */
export function isCdpSnap(b: Uint8Array, p: number, end: number): boolean {
  return p + CDP_SNAP_LENGTH <= end && b[p] === 0xaa && b[p + 1] === 0xaa && b[p + 2] === 0x03 &&
    b[p + 3] === 0x00 && b[p + 4] === 0x00 && b[p + 5] === 0x0c && b[p + 6] === 0x20 && b[p + 7] === 0x00;
}

/**
 * Checks the CDP message in `b[p, end)` (after the SNAP header): version 1 or 2, every TLV inside the
 * bytes and at least its own header long, the fixed-size TLVs of their size, every address of the
 * address lists inside its TLV, and a Device ID present. Fewer than four octets left after the last
 * TLV are Ethernet padding. Returns OK, Malformed.TruncatedCdp or Malformed.BadCdp. Allocates nothing.
 */
export function validateCdp(b: Uint8Array, p: number, end: number): number {
  if (p + 4 > end) return Malformed.TruncatedCdp;
  if (b[p] !== 1 && b[p] !== 2) return Malformed.BadCdp;
  let deviceId = false;
  let o = p + 4;
  while (o + 4 <= end) {
    const type = u16(b, o), len = u16(b, o + 2);
    if (len < 4) return Malformed.BadCdp;
    if (o + len > end) return Malformed.TruncatedCdp;
    const v = o + 4, tlvEnd = o + len;
    switch (type) {
      case CdpTlv.DeviceId:
        deviceId = true;
        break;
      case CdpTlv.Addresses:
      case CdpTlv.ManagementAddresses:
        if (!addressesFit(b, v, tlvEnd)) return Malformed.BadCdp;
        break;
      case CdpTlv.Capabilities:
        if (len !== 8) return Malformed.BadCdp;
        break;
      case CdpTlv.NativeVlan:
        if (len !== 6) return Malformed.BadCdp;
        break;
      case CdpTlv.Duplex:
        if (len !== 5) return Malformed.BadCdp;
        break;
    }
    o = tlvEnd;
  }
  return deviceId ? OK : Malformed.BadCdp;
}

/**
 * count (4) then `count` × [protocol type (1) | protocol length (1) | protocol | address length (2) |
 * address], all inside [v, end). Every address takes at least four octets, so the walk is bounded by
 * the TLV whatever `count` claims.
 */
function addressesFit(b: Uint8Array, v: number, end: number): boolean {
  if (v + 4 > end) return false;
  const count = u32(b, v);
  let o = v + 4;
  for (let i = 0; i < count; i++) {
    if (o + 2 > end) return false;
    const a = o + 2 + b[o + 1]; // the address length field
    if (a + 2 > end) return false;
    o = a + 2 + u16(b, a);
    if (o > end) return false;
  }
  return true;
}

/** The CDP message in `b[p, end)` (after the SNAP header), or null when {@link validateCdp} refuses it. */
export function parseCdp(b: Uint8Array, p: number, end: number): CdpPdu | null {
  if (validateCdp(b, p, end) !== OK) return null;
  const text = new TextDecoder("utf-8", { fatal: false });
  const pdu: CdpPdu = {
    version: b[p],
    ttl: b[p + 1],
    deviceId: "",
    portId: null,
    capabilities: null,
    softwareVersion: null,
    platform: null,
    nativeVlan: null,
    fullDuplex: null,
    addresses: [],
    managementAddresses: [],
  };
  for (let o = p + 4; o + 4 <= end;) {
    const type = u16(b, o), len = u16(b, o + 2);
    const v = o + 4, tlvEnd = o + len;
    o = tlvEnd;
    const str = () => text.decode(b.subarray(v, tlvEnd));
    switch (type) {
      case CdpTlv.DeviceId:
        pdu.deviceId = str();
        break;
      case CdpTlv.PortId:
        pdu.portId = str();
        break;
      case CdpTlv.SoftwareVersion:
        pdu.softwareVersion = str();
        break;
      case CdpTlv.Platform:
        pdu.platform = str();
        break;
      case CdpTlv.Capabilities:
        pdu.capabilities = u32(b, v);
        break;
      case CdpTlv.NativeVlan:
        pdu.nativeVlan = u16(b, v);
        break;
      case CdpTlv.Duplex:
        pdu.fullDuplex = b[v] === 1;
        break;
      case CdpTlv.Addresses:
        pdu.addresses = readAddresses(b, v, tlvEnd);
        break;
      case CdpTlv.ManagementAddresses:
        pdu.managementAddresses = readAddresses(b, v, tlvEnd);
        break;
    }
  }
  return pdu;
}

/** The IPv4 and IPv6 addresses of a list {@link addressesFit} accepted; other protocols are skipped. */
function readAddresses(b: Uint8Array, v: number, end: number): CdpAddress[] {
  const out: CdpAddress[] = [];
  const count = u32(b, v);
  let o = v + 4;
  for (let i = 0; i < count && o < end; i++) {
    const ptype = b[o], plen = b[o + 1], proto = o + 2;
    const a = proto + plen, alen = u16(b, a), at = a + 2;
    o = at + alen;
    if (ptype === PT_NLPID && plen === 1 && b[proto] === NLPID_IP && alen === 4) {
      out.push({ family: 4, bytes: b.slice(at, at + 4) });
    } else if (ptype === PT_8022 && plen === 8 && u16(b, proto + 6) === 0x86dd && alen === 16) {
      out.push({ family: 6, bytes: b.slice(at, at + 16) });
    }
  }
  return out;
}
