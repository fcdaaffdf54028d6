/**
 * The path items of devices and discovery: GET /devices (filters of src/devices/device_filter.ts),
 * GET /devices/{ip}, POST /devices/{id}/ack, POST and GET /discovery.
 */
import { DEVICE_TYPES, SNMP_STATUSES } from "../../events/mod.ts";
import { MAX_DEVICES_LIMIT } from "../routes/device_params.ts";
import {
  AUTH_ERRORS,
  BAD_PARAMETER,
  errorResponse,
  FORMAT_PARAMETER,
  int,
  type Json,
  json,
  jsonOrCsv,
  oneOf,
  pathParam,
  query,
  ref,
  str,
} from "./kit.ts";

/** A comma-separated list of `values` (`?type=router,switch`): OpenAPI's form style, not exploded. */
function listParameter(name: string, description: string, values: readonly string[]): Json {
  return {
    ...query(name, description, { type: "array", items: oneOf(values, ""), minItems: 1 }),
    style: "form",
    explode: false,
  };
}

/** The path items of this file. */
export function devicePaths(): Json {
  return {
    "/devices": {
      get: {
        summary: "Devices the registry holds, filtered, sorted by address; JSON or CSV.",
        description: "Every filter given must hold. An unknown or repeated parameter is a 400. CSV has one " +
          "row per device: snmp flattened (snmp_status…), interfaces as a count, sources space-separated.",
        parameters: [
          listParameter("type", "Any of these classifications, comma-separated.", DEVICE_TYPES),
          listParameter("status", "Any of these SNMP poll statuses, comma-separated.", SNMP_STATUSES),
          query(
            "cidr",
            "The device's address is in this network; host bits are cleared.",
            str("address/prefix", { examples: ["10.1.0.0/16", "2001:db8::/32"] }),
          ),
          query(
            "q",
            "Text (case-insensitive) in the name, address, MAC, vendor, model or sysDescr. A MAC fragment " +
              "matches in any spelling: 00-1a-2b, 001a.2b3c and 001a2b all find 00:1a:2b:….",
            str("", { maxLength: 256, examples: ["cisco", "00:1a:2b"] }),
          ),
          query(
            "limit",
            "At most this many devices (the first by address).",
            int("", {
              minimum: 1,
              maximum: MAX_DEVICES_LIMIT,
            }),
          ),
          FORMAT_PARAMETER,
        ],
        responses: {
          "200": jsonOrCsv("DevicesPage", "The matching devices.", {
            "X-Total-Matched": { description: "How many match before limit.", schema: int("") },
          }),
          "400": BAD_PARAMETER,
          ...AUTH_ERRORS,
        },
      },
    },
    "/devices/{ip}": {
      get: {
        summary: "One device by address, with its ARP history, who claimed its address, and its alerts.",
        parameters: [
          pathParam(
            "ip",
            "IPv4 or IPv6 in any spelling (2001:DB8:0::1 and 2001:db8::1 are one device).",
            str("", { examples: ["192.0.2.1"] }),
          ),
        ],
        responses: {
          "200": json(ref("DeviceDetail"), "The device."),
          "400": BAD_PARAMETER,
          "404": errorResponse("No device has that address."),
          ...AUTH_ERRORS,
        },
      },
    },
    "/devices/{id}/ack": {
      post: {
        summary: 'Acknowledge a device: "this one is ours". Its MAC becomes known and is never reported ' +
          "as a rogue device again.",
        description: "No body. Repeating it is harmless. Answered once the acknowledgement is saved.",
        parameters: [
          pathParam(
            "id",
            "The device's IP address, or its MAC (aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case).",
            str("", { examples: ["192.0.2.1", "00:1b:21:3a:4f:5e"] }),
          ),
        ],
        responses: {
          "200": json(ref("DeviceAck"), "Acknowledged."),
          "404": errorResponse("No device with that address (IP or MAC) has been seen."),
          "409": errorResponse(
            "The device is listed (found by SNMP or in traffic) but has no MAC address yet: acknowledge it " +
              "by MAC once one is known.",
          ),
          ...AUTH_ERRORS,
        },
      },
    },
    "/discovery": {
      post: {
        summary: "Start a discovery sweep of the local networks now.",
        description: "Sweeps never overlap: when one is running it is not restarted, and its progress is " +
          "answered with 200. Progress also streams as `device` events (sweep_started, sweep_progress, " +
          "sweep_finished). No body.",
        responses: {
          "202": json(ref("DiscoveryStarted"), "A sweep started (started: true)."),
          "200": json(ref("DiscoveryStarted"), "A sweep was running already (started: false)."),
          ...AUTH_ERRORS,
        },
      },
      get: {
        summary: "Where the current or last sweep is, and when the next is due.",
        responses: { "200": json(ref("DiscoveryStatus"), "The sweep."), ...AUTH_ERRORS },
      },
    },
  };
}
