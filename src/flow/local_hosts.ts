/**
 * What captured traffic says about the hosts of the local networks: which addresses talked (discovery
 * probes them even when a sweep would not reach them), and which TCP services each one offers (a
 * SYN-ACK sent from a port), which classifies hosts that do not answer SNMP. One pass over the flow
 * table, per sweep or poll: not on the packet path.
 */
import { formatIpv4, parseIpv4 } from "./address.ts";
import type { FlowTable } from "./flow_table.ts";

/** TCP flags (RFC 9293 §3.1). */
const SYN = 0x02, ACK = 0x10;
const PROTO_TCP = 6;
/** Ports above this are ephemeral (IANA dynamic range, RFC 6335 §6): a reply from one is not a service. */
const MAX_SERVICE_PORT = 49151;
/** At most this many ports are kept per host, so a port scan answered by a host stays bounded. */
const MAX_PORTS_PER_HOST = 32;

/** An IPv4 network as address and mask integers. */
interface Net4 {
  net: number;
  mask: number;
}

function parseNetworks(cidrs: readonly string[]): Net4[] {
  const out: Net4[] = [];
  for (const c of cidrs) {
    const [addr, len] = c.split("/");
    const a = parseIpv4(addr), n = Number(len);
    if (a === undefined || !(n >= 0 && n <= 32)) continue;
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    out.push({ net: (a & mask) >>> 0, mask });
  }
  return out;
}

function inside(nets: readonly Net4[], ip: number): boolean {
  for (const n of nets) if (((ip & n.mask) >>> 0) === n.net) return true;
  return false;
}

/**
 * Every IPv4 address inside `cidrs` that appears in a live flow, with the TCP ports it answered from
 * (sorted; a host that never sent a SYN-ACK has none).
 */
export function localHosts(table: FlowTable, cidrs: readonly string[]): Map<string, number[]> {
  const nets = parseNetworks(cidrs);
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
    if (inside(nets, src)) {
      const s = note(src);
      const flags = table.tcpFlags(id);
      const port = table.srcPort[id];
      if (
        table.proto[id] === PROTO_TCP && (flags & (SYN | ACK)) === (SYN | ACK) && port !== 0 &&
        port <= MAX_SERVICE_PORT && s.size < MAX_PORTS_PER_HOST
      ) s.add(port);
    }
    if (inside(nets, dst)) note(dst);
  }
  const out = new Map<string, number[]>();
  for (const [ip, s] of ports) {
    // Network and broadcast addresses are not hosts.
    const net = nets.find((n) => ((ip & n.mask) >>> 0) === n.net)!;
    if (
      net.mask !== 0xffffffff && net.mask !== 0xfffffffe &&
      (ip === net.net || ip === (net.net | ~net.mask) >>> 0)
    ) {
      continue;
    }
    out.set(formatIpv4(ip), [...s].sort((a, b) => a - b));
  }
  return out;
}
