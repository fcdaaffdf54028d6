/**
 * The shape of a product/OS definition: what a device's system group (sysObjectID, sysDescr) must look
 * like for it to be this product, what it then is (os, vendor, type), and how to read its model and
 * version. Definitions are plain data in `definitions/<family>.ts`, one file per vendor family; the
 * regular expressions are strings compiled on first use, so a definition never runs code of its own.
 *
 * In the spirit of LibreNMS's OS definitions (resources/definitions/os_detection/*.yaml): a list of
 * alternatives, each a conjunction of a sysObjectID prefix test and a sysDescr pattern.
 */
import type { DeviceType } from "../events/mod.ts";

/** The types a definition may give: every type but "unknown". */
export type DefinedType = Exclude<DeviceType, "unknown">;

/**
 * One way of recognising the product. Every member present must hold; at least one of `sysObjectId`
 * and `sysDescr` must be present.
 */
export interface MatchClause {
  /** sysObjectID equals, or lies under, one of these (dotted, no leading dot). */
  sysObjectId?: readonly string[];
  /** sysDescr matches this regular expression (source text, matched case-insensitively). */
  sysDescr?: string;
  /** sysDescr must not match this regular expression (source text, case-insensitive). */
  sysDescrNot?: string;
}

/**
 * How to read a model or a version. Tried in order; the first that yields a non-empty text wins.
 * - `sysDescr`: a regular expression (case-insensitive); its capture groups that took part, joined by one
 *   space, are the answer.
 * - `sysObjectId`: a table from sysObjectID (exact, dotted) to the answer, for vendors whose sysDescr
 *   does not name the model (the MIB's product name).
 * - `value`: a fixed answer.
 */
export type Reading =
  | { readonly sysDescr: string }
  | { readonly sysObjectId: Readonly<Record<string, string>> }
  | { readonly value: string };

/**
 * A system group as published by the vendor or captured from a real device, with what the definition
 * must read from it. Every definition carries at least one; the unit tests classify each and expect
 * this definition to win with this model and version.
 */
export interface DefinitionExample {
  /** sysObjectID, dotted ("" when the example has none). */
  sysObjectId: string;
  /** sysDescr as the device prints it (line breaks as one space, as the poller stores it). */
  sysDescr: string;
  /** The model the definition must read (null: it reads none). */
  model: string | null;
  /** The version the definition must read (null: it reads none). */
  version: string | null;
}

/** One product or operating system. */
export interface ProductDefinition {
  /** Stable id, shown in `type_rule` as `definition:<id>`; lower-case words joined by "-". */
  id: string;
  /** Operating system or firmware as people name it ("IOS-XE", "RouterOS", "Windows"). */
  os: string;
  /**
   * Manufacturer, as people name it ("Cisco", "HPE Aruba"); null for a platform that names none (Linux,
   * the BSDs), whose devices take their vendor from the IANA registry or the MAC address instead.
   */
  vendor: string | null;
  /** What the device is. */
  type: DefinedType;
  /** The alternatives; one matching clause is enough. */
  match: readonly MatchClause[];
  /** How to read the model, when the device says it. */
  model?: readonly Reading[];
  /** How to read the OS or firmware version, when the device says it. */
  version?: readonly Reading[];
  /**
   * A platform many products are built on (Linux, FreeBSD, the Net-SNMP agent): it loses to every
   * product definition and to the capabilities that name a role (a printer engine, a WLAN access
   * point), since an access point or a NAS runs Linux too.
   */
  generic?: boolean;
  /** Published or captured system groups this definition must recognise (at least one). */
  examples: readonly DefinitionExample[];
}
