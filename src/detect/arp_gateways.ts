/**
 * Which addresses are gateways, and how Flintnet knows: an address someone spoofs is critical when
 * traffic leaving the network goes through it. Three sources, each independent of ARP itself (ARP is what
 * the attacker forges):
 *
 * - **route**: a default gateway of this appliance's own routing table (/proc/net/route);
 * - **poll**: the next hop of a polled device's default route (ipRouteTable, ipCidrRouteTable or
 *   inetCidrRouteTable over SNMP);
 * - **traffic**: an address owned by the MAC that forwards packets from many source addresses (what
 *   arrives from outside the network comes through the gateway's MAC; see arp_traffic.ts).
 *
 * Bounded: polled devices and traffic-learned gateways are capped; the oldest entry gives way.
 */
import { formatIpv4, formatMac } from "../net/mod.ts";

/** Polled devices whose default route is remembered at most. */
const MAX_POLLED = 4096;
/** Traffic-learned gateways remembered at most (a network has few routers). */
const MAX_TRAFFIC = 16;

/** What is known about one gateway address. */
export interface GatewayFacts {
  /** The address (uint32). */
  ip: number;
  /** A default gateway of this appliance's routes. */
  route: boolean;
  /** Polled devices (addresses) whose default route goes through it, sorted. */
  polledBy: string[];
  /** The MAC that forwards outside traffic and owns this address, with its score; null if not learned so. */
  traffic: { mac: number; score: number } | null;
}

/** See the module comment. */
export class GatewayBook {
  #route = new Set<number>();
  /** Polled device address → its default route's next hop. */
  #polled = new Map<string, number>();
  /** Next hop → how many polled devices route through it (so a miss costs one lookup, no allocation). */
  #hops = new Map<number, number>();
  /** Gateway address → the routing MAC that owns it, and its score when learned. */
  #traffic = new Map<number, { mac: number; score: number }>();
  #version = 0;

  /**
   * Changes whenever an address becomes or stops being a gateway: what was judged against the gateways
   * known (arp_spoof_rule.ts) holds until it changes.
   */
  get version(): number {
    return this.#version;
  }

  /** Replaces this appliance's default gateways. */
  setRoute(ips: readonly number[]): void {
    const next = new Set(ips);
    if (next.size === this.#route.size && ips.every((ip) => this.#route.has(ip))) return;
    this.#route = next;
    this.#version++;
  }

  /** The default route of polled `device` goes through `nextHop` (null: it has none, or no longer). */
  notePolled(device: string, nextHop: number | null): void {
    const hop = nextHop === null || nextHop === 0 ? undefined : nextHop;
    if (this.#polled.get(device) !== hop) this.#version++;
    this.#forget(device);
    if (nextHop === null || nextHop === 0) return;
    if (this.#polled.size >= MAX_POLLED) this.#forget(this.#polled.keys().next().value!);
    this.#polled.set(device, nextHop);
    this.#hops.set(nextHop, (this.#hops.get(nextHop) ?? 0) + 1);
  }

  #forget(device: string): void {
    const hop = this.#polled.get(device);
    if (hop === undefined) return;
    this.#polled.delete(device);
    const n = this.#hops.get(hop)!;
    if (n <= 1) this.#hops.delete(hop);
    else this.#hops.set(hop, n - 1);
  }

  /** `ip` belongs to `mac`, which forwards traffic from many source addresses (score: see arp_traffic.ts). */
  noteTraffic(ip: number, mac: number, score: number): void {
    if (this.#traffic.get(ip)?.mac !== mac) this.#version++;
    this.#traffic.delete(ip);
    if (this.#traffic.size >= MAX_TRAFFIC) this.#traffic.delete(this.#traffic.keys().next().value!);
    this.#traffic.set(ip, { mac, score });
  }

  /** Whether the routing MAC's ownership of `ip` was learned (facts(ip).traffic is set), without allocating. */
  learnedFromTraffic(ip: number): boolean {
    return this.#traffic.has(ip);
  }

  /** Whether anything says `ip` is a gateway (facts(ip) is not null), without allocating. */
  isKnown(ip: number): boolean {
    return this.#route.has(ip) || this.#hops.has(ip) || this.#traffic.has(ip);
  }

  /** Whether `pred` holds for some gateway address (each source's addresses in turn: a network has few). */
  someAddress(pred: (ip: number) => boolean): boolean {
    for (const ip of this.#route) if (pred(ip)) return true;
    for (const ip of this.#hops.keys()) if (pred(ip)) return true;
    for (const ip of this.#traffic.keys()) if (pred(ip)) return true;
    return false;
  }

  /**
   * Whether something says `ip` is a gateway other than that it belongs to `mac` as the routing MAC (a route,
   * a polled device's default route, or traffic through another MAC), without allocating.
   */
  isKnownApartFrom(ip: number, mac: number): boolean {
    return this.#route.has(ip) || this.#hops.has(ip) || (this.#traffic.get(ip)?.mac ?? mac) !== mac;
  }

  /** What is known about `ip` as a gateway; null when nothing says it is one. */
  facts(ip: number): GatewayFacts | null {
    const route = this.#route.has(ip), polled = this.#hops.has(ip);
    const traffic = this.#traffic.get(ip) ?? null;
    if (!route && !polled && traffic === null) return null;
    const polledBy: string[] = [];
    if (polled) { for (const [device, hop] of this.#polled) if (hop === ip) polledBy.push(device); }
    return { ip, route, polledBy: polledBy.sort(), traffic: traffic && { ...traffic } };
  }

  /** Every known gateway, for /stats: address and how it was learned. */
  list(): { ip: string; learned_from: string[] }[] {
    const ips = new Set<number>([...this.#route, ...this.#hops.keys(), ...this.#traffic.keys()]);
    return [...ips].sort((a, b) => a - b).map((ip) => ({
      ip: formatIpv4(ip),
      learned_from: sources(this.facts(ip)!),
    }));
  }
}

/** How `f` was learned, in words for evidence and /stats: "route", "poll 10.0.0.5", "traffic 00:11:…". */
export function sources(f: GatewayFacts): string[] {
  const out: string[] = [];
  if (f.route) out.push("route");
  for (const d of f.polledBy) out.push(`poll ${d}`);
  if (f.traffic) out.push(`traffic ${formatMac(f.traffic.mac)}`);
  return out;
}
