/**
 * Finding what is on the network: ARP sweeps of attached segments over AF_PACKET, SNMP probes with
 * bounded concurrency, and the scheduler that runs one sweep at a time (at start, on a timer, on demand).
 * The only file other folders import.
 */
export { arpSweep } from "./arp_sweep.ts";
export { type DiscoveryControl, DiscoveryScheduler, publishSweepProgress } from "./discovery_control.ts";
export { DiscoverySweeper, type FoundHost } from "./sweeper.ts";
