/**
 * What an agent's MIBs say the box can do — forward IP, bridge, print, power a load, advertise LLDP
 * capabilities — read with one GET of a handful of scalars and one GETNEXT, as input to classification.
 */

import { oidInSubtree, SnmpError, type SnmpSession, type SnmpValue, type SnmpVarbind } from "../snmp/mod.ts";

/** IP-MIB ipForwarding.0 (RFC 4293): forwarding(1) or notForwarding(2). */
export const OID_IP_FORWARDING = "1.3.6.1.2.1.4.1.0";
/** BRIDGE-MIB dot1dBaseNumPorts.0 (RFC 4188): ports this bridge controls. */
export const OID_DOT1D_BASE_NUM_PORTS = "1.3.6.1.2.1.17.1.2.0";
/** LLDP-MIB lldpLocSysCapEnabled.0 (IEEE 802.1AB): the capabilities switched on, as BITS. */
export const OID_LLDP_LOC_SYS_CAP_ENABLED = "1.0.8802.1.1.2.1.3.6.0";
/** UPS-MIB upsIdentModel.0 (RFC 1628, 1.3.6.1.2.1.33.1.1.2.0): only a UPS (or its card) has it. */
export const OID_UPS_IDENT_MODEL = "1.3.6.1.2.1.33.1.1.2.0";
/**
 * Printer-MIB prtGeneralEntry (RFC 3805, 1.3.6.1.2.1.43.5.1.1): a row exists for each print engine the
 * agent itself has. Asked with GETNEXT (a one-repetition GETBULK), so a row at any hrDeviceIndex counts.
 * Not HOST-RESOURCES hrDeviceType: Windows lists there every printer it has a driver for.
 */
export const OID_PRT_GENERAL_ENTRY = "1.3.6.1.2.1.43.5.1.1";

/** Every scalar the probe asks for, in the order of one GET (Printer-MIB is a GETNEXT of its own). */
export const CAPABILITY_OIDS: readonly string[] = [
  OID_IP_FORWARDING,
  OID_DOT1D_BASE_NUM_PORTS,
  OID_LLDP_LOC_SYS_CAP_ENABLED,
  OID_UPS_IDENT_MODEL,
];

/** LLDP system capabilities, in BITS order (IEEE 802.1AB LldpSystemCapabilitiesMap: bit 0 = other). */
export const LLDP_CAPABILITIES = [
  "other",
  "repeater",
  "bridge",
  "wlanAccessPoint",
  "router",
  "telephone",
  "docsis",
  "station",
] as const;

/** One LLDP system capability. */
export type LldpCapability = typeof LLDP_CAPABILITIES[number];

/** What the agent says the device can do; a field is undefined when the agent does not have it. */
export interface Capabilities {
  /** ipForwarding.0 is forwarding(1). */
  ipForwarding?: boolean;
  /** dot1dBaseNumPorts.0. */
  bridgePorts?: number;
  /** The agent has a Printer-MIB prtGeneralTable row: it is a printer itself. */
  printerMib?: boolean;
  /** The agent answers UPS-MIB upsIdentModel.0: it is a UPS. */
  upsMib?: boolean;
  /** lldpLocSysCapEnabled.0, decoded. */
  lldpCapabilities?: readonly LldpCapability[];
}

/**
 * Decodes an SNMP BITS value: bit 0 is the most significant bit of the first octet (RFC 2578 §7.1.4).
 * Octets past the first only carry bits LLDP does not define, so they are ignored.
 */
export function decodeLldpCapabilities(bits: Uint8Array): LldpCapability[] {
  const out: LldpCapability[] = [];
  if (bits.length === 0) return out;
  for (let i = 0; i < LLDP_CAPABILITIES.length; i++) {
    if (bits[0] & (0x80 >> i)) out.push(LLDP_CAPABILITIES[i]);
  }
  return out;
}

/** Turns the GET's values into {@link Capabilities}; values of the wrong type count as absent. */
export function capabilitiesFrom(values: readonly (SnmpValue | undefined)[]): Capabilities {
  const [fwd, ports, lldp, upsModel] = values;
  const caps: Capabilities = {};
  if (fwd === 1 || fwd === 2) caps.ipForwarding = fwd === 1;
  if (typeof ports === "number" && Number.isInteger(ports) && ports >= 0) caps.bridgePorts = ports;
  if (lldp instanceof Uint8Array) caps.lldpCapabilities = decodeLldpCapabilities(lldp);
  if (upsModel instanceof Uint8Array) caps.upsMib = true;
  return caps;
}

/** Whether a GETNEXT of prtGeneralEntry landed inside it (a print engine row) or past it (none). */
export function printerMibFrom(next: readonly (SnmpVarbind | null)[]): boolean {
  const vb = next[0];
  return vb !== null && vb !== undefined && oidInSubtree(OID_PRT_GENERAL_ENTRY, vb.oid);
}

/** Failures that mean the agent could not be asked at all: those are the caller's to report. */
const UNREACHABLE: ReadonlySet<string> = new Set(["timeout", "refused", "auth_failure", "malformed"]);

/**
 * Reads the capability scalars with one GET, and Printer-MIB with one GETNEXT. Objects the agent lacks
 * leave their field undefined; an agent that rejects the whole GET (an SNMPv1-style error status) is
 * asked one OID at a time. Rejects only when the agent cannot be reached or answers garbage.
 */
export async function probeCapabilities(s: SnmpSession): Promise<Capabilities> {
  const caps = await probeScalars(s);
  try {
    caps.printerMib = printerMibFrom(await s.getBulk([OID_PRT_GENERAL_ENTRY], 1));
  } catch (e) {
    if (!(e instanceof SnmpError) || UNREACHABLE.has(e.failure)) throw e;
  }
  return caps;
}

async function probeScalars(s: SnmpSession): Promise<Capabilities> {
  try {
    return capabilitiesFrom(await s.get(CAPABILITY_OIDS));
  } catch (e) {
    if (!(e instanceof SnmpError) || UNREACHABLE.has(e.failure)) throw e;
  }
  const values: (SnmpValue | undefined)[] = [];
  for (const oid of CAPABILITY_OIDS) {
    try {
      values.push((await s.get([oid]))[0]);
    } catch (e) {
      if (!(e instanceof SnmpError) || UNREACHABLE.has(e.failure)) throw e;
      values.push(undefined);
    }
  }
  return capabilitiesFrom(values);
}
