/**
 * Classification: what kind of device this is (router, switch, firewall, …), which rule said so, and
 * the manufacturer, model and OS version where the agent's answers carry them. The rules themselves
 * live in classify_rules.ts, one entry each, so each can be tested and shown on its own.
 */

import type { DeviceType } from "./device_type.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";
import type { Capabilities } from "../snmp/capabilities.ts";
import { CLASSIFY_RULES, type ClassifyRule } from "./classify_rules.ts";
import { enterpriseVendor } from "./enterprises.ts";
import { parseSysDescr } from "./sys_descr.ts";

/** Everything known about a device that classification may use; all optional. */
export interface DeviceFacts {
  /** The MIB-2 system group, when the agent answered. */
  system?: SystemInfo;
  /** What {@link probeCapabilities} found. */
  capabilities?: Capabilities;
  /** Organisation owning the MAC's OUI (IEEE registry), for hosts without SNMP. */
  ouiVendor?: string | null;
  /** Ports the device was seen serving in captured traffic (TCP/UDP destination ports it answered on). */
  servicePorts?: readonly number[];
}

/** The verdict. */
export interface Classification {
  /** Device type; "unknown" when no rule matched. */
  type: DeviceType;
  /** Id of the rule that decided `type`, null for unknown. */
  rule: string | null;
  /** Manufacturer: from sysDescr, else sysObjectID's enterprise, else the MAC's OUI. */
  vendor: string | null;
  /** Model, when sysDescr carries it. */
  model: string | null;
  /** Operating system and version ("IOS 15.2(4)E10", "Linux 6.1.0-18-amd64"), when sysDescr carries a version. */
  osVersion: string | null;
}

/** Classifies with the first matching rule of `rules` (the built-in table by default). */
export function classify(
  facts: DeviceFacts,
  rules: readonly ClassifyRule[] = CLASSIFY_RULES,
): Classification {
  let type: DeviceType = "unknown";
  let rule: string | null = null;
  for (const r of rules) {
    if (r.match(facts)) {
      type = r.type;
      rule = r.id;
      break;
    }
  }
  const descr = facts.system ? parseSysDescr(facts.system.sysDescr) : null;
  const vendor = descr?.vendor ?? (facts.system ? enterpriseVendor(facts.system.sysObjectId) : null) ??
    (facts.ouiVendor?.trim() || null);
  const version = descr?.osVersion ?? null;
  return {
    type,
    rule,
    vendor,
    model: descr?.model ?? null,
    osVersion: version === null ? null : descr?.os ? `${descr.os} ${version}` : version,
  };
}
