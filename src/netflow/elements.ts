/**
 * The information elements Flintnet reads, and what it does with each: a template is compiled once
 * into one small action code per field, so a data record is decoded by a switch over numbers, never
 * by looking a name up. NetFlow v9 field types 1–127 are the same numbers as IPFIX's (RFC 3954 §8 /
 * IANA "IPFIX Information Elements", https://www.iana.org/assignments/ipfix/ipfix.xhtml); everything
 * else, and every enterprise-specific element, is skipped by its length.
 */

/** The field length that marks an IPFIX variable-length field (RFC 7011 §3.2, §7). */
export const VARIABLE_LENGTH = 0xffff;

/** What the decoder does with a field. */
export const Action = {
  Skip: 0,
  Bytes: 1,
  Packets: 2,
  Proto: 3,
  Tos: 4,
  TcpFlags: 5,
  SrcPort: 6,
  DstPort: 7,
  SrcV4: 8,
  DstV4: 9,
  SrcV6: 10,
  DstV6: 11,
  InIf: 12,
  OutIf: 13,
  SrcAs: 14,
  DstAs: 15,
  /** Milliseconds of exporter uptime (v9 header base, IPFIX systemInitTimeMilliseconds base). */
  StartUptime: 16,
  EndUptime: 17,
  StartSeconds: 18,
  EndSeconds: 19,
  StartMillis: 20,
  EndMillis: 21,
  /** NTP timestamps (RFC 7011 §6.1.9–10): dateTimeMicroseconds and dateTimeNanoseconds. */
  StartNtp: 22,
  EndNtp: 23,
  /** Microseconds before the message's export time (flowStartDeltaMicroseconds). */
  StartDeltaMicros: 24,
  EndDeltaMicros: 25,
  /** type << 8 | code. */
  IcmpTypeCode: 26,
  IcmpType: 27,
  IcmpCode: 28,
  Vlan: 29,
  /** Which sampler selected the flow: its rate is looked up from options data. */
  SamplerId: 30,
  // Options data only.
  SamplingInterval: 31,
  PacketInterval: 32,
  PacketSpace: 33,
  SamplingSize: 34,
  SamplingPopulation: 35,
  SystemInitMillis: 36,
  /** flowDirection: 0 ingress, 1 egress (what the record counts at its interface). */
  Direction: 37,
} as const;

/** IANA IPFIX element ids (= NetFlow v9 field types below 128) and the action each gets. */
const ELEMENTS: ReadonlyArray<readonly [number, number]> = [
  [1, Action.Bytes], // octetDeltaCount / IN_BYTES
  [2, Action.Packets], // packetDeltaCount / IN_PKTS
  [4, Action.Proto], // protocolIdentifier / PROTOCOL
  [5, Action.Tos], // ipClassOfService / SRC_TOS
  [6, Action.TcpFlags], // tcpControlBits / TCP_FLAGS
  [7, Action.SrcPort], // sourceTransportPort / L4_SRC_PORT
  [8, Action.SrcV4], // sourceIPv4Address / IPV4_SRC_ADDR
  [10, Action.InIf], // ingressInterface / INPUT_SNMP
  [11, Action.DstPort], // destinationTransportPort / L4_DST_PORT
  [12, Action.DstV4], // destinationIPv4Address / IPV4_DST_ADDR
  [14, Action.OutIf], // egressInterface / OUTPUT_SNMP
  [16, Action.SrcAs], // bgpSourceAsNumber / SRC_AS
  [17, Action.DstAs], // bgpDestinationAsNumber / DST_AS
  [21, Action.EndUptime], // flowEndSysUpTime / LAST_SWITCHED
  [22, Action.StartUptime], // flowStartSysUpTime / FIRST_SWITCHED
  [27, Action.SrcV6], // sourceIPv6Address / IPV6_SRC_ADDR
  [28, Action.DstV6], // destinationIPv6Address / IPV6_DST_ADDR
  [32, Action.IcmpTypeCode], // icmpTypeCodeIPv4 / ICMP_TYPE
  [34, Action.SamplingInterval], // samplingInterval / SAMPLING_INTERVAL (options)
  [48, Action.SamplerId], // samplerId / FLOW_SAMPLER_ID
  [50, Action.SamplingInterval], // samplerRandomInterval / FLOW_SAMPLER_RANDOM_INTERVAL (options)
  [58, Action.Vlan], // vlanId / SRC_VLAN
  [61, Action.Direction], // flowDirection / DIRECTION
  [139, Action.IcmpTypeCode], // icmpTypeCodeIPv6
  [150, Action.StartSeconds], // flowStartSeconds
  [151, Action.EndSeconds], // flowEndSeconds
  [152, Action.StartMillis], // flowStartMilliseconds
  [153, Action.EndMillis], // flowEndMilliseconds
  [154, Action.StartNtp], // flowStartMicroseconds
  [155, Action.EndNtp], // flowEndMicroseconds
  [156, Action.StartNtp], // flowStartNanoseconds
  [157, Action.EndNtp], // flowEndNanoseconds
  [158, Action.StartDeltaMicros], // flowStartDeltaMicroseconds
  [159, Action.EndDeltaMicros], // flowEndDeltaMicroseconds
  [160, Action.SystemInitMillis], // systemInitTimeMilliseconds (options)
  [176, Action.IcmpType], // icmpTypeIPv4
  [177, Action.IcmpCode], // icmpCodeIPv4
  [178, Action.IcmpType], // icmpTypeIPv6
  [179, Action.IcmpCode], // icmpCodeIPv6
  [243, Action.Vlan], // dot1qVlanId
  [302, Action.SamplerId], // selectorId (RFC 5477)
  [305, Action.PacketInterval], // samplingPacketInterval (RFC 5477)
  [306, Action.PacketSpace], // samplingPacketSpace (RFC 5477)
  [309, Action.SamplingSize], // samplingSize (RFC 5477)
  [310, Action.SamplingPopulation], // samplingPopulation (RFC 5477)
];

/** Action by element id, for ids below this bound (every element above it is skipped). */
const TABLE_SIZE = 512;
let table: Uint8Array | undefined;

/** The action for IANA element (or v9 field type) `id`. Enterprise-specific elements never come here. */
export function actionFor(id: number): number {
  if (!table) {
    table = new Uint8Array(TABLE_SIZE);
    for (const [ie, action] of ELEMENTS) table[ie] = action;
  }
  return id < TABLE_SIZE ? table[id] : Action.Skip;
}

/**
 * The field lengths each action accepts; a field of any other length is skipped, never misread
 * (RFC 7011 §6.2 allows reduced-size encoding of unsigned numbers, not of addresses).
 */
export function lengthFits(action: number, length: number): boolean {
  switch (action) {
    case Action.Skip:
      return true;
    case Action.SrcV4:
    case Action.DstV4:
      return length === 4;
    case Action.SrcV6:
    case Action.DstV6:
      return length === 16;
    case Action.StartNtp:
    case Action.EndNtp:
      return length === 8;
    default:
      return length >= 1 && length <= 8;
  }
}
