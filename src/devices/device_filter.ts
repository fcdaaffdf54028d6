/**
 * The filters of `GET /devices`: `type`, `status` (SNMP status), `cidr`, `q` (text) and `limit`, parsed
 * as strictly as /flows parses its own, and the test of one device against them.
 *
 *   /devices?type=router,switch&status=no_response&cidr=10.1.0.0/16&q=cisco&limit=50
 */
import type { Cidr as CidrWords } from "../net/mod.ts";
import { parseIp } from "../net/mod.ts";
import { BadParameter } from "../http/errors.ts";
import {
  checkParameters,
  invalid,
  parseChoice,
  parseCidrParameter,
  parseWholeNumber,
} from "../http/query_params.ts";
import {
  DEVICE_TYPES,
  type DeviceJson,
  type DeviceType,
  SNMP_STATUSES,
  type SnmpStatus,
} from "../events/mod.ts";
import { cidrContains } from "../net/mod.ts";
import { macHexFragment } from "../net/mod.ts";

/** What a /devices request asks for. Absent members do not filter. */
export interface DeviceFilter {
  /** Any of these types. */
  types?: ReadonlySet<DeviceType>;
  /** Any of these SNMP statuses. */
  statuses?: ReadonlySet<SnmpStatus>;
  /** The device's address is in this network. */
  cidr?: CidrWords;
  /** Lower-case text found in the name, address, MAC, vendor, model or sysDescr. */
  q?: string;
  /** The same text as bare hex digits, when it could be part of a MAC in any spelling. */
  qHex?: string;
  /** At most this many devices. */
  limit?: number;
}

/** Every parameter /devices accepts: the filters and `format`. */
export const DEVICES_PARAMETERS: readonly string[] = ["type", "status", "cidr", "q", "limit", "format"];

/** The most devices one answer holds (the registry's default capacity). */
export const MAX_DEVICES_LIMIT = 65_536;

/** Longest `q`. */
const MAX_Q = 256;

/**
 * Reads the filter from a query string. An unknown or repeated parameter, or a bad value, throws
 * BadParameter naming it. `type` and `status` take comma-separated lists.
 */
export function parseDeviceFilter(search: URLSearchParams): DeviceFilter {
  const p = checkParameters(search, DEVICES_PARAMETERS);
  const f: DeviceFilter = {};
  let v: string | undefined;
  if ((v = p.get("type")) !== undefined) f.types = parseList("type", v, DEVICE_TYPES);
  if ((v = p.get("status")) !== undefined) f.statuses = parseList("status", v, SNMP_STATUSES);
  if ((v = p.get("cidr")) !== undefined) f.cidr = parseCidrParameter("cidr", v);
  if ((v = p.get("q")) !== undefined) {
    if (v.length > MAX_Q) throw invalid("q", v, `text of at most ${MAX_Q} characters`);
    if (v.trim() !== "") {
      f.q = v.trim().toLowerCase();
      // "00-1a-2b", Cisco's "001a.2b3c" and bare "001a2b" mean the MAC prefix 00:1a:2b (which matches as
      // text).
      const hex = macHexFragment(f.q);
      if (hex !== null) f.qHex = hex;
    }
  }
  if ((v = p.get("limit")) !== undefined) f.limit = parseWholeNumber("limit", v, 1, MAX_DEVICES_LIMIT);
  return f;
}

function parseList<T extends string>(name: string, text: string, choices: readonly T[]): Set<T> {
  const out = new Set<T>();
  for (const item of text.split(",")) {
    if (item === "") {
      throw new BadParameter(name, `${name}=${JSON.stringify(text.slice(0, 64))} has an empty item`);
    }
    out.add(parseChoice(name, item, choices));
  }
  return out;
}

/** Whether the device passes every filter in `f` (limit aside). */
export function matchDevice(d: DeviceJson, f: DeviceFilter): boolean {
  if (f.types && !f.types.has(d.type)) return false;
  if (f.statuses && !f.statuses.has(d.snmp.status)) return false;
  if (f.cidr && !cidrContains(f.cidr, d.ip)) return false;
  if (f.q !== undefined) {
    const q = f.q;
    const hit = [d.name, d.ip, d.mac, d.vendor, d.model, d.sys_descr].some((s) =>
      s !== null && s.toLowerCase().includes(q)
    );
    if (!hit && !(f.qHex !== undefined && d.mac !== null && d.mac.replaceAll(":", "").includes(f.qHex))) {
      return false;
    }
  }
  return true;
}

/** A key that sorts addresses numerically as text: IPv4 before IPv6, then by value. */
export function ipSortKey(ip: string): string {
  const a = parseIp(ip);
  if (a === undefined) return `9${ip}`; // not an address: last, by its text
  const words = a.family === 4 ? [a.words[0]] : Array.from(a.words);
  return a.family + words.map((w) => w.toString(16).padStart(8, "0")).join("");
}

/** Orders two addresses numerically (IPv4 first). */
export function compareIps(a: string, b: string): number {
  const ka = ipSortKey(a), kb = ipSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The devices sorted by address, numerically (a new array). */
export function sortByIp<T extends { ip: string }>(devices: readonly T[]): T[] {
  const keyed = devices.map((d) => ({ k: ipSortKey(d.ip), d }));
  keyed.sort((x, y) => x.k < y.k ? -1 : x.k > y.k ? 1 : 0);
  return keyed.map((x) => x.d);
}
