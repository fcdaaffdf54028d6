/**
 * Linksys: the SOHO routers (BEF…, WRT…, RV…) and the Linksys-branded small-business switches (SRW,
 * SLM, later sold as Cisco Small Business).
 *
 * Where the identifiers come from: the real Linksys BEFSX41 that Debian's snmpsim ships as a recording
 * (examples/data/recorded/linksys-system.snmprec: sysDescr "BEFSX41", sysObjectID 1.3.6.1.4.1.3955.1.1,
 * no sysServices); Linksys's enterprise 3955 (IANA) and its switch subtree 3955.6, which LibreNMS's
 * ciscosb definition shares with Cisco's Small Business line; "Linksys SLM…" sysDescr (LibreNMS ciscosb).
 */
import type { ProductDefinition } from "../definition.ts";

const ENTERPRISE = "1.3.6.1.4.1.3955";

export const LINKSYS: readonly ProductDefinition[] = [
  {
    id: "linksys-switch",
    os: "Linksys",
    vendor: "Linksys",
    type: "switch",
    match: [
      { sysObjectId: [`${ENTERPRISE}.6`] },
      { sysDescr: String.raw`^(?:Linksys )?(?:SLM|SRW|LGS)\d` },
    ],
    model: [{ sysDescr: String.raw`^(?:Linksys )?((?:SLM|SRW|LGS)\d[\w-]*)` }],
    examples: [{ sysObjectId: `${ENTERPRISE}.6`, sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "Linksys SLM2008",
      model: "SLM2008",
      version: null,
    }],
  },
  {
    id: "linksys-router",
    os: "Linksys",
    vendor: "Linksys",
    type: "router",
    match: [
      { sysObjectId: [`${ENTERPRISE}.1`] },
      { sysObjectId: [ENTERPRISE], sysDescr: String.raw`^(?:Linksys )?(?:BEF|WRT|RV|EA)\w*\d` },
    ],
    model: [{ sysDescr: String.raw`^(?:Linksys )?((?:BEF|WRT|RV|EA)\w*\d\w*)` }],
    examples: [{ sysObjectId: `${ENTERPRISE}.1.1`, sysDescr: "BEFSX41", model: "BEFSX41", version: null }],
  },
];
