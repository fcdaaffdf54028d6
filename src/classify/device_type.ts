/**
 * What a device is, as far as classification can tell: the words the API, the stream, devices.json and
 * `GET /devices?type=` use. Kept here, with the rules that decide it, so a new type is one edit.
 */

/** What a device is, as far as classification can tell. */
export type DeviceType = "router" | "switch" | "server" | "firewall" | "printer" | "access_point" | "unknown";

/** Every device type, in the order the API documents them. */
export const DEVICE_TYPES: readonly DeviceType[] = [
  "router",
  "switch",
  "server",
  "firewall",
  "printer",
  "access_point",
  "unknown",
];
