/**
 * Dell: PowerConnect and Dell EMC Networking N-series (DNOS 6), OS9 / Force10 FTOS, OS10, the W-series
 * wireless controllers Aruba made for Dell, and iDRAC.
 *
 * Where the identifiers come from:
 * - sysObjectIDs: Dell-Vendor-MIB (powerConnect = 1.3.6.1.4.1.674.10895), DELL-WLAN-MIB (w-650 =
 *   674.10895.5001, w-651 = 674.10895.5002), Force10's enterprise 6027, the iDRAC agents' 674.10892.2 and
 *   674.10892.5 (LibreNMS drac).
 * - sysDescr: "Dell Out-of-band SNMP Agent for Remote Access Controller" and "Force10 Operating System"
 *   (LibreNMS drac, ftos); the Dell EMC Networking forms ("Dell EMC Networking N3048EP-ON", "… OS10
 *   Enterprise") as public SNMP collectors document them.
 */
import type { ProductDefinition } from "../definition.ts";

export const DELL: readonly ProductDefinition[] = [
  {
    id: "dell-w-series-controller",
    os: "ArubaOS",
    vendor: "Dell",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.674.10895.5001", "1.3.6.1.4.1.674.10895.5002"] }],
    model: [{
      sysObjectId: { "1.3.6.1.4.1.674.10895.5001": "W-650", "1.3.6.1.4.1.674.10895.5002": "W-651" },
    }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.674.10895.5001", sysDescr: "", model: "W-650", version: null }],
  },
  {
    id: "dell-os10",
    os: "OS10",
    vendor: "Dell",
    type: "switch",
    match: [{ sysDescr: String.raw`^Dell (?:EMC )?Networking OS10` }],
    examples: [{
      sysObjectId: "",
      sysDescr: "Dell EMC Networking OS10 Enterprise",
      model: null,
      version: null,
    }],
  },
  {
    id: "dell-ftos",
    os: "FTOS",
    vendor: "Dell",
    type: "switch",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.6027"] },
      {
        sysDescr: String
          .raw`Force10 (?:Operating System|Networks Real Time Operating System Software)|Dell Networking OS9`,
      },
    ],
    version: [{ sysDescr: String.raw`Application Software Version: ([\w.()]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.6027",
      sysDescr: "",
      model: null,
      version: null,
    }, {
      sysObjectId: "",
      sysDescr:
        "Force10 Networks Real Time Operating System Software. Force10 Operating System Version: 1.0. Force10 Application Software Version: 8.4.2.7 Copyright (c) 1999-2012 by Force10 Networks, Inc. Build Time: Thu Jul 19 21:22:33 PDT 2012",
      model: null,
      version: "8.4.2.7",
    }],
  },
  {
    id: "dell-networking-n",
    os: "DNOS",
    vendor: "Dell",
    type: "switch",
    match: [{ sysDescr: String.raw`^Dell (?:EMC )?Networking N\d{4}` }],
    model: [{ sysDescr: String.raw`^Dell (?:EMC )?Networking (N\d{4}[\w-]*)` }],
    version: [{ sysDescr: String.raw`^Dell (?:EMC )?Networking N\d{4}[\w-]*, ([\d.]+)` }],
    examples: [{
      sysObjectId: "",
      sysDescr: "Dell EMC Networking N3048EP-ON",
      model: "N3048EP-ON",
      version: null,
    }],
  },
  {
    id: "dell-powerconnect",
    os: "PowerConnect",
    vendor: "Dell",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.674.10895"] }, {
      sysDescr: String.raw`^(?:Dell )?PowerConnect \d{4}`,
    }],
    model: [{ sysDescr: String.raw`^(?:Dell )?(PowerConnect \d{4}\w*)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.674.10895.3000", sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "PowerConnect 5324",
      model: "PowerConnect 5324",
      version: null,
    }],
  },
  {
    id: "dell-idrac",
    os: "iDRAC",
    vendor: "Dell",
    type: "server",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.674.10892.2", "1.3.6.1.4.1.674.10892.5"] },
      { sysDescr: String.raw`^Dell Out-of-band SNMP Agent for Remote Access Controller` },
    ],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.674.10892.5",
      sysDescr: "Dell Out-of-band SNMP Agent for Remote Access Controller",
      model: null,
      version: null,
    }],
  },
];
