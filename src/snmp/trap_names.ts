/**
 * The notifications every SNMP agent may send, by name, and how an SNMPv1 trap is read as the SNMPv2
 * notification it stands for. Pure data and functions: the trap receiver and its tests import them.
 */

/** sysUpTime.0 — RFC 3418 SNMPv2-MIB; the first varbind of every SNMPv2 notification (RFC 3416 §4.2.6). */
export { SYS_UP_TIME as SYS_UPTIME_0 } from "./system_info.ts";

/** snmpTrapOID.0 — RFC 3418 SNMPv2-MIB; the second varbind of every SNMPv2 notification: which one it is. */
export const SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0";

/** snmpTraps — RFC 3418 SNMPv2-MIB: the arc of the standard notifications (coldStart = snmpTraps.1 …). */
export const SNMP_TRAPS = "1.3.6.1.6.3.1.1.5";

/** ifIndex — RFC 2863 IF-MIB ifTable column 1; linkDown/linkUp carry ifIndex.N as a varbind. */
export const IF_INDEX = "1.3.6.1.2.1.2.2.1.1";

/** SNMPv1 generic-trap value of an enterprise-specific trap (RFC 1157 §4.1.6). */
export const GENERIC_ENTERPRISE_SPECIFIC = 6;

/** The standard notifications, by the SNMPv1 generic-trap number they correspond to (RFC 1157 §4.1.6). */
export const STANDARD_TRAP_NAMES: readonly string[] = [
  "coldStart", // generic-trap 0 → snmpTraps.1
  "warmStart", // 1 → snmpTraps.2
  "linkDown", // 2 → snmpTraps.3 (IF-MIB)
  "linkUp", // 3 → snmpTraps.4 (IF-MIB)
  "authenticationFailure", // 4 → snmpTraps.5
  "egpNeighborLoss", // 5 → snmpTraps.6 (RFC 1213)
];

const NAME_BY_OID: ReadonlyMap<string, string> = new Map(
  STANDARD_TRAP_NAMES.map((name, generic) => [`${SNMP_TRAPS}.${generic + 1}`, name]),
);

/**
 * The snmpTrapOID an SNMPv1 trap stands for, per RFC 3584 §3.1 (2): a generic trap n (0–5) becomes
 * snmpTraps.(n+1); an enterprise-specific one (6) becomes enterprise.0.specific.
 * Returns null for a generic-trap value outside 0–6 (the PDU is malformed).
 *
 * @example v1TrapOid("1.3.6.1.4.1.8072", 2, 0) === "1.3.6.1.6.3.1.1.5.3" // linkDown
 * @example v1TrapOid("1.3.6.1.4.1.8072", 6, 17) === "1.3.6.1.4.1.8072.0.17"
 */
export function v1TrapOid(enterprise: string, genericTrap: number, specificTrap: number): string | null {
  if (!Number.isInteger(genericTrap) || genericTrap < 0 || genericTrap > GENERIC_ENTERPRISE_SPECIFIC) {
    return null;
  }
  if (genericTrap < GENERIC_ENTERPRISE_SPECIFIC) return `${SNMP_TRAPS}.${genericTrap + 1}`;
  return `${enterprise}.0.${specificTrap}`;
}

/** The standard name of a notification OID (coldStart, linkDown, …), or "enterpriseSpecific" for any other. */
export function trapName(trapOid: string): string {
  return NAME_BY_OID.get(trapOid) ?? "enterpriseSpecific";
}

/**
 * What a standard notification means, for the sentence after "linkDown from 10.0.0.1: ". `ifName`: the
 * interface's name where the device's poll gave it ("interface 2 (Gi1/0/2) went down").
 */
export function trapMeaning(
  name: string,
  ifIndex: number | null,
  ifName: string | null = null,
): string | null {
  const iface = ifIndex === null ? "an interface" : `interface ${ifIndex}${ifName ? ` (${ifName})` : ""}`;
  switch (name) {
    case "coldStart":
      return "the agent restarted and its configuration may have changed";
    case "warmStart":
      return "the agent reinitialised itself without changing its configuration";
    case "linkDown":
      return `${iface} went down`;
    case "linkUp":
      return `${iface} came up`;
    case "authenticationFailure":
      return "it received a request with a wrong community or credentials";
    case "egpNeighborLoss":
      return "it lost an EGP neighbour";
    default:
      return null;
  }
}
