/**
 * UPSes: APC Smart-UPS / Symmetra (Network Management Card), Eaton (Powerware and MGE lines),
 * CyberPower, Tripp Lite, Socomec, and any card answering RFC 1628's UPS-MIB as its sysObjectID.
 *
 * Where the identifiers come from: the sysObjectIDs Network UPS Tools' snmp-ups driver keys on, each
 * from the vendor's MIB: APC PowerNet-MIB smartUPS 1.3.6.1.4.1.318.1.3.2 (and Symmetra 318.1.3.28, as
 * in Checkmk's recorded walks), Eaton XUPS-MIB 534.1 (Powerware and the Eaton Gigabit Network Card) and
 * 534.2.12 (PXGX cards), MGE's MG-SNMP-UPS-MIB 705.1, CyberPower CPS-MIB ups 3808.1.1.1, TRIPPLITE-MIB
 * 850.1, and RFC 1628 upsMIB 1.3.6.1.2.1.33 for cards that answer the standard MIB (nut
 * drivers/*-mib.c); Socomec Sicon UPS's IANA number 4555. APC's card prints "APC Web/SNMP Management Card (… AN1:apc_hwNN_<app>…
 * MN:<card model> …)" with app "sumx" or "sy" on a UPS (rpdu on a PDU, nb on NetBotz, which are no UPS).
 */
import type { ProductDefinition } from "../definition.ts";

export const UPS: readonly ProductDefinition[] = [
  {
    id: "apc-ups",
    os: "APC AOS",
    vendor: "APC",
    type: "ups",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.318.1.3.2", "1.3.6.1.4.1.318.1.3.28"] },
      { sysDescr: String.raw`^APC Web/SNMP Management Card .*\bAN1:apc_hw\d+_(?:sumx|sy|symx)\w*` },
    ],
    model: [{ sysDescr: String.raw`\bMN:\s*(\S+)` }],
    version: [{ sysDescr: String.raw`\bAF1:v([\d.]+)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.318.1.3.2.12", sysDescr: "", model: null, version: null }, {
      sysObjectId: "1.3.6.1.4.1.318.1.3.28.33",
      sysDescr: "",
      model: null,
      version: null,
    }, {
      sysObjectId: "",
      sysDescr:
        "APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.9.6 PN:apc_hw05_aos_696.bin AF1:v6.9.6 AN1:apc_hw05_sumx_696.bin MN:AP9631 HR:05 SN: ZA1234567890 MD:03/14/2021) (Embedded PowerNet SNMP Agent SW v2.2 compatible)",
      model: "AP9631",
      version: "6.9.6",
    }],
  },
  {
    id: "eaton-ups",
    os: "Eaton",
    vendor: "Eaton",
    type: "ups",
    match: [{ sysObjectId: ["1.3.6.1.4.1.534.1", "1.3.6.1.4.1.534.2.12", "1.3.6.1.4.1.705.1"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.534.1", sysDescr: "", model: null, version: null }, {
      sysObjectId: "1.3.6.1.4.1.705.1",
      sysDescr: "",
      model: null,
      version: null,
    }],
  },
  {
    id: "cyberpower-ups",
    os: "CyberPower",
    vendor: "CyberPower",
    type: "ups",
    match: [{ sysObjectId: ["1.3.6.1.4.1.3808.1.1.1"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.3808.1.1.1", sysDescr: "", model: null, version: null }],
  },
  {
    id: "tripplite-ups",
    os: "Tripp Lite",
    vendor: "Tripp Lite",
    type: "ups",
    match: [{ sysObjectId: ["1.3.6.1.4.1.850.1"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.850.1", sysDescr: "", model: null, version: null }],
  },
  {
    id: "socomec-ups",
    os: "Socomec",
    vendor: "Socomec",
    type: "ups",
    match: [{ sysObjectId: ["1.3.6.1.4.1.4555"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.4555", sysDescr: "", model: null, version: null }],
  },
  {
    // A UPS card that answers with the UPS-MIB itself as sysObjectID (nut's ietf-mib sysOID).
    id: "ups-mib-agent",
    os: "UPS-MIB",
    vendor: null,
    type: "ups",
    match: [{ sysObjectId: ["1.3.6.1.2.1.33"] }],
    examples: [{ sysObjectId: "1.3.6.1.2.1.33", sysDescr: "", model: null, version: null }],
  },
];
