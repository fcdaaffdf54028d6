/**
 * The detectors that work from packets, built in one place for the daemon and for `flintnet replay`, so a
 * capture replayed gives the same events as the same frames seen live. A packet-level detector that lands
 * later is added here and both paths run it.
 *
 * The differences between the two paths are where the state lives (the daemon hands in the ARP history
 * loaded from arp-state.json, saved by the device side; replay an in-memory one that is never written) and
 * the appliance's own routes (the daemon's default gateways are gateways; a replayed capture was taken
 * elsewhere). The clock is the packets' own timestamps in both.
 */
import type { ArpHistory } from "../devices/mod.ts";
import { ArpSecurityDetector } from "./arp_security.ts";
import type { Detector, FlowTable } from "../flow/mod.ts";
import { CleartextWatch } from "./cleartext_watch.ts";
import type { Publish } from "../events/mod.ts";
import type { DnsBookLimits } from "./dns_book.ts";
import { NameWatch } from "./name_watch.ts";
import type { RetransmissionRuleOptions } from "./retransmission_rule.ts";
import { TcpHealthDetector } from "./tcp_health.ts";
import { BlocklistWatch } from "./blocklist_watch.ts";
import { ThreatLists } from "./threat_lists.ts";
import { AttackAllowlist } from "./attack_allowlist.ts";
import { type AttackOptions, AttackSignals } from "./attack_signals.ts";

/** What the packet-level detectors need. */
export interface PacketDetectorOptions {
  /** Where events go. */
  publish: Publish;
  /** The ARP watcher's memory (bindings, known MACs, standing alerts). */
  arpHistory: ArpHistory;
  /** Seconds after the first sighting during which new MACs are learned quietly. */
  learningPeriodS: number;
  /** MACs allowed to answer for several IPs. */
  allowMacs: readonly string[];
  /** Seconds within which two ARP claims are "at the same time" (FLINTNET_ARP_WINDOW). @default 60 */
  windowS?: number;
  /** Vendor of a MAC from its OUI, or null. */
  vendor: (mac: string) => string | null;
  /** This appliance's default gateways; the daemon reads its routes, replay has none. @default none */
  routeGateways?: () => readonly string[];
  /** The flow table whose flows get names and TCP health (docs/visibility.md). */
  table: FlowTable;
  /** The retransmission-rate rule. */
  retransmissions: RetransmissionRuleOptions;
  /** Bounds of the DNS history. */
  dns?: DnsBookLimits;
  /** The block lists flows are checked against (the caller loads and refreshes them). @default none */
  blocklists?: ThreatLists;
  /** Attack-signal settings (the caller refreshes the allow list). @default score 0.7, 100 SYNs, nothing allowed */
  attack?: AttackOptions;
}

/** The packet-level detectors, in the order the pipeline runs them. */
export interface PacketDetectors {
  /** The ARP watcher (also fed polled ARP tables by the device side). */
  readonly arp: ArpSecurityDetector;
  /** Names on flows and each host's DNS history. */
  readonly names: NameWatch;
  /** TCP health per flow. */
  readonly tcp: TcpHealthDetector;
  /** Cleartext protocols seen in payloads, taken by the insecure-protocol advisory once a minute. */
  readonly cleartext: CleartextWatch;
  /** Flows to or from block-listed addresses. */
  readonly blocklists: BlocklistWatch;
  /** Attack signals and scores. */
  readonly attack: AttackSignals;
  /** Every packet-level detector, for the flow pipeline. */
  readonly all: readonly Detector[];
}

/** Builds every packet-level detector. @throws RangeError for a malformed allow-list MAC */
export function createPacketDetectors(o: PacketDetectorOptions): PacketDetectors {
  const arp = new ArpSecurityDetector({
    history: o.arpHistory,
    publish: o.publish,
    learningPeriodS: o.learningPeriodS,
    allowMacs: o.allowMacs,
    conflictWindowS: o.windowS,
    vendor: o.vendor,
    routeGateways: o.routeGateways,
  });
  const names = new NameWatch(o.table, o.dns);
  const tcp = new TcpHealthDetector(o.table, o.publish, o.retransmissions);
  const blocklists = new BlocklistWatch(o.table, o.blocklists ?? new ThreatLists([]), o.publish, o.vendor);
  const attack = new AttackSignals(
    o.table,
    o.publish,
    o.attack ?? { threshold: 0.7, synMin: 100, allowlist: new AttackAllowlist(null) },
  );
  const cleartext = new CleartextWatch();
  return {
    arp,
    names,
    tcp,
    blocklists,
    attack,
    cleartext,
    all: [arp, names, tcp, blocklists, attack, cleartext],
  };
}
