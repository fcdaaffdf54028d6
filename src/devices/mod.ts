/**
 * The device registry (devices.json, written atomically), MAC vendors from the IEEE registry, the
 * per-MAC ARP history the ARP watcher keeps, the device filter, and the inventory that ties discovery,
 * polls and traps to the registry.
 * The only file other folders import.
 */
export { type ArpBinding, ArpHistory, ArpStateError } from "./arp_history.ts";
export { type DeviceFilter, matchDevice } from "./device_filter.ts";
export { Inventory } from "./inventory.ts";
export { OuiRegistry, type VendorLookup } from "./oui.ts";
export { OuiSearch } from "./oui_search.ts";
export { DeviceRegistry, type DeviceSourceKind } from "./registry.ts";
export { type ArpHistoryJson, type IpClaimJson } from "./arp_history_views.ts";
