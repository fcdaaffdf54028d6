/**
 * The device as the API, the stream and devices.json show it. One shape everywhere, so a script that
 * reads GET /devices can read the registry file and the `device` events the same way.
 */

import type { DeviceType } from "./device_type.ts";

export { DEVICE_TYPES, type DeviceType } from "./device_type.ts";

/** How the last SNMP poll of a device went. */
export type SnmpStatus =
  /** The last poll answered. */
  | "ok"
  /** Seen (ARP, traffic) but no SNMP answer: no agent, a filtered port or the wrong credentials. */
  | "no_response"
  /** The agent answered with an authentication error (SNMPv3 user, key, or an unknown engine). */
  | "auth_failure"
  /** The agent answered, but not usefully (garbage, an error status). */
  | "error"
  /** Not polled yet. */
  | "not_polled";

/** Every SNMP status, for validating `?status=`. */
export const SNMP_STATUSES: readonly SnmpStatus[] = [
  "ok",
  "no_response",
  "auth_failure",
  "error",
  "not_polled",
];

/** Poll status of a device. */
export interface SnmpPollStatus {
  /** Outcome of the last poll. */
  status: SnmpStatus;
  /** When a poll last succeeded, ISO 8601; null if never. */
  last_success: string | null;
  /** The last failure in words ("timeout after 1000 ms × 2 tries", "auth failure: unknown user"), null if none. */
  last_error: string | null;
  /** How long the last poll took, in milliseconds to a tenth; null before the first. */
  poll_ms: number | null;
}

/** Operational or administrative state of an interface (IF-MIB ifOperStatus names). */
export type InterfaceStatus =
  | "up"
  | "down"
  | "testing"
  | "unknown"
  | "dormant"
  | "not_present"
  | "lower_layer_down";

/** Every interface status, in ifOperStatus order (RFC 2863: 1 up … 7 lowerLayerDown). */
export const INTERFACE_STATUSES: readonly InterfaceStatus[] = [
  "up",
  "down",
  "testing",
  "unknown",
  "dormant",
  "not_present",
  "lower_layer_down",
];

/** One interface of a device, with rates over the last poll interval. */
export interface InterfaceJson {
  /** ifIndex. */
  index: number;
  /** ifName, else ifDescr. */
  name: string;
  /** ifAlias (the description an administrator set), "" when none. */
  alias: string;
  /** ifType as a name where known (ethernetCsmacd, softwareLoopback…), else the number as text. */
  type: string;
  /** ifHighSpeed × 10⁶, else ifSpeed; null when the agent reports none. */
  speed_bps: number | null;
  /** ifOperStatus. */
  oper_status: InterfaceStatus;
  /** ifAdminStatus. */
  admin_status: InterfaceStatus;
  /** Inbound utilisation over the last poll interval, 0–100 to a thousandth; null until two polls or without a speed. */
  in_util_pct: number | null;
  /** Outbound utilisation, as above. */
  out_util_pct: number | null;
  /** Inbound bits per second over the last interval, a whole number; null until two polls. */
  in_bps: number | null;
  /** Outbound bits per second. */
  out_bps: number | null;
  /** ifInErrors per second over the last interval, to a thousandth. */
  in_errors_per_s: number | null;
  /** ifOutErrors per second. */
  out_errors_per_s: number | null;
  /** ifInDiscards per second. */
  in_discards_per_s: number | null;
  /** Whether the octet counters are the 64-bit HC ones (ifHCInOctets) or 32-bit ifInOctets. */
  counters: "hc64" | "c32" | null;
}

/** A device Flintnet knows. */
export interface DeviceJson {
  /** Primary address (the one it was found at); dotted quad or RFC 5952 text. */
  ip: string;
  /** MAC address (lower case, colons), null when only reachable across a router. */
  mac: string | null;
  /** sysName, else a name learned otherwise; null when unknown. */
  name: string | null;
  /** Classification. */
  type: DeviceType;
  /**
   * The rule that decided `type` and its evidence, `kind:id (evidence)` with kind definition, capability or
   * guess ("definition:cisco-ios-xe-router (sysObjectID 1.3.6.1.4.1.9.1.2068)"); null for unknown.
   */
  type_rule: string | null;
  /** Manufacturer: the matched product definition's, else sysObjectID's IANA enterprise, else the MAC's OUI. */
  vendor: string | null;
  /** Model, when sysDescr or sysObjectID names it. */
  model: string | null;
  /** Operating system and version ("IOS-XE 16.9.4"), when the device says a version. */
  os_version: string | null;
  /** sysDescr as the agent gave it. */
  sys_descr: string | null;
  /** sysObjectID, dotted. */
  sys_object_id: string | null;
  /** sysUpTime in seconds at the last poll. */
  uptime_s: number | null;
  /** SNMP poll status. */
  snmp: SnmpPollStatus;
  /** Interfaces from IF-MIB, by ifIndex. */
  interfaces: InterfaceJson[];
  /** Average hrProcessorLoad over all processors, 0–100 to a tenth; null when the agent has no HOST-RESOURCES-MIB. */
  cpu_pct: number | null;
  /** Used / size of the hrStorageRam entries, 0–100 to a tenth; null when absent. */
  memory_pct: number | null;
  /** How the device was learned: "arp_sweep", "snmp", "traffic", "arp_table", "trap". */
  sources: string[];
  /** First time seen, ISO 8601. */
  first_seen: string;
  /** Last time seen by any source, ISO 8601. */
  last_seen: string;
}

/** How a member of {@link DeviceJson} is typed. */
export type DeviceFieldKind =
  | "address"
  | "mac"
  | "type"
  | "text"
  | "number"
  | "time"
  | "snmp"
  | "interfaces"
  | "sources";

/**
 * Every member of a device, in the order the API shows them, with its kind: the one list that
 * devices.json's validator and the CSV export read, so a new member is added here and the type checker
 * points at every place that must learn it (this table, the OpenAPI schema).
 */
export const DEVICE_FIELDS = {
  ip: "address",
  mac: "mac",
  name: "text",
  type: "type",
  type_rule: "text",
  vendor: "text",
  model: "text",
  os_version: "text",
  sys_descr: "text",
  sys_object_id: "text",
  uptime_s: "number",
  snmp: "snmp",
  interfaces: "interfaces",
  cpu_pct: "number",
  memory_pct: "number",
  sources: "sources",
  first_seen: "time",
  last_seen: "time",
} as const satisfies Record<keyof DeviceJson, DeviceFieldKind>;

/** The members that say what a device is: a change to one of them is news (a `device` event). */
export const DEVICE_IDENTITY_FIELDS = [
  "mac",
  "name",
  "type",
  "type_rule",
  "vendor",
  "model",
  "os_version",
  "sys_descr",
  "sys_object_id",
] as const satisfies readonly (keyof DeviceJson)[];

/** The members of `kind`, in API order. */
export function deviceFieldsOf<K extends DeviceFieldKind>(kind: K): (keyof DeviceJson)[] {
  return (Object.keys(DEVICE_FIELDS) as (keyof DeviceJson)[]).filter((k) => DEVICE_FIELDS[k] === kind);
}
