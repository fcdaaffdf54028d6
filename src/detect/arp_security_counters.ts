/** The ARP watcher's counters (src/detect/arp_security.ts), as /stats shows them. */

/** What the ARP watcher counted. */
export interface ArpSecurityCounters {
  arp_packets: number;
  requests: number;
  replies: number;
  gratuitous: number;
  probes: number;
  /** Frames whose Ethernet source differs from the ARP sender MAC. */
  eth_src_mismatch: number;
  /** Rows of polled ARP tables used / skipped as unusable. */
  snmp_entries: number;
  snmp_invalid: number;
  /** Packets with no usable sender (MAC zero or broadcast). */
  ignored: number;
  /** MACs seen for the first time, and of those learned quietly during the learning period. */
  new_macs: number;
  learned: number;
  /** Addresses that moved to another MAC after the old one fell silent (not alerts). */
  lease_changes: number;
  /** A MAC that moved to a new address after its old one fell silent for longer than the window (not alerts). */
  renumbered_silent: number;
  /** A MAC that used two addresses within the window right after a DHCP exchange: renumbered (not alerts). */
  renumbered_dhcp: number;
  rogue_device: number;
  arp_spoof: number;
  mac_spoof: number;
  duplicate_ip: number;
  /** Events not published: more of their type in a minute than allowed (a flood). */
  rate_limited: number;
  /** Conditions not reported again because they were already standing. */
  repeats_suppressed: number;
  /** New addresses of a MAC whose arp_spoof incident was already reported (no second event). */
  incident_updates: number;
  /** arp_spoof incidents reported as warning that turned critical (one more event each). */
  escalations: number;
  allowlist_suppressed: number;
  virtual_mac_suppressed: number;
  /** Several addresses of one MAC that were all established (learned secondaries). */
  secondaries_suppressed: number;
  /** Rows that made the detector throw (a bug; counted, never propagated). */
  errors: number;
}

/** What a snapshot of the counters adds: whether it is learning, DHCP seen, and the gateways it knows. */
export type ArpSecuritySnapshot = ArpSecurityCounters & {
  learning: boolean;
  /** DHCP client messages seen (UDP 68 → 67). */
  dhcp_seen: number;
  /** Addresses known as gateways, and how: "route", "poll <device>", "traffic <mac>". */
  gateways: { ip: string; learned_from: string[] }[];
};

/** Every counter at zero. */
export function zeroCounters(): ArpSecurityCounters {
  return {
    arp_packets: 0,
    requests: 0,
    replies: 0,
    gratuitous: 0,
    probes: 0,
    eth_src_mismatch: 0,
    snmp_entries: 0,
    snmp_invalid: 0,
    ignored: 0,
    new_macs: 0,
    learned: 0,
    lease_changes: 0,
    renumbered_silent: 0,
    renumbered_dhcp: 0,
    rogue_device: 0,
    arp_spoof: 0,
    mac_spoof: 0,
    duplicate_ip: 0,
    rate_limited: 0,
    repeats_suppressed: 0,
    incident_updates: 0,
    escalations: 0,
    allowlist_suppressed: 0,
    virtual_mac_suppressed: 0,
    secondaries_suppressed: 0,
    errors: 0,
  };
}
