/**
 * The query string of `GET /devices`: `type`, `status` (SNMP status), `cidr`, `q` (text) and `limit`,
 * parsed as strictly as /flows parses its own, into the domain's DeviceFilter.
 *
 *   /devices?type=router,switch&status=no_response&cidr=10.1.0.0/16&q=cisco&limit=50
 */
import type { DeviceFilter } from "../../devices/mod.ts";
import { DEVICE_TYPES, SNMP_STATUSES } from "../../events/mod.ts";
import { macHexFragment } from "../../net/mod.ts";
import { BadParameter } from "../errors.ts";
import { checkFreeText } from "../free_text.ts";
import {
  checkParameters,
  invalid,
  parseChoice,
  parseCidrParameter,
  parseWholeNumber,
} from "../query_params.ts";

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
    checkFreeText("q", v);
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
