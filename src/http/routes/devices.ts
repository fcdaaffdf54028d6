/**
 * GET /devices and GET /devices/:ip: what the device registry holds (issue 4 fills it; the shape is
 * documented in routes/openapi.ts).
 */
import { Hono } from "hono";
import { formatIp, parseIp } from "../../flow/address.ts";
import { BadParameter, errorResponse } from "../errors.ts";

/** Whatever holds the devices; empty until discovery exists. */
export interface DeviceSource {
  /** Every device. */
  list(): unknown[];
  /** The device with this address (dotted quad, or RFC 5952 IPv6 text: lower case, zeros compressed). */
  get(ip: string): unknown | undefined;
}

/** A source with nothing in it, for until the device registry exists. */
export const NO_DEVICES: DeviceSource = { list: () => [], get: () => undefined };

/** Longest value echoed back in an error message. */
const MAX_ECHO = 64;

/** Serves `GET /devices` → `{devices, count}` and `GET /devices/:ip` → one device. */
export function devicesRoutes(deps: { devices: DeviceSource }): Hono {
  const app = new Hono();
  app.get("/devices", (c) => {
    const devices = deps.devices.list();
    return c.json({ devices, count: devices.length });
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
    return c.json(device);
  });
  return app;
}
