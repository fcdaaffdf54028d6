/**
 * Detectors, one concept per file, fed by the flow pipeline: the volume anomaly detector (per interval,
 * over the flow table: flows, hosts and subnets against baselines on log-volume, episodes, the hour of
 * the day) and the ARP watcher (per packet: rogue devices, ARP spoofing, MAC spoofing, duplicate IPs).
 * packet_detectors.ts builds the packet-level ones for the daemon and replay alike.
 * The only file other folders import.
 */
export { type ArpSecurityDetector, type ArpSecuritySnapshot } from "./arp_security.ts";
export { type AnomalyOptions } from "./anomaly_rules.ts";
export { BaselineKeeper } from "./baseline_keeper.ts";
export { PRIVATE_NETWORKS, VolumeAnomalyDetector } from "./volume_anomaly.ts";
export { createPacketDetectors } from "./packet_detectors.ts";
export { type DnsQueryJson } from "./dns_book.ts";
export { type NameWatch } from "./name_watch.ts";
export { type TcpHealthDetector } from "./tcp_health.ts";
export { type CleartextKind, type CleartextSighting, CleartextWatch } from "./cleartext_watch.ts";
export { AddressTable } from "./address_table.ts";
export { type PacketDetectors } from "./packet_detectors.ts";
export { type BlocklistWatch } from "./blocklist_watch.ts";
export { type ThreatHit, ThreatLists, type ThreatListStatus } from "./threat_lists.ts";
export { parseBlocklist, type ParsedList } from "./blocklist_file.ts";
export { ALLOWLIST_FILE, AttackAllowlist } from "./attack_allowlist.ts";
export { type AttackOptions, type AttackSignals } from "./attack_signals.ts";
