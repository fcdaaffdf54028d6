/**
 * What travels through Flintnet: every event kind (anomaly, security, device, interface, trap, stats…)
 * and the JSON shapes they carry (a device, an interface), plus the bus that carries them with bounded
 * per-subscriber queues. The lowest domain layer: everything that publishes or consumes imports it, it
 * imports nothing of theirs. The only file other folders import.
 */
export * from "./events.ts";
export * from "./device_json.ts";
export type { PortCounters } from "./port_counters.ts";
export * from "./topology_json.ts";
export * from "./baseline_json.ts";
export { EventBus, type SubscribeOptions, type Subscription } from "./bus.ts";
export * from "./advisory_event.ts";
export * from "./minute_summary.ts";
