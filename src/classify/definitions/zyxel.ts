/**
 * Zyxel: ZyNOS / XGS switches, ZyWALL / USG firewalls, NWA access points and NXC wireless controllers,
 * NAS.
 *
 * Where the identifiers come from: Zyxel's enterprise 890 and its ZyWALL product subtrees 890.1.6 and
 * 890.1.15 (LibreNMS zywall; Datadog zyxel-switch lists 890.1.15 too, which is why the switch and AP
 * model prefixes are excluded from the firewall); the model prefixes Zyxel's agents print first in
 * sysDescr (LibreNMS zynos: ES, GS, GES, MES, MGS, XS, XMG, XGS; NWA and NXC for wireless; NAS).
 */
import type { ProductDefinition } from "../definition.ts";

const ENTERPRISE = "1.3.6.1.4.1.890";
const SWITCH = String.raw`^(?:ES|GS|GES|MES|MGS|XS|XMG|XGS)[\w-]*`;
const MODEL = String.raw`^(\S+)`;

export const ZYXEL: readonly ProductDefinition[] = [
  {
    id: "zyxel-nwa",
    os: "Zyxel",
    vendor: "Zyxel",
    type: "access_point",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:NWA|NXC|WAC)\d` }],
    model: [{ sysDescr: MODEL }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.890",
      sysDescr: "NWA5123-AC",
      model: "NWA5123-AC",
      version: null,
    }],
  },
  {
    id: "zyxel-switch",
    os: "ZyNOS",
    vendor: "Zyxel",
    type: "switch",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: SWITCH }],
    model: [{ sysDescr: MODEL }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.890",
      sysDescr: "GS1900-24E",
      model: "GS1900-24E",
      version: null,
    }],
  },
  {
    id: "zyxel-zywall",
    os: "ZLD",
    vendor: "Zyxel",
    type: "firewall",
    match: [{
      sysObjectId: ["1.3.6.1.4.1.890.1.6", "1.3.6.1.4.1.890.1.15"],
      sysDescrNot: String.raw`^(?:NWA|NXC|WAC|ES|GS|GES|MES|MGS|XS|XMG|XGS)`,
    }, { sysDescr: String.raw`^(?:ZyWALL|USG(?: FLEX)?|ATP|VPN)\s?\d` }],
    model: [{ sysDescr: String.raw`^((?:ZyWALL|USG(?: FLEX)?|ATP|VPN)\s?[\w-]+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.890.1.6", sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "USG FLEX 200",
      model: "USG FLEX 200",
      version: null,
    }],
  },
  {
    id: "zyxel-nas",
    os: "Zyxel",
    vendor: "Zyxel",
    type: "storage",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^NAS\d` }],
    model: [{ sysDescr: MODEL }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.890", sysDescr: "NAS326", model: "NAS326", version: null }],
  },
];
