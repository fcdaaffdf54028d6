/**
 * The words and evidence of the ARP watcher's security events: what src/detect/arp_security.ts found,
 * told so that a sysadmin who has never heard of ARP spoofing knows what happened and what to do.
 * Pure functions of what the detector decided; the detector adds the packet and publishes.
 */
import type { ArpTableEntry } from "../snmp/mod.ts";
import { formatIpv4, formatMac, isLocallyAdministered } from "../net/mod.ts";
import { type GatewayFacts, sources } from "./arp_gateways.ts";
import { virtualRouterProtocol } from "./virtual_macs.ts";

/** One event's explanation (sentences; empty ones are dropped) and evidence. */
export interface Explanation {
  /** The sentences of SecurityEvent.explanation, "" for one that does not apply. */
  sentences: string[];
  /** Members of SecurityEvent.evidence beyond the packet's. */
  evidence: Record<string, unknown>;
}

/** A MAC's hold on an address: first and latest claim, ms (first may be -Infinity: unknown). */
export interface Party {
  mac: number;
  first: number;
  last: number;
}

/** ms since the epoch → ISO 8601; "" for a time that is not one. */
export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}

/** "00:11:22:33:44:55 (Cisco Systems, Inc)", or says why there is no vendor. */
export function macWithVendor(mac: number, vendor: string | null): string {
  const why = vendor ?? (isLocallyAdministered(mac) ? "locally administered: no vendor" : "vendor unknown");
  return `${formatMac(mac)} (${why})`;
}

/** Why `f.ip` is a gateway, in words: "this appliance's own default gateway; the default gateway in …". */
export function gatewayReasons(f: GatewayFacts): string {
  const out: string[] = [];
  if (f.route) out.push("this appliance's own default gateway");
  if (f.polledBy.length > 0) {
    out.push(`the default gateway in the routing table of ${f.polledBy.join(" and ")} (polled over SNMP)`);
  }
  if (f.traffic) {
    out.push(
      `the address of ${
        formatMac(f.traffic.mac)
      }, the MAC through which traffic from outside the network arrives`,
    );
  }
  return out.join("; ");
}

/** A gateway as evidence: its address and how it was learned ("route", "poll 10.0.0.5", "traffic aa:…"). */
export function gatewayEvidence(f: GatewayFacts | null): Record<string, unknown> | null {
  return f === null ? null : { ip: formatIpv4(f.ip), learned_from: sources(f) };
}

/** A MAC seen for the first time after the learning period: rogue_device. */
export function rogueDevice(
  o: { mac: number; ip: number; probing: boolean; vendor: string | null; learningEndMs: number },
): Explanation {
  const local = isLocallyAdministered(o.mac);
  const vrp = virtualRouterProtocol(o.mac);
  const doing = o.probing ? `probing for ${formatIpv4(o.ip)}` : `using ${formatIpv4(o.ip)}`;
  return {
    sentences: [
      `A device never seen before appeared on the network: ${formatMac(o.mac)}` +
      `${o.vendor ? ` (${o.vendor})` : ""}, ${doing}.`,
      local
        ? "Its MAC address is locally administered — randomised, as phones and laptops do for privacy, or set by software such as a virtual machine — so it names no vendor."
        : "",
      vrp ? `It is a ${vrp} virtual router address: a router redundancy group was set up.` : "",
      "If you do not recognise it, find it (switch port, DHCP lease) before trusting it; acknowledge it to mark it as known.",
    ],
    evidence: { locally_administered: local, virtual_router: vrp, learning_ended_at: iso(o.learningEndMs) },
  };
}

/** What {@link addressConflict} is told. */
export interface ConflictFacts {
  /** mac_spoof (a reply for an address another MAC holds) or duplicate_ip (announced, or flip-flop). */
  type: "mac_spoof" | "duplicate_ip";
  /** The claim seen now: the MAC that claimed the address, with its earlier hold on it if any. */
  own: Party;
  /** The other MACs holding the address within the window. */
  parties: readonly Party[];
  /** The one that came last (the suspect). */
  newcomer: Party;
  /** The one that held it longest. */
  older: Party;
  /** The address. */
  ip: number;
  /** The claim was a gratuitous ARP. */
  gratuitous: boolean;
  /** The prober's own probe had shown the address taken. */
  probe: { at: number; owners: readonly number[] } | undefined;
  /** `own` had held the address before (it came back: a flip-flop). */
  flip: boolean;
  /** What makes the address a gateway, or null when nothing says it is one. */
  gateway: GatewayFacts | null;
  /** The "same time" window, ms. */
  windowMs: number;
  /** A party as evidence (MAC, vendor, first and last seen). */
  party: (p: Party) => Record<string, unknown>;
}

/** Two MACs claiming one address at the same time: mac_spoof or duplicate_ip. */
export function addressConflict(f: ConflictFacts): Explanation {
  const ipText = formatIpv4(f.ip), win = `${f.windowMs / 1000} s`;
  const all = [f.own, ...f.parties];
  const others = all.filter((p) => p !== f.newcomer).map((p) => formatMac(p.mac)).join(" and ");
  const rivals = f.parties.map((p) => formatMac(p.mac)).join(" and ");
  const what = f.type === "mac_spoof"
    ? `${ipText} was claimed by ${
      formatMac(f.newcomer.mac)
    } while ${others} also claimed it within ${win}. ` +
      "Two devices answering for one address means one is impersonating the other (ARP spoofing) or is " +
      `misconfigured; traffic for ${ipText} may be going to the wrong device.`
    : f.gratuitous
    ? `${formatMac(f.own.mac)} announced ${ipText} (gratuitous ARP) while ${rivals} was using it` +
      `${f.probe ? ", after its own probe had shown the address was taken" : ""}. ` +
      "Two devices now use the same address; expect both to lose connections."
    : `${ipText} flip-flopped between ${
      formatMac(f.own.mac)
    } and ${rivals} within ${win}: two devices are using ` +
      "the same address at the same time. Expect both to lose connections; one is misconfigured or spoofing.";
  return {
    sentences: [
      what,
      // Say only what was seen: who claimed it first, not for how long (a capture may be seconds long).
      f.older !== f.newcomer
        ? `${formatMac(f.older.mac)} claimed ${ipText} before ${formatMac(f.newcomer.mac)} did.`
        : "",
      f.gateway
        ? `${ipText} is a gateway (${gatewayReasons(f.gateway)}): traffic leaving the network may go to ` +
          `${formatMac(f.newcomer.mac)} instead, which can read or change it.`
        : "",
    ],
    evidence: {
      claimed_by: all.map(f.party),
      gateway: gatewayEvidence(f.gateway),
      flip_flop: f.flip,
      probe: f.probe ? { at: iso(f.probe.at), ip: ipText, owners: f.probe.owners.map(formatMac) } : null,
      window_s: f.windowMs / 1000,
    },
  };
}

/** A reply whose Ethernet source `eth` is not its ARP sender `sha`: mac_spoof of the frame's sender. */
export function senderMismatch(
  eth: number,
  sha: number,
  spa: number,
  shaVendor: string | null,
  gateway: GatewayFacts | null = null,
): Explanation {
  return {
    sentences: [
      `An ARP reply says ${formatIpv4(spa)} is at ${formatMac(sha)}, but the frame came from ${
        formatMac(eth)
      }.`,
      "A device sending ARP on behalf of another MAC is a sign of ARP spoofing (or of a bridge or proxy that rewrites frames).",
      gateway ? `${formatIpv4(spa)} is a gateway (${gatewayReasons(gateway)}).` : "",
    ],
    evidence: { claimed_by: [{ mac: formatMac(sha), vendor: shaVendor }], gateway: gatewayEvidence(gateway) },
  };
}

/** The sentence about `n` events of `type` held back (over `perMinute`) before this one; "" for none. */
export function rateLimited(type: string, n: number, perMinute: number): string {
  if (n === 0) return "";
  const were = n === 1 ? `${n} more ${type} alert was` : `${n} more ${type} alerts were`;
  return `Before this one, ${were} left unreported: more than ${perMinute} a minute is a flood ` +
    "(forged ARP, or a whole network just connected); /stats counts them as rate_limited.";
}

/** The packet (or polled ARP table row) behind an event, as the first members of its evidence. */
export function packetEvidence(
  packet: string,
  entry: ArpTableEntry | null,
  arp: { eth: number; sha: number; tha: number; tpa: number; vlan: number },
): Record<string, unknown> {
  if (entry) return { packet, polled_device: entry.device, if_index: entry.ifIndex, entry_type: entry.type };
  return {
    packet,
    arp_sender_mac: formatMac(arp.sha),
    arp_target_mac: formatMac(arp.tha),
    arp_target_ip: formatIpv4(arp.tpa),
    eth_src: arp.eth === 0 ? null : formatMac(arp.eth),
    eth_src_mismatch: arp.eth !== 0 && arp.eth !== arp.sha,
    vlan: arp.vlan,
  };
}
