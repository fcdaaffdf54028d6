/**
 * GET /devices and GET /devices/:ip: what the device registry holds (the shape is documented in
 * routes/openapi.ts).
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/devices?type=router,switch&cidr=10.0.0.0/8'
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/devices?q=cisco&format=csv'
 */
import { Hono } from "hono";
import { DEVICE_FIELDS, type DeviceFieldKind, type DeviceJson } from "../../events/mod.ts";
import { type DeviceFilter, matchDevice } from "../../devices/mod.ts";
import { formatIp, parseIp, sortByIp } from "../../net/mod.ts";
import { parseDeviceFilter } from "./device_params.ts";
import { CSV_CONTENT_TYPE, type CsvValue, toCsv } from "../csv.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { wantsCsv } from "../query_params.ts";

/** Whatever holds the devices (the DeviceRegistry); empty until discovery exists. */
export interface DeviceSource {
  /** Every device, in any order. */
  list(): readonly DeviceJson[];
  /** The device with this address (dotted quad, or RFC 5952 IPv6 text: lower case, zeros compressed). */
  get(ip: string): DeviceJson | undefined;
  /**
   * More about one device for GET /devices/:ip (ARP history, alerts): merged into the answer beside
   * the device's own members, which it cannot replace.
   */
  detail?(ip: string): Record<string, unknown> | undefined;
}

/** A source with nothing in it, for until the device registry exists. */
export const NO_DEVICES: DeviceSource = { list: () => [], get: () => undefined };

/** The body of GET /devices. */
export interface DevicesPage {
  /** The matching devices, sorted by address (IPv4 first, numerically). */
  devices: readonly DeviceJson[];
  /** How many are in `devices`. */
  count: number;
  /** How many match the filter before `limit`. */
  total_matched: number;
}

/** CSV columns: the device's members in API order, `snmp` flattened, interfaces as a count, sources space-separated. */
export const DEVICE_CSV_COLUMNS: readonly string[] = Object.entries(DEVICE_FIELDS).flatMap(([name, kind]) =>
  kind === "snmp" ? ["snmp_status", "snmp_last_success", "snmp_last_error", "snmp_poll_ms"] : [name]
);

function csvRow(d: DeviceJson): Record<string, CsvValue> {
  const row: Record<string, CsvValue> = {};
  for (const [name, kind] of Object.entries(DEVICE_FIELDS) as [keyof DeviceJson, DeviceFieldKind][]) {
    if (kind === "snmp") {
      row.snmp_status = d.snmp.status;
      row.snmp_last_success = d.snmp.last_success;
      row.snmp_last_error = d.snmp.last_error;
      row.snmp_poll_ms = d.snmp.poll_ms;
    } else if (kind === "interfaces") row[name] = d.interfaces.length;
    else if (kind === "sources") row[name] = d.sources.join(" ");
    else row[name] = d[name] as CsvValue;
  }
  return row;
}

/** Longest value echoed back in an error message. */
const MAX_ECHO = 64;

/** The matching devices, sorted by address, and how many matched before the limit. */
export function selectDevices(all: readonly DeviceJson[], filter: DeviceFilter): DevicesPage {
  const matched = sortByIp(all.filter((d) => matchDevice(d, filter)));
  const devices = filter.limit !== undefined && matched.length > filter.limit
    ? matched.slice(0, filter.limit)
    : matched;
  return { devices, count: devices.length, total_matched: matched.length };
}

/**
 * Serves `GET /devices` → `{devices, count, total_matched}` (or CSV with `?format=csv` or
 * `Accept: text/csv`) and `GET /devices/:ip` → one device with its detail.
 */
export function devicesRoutes(deps: { devices: DeviceSource }): Hono {
  const app = new Hono();
  app.get("/devices", (c) => {
    const search = new URL(c.req.url).searchParams;
    const filter = parseDeviceFilter(search);
    const csv = wantsCsv("format", search.get("format") ?? undefined, c.req.header("accept"));
    const page = selectDevices(deps.devices.list(), filter);
    c.header("Vary", "Accept");
    c.header("X-Total-Matched", String(page.total_matched));
    if (csv) {
      c.header("Content-Type", CSV_CONTENT_TYPE);
      return c.body(toCsv(DEVICE_CSV_COLUMNS, page.devices.map(csvRow)), 200);
    }
    return c.json(page);
  });
  app.get("/devices/:ip", (c) => {
    const ip = c.req.param("ip");
    const parsed = parseIp(ip);
    if (parsed === undefined) {
      const shown = ip.length > MAX_ECHO ? ip.slice(0, MAX_ECHO) + "…" : ip;
      throw new BadParameter(
        "ip",
        `ip=${
          JSON.stringify(shown)
        } is not valid: expected an IPv4 address (192.0.2.1) or an IPv6 address (2001:db8::1)`,
      );
    }
    // 2001:DB8:0::1 and 2001:db8::1 are one device.
    const canonical = formatIp(parsed.family, parsed.words, 0);
    const device = deps.devices.get(canonical);
    if (device === undefined) {
      return errorResponse(c, 404, "not_found", `no device has the address ${canonical}`);
    }
    const extra = deps.devices.detail?.(canonical);
    if (extra === undefined) return c.json(device);
    const body: Record<string, unknown> = { ...device };
    for (const [k, v] of Object.entries(extra)) if (!Object.hasOwn(body, k)) body[k] = v;
    return c.json(body);
  });
  return app;
}
