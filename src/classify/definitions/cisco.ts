/**
 * Cisco routers and switches: IOS, IOS-XE, IOS-XR, NX-OS, CatOS. (Firewalls, wireless, Small Business and
 * Meraki: cisco_security_wireless.ts.)
 *
 * Where the identifiers come from:
 * - sysObjectIDs: CISCO-PRODUCTS-MIB (ciscoProducts = 1.3.6.1.4.1.9.1; e.g. ciscoISR4331 2068,
 *   ciscoCat9300FixedSwitchStack 2494, cat3750stack 516, the classic 2600/3600/7200 routers and
 *   2950/3550 Catalysts as the MIB and FusionInventory's sysobject.ids list them).
 * - sysDescr: the first lines of `show version`, which Cisco's agents return as sysDescr; the recorded
 *   Catalyst 3750 that Debian's snmpsim ships (examples/data/cisco_16_switch.snmprec); the strings
 *   LibreNMS's OS detection keys on (ios, iosxe, nxos, catos).
 */
import type { ProductDefinition } from "../definition.ts";

/** ciscoProducts (CISCO-SMI): every product's sysObjectID lies under it. */
export const CISCO_PRODUCTS = "1.3.6.1.4.1.9.1";
const P = CISCO_PRODUCTS;
/** "Version 15.2(4)E10," — the token IOS, IOS-XE, IOS-XR, NX-OS and ASA share. */
export const CISCO_VERSION = String.raw`\bVersion:?\s+([0-9][\w.()-]*?)(?:,|\s|\[|$)`;
/** The platform IOS names before "Software (": "C2960X", "ISR", "Catalyst L3 Switch". */
export const IOS_PLATFORM = String.raw`^Cisco IOS Software(?: \[[^\]]*\])?, (.+?) Software \(`;
/** 12.x banners: "Cisco Internetwork Operating System Software IOS (tm) C2600 Software (…)". */
const IOS_TM_PLATFORM = String.raw`IOS \(tm\) (\S+) Software`;
const VERSION = CISCO_VERSION;
const IOS_XE_MARK = String.raw`IOS[- ]XE|IOSXE|_IOSD|CAT3K_CAA|^Cisco IOS Software \[[A-Z][a-z]+\]`;

export const CISCO: readonly ProductDefinition[] = [
  {
    id: "cisco-ios-xe-switch",
    os: "IOS-XE",
    vendor: "Cisco",
    type: "switch",
    match: [
      {
        sysObjectId: [
          `${P}.2066`, // cat36xxstack
          `${P}.2162`, // ciscoC385012XS
          `${P}.2163`, // ciscoC385024XS
          `${P}.2164`, // ciscoC385048XS
          `${P}.2435`, // ciscoCat930024T … 2442 ciscoCat930048UXM
          `${P}.2436`,
          `${P}.2437`,
          `${P}.2438`,
          `${P}.2439`,
          `${P}.2440`,
          `${P}.2441`,
          `${P}.2442`,
          `${P}.2494`, // ciscoCat9300FixedSwitchStack
          `${P}.2499`, // ciscoCat9404R
          `${P}.2500`, // ciscoCat9407R
          `${P}.2501`, // ciscoCat9410R
          `${P}.2566`, // ciscoCat950032C
          `${P}.2567`, // ciscoCat950032QC
          `${P}.2568`, // ciscoCat950048Y4C
          `${P}.2573`, // ciscoCat950024Y4C
          `${P}.2574`, // ciscoCat9200L24P4X … 2579
          `${P}.2575`,
          `${P}.2576`,
          `${P}.2577`,
          `${P}.2578`,
          `${P}.2579`,
          `${P}.3086`, // ciscoC9300X48HXN
          `${P}.3087`, // ciscoC9300X24HX
        ],
      },
      {
        sysDescr: String.raw`^Cisco IOS Software.*(?:Catalyst L3 Switch Software|CAT9K|CAT3K_CAA|cat4500es8)`,
      },
    ],
    model: [
      {
        sysObjectId: {
          [`${P}.2066`]: "Catalyst 3650/3850 stack",
          [`${P}.2162`]: "Catalyst 3850-12XS",
          [`${P}.2163`]: "Catalyst 3850-24XS",
          [`${P}.2164`]: "Catalyst 3850-48XS",
          [`${P}.2435`]: "Catalyst 9300-24T",
          [`${P}.2436`]: "Catalyst 9300-24P",
          [`${P}.2437`]: "Catalyst 9300-24U",
          [`${P}.2438`]: "Catalyst 9300-24UX",
          [`${P}.2439`]: "Catalyst 9300-48T",
          [`${P}.2440`]: "Catalyst 9300-48P",
          [`${P}.2441`]: "Catalyst 9300-48U",
          [`${P}.2442`]: "Catalyst 9300-48UXM",
          [`${P}.2494`]: "Catalyst 9300 stack",
          [`${P}.2499`]: "Catalyst 9404R",
          [`${P}.2500`]: "Catalyst 9407R",
          [`${P}.2501`]: "Catalyst 9410R",
          [`${P}.2566`]: "Catalyst 9500-32C",
          [`${P}.2567`]: "Catalyst 9500-32QC",
          [`${P}.2568`]: "Catalyst 9500-48Y4C",
          [`${P}.2573`]: "Catalyst 9500-24Y4C",
          [`${P}.2574`]: "Catalyst 9200L-24P-4X",
          [`${P}.2575`]: "Catalyst 9200L-48P-4X",
          [`${P}.2576`]: "Catalyst 9200L-24PXG-4X",
          [`${P}.2577`]: "Catalyst 9200L-24PXG-2Y",
          [`${P}.2578`]: "Catalyst 9200L-48PXG-4X",
          [`${P}.2579`]: "Catalyst 9200L-48PXG-2Y",
          [`${P}.3086`]: "Catalyst 9300X-48HXN",
          [`${P}.3087`]: "Catalyst 9300X-24HX",
        },
      },
      { sysDescr: IOS_PLATFORM },
    ],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.2494`,
      sysDescr:
        "Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4, RELEASE SOFTWARE (fc5)",
      model: "Catalyst 9300 stack",
      version: "16.12.4",
    }, {
      sysObjectId: "",
      sysDescr:
        "Cisco IOS Software [Denali], Catalyst L3 Switch Software (CAT3K_CAA-UNIVERSALK9-M), Version 16.3.5b, RELEASE SOFTWARE (fc1)",
      model: "Catalyst L3 Switch",
      version: "16.3.5b",
    }],
  },
  {
    id: "cisco-ios-xe-router",
    os: "IOS-XE",
    vendor: "Cisco",
    type: "router",
    match: [
      {
        sysObjectId: [
          `${P}.2068`, // ciscoISR4331
          `${P}.2093`, // ciscoISR4321
          `${P}.2143`, // ciscoASR1006X
          `${P}.2144`, // ciscoASR1009X
          `${P}.2443`, // ciscoC11118P
          `${P}.2505`, // ciscoC11114P
          `${P}.3046`, // ciscoISR1100X6G
          `${P}.3074`, // ciscoC8200L1N4T
        ],
      },
      {
        sysDescr: String.raw`^Cisco IOS Software.*(?:ISR Software|ASR1000|CSR1000V|c8000|X86_64_LINUX_IOSD)`,
      },
      { sysDescr: String.raw`^Cisco IOS XE Software` },
    ],
    model: [
      {
        sysObjectId: {
          [`${P}.2068`]: "ISR4331",
          [`${P}.2093`]: "ISR4321",
          [`${P}.2143`]: "ASR1006-X",
          [`${P}.2144`]: "ASR1009-X",
          [`${P}.2443`]: "C1111-8P",
          [`${P}.2505`]: "C1111-4P",
          [`${P}.3046`]: "ISR1100X-6G",
          [`${P}.3074`]: "C8200L-1N-4T",
        },
      },
      { sysDescr: IOS_PLATFORM },
    ],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.2068`,
      sysDescr:
        "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, RELEASE SOFTWARE (fc2) Technical Support: http://www.cisco.com/techsupport",
      model: "ISR4331",
      version: "16.9.4",
    }],
  },
  {
    id: "cisco-ios-switch",
    os: "IOS",
    vendor: "Cisco",
    type: "switch",
    match: [
      {
        // cat3750stack 516, cat29xxStack 1208, Catalyst 3560CX 2130, 2960CX 2137, 2960L 2495–2498, and the
        // classic fixed Catalysts: 2950-12/-24/C-24 323–325, 2950T-24 359, 3550-12T/-48/-24 366–368,
        // 2950G-12 427, 3508/3512/3524 XL 246–248, 3548 XL 278.
        sysObjectId: [
          516,
          1208,
          2130,
          2137,
          2495,
          2496,
          2497,
          2498,
          323,
          324,
          325,
          359,
          366,
          367,
          368,
          427,
          246,
          247,
          248,
          278,
        ]
          .map((n) => `${P}.${n}`),
      },
      {
        sysDescr: String
          .raw`^Cisco IOS Software, (?:C(?:1000|2918|2940|2950|2955|2960\w*|2970|3550|3560\w*|3750\w*|4500\w*|6500)|Catalyst\b|IE\d+|s72033_rp|s2t54) Software`,
        sysDescrNot: IOS_XE_MARK,
      },
      { sysDescr: String.raw`IOS \(tm\) C(?:2900XL|2950|3500XL|3550|3560|3750|Catalyst \w+) Software` },
    ],
    model: [{ sysDescr: IOS_PLATFORM }, { sysDescr: IOS_TM_PLATFORM }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${P}.516`,
      sysDescr:
        "Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version 12.2(55)SE10, RELEASE SOFTWARE (fc2) Technical Support: http://www.cisco.com/techsupport Copyright (c) 1986-2015 by Cisco Systems, Inc. Compiled Wed 11-Feb-15 11:40 by prod_rel_team",
      model: "C3750",
      version: "12.2(55)SE10",
    }, {
      sysObjectId: `${P}.1208`,
      sysDescr:
        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)",
      model: "C2960X",
      version: "15.2(4)E10",
    }],
  },
  {
    id: "cisco-ios-router",
    os: "IOS",
    vendor: "Cisco",
    type: "router",
    match: [
      {
        // 2610–2612 185–187, 2620/2621 208/209, 2650/2651 319/320, 2691 413, 3725 414, 1720 201, 1750 216,
        // 1751 326, 1760 416, 3620 122, 3640 110, 3660 205, 7204 125, 7206 108, 7206VXR 222, 7204VXR 223.
        sysObjectId: [
          185,
          186,
          187,
          208,
          209,
          319,
          320,
          413,
          414,
          201,
          216,
          326,
          416,
          122,
          110,
          205,
          125,
          108,
          222,
          223,
        ]
          .map((n) => `${P}.${n}`),
      },
      {
        sysDescr: String
          .raw`^Cisco IOS Software, (?:C?(?:8[0-9]{2}\w*|1[789]\d\d\w*|19\d\d|28\d\d\w*|29\d\d|38\d\d\w*|39\d\d|7200|7301|3600|2600\w*)|ISR|CISCO\w+) Software`,
        sysDescrNot: IOS_XE_MARK,
      },
      { sysDescr: String.raw`IOS \(tm\) (?:C?\d{3,4}\w*|RSP) Software` },
    ],
    model: [{ sysDescr: IOS_PLATFORM }, { sysDescr: IOS_TM_PLATFORM }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M5, RELEASE SOFTWARE (fc1)",
      model: "C2900",
      version: "15.7(3)M5",
    }, {
      sysObjectId: "",
      sysDescr:
        "Cisco Internetwork Operating System Software IOS (tm) C2600 Software (C2600-IK9O3S3-M), Version 12.3(6), RELEASE SOFTWARE (fc3)",
      model: "C2600",
      version: "12.3(6)",
    }],
  },
  {
    id: "cisco-ios-xr",
    os: "IOS-XR",
    vendor: "Cisco",
    type: "router",
    match: [{ sysDescr: String.raw`^Cisco IOS XR Software` }],
    model: [{ sysDescr: String.raw`^Cisco IOS XR Software \(Cisco ([^)]+?)(?: Series)?\)` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Cisco IOS XR Software (Cisco ASR9K Series),  Version 6.1.4[Default] Copyright (c) 2017 by Cisco Systems, Inc.",
      model: "ASR9K",
      version: "6.1.4",
    }],
  },
  {
    id: "cisco-nx-os",
    os: "NX-OS",
    vendor: "Cisco",
    type: "switch",
    match: [{ sysDescr: String.raw`^Cisco NX-OS`, sysDescrNot: String.raw`^Cisco NX-OS\(tm\) ucs` }],
    model: [{ sysDescr: String.raw`^Cisco NX-OS\(tm\) ([\w-]+)` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 7.0(3)I7(6), RELEASE SOFTWARE Copyright (c) 2002-2019 by Cisco Systems, Inc.",
      model: "n9000",
      version: "7.0(3)I7(6)",
    }],
  },
  {
    id: "cisco-catos",
    os: "CatOS",
    vendor: "Cisco",
    type: "switch",
    match: [{ sysDescr: String.raw`^Cisco Catalyst Operating System Software` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr:
        "Cisco Catalyst Operating System Software, Version 8.4(11)GLX Copyright (c) 1995-2006 by Cisco Systems",
      model: null,
      version: "8.4(11)GLX",
    }],
  },
];
