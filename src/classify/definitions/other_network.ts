/**
 * Other switch and router makers common at small and mid-size sites: Arista, Extreme, Huawei, Allied
 * Telesis, Ruckus ICX / Brocade FastIron, LANCOM, DrayTek, Teltonika, Peplink, 3Com, Avaya (Nortel) ERS,
 * Brocade Fibre Channel, Mellanox.
 *
 * Where the identifiers come from: the IANA Private Enterprise Numbers of Arista Networks (30065),
 * Extreme Networks (1916), Huawei (2011), Allied Telesis (207), Foundry/Brocade (1991, today's Ruckus
 * ICX switches), LANCOM Systems (2356), DrayTek (7367), Teltonika (48690), Peplink (23695), 3Com (43),
 * SynOptics (45, Nortel's and Avaya's ERS line), Brocade Fibre Channel (1588) and Mellanox (33049); 3Com's
 * sysDescr as FusionInventory's published dictionary lists it ("3Com SuperStack 3 Switch 4500 …"); Arista
 * EOS's "Arista Networks EOS version <v> running on an Arista Networks <model>" sysDescr, ExtremeXOS's
 * "ExtremeXOS (<model>) version <v> …", Huawei VRP's "Huawei Versatile Routing Platform Software …
 * (<model> <release>)", whose model prefix says switch (S, CE) or router (AR, NE).
 */
import type { ProductDefinition } from "../definition.ts";

export const OTHER_NETWORK: readonly ProductDefinition[] = [
  {
    id: "arista-eos",
    os: "EOS",
    vendor: "Arista Networks",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.30065"] }, { sysDescr: String.raw`^Arista Networks EOS` }],
    model: [{ sysDescr: String.raw`running on an? Arista Networks (\S+)` }],
    version: [{ sysDescr: String.raw`^Arista Networks EOS version (\S+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.30065",
      sysDescr: "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8",
      model: "DCS-7050SX3-48YC8",
      version: "4.28.3M",
    }],
  },
  {
    id: "extreme-exos",
    os: "ExtremeXOS",
    vendor: "Extreme Networks",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1916"] }, { sysDescr: String.raw`^ExtremeXOS\b` }],
    model: [{ sysDescr: String.raw`^ExtremeXOS \(([^)]+)\)` }],
    version: [{ sysDescr: String.raw`^ExtremeXOS (?:\([^)]+\) )?version ([\d.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.1916",
      sysDescr:
        "ExtremeXOS (X440G2-48p-10G4) version 22.6.1.4 22.6.1.4-patch1-1 by release-manager on Mon Feb 18 15:21:03 EST 2019",
      model: "X440G2-48p-10G4",
      version: "22.6.1.4",
    }],
  },
  {
    id: "huawei-vrp-router",
    os: "VRP",
    vendor: "Huawei",
    type: "router",
    match: [{ sysDescr: String.raw`^Huawei Versatile Routing Platform.*\((?:AR|NE)\d` }],
    model: [{ sysDescr: String.raw`\(((?:AR|NE)\d[\w-]*) ` }],
    version: [{ sysDescr: String.raw`\bVersion ([\d.]+)` }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.160 (AR2220 V200R009C00SPC500) Copyright (C) 2011-2018 HUAWEI TECH CO., LTD",
      model: "AR2220",
      version: "5.160",
    }],
  },
  {
    id: "huawei-vrp-switch",
    os: "VRP",
    vendor: "Huawei",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2011"] }, {
      sysDescr: String.raw`^Huawei Versatile Routing Platform.*\((?:S|CE)\d`,
    }],
    model: [{ sysDescr: String.raw`\(((?:S|CE)\d[\w-]*) ` }],
    version: [{ sysDescr: String.raw`\bVersion ([\d.]+)` }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170 (S5720 V200R011C10SPC500) Copyright (C) 2000-2018 HUAWEI TECH CO., LTD",
      model: "S5720",
      version: "5.170",
    }],
  },
  {
    id: "allied-telesis",
    os: "AlliedWare Plus",
    vendor: "Allied Telesis",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.207"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.207", sysDescr: "", model: null, version: null }],
  },
  {
    id: "ruckus-icx",
    os: "FastIron",
    vendor: "Ruckus",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1991"] }, { sysDescr: String.raw`^(?:Ruckus|Brocade) ICX\d` }],
    model: [{ sysDescr: String.raw`^(?:Ruckus|Brocade) (ICX[\w-]+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.1991", sysDescr: "", model: null, version: null }],
  },
  {
    id: "lancom-lcos",
    os: "LCOS",
    vendor: "LANCOM",
    type: "router",
    match: [{ sysObjectId: ["1.3.6.1.4.1.2356"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.2356", sysDescr: "", model: null, version: null }],
  },
  {
    id: "draytek-vigor",
    os: "DrayOS",
    vendor: "DrayTek",
    type: "router",
    match: [{ sysObjectId: ["1.3.6.1.4.1.7367"] }, { sysDescr: String.raw`^DrayTek\b` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.7367", sysDescr: "", model: null, version: null }],
  },
  {
    id: "teltonika-rutos",
    os: "RutOS",
    vendor: "Teltonika",
    type: "router",
    match: [{ sysObjectId: ["1.3.6.1.4.1.48690"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.48690", sysDescr: "", model: null, version: null }],
  },
  {
    id: "peplink",
    os: "Peplink",
    vendor: "Peplink",
    type: "router",
    match: [{ sysObjectId: ["1.3.6.1.4.1.23695"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.23695", sysDescr: "", model: null, version: null }],
  },
  {
    id: "3com-switch",
    os: "3Com OS",
    vendor: "3Com",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.43"] }, {
      sysDescr: String.raw`^3Com (?:SuperStack|Switch|Baseline)\b`,
    }],
    model: [{
      sysDescr: String.raw`^3Com ((?:SuperStack \d+ )?(?:Switch|Baseline Switch) [\w-]+(?: [\w-]+)?)`,
    }],
    version: [{ sysDescr: String.raw`Software Version 3Com OS V?([\w.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.43",
      sysDescr: "3Com SuperStack 3 Switch 4500 26-Port Software Version 3Com OS V3.02.00s56",
      model: "SuperStack 3 Switch 4500 26-Port",
      version: "3.02.00s56",
    }],
  },
  {
    id: "avaya-ers",
    os: "ERS",
    vendor: "Avaya",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.45"] }, { sysDescr: String.raw`^Ethernet Routing Switch \d` }],
    model: [{ sysDescr: String.raw`^Ethernet Routing Switch (\S+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.45", sysDescr: "", model: null, version: null }],
  },
  {
    id: "brocade-fabric-os",
    os: "Fabric OS",
    vendor: "Brocade",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.1588"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.1588", sysDescr: "", model: null, version: null }],
  },
  {
    id: "mellanox-onyx",
    os: "Onyx",
    vendor: "NVIDIA Mellanox",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.33049"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.33049", sysDescr: "", model: null, version: null }],
  },
];
