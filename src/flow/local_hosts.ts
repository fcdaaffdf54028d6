/**
 * What captured traffic says about the hosts of the local networks: which addresses talked (discovery
 * probes them even when a sweep would not reach them), and which TCP services each one offers (a
 * SYN-ACK sent from a port), which classifies hosts that do not answer SNMP. One pass over the flow
 * table, per sweep or poll: not on the packet path.
 */
import { type Cidr, formatIpv4, tryParseCidr } from "../net/mod.ts";
import type { FlowTable } from "./flow_table.ts";

/** TCP flags (RFC 9293 §3.1). */
const SYN = 0x02, ACK = 0x10;
const PROTO_TCP = 6;
/** Ports above this are ephemeral (IANA dynamic range, RFC 6335 §6): a reply from one is not a service. */
const MAX_SERVICE_PORT = 49151;
/** At most this many ports are kept per host, so a port scan answered by a host stays bounded. */
const MAX_PORTS_PER_HOST = 32;

/** The IPv4 network of `nets` holding `ip`, if any (IPv6 networks were left out by the caller). */
function networkOf(nets: readonly Cidr[], ip: number): Cidr | undefined {
  for (const n of nets) if (((ip & n.mask[0]) >>> 0) === n.network[0]) return n;
  return undefined;
}

/**
 * Every IPv4 address inside `cidrs` that appears in a live flow, with the TCP ports it answered from
 * (sorted; a host that never sent a SYN-ACK has none).
 */
export function localHosts(table: FlowTable, cidrs: readonly string[]): Map<string, number[]> {
  const nets = cidrs.map((c) => tryParseCidr(c)).filter((c): c is Cidr => c?.family === 4);
  const ports = new Map<number, Set<number>>();
  if (nets.length === 0) return new Map();
  const note = (ip: number) => {
    let s = ports.get(ip);
    if (s === undefined) ports.set(ip, s = new Set());
    return s;
  };
  for (let id = 0; id < table.highWater; id++) {
    if (table.family[id] !== 4) continue;
    const src = table.src[id * 4], dst = table.dst[id * 4];
    if (networkOf(nets, src) !== undefined) {
      const s = note(src);
      const flags = table.tcpFlags(id);
      const port = table.srcPort[id];
      if (
        table.proto[id] === PROTO_TCP && (flags & (SYN | ACK)) === (SYN | ACK) && port !== 0 &&
        port <= MAX_SERVICE_PORT && s.size < MAX_PORTS_PER_HOST
      ) s.add(port);
    }
    if (networkOf(nets, dst) !== undefined) note(dst);
  }
  const out = new Map<string, number[]>();
  for (const [ip, s] of ports) {
    // Network and broadcast addresses are not hosts (a /31 or /32 has neither: RFC 3021).
    const net = networkOf(nets, ip)!;
    const broadcast = (net.network[0] | ~net.mask[0]) >>> 0;
    if (net.prefix < 31 && (ip === net.network[0] || ip === broadcast)) continue;
    out.set(formatIpv4(ip), [...s].sort((a, b) => a - b));
  }
  return out;
}
