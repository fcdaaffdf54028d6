/**
 * Why a frame was not decoded. Every reason is a counter in the decoder's stats; a
 * malformed frame is counted and skipped, never thrown.
 */
export const Malformed = {
  TruncatedEthernet: 0,
  TruncatedVlan: 1,
  TruncatedLinuxSll: 2,
  TruncatedIpv4: 3,
  BadIpVersion: 4,
  BadIpv4HeaderLength: 5,
  BadIpv4TotalLength: 6,
  TruncatedIpv6: 7,
  BadIpv6ExtensionChain: 8,
  TruncatedTcp: 9,
  BadTcpDataOffset: 10,
  TruncatedUdp: 11,
  BadUdpLength: 12,
  TruncatedIcmp: 13,
  TruncatedArp: 14,
  BadArp: 15,
  TooManyVlanTags: 16,
  /** An LLDP TLV, or the mandatory Chassis ID / Port ID / TTL, cut off by the end of the frame. */
  TruncatedLldp: 17,
  /** An LLDPDU that breaks IEEE 802.1AB §8 (TLV order, lengths, nested lengths) or is too long to keep. */
  BadLldp: 18,
  /** A CDP header or TLV cut off by the end of the frame. */
  TruncatedCdp: 19,
  /** A CDP message with a bad version, TLV length, nested address list or no Device ID, or too long. */
  BadCdp: 20,
} as const;

/** Counter names as they appear in stats (`malformed.truncated_ipv4` …), indexed by reason code. */
export const MALFORMED_NAMES: readonly string[] = [
  "truncated_ethernet",
  "truncated_vlan",
  "truncated_linux_sll",
  "truncated_ipv4",
  "bad_ip_version",
  "bad_ipv4_header_length",
  "bad_ipv4_total_length",
  "truncated_ipv6",
  "bad_ipv6_extension_chain",
  "truncated_tcp",
  "bad_tcp_data_offset",
  "truncated_udp",
  "bad_udp_length",
  "truncated_icmp",
  "truncated_arp",
  "bad_arp",
  "too_many_vlan_tags",
  "truncated_lldp",
  "bad_lldp",
  "truncated_cdp",
  "bad_cdp",
];

/** Returned by the layer decoders when the frame was fine. */
export const OK = -1;
