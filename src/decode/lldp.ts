/**
 * LLDP (IEEE 802.1AB-2016 §8): the LLDPDU that follows EtherType 0x88cc, a list of TLVs, each a 7-bit
 * type and a 9-bit length in two octets followed by the value. The first three are Chassis ID, Port ID
 * and Time To Live, in that order; End of LLDPDU (type 0, length 0) closes it, and whatever follows it
 * (padding, lldpd's trailer) is not part of it.
 *
 * Two steps, so the per-packet decoder never allocates: {@link validateLldp} walks every TLV (and the
 * lengths nested inside Management Address and organizationally specific TLVs) over the bytes and
 * returns a Malformed code or OK; {@link parseLldp}, on the slow path, builds the object a person reads
 * and refuses exactly what the validator refuses, because it runs it first.
 */
import { u16, u32 } from "../net/mod.ts";
import { Malformed, OK } from "./malformed.ts";

/** LLDP's EtherType (IEEE 802.1AB-2016 §7.2, https://www.iana.org/assignments/ieee-802-numbers). */
export const ETHERTYPE_LLDP = 0x88cc;

/** TLV types (IEEE 802.1AB-2016 Table 8-1). */
export const LldpTlv = {
  End: 0,
  ChassisId: 1,
  PortId: 2,
  Ttl: 3,
  PortDescription: 4,
  SystemName: 5,
  SystemDescription: 6,
  SystemCapabilities: 7,
  ManagementAddress: 8,
  OrgSpecific: 127,
} as const;

/** OUI of IEEE 802.1 organizationally specific TLVs (802.1Q-2018 Annex D). */
const OUI_8021 = 0x0080c2;
/** 802.1 subtype Port VLAN ID (802.1Q-2018 D.2.1): the untagged VLAN of the port. */
const SUBTYPE_PORT_VLAN = 1;

/** A Chassis ID or Port ID: its subtype (LldpChassisIdSubtype / LldpPortIdSubtype) and raw octets. */
export interface LldpId {
  /** Subtype number (chassis: 4 macAddress, 5 networkAddress, 7 local…; port: 3 macAddress, 5 interfaceName…). */
  subtype: number;
  /** The ID octets, copied out of the frame. */
  bytes: Uint8Array;
}

/** One Management Address TLV (802.1AB-2016 §8.5.9). */
export interface LldpManagementAddress {
  /** IANA address family (1 IPv4, 2 IPv6, 6 802 MAC…). */
  family: number;
  /** The address octets. */
  bytes: Uint8Array;
  /** Interface numbering subtype (1 unknown, 2 ifIndex, 3 system port number). */
  ifSubtype: number;
  /** The interface number. */
  ifNumber: number;
}

/** An LLDPDU as a person reads it; text TLVs are decoded as UTF-8 (SnmpAdminString). */
export interface LldpPdu {
  /** Chassis ID TLV. */
  chassisId: LldpId;
  /** Port ID TLV. */
  portId: LldpId;
  /** Time To Live in seconds; 0 is a shutdown LLDPDU (forget this neighbour now). */
  ttl: number;
  /** Port Description, when sent. */
  portDescription: string | null;
  /** System Name, when sent. */
  systemName: string | null;
  /** System Description, when sent. */
  systemDescription: string | null;
  /** System Capabilities bit maps (bit 0 other … bit 7 station only, bit 8 C-VLAN …), when sent. */
  capabilities: { supported: number; enabled: number } | null;
  /** Every Management Address TLV, in order. */
  managementAddresses: LldpManagementAddress[];
  /** 802.1 Port VLAN ID, when sent (0 means none). */
  portVlan: number | null;
}

/**
 * Checks the LLDPDU in `b[p, end)`: every TLV inside the bytes, the mandatory three first and once,
 * lengths inside their ranges, the nested lengths of Management Address and organizationally specific
 * TLVs inside their TLV. Returns OK, or Malformed.TruncatedLldp (a TLV or the mandatory three cut off
 * by the end of the frame) / Malformed.BadLldp (anything else). Allocates nothing.
 */
export function validateLldp(b: Uint8Array, p: number, end: number): number {
  let o = p;
  let n = 0;
  while (o < end) {
    if (o + 2 > end) return Malformed.TruncatedLldp;
    const h = u16(b, o);
    const type = h >> 9, len = h & 0x1ff, v = o + 2;
    if (v + len > end) return Malformed.TruncatedLldp;
    // §8.2: Chassis ID, Port ID and TTL come first, in this order, and never again.
    if (n < 3 ? type !== n + 1 : type >= LldpTlv.ChassisId && type <= LldpTlv.Ttl) return Malformed.BadLldp;
    switch (type) {
      case LldpTlv.End:
        return len === 0 ? OK : Malformed.BadLldp;
      case LldpTlv.ChassisId:
      case LldpTlv.PortId:
        // subtype + 1..255 octets (§8.5.2, §8.5.3)
        if (len < 2 || len > 256) return Malformed.BadLldp;
        break;
      case LldpTlv.Ttl:
        if (len !== 2) return Malformed.BadLldp;
        break;
      case LldpTlv.SystemCapabilities:
        if (len !== 4) return Malformed.BadLldp;
        break;
      case LldpTlv.ManagementAddress:
        if (!managementAddressFits(b, v, v + len)) return Malformed.BadLldp;
        break;
      case LldpTlv.OrgSpecific:
        if (len < 4) return Malformed.BadLldp; // OUI (3) + subtype (1)
        break;
    }
    n++;
    o = v + len;
  }
  // The 2009 revision made End of LLDPDU optional: the frame's end closes the LLDPDU then.
  return n >= 3 ? OK : Malformed.TruncatedLldp;
}

/**
 * §8.5.9: address string length (1, counting the subtype) | subtype (1) | address (1..31) |
 * interface subtype (1) | interface number (4) | OID string length (1) | OID (0..128).
 */
function managementAddressFits(b: Uint8Array, v: number, end: number): boolean {
  if (v + 1 > end) return false;
  const addrLen = b[v];
  if (addrLen < 2 || addrLen > 32) return false;
  const oidAt = v + 1 + addrLen + 5;
  if (oidAt + 1 > end) return false;
  const oidLen = b[oidAt];
  return oidLen <= 128 && oidAt + 1 + oidLen === end;
}

/** The LLDPDU in `b[p, end)`, or null when {@link validateLldp} refuses it. */
export function parseLldp(b: Uint8Array, p: number, end: number): LldpPdu | null {
  if (validateLldp(b, p, end) !== OK) return null;
  const text = new TextDecoder("utf-8", { fatal: false });
  const str = (v: number, len: number) => text.decode(b.subarray(v, v + len));
  const pdu: LldpPdu = {
    chassisId: { subtype: 0, bytes: new Uint8Array(0) },
    portId: { subtype: 0, bytes: new Uint8Array(0) },
    ttl: 0,
    portDescription: null,
    systemName: null,
    systemDescription: null,
    capabilities: null,
    managementAddresses: [],
    portVlan: null,
  };
  for (let o = p; o + 2 <= end;) {
    const h = u16(b, o);
    const type = h >> 9, len = h & 0x1ff, v = o + 2;
    o = v + len;
    switch (type) {
      case LldpTlv.End:
        return pdu;
      case LldpTlv.ChassisId:
        pdu.chassisId = { subtype: b[v], bytes: b.slice(v + 1, v + len) };
        break;
      case LldpTlv.PortId:
        pdu.portId = { subtype: b[v], bytes: b.slice(v + 1, v + len) };
        break;
      case LldpTlv.Ttl:
        pdu.ttl = u16(b, v);
        break;
      case LldpTlv.PortDescription:
        pdu.portDescription = str(v, len);
        break;
      case LldpTlv.SystemName:
        pdu.systemName = str(v, len);
        break;
      case LldpTlv.SystemDescription:
        pdu.systemDescription = str(v, len);
        break;
      case LldpTlv.SystemCapabilities:
        pdu.capabilities = { supported: u16(b, v), enabled: u16(b, v + 2) };
        break;
      case LldpTlv.ManagementAddress: {
        const addrLen = b[v];
        const at = v + 1 + addrLen; // interface subtype
        pdu.managementAddresses.push({
          family: b[v + 1],
          bytes: b.slice(v + 2, v + 1 + addrLen),
          ifSubtype: b[at],
          ifNumber: u32(b, at + 1),
        });
        break;
      }
      case LldpTlv.OrgSpecific: {
        const oui = (b[v] << 16) | (b[v + 1] << 8) | b[v + 2];
        if (oui === OUI_8021 && b[v + 3] === SUBTYPE_PORT_VLAN && len >= 6) pdu.portVlan = u16(b, v + 4);
        break;
      }
    }
  }
  return pdu;
}
