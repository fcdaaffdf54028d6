/**
 * What a device is, as far as classification can tell: the words the API, the stream, devices.json and
 * `GET /devices?type=` use. Kept with the
 * shapes they appear in; classification (src/classify/) decides which one a device is.
 */

/** What a device is, as far as classification can tell. */
export type DeviceType =
  | "router"
  | "switch"
  | "firewall"
  | "access_point"
  | "server"
  | "workstation"
  | "printer"
  | "storage"
  | "ups"
  | "phone"
  | "hypervisor"
  | "unknown";

/** Every device type, in the order the API documents them. */
export const DEVICE_TYPES: readonly DeviceType[] = [
  "router",
  "switch",
  "firewall",
  "access_point",
  "server",
  "workstation",
  "printer",
  "storage",
  "ups",
  "phone",
  "hypervisor",
  "unknown",
];
