/**
 * D-Link: DGS/DES/DXS switches, DWL access points, DIR/DSR routers, DNS network storage.
 *
 * Where the identifiers come from: D-Link's enterprise 171 (IANA) and its product subtree 171.10
 * (dlink-products, where the managed switches' sysObjectIDs live); D-Link's model prefixes, which its
 * agents print first in sysDescr ("DES-3028 Fast Ethernet Switch").
 */
import type { ProductDefinition } from "../definition.ts";

const ENTERPRISE = "1.3.6.1.4.1.171";
const MODEL = String.raw`^(?:D-Link )?((?:DGS|DES|DXS|DWL|DAP|DIR|DSR|DNS)-[\w/.-]+)`;

export const DLINK: readonly ProductDefinition[] = [
  {
    id: "dlink-access-point",
    os: "D-Link",
    vendor: "D-Link",
    type: "access_point",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:D-Link )?(?:DWL|DAP)-\d` }, {
      sysDescr: String.raw`^D-Link (?:DWL|DAP)-\d`,
    }],
    model: [{ sysDescr: MODEL }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.171",
      sysDescr: "DWL-8610AP",
      model: "DWL-8610AP",
      version: null,
    }],
  },
  {
    id: "dlink-router",
    os: "D-Link",
    vendor: "D-Link",
    type: "router",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:D-Link )?(?:DIR|DSR)-\d` }, {
      sysDescr: String.raw`^D-Link (?:DIR|DSR)-\d`,
    }],
    model: [{ sysDescr: MODEL }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.171", sysDescr: "DSR-1000N", model: "DSR-1000N", version: null }],
  },
  {
    id: "dlink-nas",
    os: "D-Link",
    vendor: "D-Link",
    type: "storage",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:D-Link )?DNS-\d` }, {
      sysDescr: String.raw`^D-Link DNS-\d`,
    }],
    model: [{ sysDescr: MODEL }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.171", sysDescr: "DNS-320L", model: "DNS-320L", version: null }],
  },
  {
    id: "dlink-switch",
    os: "D-Link",
    vendor: "D-Link",
    type: "switch",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.171.10"] },
      { sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:D-Link )?(?:DGS|DES|DXS)-\d` },
      { sysDescr: String.raw`^D-Link (?:DGS|DES|DXS)-\d` },
    ],
    model: [{ sysDescr: MODEL }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.171.10",
      sysDescr: "DES-3028 Fast Ethernet Switch",
      model: "DES-3028",
      version: null,
    }],
  },
];
