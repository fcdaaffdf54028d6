/**
 * SNMP the protocol: a session over npm:net-snmp (v2c and v3, bulk column reads of whole tables),
 * the MIB-2 system group, credentials per network, OID helpers, and the trap/inform receiver with its own
 * bounded BER decoder. Knows nothing of devices: what a poll means is polling/'s business.
 * The only file other folders import.
 */
export { CredentialTable } from "./credentials.ts";
export { createSnmpSession } from "./session.ts";
export { type TableRows, walkTables } from "./snmp_columns.ts";
export {
  type ArpTableEntry,
  type SnmpCredentials,
  SnmpError,
  type SnmpSession,
  type SnmpTarget,
  type SnmpV3Credentials,
  type SnmpValue,
  type SnmpVarbind,
  type SystemInfo,
} from "./snmp_types.ts";
export { getSystemInfo, textOf } from "./system_info.ts";
export { indexAfter } from "./snmp_oid.ts";
export { DEFAULT_RECHECK_EVERY, TablePresence } from "./table_presence.ts";
export { TrapReceiver } from "./trap_receiver.ts";
export { decodeText } from "./system_info.ts";
export { oidInSubtree } from "./snmp_oid.ts";
