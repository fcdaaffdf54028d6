/**
 * The words and evidence of an arp_spoof incident (arp_spoof_rule.ts): who claimed what, which address
 * is the gateway and how Flintnet knows, and what to do.
 * Pure functions of what the rule decided. No capture times in the sentences (they are in the evidence),
 * so a capture replayed and the same frames seen live read the same.
 */
import { formatIpv4, formatMac } from "../net/mod.ts";
import type { GatewayFacts } from "./arp_gateways.ts";
import {
  type Explanation,
  gatewayEvidence,
  gatewayReasons,
  iso,
  macWithVendor,
  type Party,
} from "./arp_security_events.ts";

/** One address of an incident. */
export interface SpoofAddress {
  /** The address (uint32). */
  ip: number;
  /** The MAC's first and latest claim of it, ms. */
  first: number;
  last: number;
  /** What makes it a gateway the MAC does not own; null when it is not one (or is the MAC's own). */
  gateway: GatewayFacts | null;
  /** Other MACs that claimed it within the window. */
  others: readonly Party[];
}

/** What {@link spoofIncident} is told. */
export interface SpoofFacts {
  /** The MAC claiming several addresses. */
  mac: number;
  /** Its vendor (OUI), null when unknown or locally administered. */
  vendor: string | null;
  /** Every address it claimed within the window, oldest claim first. */
  addresses: readonly SpoofAddress[];
  /** It asked who has `ip` (from its address `from`) after claiming `ip` itself. */
  asked: { ip: number; from: number } | null;
  /** The incident was reported as a warning before; this is it turning critical. */
  escalated: boolean;
  /** When the MAC last did DHCP within the window (not enough to excuse a critical claim), or null. */
  dhcpAt: number | null;
  /** The "same time" window, ms. */
  windowMs: number;
  /** A party as evidence (MAC, vendor, first and last seen). */
  party: (p: Party) => Record<string, unknown>;
}

/** One MAC claiming several addresses within the window: arp_spoof. */
export function spoofIncident(o: SpoofFacts): Explanation {
  const mac = formatMac(o.mac), win = `${o.windowMs / 1000} s`;
  const gateways = o.addresses.filter((a) => a.gateway !== null);
  const critical = gateways.length > 0 || o.asked !== null;
  const list = o.addresses.map((a) => {
    const notes: string[] = [];
    if (a.gateway) notes.push("a gateway");
    if (a.others.length > 0) {
      notes.push(`also claimed by ${a.others.map((p) => formatMac(p.mac)).join(" and ")}`);
    }
    return `${formatIpv4(a.ip)}${notes.length ? ` (${notes.join(", ")})` : ""}`;
  });
  const sentences = [
    `${macWithVendor(o.mac, o.vendor)} claimed ${o.addresses.length} IPv4 addresses within ${win}: ` +
    `${list.join(", ")}.`,
    o.asked
      ? `Then it asked, from ${formatIpv4(o.asked.from)}, who has ${
        formatIpv4(o.asked.ip)
      } — an address it had ` +
        "just claimed itself. That is an ARP poisoner looking up the real owner, so that it can pass on the " +
        "traffic it intercepts."
      : "",
    ...gateways.map((a) =>
      `${formatIpv4(a.ip)} is a gateway (${
        gatewayReasons(a.gateway!)
      }): traffic leaving the network may now ` +
      `go through ${mac}, which can read or change it.`
    ),
    critical
      ? ""
      : "One device answering for several addresses puts itself between the devices that use them " +
        "(ARP spoofing, a man in the middle) — unless it is a host given a new address by hand or one with " +
        "secondary addresses.",
    o.dhcpAt !== null && critical
      ? "It did DHCP within the window, but DHCP hands out no address that is a gateway or that another " +
        "device is using."
      : "",
    o.escalated ? "This incident was reported as a warning before; it is critical now." : "",
    critical
      ? `Find ${mac} now — its switch port from your switches' MAC address tables, or its DHCP lease — and ` +
        "disconnect it unless it is a router you know. Then clear the ARP entries that point to it on the " +
        "gateway and on the hosts that use it (ip neigh flush, arp -d)."
      : `Find ${mac} (switch MAC address tables, DHCP leases). If it is a router, a load balancer or a host ` +
        "with several addresses, add it to FLINTNET_ARP_ALLOW_MACS; if it was readdressed by hand, nothing " +
        "needs doing.",
  ];
  const firstGateway = gateways[0]?.gateway ?? null;
  return {
    sentences,
    evidence: {
      ips: o.addresses.map((a) => ({
        ip: formatIpv4(a.ip),
        first_seen: iso(a.first),
        last_seen: iso(a.last),
        gateway: a.gateway !== null,
        also_claimed_by: a.others.map(o.party),
      })),
      gateway: gatewayEvidence(firstGateway),
      asked_for: o.asked ? { ip: formatIpv4(o.asked.ip), from: formatIpv4(o.asked.from) } : null,
      dhcp_seen_at: o.dhcpAt === null ? null : iso(o.dhcpAt),
      escalated: o.escalated,
      window_s: o.windowMs / 1000,
    },
  };
}
