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
  rogue_device: number;
  arp_spoof: number;
  mac_spoof: number;
  duplicate_ip: number;
  /** Events not published: more of their type in a minute than allowed (a flood). */
  rate_limited: number;
  /** Conditions not reported again because they were already standing. */
  repeats_suppressed: number;
  allowlist_suppressed: number;
  virtual_mac_suppressed: number;
  /** Several addresses of one MAC that were all established (learned secondaries). */
  secondaries_suppressed: number;
  /** Rows that made the detector throw (a bug; counted, never propagated). */
  errors: number;
}

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
    rogue_device: 0,
    arp_spoof: 0,
    mac_spoof: 0,
    duplicate_ip: 0,
    rate_limited: 0,
    repeats_suppressed: 0,
    allowlist_suppressed: 0,
    virtual_mac_suppressed: 0,
    secondaries_suppressed: 0,
    errors: 0,
  };
}
