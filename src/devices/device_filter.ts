/**
 * Which devices a question asks for (`GET /devices?type=…&status=…&cidr=…&q=…`), as a plain filter and
 * the test of one device against it. Parsing the query string is the web layer's job
 * (http/routes/device_params.ts); this is the domain's predicate.
 */
import type { DeviceJson, DeviceType, SnmpStatus } from "../events/mod.ts";
import { type Cidr, cidrContains } from "../net/mod.ts";

/** What a /devices request asks for. Absent members do not filter. */
export interface DeviceFilter {
  /** Any of these types. */
  types?: ReadonlySet<DeviceType>;
  /** Any of these SNMP statuses. */
  statuses?: ReadonlySet<SnmpStatus>;
  /** The device's address is in this network. */
  cidr?: Cidr;
  /** Lower-case text found in the name, address, MAC, vendor, model or sysDescr. */
  q?: string;
  /** The same text as bare hex digits, when it could be part of a MAC in any spelling. */
  qHex?: string;
  /** At most this many devices. */
  limit?: number;
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
