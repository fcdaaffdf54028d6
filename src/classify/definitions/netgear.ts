/**
 * Netgear: ProSAFE / M-series managed and smart switches, WAC access points, ReadyNAS.
 *
 * Where the identifiers come from: Netgear's enterprise 4526 and the product subtrees Datadog's SNMP
 * profiles assign (netgear switches 4526.100.1, netgear-access-point 4526.100.7, netgear-readynas
 * 4526.100.12/15/16 and READYNASOS-MIB 4526.22); the smart-switch sysDescr form "<model> ProSafe
 * <description>, <firmware>, <boot>" these switches print.
 */
import type { ProductDefinition } from "../definition.ts";

export const NETGEAR: readonly ProductDefinition[] = [
  {
    id: "netgear-readynas",
    os: "ReadyNAS OS",
    vendor: "Netgear",
    type: "storage",
    match: [{
      sysObjectId: [
        "1.3.6.1.4.1.4526.100.12",
        "1.3.6.1.4.1.4526.100.15",
        "1.3.6.1.4.1.4526.100.16",
        "1.3.6.1.4.1.4526.22",
      ],
    }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.4526.100.16", sysDescr: "", model: null, version: null }],
  },
  {
    id: "netgear-wac",
    os: "Netgear",
    vendor: "Netgear",
    type: "access_point",
    match: [{ sysObjectId: ["1.3.6.1.4.1.4526.100.7"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.4526.100.7", sysDescr: "", model: null, version: null }],
  },
  {
    id: "netgear-switch",
    os: "Netgear",
    vendor: "Netgear",
    type: "switch",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.4526.100.1", "1.3.6.1.4.1.4526.100.4"] },
      { sysDescr: String.raw`^(?:GS|GSM|GC|FS|XS|JGS|M\d{4})[\w-]*\s+ProSafe?\b` },
    ],
    model: [{ sysDescr: String.raw`^((?:GS|GSM|GC|FS|XS|JGS|M\d{4})[\w-]*)\s` }],
    version: [{ sysDescr: String.raw`, (\d+(?:\.\d+){2,}), ` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.4526.100.1.28", sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "GS724Tv4 ProSafe 24-port Gigabit Ethernet Smart Switch, 6.3.1.4, B1.0.0.4",
      model: "GS724Tv4",
      version: "6.3.1.4",
    }],
  },
];
