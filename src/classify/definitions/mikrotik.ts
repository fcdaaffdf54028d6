/**
 * MikroTik: RouterOS on routers, on CRS switches and on cAP/wAP access points.
 *
 * Where the identifiers come from: MIKROTIK-MIB (enterprise 14988; RouterOS answers 14988.1); RouterOS
 * prints "RouterOS <board name>" as sysDescr (the board names are MikroTik's product codes: CRS… are
 * Cloud Router Switches, RBcAP… and RBwAP… are access points).
 */
import type { ProductDefinition } from "../definition.ts";

const ENTERPRISE = "1.3.6.1.4.1.14988";
const BOARD = String.raw`^RouterOS (\S+)`;

export const MIKROTIK: readonly ProductDefinition[] = [
  {
    id: "mikrotik-routeros-switch",
    os: "RouterOS",
    vendor: "MikroTik",
    type: "switch",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^RouterOS CRS\d` }, {
      sysDescr: String.raw`^RouterOS CRS\d`,
    }],
    model: [{ sysDescr: BOARD }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14988.1",
      sysDescr: "RouterOS CRS326-24G-2S+",
      model: "CRS326-24G-2S+",
      version: null,
    }],
  },
  {
    id: "mikrotik-routeros-ap",
    os: "RouterOS",
    vendor: "MikroTik",
    type: "access_point",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^RouterOS RB(?:cAP|wAP)` }, {
      sysDescr: String.raw`^RouterOS RB(?:cAP|wAP)`,
    }],
    model: [{ sysDescr: BOARD }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14988.1",
      sysDescr: "RouterOS RBcAPGi-5acD2nD",
      model: "RBcAPGi-5acD2nD",
      version: null,
    }],
  },
  {
    id: "mikrotik-routeros",
    os: "RouterOS",
    vendor: "MikroTik",
    type: "router",
    match: [{ sysObjectId: [ENTERPRISE] }, { sysDescr: String.raw`^RouterOS\b` }],
    model: [{ sysDescr: BOARD }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.14988.1",
      sysDescr: "RouterOS RB4011iGS+",
      model: "RB4011iGS+",
      version: null,
    }],
  },
];
