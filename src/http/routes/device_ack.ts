/**
 * `POST /devices/:id/ack`: a person says "this device is ours". Its MAC becomes known, so it is never
 * reported as a rogue device again; `:id` is the device's IP address or its MAC (any common spelling).
 *
 *   curl -X POST -H "Authorization: Bearer $TOKEN" http://host:8480/devices/aa:bb:cc:dd:ee:ff/ack
 */
import { Hono } from "hono";
import { normalizeMac } from "../../net/mod.ts";
import { errorResponse } from "../errors.ts";

/** Marks MACs known. */
export interface DeviceAcknowledger {
  /**
   * Makes the device known. `id` is an IP or a MAC (lower case, colons). Returns the MAC acknowledged, or
   * undefined when no device has that address.
   */
  acknowledge(id: string): string | undefined;
}

/** Serves POST /devices/:id/ack. */
export function deviceAckRoutes(deps: { devices: DeviceAcknowledger }): Hono {
  const app = new Hono();
  app.post("/devices/:id/ack", (c) => {
    const raw = c.req.param("id");
    const id = normalizeMac(raw) ?? raw;
    const mac = deps.devices.acknowledge(id);
    if (mac === undefined) {
      const shown = raw.length > 64 ? raw.slice(0, 64) + "…" : raw;
      return errorResponse(
        c,
        404,
        "not_found",
        `no device with the address ${JSON.stringify(shown)} has been seen`,
      );
    }
    return c.json({ acknowledged: true, mac });
  });
  return app;
}
