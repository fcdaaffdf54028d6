/**
 * An LLDPDU or CDP message seen in capture → the {@link NeighbourReport} the graph reads, plus the
 * details replay prints. The local port is the capture interface: Flintnet's own port.
 */
import type { CdpPdu, LldpPdu } from "../decode/mod.ts";
import { decodeText } from "../snmp/mod.ts";
import { chassisIdText, idMac, lldpPort, managementAddress, portIdText } from "./lldp_ids.ts";
import { capabilityNames, type NeighbourReport, type PortRef } from "./neighbour.ts";

/** One LLDP or CDP frame, read. */
export interface PassiveObservation {
  /** Capture time, ms since the epoch. */
  tsMs: number;
  /** Capture interface ("" in replay). */
  iface: string;
  /** VLAN the frame was tagged with, 0 for none. */
  vlan: number;
  /** Ethernet source MAC. */
  srcMac: string;
  /** How long the sender wants the entry kept, seconds (LLDP TTL, CDP holdtime); 0: forget it now. */
  ttlS: number;
  /** The neighbour as the graph reads it. */
  report: NeighbourReport;
  /** The raw port ID as text (LLDP: the ID itself, whatever its subtype; CDP: the Port ID TLV). */
  portId: string;
  /** LLDP port description. */
  portDescription: string | null;
  /** LLDP system description, or CDP software version. */
  systemDescription: string | null;
  /** 802.1 port VLAN ID (LLDP) or native VLAN (CDP), when sent. */
  nativeVlan: number | null;
}

/** Text from a frame, cleaned as SNMP DisplayStrings are; null when empty. */
function clean(s: string | null): string | null {
  if (s === null) return null;
  const t = decodeText(new TextEncoder().encode(s));
  return t === "" ? null : t;
}

/** The capture interface as a port of Flintnet's own node. */
function capturePort(iface: string): PortRef {
  return { ifIndex: null, name: iface, aliases: iface === "" ? [] : [iface] };
}

/** Frame facts every observation shares. */
interface FrameFacts {
  tsMs: number;
  iface: string;
  vlan: number;
  srcMac: string;
}

/** An LLDPDU → observation. */
export function lldpObservation(pdu: LldpPdu, f: FrameFacts): PassiveObservation {
  const port = lldpPort(pdu.portId.subtype, pdu.portId.bytes, clean(pdu.portDescription));
  const macs = [
    idMac("chassis", pdu.chassisId.subtype, pdu.chassisId.bytes),
    idMac("port", pdu.portId.subtype, pdu.portId.bytes),
  ];
  const addresses = pdu.managementAddresses.map((a) => managementAddress(a.family, a.bytes));
  return {
    ...f,
    ttlS: pdu.ttl,
    report: {
      protocol: "lldp",
      localPort: capturePort(f.iface),
      remote: {
        chassisId: chassisIdText(pdu.chassisId.subtype, pdu.chassisId.bytes),
        name: clean(pdu.systemName),
        platform: clean(pdu.systemDescription),
        capabilities: pdu.capabilities ? capabilityNames("lldp", pdu.capabilities.enabled) : [],
        addresses: [...new Set(addresses.filter((a): a is string => a !== null))],
        macs: [...new Set(macs.filter((m): m is string => m !== null))],
        port,
      },
    },
    portId: portIdText(pdu.portId.subtype, pdu.portId.bytes),
    portDescription: clean(pdu.portDescription),
    systemDescription: clean(pdu.systemDescription),
    nativeVlan: pdu.portVlan,
  };
}

/** A CDP message → observation. */
export function cdpObservation(pdu: CdpPdu, f: FrameFacts): PassiveObservation {
  const portId = clean(pdu.portId) ?? "";
  const addresses = [...pdu.managementAddresses, ...pdu.addresses]
    .map((a) => managementAddress(a.family === 4 ? 1 : 2, a.bytes));
  return {
    ...f,
    ttlS: pdu.ttl,
    report: {
      protocol: "cdp",
      localPort: capturePort(f.iface),
      remote: {
        chassisId: null,
        name: clean(pdu.deviceId),
        platform: clean(pdu.platform),
        capabilities: pdu.capabilities === null ? [] : capabilityNames("cdp", pdu.capabilities),
        addresses: [...new Set(addresses.filter((a): a is string => a !== null))],
        macs: [],
        port: { ifIndex: null, name: portId, aliases: portId === "" ? [] : [portId] },
      },
    },
    portId,
    portDescription: null,
    systemDescription: clean(pdu.softwareVersion),
    nativeVlan: pdu.nativeVlan,
  };
}
