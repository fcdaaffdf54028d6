/**
 * Hewlett Packard Enterprise and Aruba: ProCurve / ArubaOS-Switch, AOS-CX, Comware (H3C, FlexNetwork,
 * OfficeConnect), Instant On switches, Aruba mobility controllers and access points, ClearPass, iLO.
 *
 * Where the identifiers come from:
 * - sysObjectIDs: HP-SN-MIB / hpEtherSwitch products (1.3.6.1.4.1.11.2.3.7.11 and the older
 *   11.2.3.7.8.5; LibreNMS procurve), ARUBA-MIB switchProducts (14823.1.1, the mobility controllers) and
 *   apProducts (14823.1.2; Datadog aruba-switch and LibreNMS aruba-instant), AOS-CX 47196.4.1.1.1
 *   (LibreNMS arubaos-cx), H3C's enterprise 25506 for Comware (LibreNMS comware), CPQSM2-MIB iLO
 *   (1.3.6.1.4.1.232.9.4.10).
 * - sysDescr: the ProCurve 2810-24G recording Debian's snmpsim ships (examples/data/hp_perf.snmprec);
 *   "ArubaOS (MODEL: …), Version …" examples in Datadog's aruba-switch profile; the Instant On and
 *   Comware banners as LibreNMS's detection patterns describe them.
 */
import type { ProductDefinition } from "../definition.ts";

const PROCURVE_MODEL = String
  .raw`^(?:HPE?|Aruba|ProCurve|HP ProCurve|Hewlett-Packard)\s+(J\w+)\s+(?:(\S+)\s+Switch|Switch\s+([^,]+)),`;
const ARUBAOS_MODEL = String.raw`\(MODEL: ([^)]+)\)`;
const ARUBAOS_VERSION = String.raw`\bVersion ([\w.-]+)`;

export const HPE_ARUBA: readonly ProductDefinition[] = [
  {
    id: "hp-procurve",
    os: "ArubaOS-Switch",
    vendor: "HP",
    type: "switch",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.11.2.3.7.11", "1.3.6.1.4.1.11.2.3.7.8.5"] },
      { sysDescr: String.raw`^(?:HPE?|Aruba|ProCurve|HP ProCurve)\s+J\w+\s.*\bSwitch\b.*\brevision\b` },
    ],
    model: [{ sysDescr: PROCURVE_MODEL }],
    version: [{ sysDescr: String.raw`\brevision ([\w.]+)` }],
    examples: [{
      sysObjectId: "",
      sysDescr: "ProCurve J9019B Switch 2510B-24, revision Q.11.17, ROM Q.10.02 (/sw/code/build/harp(bh2))",
      model: "J9019B 2510B-24",
      version: "Q.11.17",
    }, {
      sysObjectId: "",
      sysDescr:
        "HP J9773A 2530-24G-PoEP Switch, revision YA.16.10.0009, ROM YA.15.20 (/ws/swbuildm/rel_yakima_qaoff/code/build/lakes(swbuildm_rel_yakima_qaoff_rel_yakima))",
      model: "J9773A 2530-24G-PoEP",
      version: "YA.16.10.0009",
    }, {
      sysObjectId: "1.3.6.1.4.1.11.2.3.7.11.63",
      sysDescr: "ProCurve J9021A Switch 2810-24G, revision N.11.75, ROM N.10.01 (/sw/code/build/bass)",
      model: "J9021A 2810-24G",
      version: "N.11.75",
    }, {
      sysObjectId: "1.3.6.1.4.1.11.2.3.7.11.138",
      sysDescr:
        "HP J9774A 2530-8G-PoEP Switch, revision YA.16.11.0031, ROM YA.15.20 (/ws/swbuildm/rel_yakima_qaoff/code/build/lakes(swbuildm_rel_yakima_qaoff_rel_yakima))",
      model: "J9774A 2530-8G-PoEP",
      version: "YA.16.11.0031",
    }],
  },
  {
    id: "aruba-aos-cx",
    os: "AOS-CX",
    vendor: "HPE Aruba",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.47196.4.1.1.1"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.47196.4.1.1.1", sysDescr: "", model: null, version: null }],
  },
  {
    id: "aruba-instant-on-switch",
    os: "Instant On",
    vendor: "HPE Aruba",
    type: "switch",
    match: [{ sysDescr: String.raw`^(?:Aruba|HPE Networking) Instant On \S+.*InstantOn_` }],
    model: [{ sysDescr: String.raw`^(?:Aruba|HPE Networking) Instant On ([^,]+),` }],
    version: [{ sysDescr: String.raw`InstantOn_\d+_([\d.]+)` }],
    examples: [{
      sysObjectId: "",
      sysDescr: "Aruba Instant On 1930 24G 4SFP/SFP+ Switch JL682A, InstantOn_1930_2.5.0.1 (50)",
      model: "1930 24G 4SFP/SFP+ Switch JL682A",
      version: "2.5.0.1",
    }],
  },
  {
    id: "aruba-mobility-access-switch",
    os: "ArubaOS",
    vendor: "HPE Aruba",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.14823.1.1"], sysDescr: String.raw`Mobility Access Switch` }],
    model: [{ sysDescr: String.raw`^Aruba (\S+) Mobility Access Switch` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14823.1.1.36",
      sysDescr: "Aruba S1500 Mobility Access Switch",
      model: "S1500",
      version: null,
    }],
  },
  {
    id: "aruba-controller",
    os: "ArubaOS",
    vendor: "HPE Aruba",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.14823.1.1"] }],
    model: [{ sysDescr: ARUBAOS_MODEL }],
    version: [{ sysDescr: ARUBAOS_VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14823.1.1.40",
      sysDescr: "ArubaOS (MODEL: Aruba7010-US), Version 6.5.1.4 (58698)",
      model: "Aruba7010-US",
      version: "6.5.1.4",
    }, {
      sysObjectId: "1.3.6.1.4.1.14823.1.1.32",
      sysDescr: "ArubaOS (MODEL: Aruba7210-US), Version 6.5.4.9 (67129)",
      model: "Aruba7210-US",
      version: "6.5.4.9",
    }],
  },
  {
    id: "aruba-ap",
    os: "ArubaOS",
    vendor: "HPE Aruba",
    type: "access_point",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.14823.1.2"] },
      { sysDescr: String.raw`^(?:ArubaOS|AOS-(?:8|10))\b.*\(MODEL: (?:AP-)?\d{3}` },
    ],
    model: [{ sysDescr: ARUBAOS_MODEL }],
    version: [{ sysDescr: ARUBAOS_VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14823.1.2.64",
      sysDescr: "ArubaOS (MODEL: 315), Version 8.6.0.4-8.6.0.4",
      model: "315",
      version: "8.6.0.4-8.6.0.4",
    }],
  },
  {
    id: "hpe-comware",
    os: "Comware",
    vendor: "HPE",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.25506"] }, { sysDescr: String.raw`Comware (?:Platform )?Software` }],
    model: [{ sysDescr: String.raw`Release \S+\s+(?:HPE?|H3C)\s+(.+?)\s+(?:Switch\s+)?Copyright` }],
    version: [{ sysDescr: String.raw`Software Version ([\d.]+,? Release \w+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.25506.11.1.1",
      sysDescr:
        "HPE Comware Platform Software, Software Version 7.1.070, Release 3208P08 HPE 5130 24G 4SFP+ EI Switch Copyright (c) 2010-2019 Hewlett Packard Enterprise Development LP",
      model: "5130 24G 4SFP+ EI",
      version: "7.1.070, Release 3208P08",
    }],
  },
  {
    id: "hpe-ilo",
    os: "iLO",
    vendor: "HPE",
    type: "server",
    match: [{ sysObjectId: ["1.3.6.1.4.1.232.9.4.10"] }, { sysDescr: String.raw`^Integrated Lights-Out \d` }],
    model: [{ sysDescr: String.raw`^(Integrated Lights-Out \d+)` }],
    version: [{ sysDescr: String.raw`^Integrated Lights-Out \d+ ([\d.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.232.9.4.10",
      sysDescr: "Integrated Lights-Out 4 2.70 May 07 2019",
      model: "Integrated Lights-Out 4",
      version: "2.70",
    }],
  },
  {
    // ClearPass Policy Manager: ARUBA-MIB's 14823.1.6 (LibreNMS arubaos leaves it out of the controllers).
    id: "aruba-clearpass",
    os: "ClearPass",
    vendor: "HPE Aruba",
    type: "server",
    match: [{ sysObjectId: ["1.3.6.1.4.1.14823.1.6"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.14823.1.6", sysDescr: "", model: null, version: null }],
  },
];
