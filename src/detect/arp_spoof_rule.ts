/**
 * arp_spoof: one MAC claiming two or more IPv4 addresses within the window — the product's definition,
 * "one MAC claiming multiple IPs". A poisoner claims the gateway's address once (an unsolicited reply or
 * a request) and goes on using its own; that is two addresses at once, no A-B-A needed.
 *
 * Not spoofing: an allow-listed MAC; a VRRP/CARP/HSRP/GLBP virtual router MAC; a MAC whose addresses are
 * all its own and established (a host's secondaries: no other MAC claims them within the window, held for
 * `stableMs` or learned), and during the learning period a MAC whose addresses are all its own (its
 * secondaries are being learned) unless the claim is critical; a MAC whose old address fell silent for longer than the
 * window (only one address is within it: renumbered, counted); a MAC that did DHCP within the window
 * (renumbered by its DHCP server, counted) — unless one of its addresses is a gateway or is also claimed
 * by another MAC, which no DHCP server hands out.
 *
 * **critical** when one of the addresses is a gateway the MAC does not own (arp_gateways.ts: this
 * appliance's route, a polled device's default route, the MAC that routes traffic — unless that MAC is the
 * claimer itself, whose own address that is), or when the MAC asks
 * who has an address it claimed itself within the window (a poisoner looking up the real owner, so that
 * it can forward what it steals); **warning** otherwise.
 *
 * One incident, one event: an incident stands per MAC while it keeps claiming several addresses and ends
 * after it did not for `quietMs` (1 h). It is reported once, at detection, with every address claimed
 * within the window so far (each with first and last seen). Addresses that join later raise no event
 * (counted as incident_updates; the MAC's ARP history lists them); the one exception is an incident
 * reported as a warning that turns critical, which is reported once more, as critical. The standing
 * state survives a restart (arp-state.json).
 */
import type { ArpBinding } from "../devices/mod.ts";
import { type SpoofAddress, spoofIncident } from "./arp_spoof_words.ts";
import type { Party } from "./arp_security_events.ts";
import { type ArpRuleContext, SLOT_SPOOF, SLOT_SPOOF_CRITICAL } from "./arp_rule_context.ts";
import { isVirtualRouterMac } from "./virtual_macs.ts";

/** See the module comment. */
export class ArpSpoofRule {
  readonly #ctx: ArpRuleContext;
  /**
   * The last MAC whose addresses were all judged unremarkable (neither a gateway it does not own nor
   * claimed by another MAC; established, once learning is over), and what that judgment read: the time,
   * the end of learning, the routing MAC, the shared-claims epoch and the gateways' version. While none of
   * them changed, its next claim needs only its new address judged: time only establishes a hold, and
   * claims only leave unless the epoch moves. A MAC answering for many addresses (an ARP flood, during
   * learning or over established secondaries) otherwise walked all of them with every claim.
   */
  #quietMac = -1;
  #quietAt = 0;
  #quietLearned = 0;
  #quietRouter = -1;
  #quietShared = 0;
  #quietGateways = 0;

  constructor(ctx: ArpRuleContext) {
    this.#ctx = ctx;
  }

  /** True when `mac` claimed `ip` within the window (so asking who has `ip` is asking for its own claim). */
  claimedRecently(mac: number, ip: number): boolean {
    const b = this.#ctx.history.mac(mac)?.ips.get(ip);
    return b !== undefined && b.last >= this.#ctx.t - this.#ctx.windowMs;
  }

  /**
   * Looks at `mac` after its claim of `ip` was recorded. `previous` is the address it claimed last before
   * (-1 for none); `asked` the address it is asking for that it claimed itself (-1 for none).
   */
  check(mac: number, ip: number, previous: number, asked: number): void {
    const ctx = this.#ctx, t = ctx.t, c = ctx.counters, since = t - ctx.windowMs;
    const rec = ctx.history.mac(mac);
    if (rec === undefined) return;
    // Counted first, gathered only past the standing incident below: a MAC answering for many addresses
    // comes here with every claim, and nearly every one only keeps its incident standing.
    let liveCount = 0;
    for (const b of rec.ips.values()) if (b.last >= since && ++liveCount === 2) break;
    if (liveCount < 2) {
      if (previous >= 0 && previous !== ip) c.renumbered_silent++;
      return;
    }
    if (ctx.allow.has(mac)) return void c.allowlist_suppressed++;
    if (isVirtualRouterMac(mac)) return void c.virtual_mac_suppressed++;
    const h = ctx.history;
    if (h.standing(SLOT_SPOOF, mac, 0, t, ctx.quietMs)) {
      // Reported already: the incident goes on (a MAC answering for many addresses keeps it standing at
      // the cost of this), and only its turning critical, judged by the claim now, is news.
      const critical = asked >= 0 || (!ctx.owns(mac, ip, t) && ctx.isGatewayAgainst(mac, ip));
      if (!critical || h.standing(SLOT_SPOOF_CRITICAL, mac, 0, t, ctx.quietMs)) {
        h.raise(SLOT_SPOOF, mac, 0, t, ctx.quietMs);
        if (critical) h.raise(SLOT_SPOOF_CRITICAL, mac, 0, t, ctx.quietMs);
        if (rec.ips.get(ip)?.first === t) c.incident_updates++;
        else c.repeats_suppressed++;
        return;
      }
    }
    // Judged address by address without allocating: nearly every claim that comes here ends as a host's
    // secondaries or a repeat, and gathering the incident (its addresses, their gateways and rivals) for each
    // made a flood of claims cost ~200 objects a frame. Gathered below only for an event.
    const learned = ctx.learningEnd(), router = ctx.traffic.routerMac();
    if (asked < 0 && this.#stillQuiet(mac, ip, since, learned, router)) {
      return void c.secondaries_suppressed++;
    }
    let critical = asked >= 0, contested = false, established = true;
    for (const b of rec.ips.values()) {
      if (b.last < since) continue;
      // isGateway learns what gatewayOf would
      if (!ctx.ownsBinding(b, t, learned) && ctx.isGatewayAgainst(mac, b.ip, router)) critical = true;
      if (!contested && this.#contested(b, since)) contested = true;
      if (established && !ctx.established(b.first, t, learned)) established = false;
    }
    // A host's secondaries: all its own (no other MAC claims them), held long or learned. During learning
    // they are being learned: only a critical claim or one another MAC also makes is news.
    if (!critical && !contested && (t < learned || established)) {
      this.#quietMac = mac;
      this.#quietAt = t;
      this.#quietLearned = learned;
      this.#quietRouter = router;
      this.#quietShared = h.sharedClaimsEpoch;
      this.#quietGateways = ctx.gateways.version;
      return void c.secondaries_suppressed++;
    }
    this.#quietMac = -1;
    const dhcpAt = ctx.traffic.dhcpSince(mac, since);
    if (dhcpAt !== null && !critical && !contested) {
      return void c.renumbered_dhcp++;
    }
    const firstReport = h.raise(SLOT_SPOOF, mac, 0, t, ctx.quietMs);
    const criticalReport = critical && h.raise(SLOT_SPOOF_CRITICAL, mac, 0, t, ctx.quietMs);
    if (!(critical ? criticalReport : firstReport)) {
      // Part of an incident already reported: a new address updates it, anything else is a repeat.
      if (rec.ips.get(ip)?.first === t) c.incident_updates++;
      else c.repeats_suppressed++;
      return;
    }
    const escalated = critical && !firstReport;
    if (escalated) c.escalations++;
    if (!ctx.allowed("arp_spoof")) return;
    const live: ArpBinding[] = [];
    for (const b of rec.ips.values()) if (b.last >= since) live.push(b);
    live.sort((a, b) => a.first - b.first || a.ip - b.ip);
    const addresses: SpoofAddress[] = live.map((b) => ({
      ip: b.ip,
      first: b.first,
      last: b.last,
      gateway: ctx.owns(mac, b.ip, t) ? null : ctx.gatewayAgainst(mac, b.ip),
      others: this.#others(b, since),
    }));
    const text = spoofIncident({
      mac,
      vendor: ctx.vendorOf(mac),
      addresses,
      asked: asked >= 0 ? { ip: asked, from: ip } : null,
      escalated,
      dhcpAt,
      windowMs: ctx.windowMs,
      party: (p) => ctx.party(p),
    });
    ctx.emit("arp_spoof", critical ? "critical" : "warning", mac, subject(addresses, asked), text);
  }

  /**
   * Whether `mac`, judged unremarkable last (see #quietMac) with nothing read since changed, stays so with
   * its claim of `ip`: that one binding judged as the walk over all of them would.
   */
  #stillQuiet(mac: number, ip: number, since: number, learned: number, router: number): boolean {
    const ctx = this.#ctx, t = ctx.t, h = ctx.history;
    if (
      mac !== this.#quietMac || t < this.#quietAt || learned !== this.#quietLearned ||
      router !== this.#quietRouter || h.sharedClaimsEpoch !== this.#quietShared ||
      ctx.gateways.version !== this.#quietGateways
    ) return false;
    // The claim was just recorded: its binding is within the window.
    const b = h.mac(mac)?.ips.get(ip);
    if (b === undefined || this.#contested(b, since)) return false;
    if (t >= learned && !ctx.established(b.first, t, learned)) return false;
    // isGateway may learn a gateway (the gateways' version moves): then the walk below runs once more.
    if (!ctx.ownsBinding(b, t, learned) && ctx.isGatewayAgainst(mac, ip, router)) return false;
    if (ctx.gateways.version !== this.#quietGateways) return false;
    this.#quietAt = t;
    return true;
  }

  /** Whether another MAC claimed the address of `mine` within the window ({@link #others} is not empty). */
  #contested(mine: ArpBinding, since: number): boolean {
    for (const b of mine.ipRec.claims) if (b.mac !== mine.mac && b.last >= since) return true;
    return false;
  }

  /** The other MACs that claimed the address of `mine` within the window. */
  #others(mine: ArpBinding, since: number): Party[] {
    const out: Party[] = [];
    for (const b of mine.ipRec.claims) {
      if (b.mac !== mine.mac && b.last >= since) out.push({ mac: b.mac, first: b.first, last: b.last });
    }
    return out;
  }
}

/**
 * The address an incident is filed under: a spoofed gateway, else the one asked for, else the one claimed
 * most recently for the first time (the newcomer among its addresses). `addresses` is not empty.
 */
function subject(addresses: readonly SpoofAddress[], asked: number): number {
  const gateway = addresses.find((a) => a.gateway !== null);
  if (gateway) return gateway.ip;
  if (asked >= 0) return asked;
  let latest = addresses[0];
  for (const a of addresses) if (a.first > latest.first) latest = a;
  return latest.ip;
}
