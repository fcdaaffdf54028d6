/**
 * `POST /devices/:id/ack`: a person says "this device is ours". Its MAC becomes known, so it is never
 * reported as a rogue device again; `:id` is the device's IP address or its MAC (any common spelling).
 *
 *   curl -X POST -H "Authorization: Bearer $TOKEN" http://host:8480/devices/aa:bb:cc:dd:ee:ff/ack
 */
import { Hono } from "hono";
import { normalizeMac } from "../../net/mod.ts";
import { errorResponse } from "../errors.ts";

/** What became of an acknowledgement. */
export type DeviceAckResult =
  /** The MAC acknowledged, and saved. */
  | { mac: string }
  /** No device with that address has been seen. */
  | { unknown: true }
  /** The device is listed (found by SNMP or in traffic) but no MAC is known for it yet. */
  | { noMac: true };

/** Marks MACs known. */
export interface DeviceAcknowledger {
  /**
   * Makes the device known and saves that. `id` is an IP or a MAC (lower case, colons). Resolves once the
   * acknowledgement is on disk.
   */
  acknowledge(id: string): Promise<DeviceAckResult>;
}

/** Longest id echoed in a message. */
const SHOWN_MAX = 64;

/** Serves POST /devices/:id/ack: answers once the acknowledgement is saved, as /mutes and /alerts do. */
export function deviceAckRoutes(deps: { devices: DeviceAcknowledger }): Hono {
  const app = new Hono();
  app.post("/devices/:id/ack", async (c) => {
    const raw = c.req.param("id");
    const id = normalizeMac(raw) ?? raw;
    const result = await deps.devices.acknowledge(id);
    const shown = JSON.stringify(raw.length > SHOWN_MAX ? raw.slice(0, SHOWN_MAX) + "…" : raw);
    if ("noMac" in result) {
      return errorResponse(
        c,
        409,
        "conflict",
        `the device ${shown} has no MAC address yet (it was found by SNMP or in traffic, not by ARP): ` +
          "acknowledge it by MAC, e.g. POST /devices/00:1b:21:3a:4f:5e/ack",
      );
    }
    if ("unknown" in result) {
      return errorResponse(c, 404, "not_found", `no device with the address ${shown} has been seen`);
    }
    return c.json({ acknowledged: true, mac: result.mac });
  });
  return app;
}
