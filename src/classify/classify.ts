/**
 * Classification: what kind of device this is (router, switch, firewall, …), which rule said so and on
 * what evidence, and the manufacturer, model and OS version where the agent's answers carry them.
 *
 * The order, most specific first (docs/classification.md says it for users):
 * 1. a product definition (definitions/*.ts) matched by sysObjectID and/or sysDescr;
 * 2. a capability naming the role (its own Printer-MIB, UPS-MIB, LLDP WLAN AP or telephone);
 * 3. a generic platform definition (Linux, FreeBSD, …): a general-purpose OS is a server;
 * 4. forwarding, bridging, LLDP router/bridge and sysServices;
 * 5. without SNMP, guesses from the MAC's vendor and the ports the host serves.
 * The first that decides gives `type` and `rule` ("definition:cisco-ios-xe-router (sysObjectID …)").
 */

import type { DeviceType } from "../events/mod.ts";
import type { SystemInfo } from "../snmp/mod.ts";
import type { Capabilities } from "../polling/mod.ts";
import { CAPABILITY_RULES, type ClassifyRule, GUESS_RULES, ROLE_RULES } from "./classify_rules.ts";
import { type DefinitionMatch, DefinitionTable } from "./definition_table.ts";
import { allDefinitions } from "./definitions/all.ts";
import { defaultEnterpriseRegistry, type EnterpriseLookup, enterpriseVendor } from "./enterprises.ts";

/** Everything known about a device that classification may use; all optional. */
export interface DeviceFacts {
  /** The MIB-2 system group, when the agent answered. */
  system?: SystemInfo;
  /** What the capability probe found. */
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
  /**
   * The rule that decided `type` and its evidence, as `kind:id (evidence)` with kind one of
   * definition, capability, guess; null for unknown.
   */
  rule: string | null;
  /** Manufacturer: the matched definition's, else sysObjectID's IANA enterprise, else the MAC's OUI. */
  vendor: string | null;
  /** Model, when the device says it. */
  model: string | null;
  /**
   * Operating system and version ("IOS-XE 16.9.4", "Linux 6.1.0-18-amd64"), when the device says a
   * version: the product's, else its platform's.
   */
  osVersion: string | null;
}

/** What classify() uses besides the facts; each has a default. */
export interface ClassifyOptions {
  /** The product definitions. @default every definition in definitions/all.ts */
  definitions?: DefinitionTable;
  /** The IANA enterprise registry. @default the Debian file, loaded on first use */
  enterprises?: EnterpriseLookup;
}

let builtIn: DefinitionTable | undefined;

/** The table of every built-in definition, compiled on first use. */
export function builtInDefinitions(): DefinitionTable {
  return builtIn ??= new DefinitionTable(allDefinitions());
}

/** Classifies a device from what is known of it. */
export function classify(facts: DeviceFacts, options: ClassifyOptions = {}): Classification {
  const sys = facts.system;
  const matches = sys
    ? (options.definitions ?? builtInDefinitions()).match(sys.sysObjectId, sys.sysDescr)
    : { product: null, generic: null };
  const platform = matches.product ?? matches.generic;

  let type: DeviceType = "unknown";
  let rule: string | null = null;
  const decided = matches.product !== null
    ? byDefinition(matches.product)
    : firstRule(ROLE_RULES, "capability", facts) ??
      (matches.generic !== null ? byDefinition(matches.generic) : null) ??
      firstRule(CAPABILITY_RULES, "capability", facts) ??
      firstRule(GUESS_RULES, "guess", facts);
  if (decided !== null) ({ type, rule } = decided);

  const vendor = platform?.definition.vendor ??
    (sys ? enterpriseVendor(sys.sysObjectId, options.enterprises ?? defaultEnterpriseRegistry()) : null) ??
    (facts.ouiVendor?.trim() || null);
  // A product that reads no version (a NAS's agent prints only its kernel) lets its platform say it.
  const versioned = [matches.product, matches.generic].find((m) => m?.version != null) ?? null;
  return {
    type,
    rule,
    vendor,
    model: platform?.model ?? null,
    osVersion: versioned === null ? null : `${versioned.definition.os} ${versioned.version}`,
  };
}

function byDefinition(m: DefinitionMatch): { type: DeviceType; rule: string } {
  return { type: m.definition.type, rule: `definition:${m.definition.id} (${m.evidence})` };
}

function firstRule(
  rules: readonly ClassifyRule[],
  kind: "capability" | "guess",
  facts: DeviceFacts,
): { type: DeviceType; rule: string } | null {
  for (const r of rules) {
    if (r.match(facts)) return { type: r.type, rule: `${kind}:${r.id} (${r.evidence(facts)})` };
  }
  return null;
}
