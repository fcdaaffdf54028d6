/**
 * Detectors, one per file, fed by the flow pipeline: the EWMA flow anomaly detector (per interval, over
 * the flow table) and the ARP watcher (per packet: rogue devices, ARP spoofing, MAC spoofing, duplicate
 * IPs). packet_detectors.ts builds the packet-level ones for the daemon and replay alike.
 * The only file other folders import.
 */
export { type ArpSecurityDetector, type ArpSecuritySnapshot } from "./arp_security.ts";
export { EwmaAnomalyDetector, type EwmaOptions } from "./ewma_anomaly.ts";
export { createPacketDetectors } from "./packet_detectors.ts";
