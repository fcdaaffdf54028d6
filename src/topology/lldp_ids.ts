/**
 * LLDP's identifiers as text, the same whether they came from a frame or from LLDP-MIB (both carry the
 * subtype and the raw octets): chassis IDs as `kind:value`, port IDs as a {@link PortRef}, management
 * addresses in canonical form.
 */
import { formatIpv4, formatIpv6, formatMac, mac48 } from "../net/mod.ts";
import { decodeText } from "../snmp/mod.ts";
import type { PortRef } from "./neighbour.ts";

/** LldpChassisIdSubtype (IEEE 802.1AB-2016 Table 8-2; LLDP-MIB) → the kind written before the value. */
const CHASSIS_KINDS: Record<number, string> = {
  1: "chassis_component",
  2: "interface_alias",
  3: "port_component",
  4: "mac",
  5: "ip",
  6: "interface_name",
  7: "local",
};

/** LldpPortIdSubtype (Table 8-3): macAddress(3), networkAddress(4). */
const PORT_MAC = 3, PORT_NETWORK = 4;
/** Chassis subtypes macAddress(4), networkAddress(5). */
const CHASSIS_MAC = 4, CHASSIS_NETWORK = 5;

/** IANA Address Family Numbers: ipV4(1), ipV6(2) (https://www.iana.org/assignments/address-family-numbers). */
const AFI_IPV4 = 1, AFI_IPV6 = 2;

/** An address of IANA family `family` as canonical text, or null for other families or a wrong length. */
export function addressText(family: number, bytes: Uint8Array): string | null {
  if (family === AFI_IPV4 && bytes.length === 4) {
    return formatIpv4(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0);
  }
  if (family === AFI_IPV6 && bytes.length === 16) {
    const words = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      const o = 4 * i;
      words[i] = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    }
    return formatIpv6(words, 0);
  }
  return null;
}

/**
 * A management address as canonical text, or null when it is not IPv4/IPv6 or says nothing: agents
 * report 0.0.0.0 (and ::) for a neighbour without one, and those must not make unrelated neighbours
 * one node.
 */
export function managementAddress(family: number, bytes: Uint8Array): string | null {
  const text = addressText(family, bytes);
  return text === "0.0.0.0" || text === "::" ? null : text;
}

/** Octets as text when they are printable, else as hex: IDs are "an octet string" that is usually text. */
function idValue(bytes: Uint8Array): string {
  const printable = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? decodeText(bytes) : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A MAC address in an ID, lower case with colons, or null. */
function macOf(bytes: Uint8Array): string | null {
  return bytes.length === 6 ? formatMac(mac48(bytes, 0)) : null;
}

/** A network-address ID: IANA family octet, then the address. */
function networkAddressOf(bytes: Uint8Array): string | null {
  return bytes.length > 1 ? addressText(bytes[0], bytes.subarray(1)) : null;
}

/** A chassis ID as `kind:value`: "mac:00:a7:42:0a:00:01", "ip:192.0.2.1", "local:FOC1234X0AB". */
export function chassisIdText(subtype: number, bytes: Uint8Array): string {
  if (subtype === CHASSIS_MAC) {
    const mac = macOf(bytes);
    if (mac) return `mac:${mac}`;
  }
  if (subtype === CHASSIS_NETWORK) {
    const ip = networkAddressOf(bytes);
    if (ip) return `ip:${ip}`;
  }
  return `${CHASSIS_KINDS[subtype] ?? `subtype${subtype}`}:${idValue(bytes)}`;
}

/** The MAC a chassis ID or port ID carries, if it is a MAC one. */
export function idMac(kind: "chassis" | "port", subtype: number, bytes: Uint8Array): string | null {
  return subtype === (kind === "chassis" ? CHASSIS_MAC : PORT_MAC) ? macOf(bytes) : null;
}

/** A port ID as text: a MAC or an address in canonical form, else the octets as text or hex. */
export function portIdText(subtype: number, bytes: Uint8Array): string {
  if (subtype === PORT_MAC) return macOf(bytes) ?? idValue(bytes);
  if (subtype === PORT_NETWORK) return networkAddressOf(bytes) ?? idValue(bytes);
  return idValue(bytes);
}

/**
 * A port from its LLDP port ID and description. Its name is the port ID when that is a name (interface
 * name, alias, local), else the description (lldpd sends the MAC as port ID and the interface name as
 * description), else the ID as text; every spelling goes into the aliases.
 */
export function lldpPort(subtype: number, bytes: Uint8Array, description: string | null): PortRef {
  const desc = description?.trim() || null;
  const id = portIdText(subtype, bytes);
  const isName = subtype !== PORT_MAC && subtype !== PORT_NETWORK && id !== "";
  const name = isName ? id : desc ?? id;
  const aliases = [...new Set([name, id, ...(desc ? [desc] : [])].filter((a) => a !== ""))];
  return { ifIndex: null, name, aliases };
}
