/**
 * Other firewall and security-appliance makers whose every SNMP-speaking product is a firewall:
 * Check Point, Sophos (SFOS and the former Astaro UTM), Barracuda.
 *
 * Where the identifiers come from: the IANA Private Enterprise Numbers of Check Point Software
 * Technologies (2620), Sophos Plc (2604), Astaro AG (9789) and Barracuda Networks AG (10704), as Debian's
 * libwireshark-data ships the registry; their appliances answer with sysObjectIDs under them
 * (CHECKPOINT-MIB, SFOS-FIREWALL-MIB, Barracuda's PHION-MIB).
 */
import type { ProductDefinition } from "../definition.ts";

export const SECURITY_APPLIANCES: readonly ProductDefinition[] = [
  {
    id: "checkpoint-gaia",
    os: "Gaia",
    vendor: "Check Point",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2620"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.2620", sysDescr: "", model: null, version: null }],
  },
  {
    id: "sophos-firewall",
    os: "SFOS",
    vendor: "Sophos",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2604"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.2604", sysDescr: "", model: null, version: null }],
  },
  {
    id: "barracuda-cloudgen",
    os: "Barracuda",
    vendor: "Barracuda Networks",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.10704"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.10704", sysDescr: "", model: null, version: null }],
  },
  {
    // Sophos UTM, formerly Astaro Security Gateway: Astaro's enterprise 9789.
    id: "sophos-utm",
    os: "UTM",
    vendor: "Sophos",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.9789"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.9789", sysDescr: "", model: null, version: null }],
  },
];
