/**
 * Ubiquiti: UniFi and airMAX access points, airFiber radios, EdgeRouter / UniFi Security Gateway, EdgeSwitch and UniFi
 * switches.
 *
 * Where the identifiers come from:
 * - sysObjectIDs: Frogfoot Networks' 10002.1 (IANA 10002), which airOS and UniFi AP agents answer with,
 *   and UBNT-MIB's subtrees under Ubiquiti's 41112: 41112.1.3 airFiber, 41112.1.4 airMAX, 41112.1.5 EdgeMAX (EdgeRouter,
 *   UniFi Security Gateway), 41112.1.6 UniFi (LibreNMS airos/unifi, Datadog
 *   ubiquiti-unifi-security-gateway); EdgeSwitch and UniFi switches run Broadcom FASTPATH and answer
 *   with Broadcom's 4413 (LibreNMS edgeswitch).
 * - sysDescr: a UniFi AP's kernel banner (LibreNMS tests/snmpsim/unifi.snmprec); "EdgeOS v…";
 *   "USW-24P-250, 3.7.17.5220, Linux 3.6.5" from a published LibreNMS discovery log of a UniFi switch.
 */
import type { ProductDefinition } from "../definition.ts";

export const UBIQUITI: readonly ProductDefinition[] = [
  {
    id: "ubiquiti-unifi-switch",
    os: "UniFi",
    vendor: "Ubiquiti",
    type: "switch",
    match: [{ sysDescr: String.raw`^(?:USW[ -]|US[ -]\d|UBNT US|Ubiquiti UniFi UCG-)` }],
    model: [{ sysDescr: String.raw`^((?:USW|US)[ -][\w-]+),` }],
    version: [{ sysDescr: String.raw`^(?:USW|US)[ -][\w-]+, ([\d.]+),` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.4413",
      sysDescr: "USW-24P-250, 3.7.17.5220, Linux 3.6.5",
      model: "USW-24P-250",
      version: "3.7.17.5220",
    }],
  },
  {
    id: "ubiquiti-edgeswitch",
    os: "EdgeSwitch",
    vendor: "Ubiquiti",
    type: "switch",
    match: [{ sysDescr: String.raw`^(?:EdgeSwitch|EdgePoint)\b` }],
    model: [{ sysDescr: String.raw`^(Edge(?:Switch|Point)[^,]*),` }],
    version: [{ sysDescr: String.raw`^Edge(?:Switch|Point)[^,]*, ([\d.]+),` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.4413",
      sysDescr: "EdgeSwitch 24-Port Lite, 1.7.3.5125484, Linux 3.6.5, 1.0.0.4857129",
      model: "EdgeSwitch 24-Port Lite",
      version: "1.7.3.5125484",
    }],
  },
  {
    id: "ubiquiti-edgeos",
    os: "EdgeOS",
    vendor: "Ubiquiti",
    type: "router",
    match: [{ sysObjectId: ["1.3.6.1.4.1.41112.1.5"] }, { sysDescr: String.raw`^(?:EdgeOS|EdgeRouter)\b` }],
    version: [{ sysDescr: String.raw`^EdgeOS v?(\S+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.41112.1.5",
      sysDescr: "EdgeOS v1.10.11.5274269.200221.1028",
      model: null,
      version: "1.10.11.5274269.200221.1028",
    }],
  },
  {
    // airOS and UniFi access points answer with the same OIDs and a bare kernel banner; both are APs.
    id: "ubiquiti-wireless",
    os: "Linux",
    vendor: "Ubiquiti",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.10002.1", "1.3.6.1.4.1.41112.1.4", "1.3.6.1.4.1.41112.1.6"] }],
    version: [{ sysDescr: String.raw`^Linux (?:\S+ )?(\d+\.\d+[\w.+~-]*)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.10002.1",
      sysDescr: "Linux 3.3.8 #1 Wed Jan 18 09:26:53 PST 2017 mips",
      model: null,
      version: "3.3.8",
    }],
  },
  {
    // airFiber point-to-point radios: UBNT-MIB's airFiber subtree (LibreNMS airos-af).
    id: "ubiquiti-airfiber",
    os: "airFiber",
    vendor: "Ubiquiti",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.41112.1.3"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.41112.1.3", sysDescr: "", model: null, version: null }],
  },
];
