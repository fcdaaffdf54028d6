/**
 * Cisco security and wireless, and the lines Cisco bought: ASA, Firepower Threat Defense and PIX
 * firewalls; AireOS and Catalyst 9800 wireless controllers and Aironet access points; Small Business
 * switches, WAPs and SPA phones (and the Linksys-branded Small Business line); Meraki.
 *
 * Where the identifiers come from:
 * - sysObjectIDs: CISCO-PRODUCTS-MIB (ciscoProducts = 1.3.6.1.4.1.9.1; ciscoASA5506 2114, ciscoASA5508 2120,
 *   ciscoFpr1010td 2483, ciscoPIX 227, ciscoAIRAP1702 2129, ciscoC980040K9 2530), CISCO-SMB-MIB / ciscoSB
 *   (1.3.6.1.4.1.9.6.1; LibreNMS ciscosb, ciscowap, ciscospa, ciscowlc), MERAKI-CLOUD-CONTROLLER-MIB (29671);
 *   access-point OIDs as Datadog's cisco-access-point profile lists.
 * - sysDescr: "Cisco Adaptive Security Appliance Version …", "Cisco Firepower Threat Defense, Version …",
 *   "Cisco Controller", "Meraki MX/MS/MR" as LibreNMS's detection (asa, ciscowlc, meraki*) and its
 *   captures (tests/snmpsim/ciscowlc, merakimx, merakims, merakimr) show them.
 */
import type { ProductDefinition } from "../definition.ts";
import { CISCO_PRODUCTS as P, CISCO_VERSION as VERSION, IOS_PLATFORM } from "./cisco.ts";

export const CISCO_SECURITY_WIRELESS: readonly ProductDefinition[] = [
  {
    id: "cisco-c9800-wlc",
    os: "IOS-XE",
    vendor: "Cisco",
    type: "access_point",
    match: [{ sysObjectId: [`${P}.2530`] }, { sysDescr: String.raw`^Cisco IOS Software.*\bC9800\b` }],
    model: [{ sysObjectId: { [`${P}.2530`]: "C9800-40" } }, {
      sysDescr: String.raw`\b(C9800[\w-]*) Software`,
    }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.2530`,
      sysDescr:
        "Cisco IOS Software [Amsterdam], C9800 Software (C9800_IOSXE-K9), Version 17.3.4, RELEASE SOFTWARE (fc5)",
      model: "C9800-40",
      version: "17.3.4",
    }],
  },
  {
    id: "cisco-aironet",
    os: "IOS",
    vendor: "Cisco",
    type: "access_point",
    match: [
      {
        sysObjectId: [
          `${P}.525`,
          `${P}.618`,
          `${P}.1660`,
          `${P}.2129`,
          `${P}.2146`,
          `${P}.2147`,
          `${P}.2371`,
        ],
      },
      { sysDescr: String.raw`^Cisco IOS Software.*(?:Aironet|-K9W[78]-)` },
    ],
    model: [
      {
        sysObjectId: {
          [`${P}.2129`]: "AIR-AP1702",
          [`${P}.2146`]: "AIR-AP702W",
          [`${P}.2147`]: "AIR-AP1572",
        },
      },
      { sysDescr: IOS_PLATFORM },
    ],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Cisco IOS Software, C1240 Software (C1240-K9W7-M), Version 12.4(25d)JA2, RELEASE SOFTWARE (fc1)",
      model: "C1240",
      version: "12.4(25d)JA2",
    }, {
      sysObjectId: `${P}.2129`,
      sysDescr: "",
      model: "AIR-AP1702",
      version: null,
    }],
  },
  {
    id: "cisco-asa",
    os: "ASA",
    vendor: "Cisco",
    type: "firewall",
    match: [
      { sysObjectId: [`${P}.2114`, `${P}.2117`, `${P}.2120`] },
      { sysDescr: String.raw`^Cisco (?:Adaptive|Industrial) Security Appliance` },
    ],
    model: [{
      sysObjectId: { [`${P}.2114`]: "ASA 5506", [`${P}.2117`]: "ASA 5506W", [`${P}.2120`]: "ASA 5508" },
    }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.2114`,
      sysDescr: "Cisco Adaptive Security Appliance Version 9.8(2)",
      model: "ASA 5506",
      version: "9.8(2)",
    }],
  },
  {
    id: "cisco-firepower",
    os: "FTD",
    vendor: "Cisco",
    type: "firewall",
    match: [
      { sysObjectId: [`${P}.2483`, `${P}.3053`, `${P}.3054`, `${P}.3055`, `${P}.3056`, `${P}.3166`] },
      { sysDescr: String.raw`^Cisco Firepower Threat Defense` },
    ],
    model: [{
      sysObjectId: {
        [`${P}.2483`]: "Firepower 1010",
        [`${P}.3053`]: "Firepower 3110",
        [`${P}.3054`]: "Firepower 3120",
        [`${P}.3055`]: "Firepower 3130",
        [`${P}.3056`]: "Firepower 3140",
        [`${P}.3166`]: "Firepower 3105",
      },
    }],
    version: [{ sysDescr: String.raw`^Cisco Firepower Threat Defense, Version ([\d.]+)` }],
    examples: [{
      sysObjectId: `${P}.2483`,
      sysDescr: "Cisco Firepower Threat Defense, Version 6.4.0 (Build 102), ASA Version 9.12(1)2",
      model: "Firepower 1010",
      version: "6.4.0",
    }],
  },
  {
    id: "cisco-pix",
    os: "PIX OS",
    vendor: "Cisco",
    type: "firewall",
    // ciscoPIX 227, PIX 506/515/520/525/535 389–393, PIX 501 417.
    match: [{ sysObjectId: [227, 389, 390, 391, 392, 393, 417].map((n) => `${P}.${n}`) }, {
      sysDescr: String.raw`^Cisco PIX (?:Firewall|Security Appliance)`,
    }],
    model: [{
      sysObjectId: {
        [`${P}.389`]: "PIX 506",
        [`${P}.390`]: "PIX 515",
        [`${P}.391`]: "PIX 520",
        [`${P}.392`]: "PIX 525",
        [`${P}.393`]: "PIX 535",
        [`${P}.417`]: "PIX 501",
      },
    }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.390`,
      sysDescr: "Cisco PIX Firewall Version 6.3(5)",
      model: "PIX 515",
      version: "6.3(5)",
    }],
  },
  {
    id: "cisco-wlc",
    os: "AireOS",
    vendor: "Cisco",
    type: "access_point",
    match: [{ sysDescr: String.raw`^(?:Cisco Controller|Cisco Business Wireless)` }],
    examples: [{ sysObjectId: "", sysDescr: "Cisco Controller", model: null, version: null }],
  },
  {
    id: "cisco-sb-wap",
    os: "Cisco Small Business",
    vendor: "Cisco",
    type: "access_point",
    // ciscoSB product trees of the WAP access points (LibreNMS ciscowap).
    match: [{ sysObjectId: ["1.3.6.1.4.1.9.6.1.31", "1.3.6.1.4.1.9.6.1.32", "1.3.6.1.4.1.9.6.1.34"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.9.6.1.32", sysDescr: "", model: null, version: null }],
  },
  {
    id: "cisco-sb-wlc",
    os: "Cisco Small Business",
    vendor: "Cisco",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.9.6.1.37"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.9.6.1.37", sysDescr: "", model: null, version: null }],
  },
  {
    id: "cisco-spa-phone",
    os: "SPA",
    vendor: "Cisco",
    type: "phone",
    match: [{ sysObjectId: ["1.3.6.1.4.1.9.6.1.23.1.1"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.9.6.1.23.1.1", sysDescr: "", model: null, version: null }],
  },
  {
    id: "cisco-sb-switch",
    os: "Cisco Small Business",
    vendor: "Cisco",
    type: "switch",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.9.6.1"] },
      { sysDescr: String.raw`^(?:SG|SF|SX|CBS)\d{3}\w*-\w+ .*Switch|Catalyst 1[23]00 Series` },
    ],
    model: [{ sysDescr: String.raw`^((?:SG|SF|SX|CBS)\d{3}\w*-\w+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.9.6.1.80", sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "SG300-28 28-Port Gigabit Managed Switch",
      model: "SG300-28",
      version: null,
    }],
  },
  {
    id: "cisco-meraki-mx",
    os: "Meraki",
    vendor: "Cisco Meraki",
    type: "firewall",
    match: [{ sysDescr: String.raw`^Meraki MX` }],
    model: [{ sysDescr: String.raw`^Meraki (MX\d+\w*)` }],
    examples: [{ sysObjectId: "", sysDescr: "Meraki MX", model: null, version: null }],
  },
  {
    id: "cisco-meraki-ms",
    os: "Meraki",
    vendor: "Cisco Meraki",
    type: "switch",
    match: [{ sysDescr: String.raw`^Meraki MS` }, { sysObjectId: ["1.3.6.1.4.1.29671.2.388"] }],
    model: [{ sysDescr: String.raw`^Meraki (MS\d+[\w-]*)` }],
    examples: [{ sysObjectId: "", sysDescr: "Meraki MS", model: null, version: null }],
  },
  {
    id: "cisco-meraki-mr",
    os: "Meraki",
    vendor: "Cisco Meraki",
    type: "access_point",
    match: [{ sysDescr: String.raw`^=?(?:Meraki MR|Meraki CW|Cisco Wireless CW)` }],
    model: [{ sysDescr: String.raw`^=?(?:Meraki |Cisco Wireless )((?:MR|CW)\d+\w*)` }],
    examples: [{ sysObjectId: "", sysDescr: "Meraki MR", model: null, version: null }],
  },
];
