/**
 * The one shape every source of topology speaks: a {@link NeighbourReport} says "on my port P, over
 * protocol X, I see this system on its port Q". Polled LLDP-MIB and CISCO-CDP-MIB rows, LLDP and CDP
 * frames seen in capture, all become reports; the graph is built from reports alone, so a source is a
 * new file that makes them, not an `if` in the graph.
 */

import type { LinkProtocol } from "../events/mod.ts";

export { LINK_PROTOCOLS, type LinkProtocol } from "../events/mod.ts";

/** A port as one side names it. */
export interface PortRef {
  /** ifIndex on the device the port belongs to, when the reporter knows it (its own ports). */
  ifIndex: number | null;
  /** The name to show ("Gi1/0/7", "eth0"). */
  name: string;
  /** Every spelling the port goes by (port ID, description, ifName, ifDescr), for matching. */
  aliases: string[];
}

/** What a neighbour says about itself. */
export interface RemoteSystem {
  /** LLDP chassis ID as `kind:value` ("mac:00:a7:42:0a:00:01", "ip:192.0.2.1", "local:SN123"); null for CDP. */
  chassisId: string | null;
  /** LLDP system name or CDP device ID. */
  name: string | null;
  /** CDP platform, or LLDP system description. */
  platform: string | null;
  /** Capabilities it has enabled (names of {@link capabilityNames}). */
  capabilities: string[];
  /** Management addresses, canonical text. */
  addresses: string[];
  /** MAC addresses it is known by (a MAC chassis or port ID), lower case with colons. */
  macs: string[];
  /** Its port. */
  port: PortRef;
}

/** One neighbour as one side sees it. */
export interface NeighbourReport {
  /** How it was learned. */
  protocol: Exclude<LinkProtocol, "fdb">;
  /** The reporting side's port. */
  localPort: PortRef;
  /** The neighbour. */
  remote: RemoteSystem;
}

/**
 * A key for a port name that survives the spellings Cisco mixes (ifName "Gi1/0/7" in LLDP, ifDescr
 * "GigabitEthernet1/0/7" in CDP): lower case, common abbreviations written out.
 */
export function portKey(name: string): string {
  const n = name.trim().toLowerCase();
  const m = /^([a-z-]+)\s*([0-9].*)$/.exec(n);
  if (!m) return n;
  return `${ABBREVIATIONS[m[1]] ?? m[1]}${m[2]}`;
}

/** Interface-name abbreviations of IOS, NX-OS and EOS → the full word. */
const ABBREVIATIONS: Record<string, string> = {
  gi: "gigabitethernet",
  ge: "gigabitethernet",
  fa: "fastethernet",
  te: "tengigabitethernet",
  tw: "twentyfivegige",
  fo: "fortygigabitethernet",
  hu: "hundredgige",
  et: "ethernet",
  eth: "ethernet",
  po: "port-channel",
};

/** The key of a system name: lower case, without a domain ("sw1.example.net" and "SW1" are one name). */
export function nameKey(name: string): string {
  const n = name.trim().toLowerCase();
  // CDP device IDs may carry a serial number in parentheses: "sw1(FOC1234X0AB)".
  const bare = n.replace(/\(.*\)$/, "");
  return /^\d+\.\d+\.\d+\.\d+$/.test(bare) ? bare : bare.split(".")[0];
}

/**
 * LLDP system capabilities (IEEE 802.1AB-2016 §8.5.8.1: bit 0 other … bit 10 two-port MAC relay) as
 * names; `bits` has bit i set for capability i.
 */
export const LLDP_CAPABILITY_NAMES = [
  "other",
  "repeater",
  "bridge",
  "wlan_access_point",
  "router",
  "telephone",
  "docsis_cable_device",
  "station_only",
  "c_vlan",
  "s_vlan",
  "two_port_mac_relay",
] as const;

/** CDP capability bits (Wireshark packet-cdp.c) → the same vocabulary as LLDP's where one exists. */
const CDP_CAPABILITIES: [number, string][] = [
  [0x001, "router"],
  [0x002, "bridge"],
  [0x004, "source_route_bridge"],
  [0x008, "switch"],
  [0x010, "host"],
  [0x020, "igmp"],
  [0x040, "repeater"],
  [0x080, "telephone"],
  [0x100, "remotely_managed"],
  [0x200, "cvta"],
  [0x400, "two_port_mac_relay"],
];

/** Names of the capabilities set in `bits`, for LLDP (bit i = capability i) or CDP (its bit map). */
export function capabilityNames(protocol: "lldp" | "cdp", bits: number): string[] {
  if (protocol === "cdp") return CDP_CAPABILITIES.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
  return LLDP_CAPABILITY_NAMES.filter((_, i) => (bits & (1 << i)) !== 0);
}

/**
 * An SNMP BITS value (RFC 2578 §7.1.4: bit 0 is the most significant bit of the first octet) → a number
 * with bit i set for BITS bit i, as the LLDP frame carries it.
 */
export function bitsToNumber(octets: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < Math.min(octets.length, 2) * 8; i++) {
    if (octets[i >> 3] & (0x80 >> (i & 7))) n |= 1 << i;
  }
  return n;
}
