/**
 * IANA Private Enterprise Numbers of the vendors the classification rules know, so a device whose
 * sysObjectID sits under 1.3.6.1.4.1.<n> can be given a manufacturer without parsing sysDescr.
 *
 * Source: https://www.iana.org/assignments/enterprise-numbers (the registrant's name is shortened to
 * the name people know the vendor by).
 */

/** enterprises (RFC 1155 / RFC 2578): every vendor's sysObjectID starts with this. */
export const ENTERPRISES_OID = "1.3.6.1.4.1";

/** Enterprise numbers the rules refer to by name. */
export const Enterprise = {
  Cisco: 9,
  HewlettPackard: 11,
  Microsoft: 311,
  Ricoh: 367,
  Xerox: 253,
  Lexmark: 641,
  Dell: 674,
  Epson: 1248,
  Kyocera: 1347,
  Canon: 1602,
  NetSnmp: 8072,
  UcdSnmp: 2021,
  Brother: 2435,
  CheckPoint: 2620,
  Juniper: 2636,
  WatchGuard: 3097,
  Synology: 6574,
  SonicWall: 8741,
  /** Registered to Frogfoot Networks; Ubiquiti's airOS and UniFi agents answer with it. */
  Frogfoot: 10002,
  Fortinet: 12356,
  MikroTik: 14988,
  ArubaNetworks: 14823,
  KonicaMinolta: 18334,
  Qnap: 24681,
  PaloAlto: 25461,
  Arista: 30065,
  Ubiquiti: 41112,
  /** Hewlett Packard Enterprise's Aruba (AOS-CX switches). */
  ArubaHpe: 47196,
} as const;

/**
 * Vendor names by enterprise number. Net-SNMP's own numbers (8072, 2021) are left out on purpose:
 * they name the agent software, not who made the box.
 */
export const ENTERPRISE_VENDORS: ReadonlyMap<number, string> = new Map<number, string>([
  [Enterprise.Cisco, "Cisco"],
  [Enterprise.HewlettPackard, "HP"],
  [Enterprise.Microsoft, "Microsoft"],
  [Enterprise.Ricoh, "Ricoh"],
  [Enterprise.Xerox, "Xerox"],
  [Enterprise.Lexmark, "Lexmark"],
  [Enterprise.Dell, "Dell"],
  [Enterprise.Epson, "Epson"],
  [Enterprise.Kyocera, "Kyocera"],
  [Enterprise.Canon, "Canon"],
  [Enterprise.Brother, "Brother"],
  [Enterprise.CheckPoint, "Check Point"],
  [Enterprise.Juniper, "Juniper Networks"],
  [Enterprise.WatchGuard, "WatchGuard"],
  [Enterprise.Synology, "Synology"],
  [Enterprise.SonicWall, "SonicWall"],
  [Enterprise.Frogfoot, "Ubiquiti"],
  [Enterprise.Fortinet, "Fortinet"],
  [Enterprise.MikroTik, "MikroTik"],
  [Enterprise.ArubaNetworks, "Aruba"],
  [Enterprise.KonicaMinolta, "Konica Minolta"],
  [Enterprise.Qnap, "QNAP"],
  [Enterprise.PaloAlto, "Palo Alto Networks"],
  [Enterprise.Arista, "Arista Networks"],
  [Enterprise.Ubiquiti, "Ubiquiti"],
  [Enterprise.ArubaHpe, "Aruba"],
]);

/** The enterprise number of a sysObjectID under 1.3.6.1.4.1, else null (leading dot tolerated). */
export function enterpriseOf(sysObjectId: string): number | null {
  const oid = sysObjectId.startsWith(".") ? sysObjectId.slice(1) : sysObjectId;
  if (!oid.startsWith(ENTERPRISES_OID + ".")) return null;
  const arc = oid.slice(ENTERPRISES_OID.length + 1).split(".", 1)[0];
  if (!/^\d{1,10}$/.test(arc)) return null;
  return Number(arc);
}

/** The vendor a sysObjectID names, or null for unknown numbers and agent-software numbers. */
export function enterpriseVendor(sysObjectId: string): string | null {
  const n = enterpriseOf(sysObjectId);
  return n === null ? null : ENTERPRISE_VENDORS.get(n) ?? null;
}

/** Whether `oid` is `prefix` or lies below it (dotted, leading dot tolerated on both). */
export function oidUnder(oid: string, prefix: string): boolean {
  const a = oid.startsWith(".") ? oid.slice(1) : oid;
  const p = prefix.startsWith(".") ? prefix.slice(1) : prefix;
  return a === p || a.startsWith(p + ".");
}
