/**
 * The one JSON shape of a flow, used by replay, REST and SSE alike (the changelog's field names).
 */
import { type BaselineJson, baselineJson } from "../events/mod.ts";
import { isoTime } from "../base/mod.ts";
import { communityIdCache } from "./community_id_cache.ts";
import { formatIp } from "../net/mod.ts";
import type { FlowTable } from "./flow_table.ts";
import { type FlowVisibilityJson, flowVisibilityJson } from "./flow_visibility.ts";
import { type FlowThreatsJson, flowThreatsJson } from "./flow_threats.ts";

/** A flow as every output shows it (the visibility fields: docs/visibility.md). */
export interface FlowJson extends FlowVisibilityJson, FlowThreatsJson {
  /** Source address (IPv4 dotted quad or RFC 5952 IPv6). */
  src_ip: string;
  /** Destination address. */
  dst_ip: string;
  /** Source port; ICMP type. */
  src_port: number;
  /** Destination port; ICMP code. */
  dst_port: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 …). */
  protocol: number;
  /** IP-layer octets (IPv4 total length, IPv6 payload + 40), as NetFlow/IPFIX count them. */
  bytes: number;
  /** Packets. */
  packets: number;
  /** First packet, ISO 8601. */
  first_seen: string;
  /** Last packet, ISO 8601. */
  last_seen: string;
  /** last_seen − first_seen in seconds. */
  duration_s: number;
  /** OR of TCP flags seen (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcp_flags: number;
  /** The flow's recent baseline (the shape anomalies show theirs in). */
  baseline: BaselineJson;
  /** Community ID v1 of this flow (seed 0). */
  community_id: string;
}

/** Renders flow `id` of `table`; `warmup` decides when the baseline counts as mature. */
export function flowToJson(table: FlowTable, id: number, warmup: number): FlowJson {
  const a = id << 2;
  const fam = table.family[id];
  const first = table.firstSeen(id), last = table.lastSeen(id);
  const src = formatIp(fam, table.src, a), dst = formatIp(fam, table.dst, a);
  const vis = flowVisibilityJson(table, id), threats = flowThreatsJson(table, id, src, dst);
  return {
    src_ip: src,
    dst_ip: dst,
    src_port: table.srcPort[id],
    dst_port: table.dstPort[id],
    protocol: table.proto[id],
    bytes: table.bytes(id),
    packets: table.packets(id),
    first_seen: isoTime(first),
    last_seen: isoTime(last),
    duration_s: Math.round(last - first) / 1000,
    tcp_flags: table.tcpFlags(id),
    // The table's baseline columns hold the detector's log-volume centre and mean absolute deviation.
    baseline: baselineJson(
      "recent",
      table.ewmaMean[id],
      table.ewmaVar[id],
      table.ewmaIntervals[id],
      table.ewmaIntervals[id] >= warmup,
    ),
    community_id: communityIdCache(table).get(table, id),
    // One object literal, its members named: spreading the parts in made an object JSON.stringify serialised
    // three times slower (about 3 µs a flow; /flows renders thousands a second).
    server_name: vis.server_name,
    name_source: vis.name_source,
    retransmissions: vis.retransmissions,
    out_of_order: vis.out_of_order,
    zero_windows: vis.zero_windows,
    rtt_ms: vis.rtt_ms,
    blocklist: threats.blocklist,
    attack_score: threats.attack_score,
    attack_signals: threats.attack_signals,
  };
}

/** Ids of the `limit` flows with the most bytes (ties by id); sorts the live flows, so call it per request, not per packet. */
export function topFlowsByBytes(table: FlowTable, limit: number): number[] {
  const ids: number[] = [];
  for (let id = 0; id < table.highWater; id++) if (table.family[id] !== 0) ids.push(id);
  ids.sort((x, y) => table.bytes(y) - table.bytes(x) || x - y);
  return ids.slice(0, limit);
}
