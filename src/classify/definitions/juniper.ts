/**
 * Juniper Networks: Junos on SRX (firewall), EX and QFX (switch), MX and the rest (router), and
 * ScreenOS on NetScreen / SSG.
 *
 * Where the identifiers come from:
 * - sysObjectIDs: JUNIPER-CHASSIS-DEFINES-MIB jnxProductName (1.3.6.1.4.1.2636.1.1.1.2.N) and
 *   jnxProductVariation (…1.1.1.4.N.*), N per product as Datadog's juniper-srx, juniper-ex and
 *   juniper-mx profiles list them; NetScreen's enterprise 3224 (LibreNMS screenos).
 * - sysDescr: "Juniper Networks, Inc. <model> <role>, kernel JUNOS <version>, …" as captured from an
 *   SRX100H2 in LibreNMS's tests/snmpsim/junos.snmprec; ScreenOS prints "<model> version <version>".
 */
import type { ProductDefinition } from "../definition.ts";

/** Juniper's enterprise: a model named in sysDescr under it beats the enterprise alone. */
const ENTERPRISE = "1.3.6.1.4.1.2636";
const NAME = "1.3.6.1.4.1.2636.1.1.1.2";
const VARIATION = "1.3.6.1.4.1.2636.1.1.1.4";
/** Product OIDs and their variations for the jnxProductName numbers given. */
function products(...n: number[]): string[] {
  return n.flatMap((k) => [`${NAME}.${k}`, `${VARIATION}.${k}`]);
}
const MODEL = String.raw`^Juniper Networks, Inc\. (\S+)`;
const VERSION = String.raw`\bJUNOS ([\w.-]+?)(?:[,\s]|$)`;

export const JUNIPER: readonly ProductDefinition[] = [
  {
    id: "juniper-srx",
    os: "Junos",
    vendor: "Juniper Networks",
    type: "firewall",
    match: [
      {
        // SRX5800 26, SRX5600 28, SRX3600 34, SRX3400 35, SRX210 36, SRX240 39, SRX650 40, SRX100 41,
        // SRX1400 49, SRX220 58, SRX110 64, SRX120 65, SRX550 86, SRX300 133, SRX320 134, SRX340 135,
        // SRX345 136, SRX1500 137, SRX4600 140, SRX4800 141, SRX4100 142, SRX4200 143, SRX380 164.
        sysObjectId: products(
          26,
          28,
          34,
          35,
          36,
          39,
          40,
          41,
          49,
          58,
          64,
          65,
          86,
          133,
          134,
          135,
          136,
          137,
          140,
          141,
          142,
          143,
          164,
        ),
      },
      { sysObjectId: [ENTERPRISE], sysDescr: String.raw`^Juniper Networks, Inc\. srx` },
      { sysDescr: String.raw`^Juniper Networks, Inc\. srx` },
    ],
    model: [{ sysDescr: MODEL }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Juniper Networks, Inc. srx220h internet router, kernel JUNOS 12.1X45-D15.5 #0: 2013-09-19 07:42:15 UTC     builder@svl-junos-pool92.juniper.net:/volume/build/junos/12.1/service/12.1X45-D15.5/obj-octeon/junos/bsd/kernels/JSRXNLE/kernel Build date: 2013-09-19 06:42:15 UTC Copyright (c) 1996-2013 Juniper Networks, Inc.",
      model: "srx220h",
      version: "12.1X45-D15.5",
    }, {
      sysObjectId: `${NAME}.41`,
      sysDescr:
        "Juniper Networks, Inc. srx100h2 internet router, kernel JUNOS 12.3X48-D35.7, Build date: 2016-08-05 04:10:06 UTC Copyright (c) 1996-2016 Juniper Networks, Inc.",
      model: "srx100h2",
      version: "12.3X48-D35.7",
    }],
  },
  {
    id: "juniper-ex",
    os: "Junos",
    vendor: "Juniper Networks",
    type: "switch",
    match: [
      {
        // EX3200 30, EX4200 31, EX8208 32, EX8216 33, EX2200 43, EX4500 44, EX4300 63, EX6210 74,
        // EX3300 76, EX4550 92, EX9214 102, EX9208 103, EX9204 104, EX4600 109, EX3400 131,
        // EX2300 132, EX9251 151, EX9253 156, EX4400 165, EX4100 169, EX4650 508.
        sysObjectId: products(
          30,
          31,
          32,
          33,
          43,
          44,
          63,
          74,
          76,
          92,
          102,
          103,
          104,
          109,
          131,
          132,
          151,
          156,
          165,
          169,
          508,
        ),
      },
      { sysObjectId: [ENTERPRISE], sysDescr: String.raw`^Juniper Networks, Inc\. ex\d` },
      { sysDescr: String.raw`^Juniper Networks, Inc\. ex\d` },
    ],
    model: [{ sysDescr: MODEL }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${NAME}.43`,
      sysDescr:
        "Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6, Build date: 2014-03-13 08:38:30 UTC Copyright (c) 1996-2014 Juniper Networks, Inc.",
      model: "ex2200-24t-4g",
      version: "12.3R6.6",
    }],
  },
  {
    id: "juniper-qfx",
    os: "Junos",
    vendor: "Juniper Networks",
    type: "switch",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^Juniper Networks, Inc\. qfx` }, {
      sysDescr: String.raw`^Juniper Networks, Inc\. qfx`,
    }],
    model: [{ sysDescr: MODEL }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Juniper Networks, Inc. qfx5100-48s-6q Ethernet Switch, kernel JUNOS 14.1X53-D40.8, Build date: 2016-11-09 02:16:34 UTC",
      model: "qfx5100-48s-6q",
      version: "14.1X53-D40.8",
    }],
  },
  {
    id: "juniper-mx",
    os: "Junos",
    vendor: "Juniper Networks",
    type: "router",
    match: [
      {
        // MX960 21, MX480 25, MX240 29, MX80 57, MX40 88, MX10 89, MX5 90, MX2020 93, MX104 97,
        // MX2010 99, vMX 108, MX10440G 111, JNP10003 139, JNP204 144, MX2008 145, MXTSR80 146,
        // MX150 152, MX10008 154, MX10016 155, MX10004 168.
        sysObjectId: products(
          21,
          25,
          29,
          57,
          88,
          89,
          90,
          93,
          97,
          99,
          108,
          111,
          139,
          144,
          145,
          146,
          152,
          154,
          155,
          168,
        ),
      },
      { sysObjectId: [ENTERPRISE], sysDescr: String.raw`^Juniper Networks, Inc\. mx\d` },
      { sysDescr: String.raw`^Juniper Networks, Inc\. mx\d` },
    ],
    model: [{ sysDescr: MODEL }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${NAME}.25`,
      sysDescr:
        "Juniper Networks, Inc. mx480 internet router, kernel JUNOS 17.3R3-S3.3, Build date: 2018-12-11 18:49:02 UTC",
      model: "mx480",
      version: "17.3R3-S3.3",
    }],
  },
  {
    // Any other Junos box (PTX, ACX, T, M, vSRX without a product OID): Junos is a routing OS first.
    id: "juniper-junos",
    os: "Junos",
    vendor: "Juniper Networks",
    type: "router",
    match: [{ sysObjectId: [ENTERPRISE] }, { sysDescr: String.raw`kernel JUNOS` }],
    model: [{ sysDescr: MODEL }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.2636.1.1.1.2.1",
      sysDescr: "",
      model: null,
      version: null,
    }],
  },
  {
    id: "juniper-screenos",
    os: "ScreenOS",
    vendor: "Juniper Networks",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.3224"] }],
    model: [{ sysDescr: String.raw`^(\S+) version \d` }],
    version: [{ sysDescr: String.raw`^\S+ version (\S+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.3224",
      sysDescr: "SSG5-Serial version 6.3.0r19.0 (SN: 0168102006001234, Firewall+VPN)",
      model: "SSG5-Serial",
      version: "6.3.0r19.0",
    }],
  },
];
