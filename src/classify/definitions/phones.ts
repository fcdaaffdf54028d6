/**
 * IP desk phones and conference phones: Yealink, Snom, Polycom (Poly), Grandstream's GXP/GRP lines.
 * (Cisco SPA phones: in cisco.ts.)
 *
 * Where the identifiers come from: the IANA Private Enterprise Numbers of Yealink (37459), snom
 * technology (7526) and Polycom (13885), makers whose SNMP-speaking products are phones and conference
 * endpoints; Grandstream (42397) also makes routers and access points, so only its phone model prefixes
 * (GXP, GRP, GXV, DP, WP) count.
 */
import type { ProductDefinition } from "../definition.ts";

export const PHONES: readonly ProductDefinition[] = [
  {
    id: "yealink-phone",
    os: "Yealink",
    vendor: "Yealink",
    type: "phone",
    match: [{ sysObjectId: ["1.3.6.1.4.1.37459"] }, { sysDescr: String.raw`^Yealink\s` }],
    model: [{ sysDescr: String.raw`^Yealink\s+(?:SIP-)?(\S+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.37459", sysDescr: "", model: null, version: null }],
  },
  {
    id: "snom-phone",
    os: "snom",
    vendor: "Snom",
    type: "phone",
    match: [{ sysObjectId: ["1.3.6.1.4.1.7526"] }, { sysDescr: String.raw`^snom\d` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.7526", sysDescr: "", model: null, version: null }],
  },
  {
    id: "polycom-phone",
    os: "Polycom",
    vendor: "Poly",
    type: "phone",
    match: [{ sysObjectId: ["1.3.6.1.4.1.13885"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.13885", sysDescr: "", model: null, version: null }],
  },
  {
    id: "grandstream-phone",
    os: "Grandstream",
    vendor: "Grandstream",
    type: "phone",
    match: [{
      sysObjectId: ["1.3.6.1.4.1.42397"],
      sysDescr: String.raw`^(?:Grandstream )?(?:GXP|GRP|GXV|DP|WP)\d`,
    }],
    model: [{ sysDescr: String.raw`^(?:Grandstream )?((?:GXP|GRP|GXV|DP|WP)\d\w*)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.42397", sysDescr: "GXP2170", model: "GXP2170", version: null }],
  },
];
