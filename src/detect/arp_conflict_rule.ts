/**
 * mac_spoof and duplicate_ip: one address claimed by two MACs at the same time (within the window).
 * A reply for an address another live MAC holds is mac_spoof; a gratuitous ARP, a flip-flop back to an
 * address held before, or an announcement after one's own probe showed the address taken is
 * duplicate_ip. An address whose old MAC fell silent for longer than the window moved (a DHCP lease
 * change): counted, not alerted. A reply whose Ethernet source is not its ARP sender is mac_spoof too.
 * Critical when the address is a gateway (arp_gateways.ts), warning otherwise. A newcomer whose arp_spoof
 * incident stands (it claims several addresses, this one among them) is reported there, not again here.
 *
 * Remembers recent probes for addresses in use (bounded), in case the prober announces anyway.
 */
import type { ArpBinding } from "../devices/mod.ts";
import { addressConflict, type Party, senderMismatch } from "./arp_security_events.ts";
import { type ArpRuleContext, Kind, SLOT_CONFLICT, SLOT_SPOOF } from "./arp_rule_context.ts";
import { isVirtualRouterMac } from "./virtual_macs.ts";

/** Probes remembered at most, waiting for their announcement. */
const MAX_PROBES = 4096;

interface Probe {
  ip: number;
  at: number;
  owners: number[];
}

/** See the module comment. */
export class ArpConflictRule {
  readonly #ctx: ArpRuleContext;
  #probes = new Map<number, Probe>();

  constructor(ctx: ArpRuleContext) {
    this.#ctx = ctx;
  }

  /**
   * `mac` claims `ip`, last claimed by another MAC (or announced for the first time): a conflict if
   * another claimer is still live. `claims` are those on `ip`; `before` is `mac`'s own earlier hold.
   */
  conflict(mac: number, ip: number, claims: readonly ArpBinding[], before: { first: number } | null): void {
    const ctx = this.#ctx, t = ctx.t, c = ctx.counters;
    const live: ArpBinding[] = [];
    let virtual = isVirtualRouterMac(mac);
    let moved = false;
    for (const b of claims) {
      if (b.mac === mac) continue;
      if (b.last < t - ctx.windowMs) moved = true;
      else if (isVirtualRouterMac(b.mac)) virtual = true;
      else live.push(b);
    }
    const probe = this.#probes.get(mac);
    const probed = ctx.kind === Kind.Gratuitous && probe !== undefined && probe.ip === ip &&
        probe.at >= t - ctx.windowMs
      ? probe
      : undefined;
    if (virtual && (live.length > 0 || moved)) {
      c.virtual_mac_suppressed++;
      return;
    }
    const parties: Party[] = live.map((b) => ({ mac: b.mac, first: b.first, last: b.last }));
    if (parties.length === 0 && probed !== undefined) {
      for (const o of probed.owners) {
        const b = claims.find((x) => x.mac === o);
        if (o !== mac) parties.push({ mac: o, first: b?.first ?? probed.at, last: b?.last ?? probed.at });
      }
    }
    if (parties.length === 0) {
      if (moved) c.lease_changes++;
      return;
    }
    const own: Party = { mac, first: before?.first ?? t, last: t };
    let newcomer = own, older = own;
    for (const p of parties) {
      if (p.first > newcomer.first) newcomer = p;
      if (p.first < older.first) older = p;
    }
    if (ctx.allow.has(newcomer.mac)) {
      c.allowlist_suppressed++;
      return;
    }
    if (ctx.history.standing(SLOT_SPOOF, newcomer.mac, 0, t, ctx.quietMs)) {
      // The newcomer's arp_spoof incident stands: the address is one of its claims, listed there.
      c.incident_updates++;
      return;
    }
    if (!ctx.history.raise(SLOT_CONFLICT, newcomer.mac, ip, t, ctx.quietMs)) {
      c.repeats_suppressed++;
      return;
    }
    const flip = before !== null;
    const gratuitous = ctx.kind === Kind.Gratuitous;
    const type = gratuitous || flip || probed !== undefined ? "duplicate_ip" : "mac_spoof";
    if (!ctx.allowed(type)) return;
    const gateway = ctx.gatewayOf(ip);
    const text = addressConflict({
      type,
      own,
      parties,
      newcomer,
      older,
      ip,
      gratuitous,
      probe: probed,
      flip,
      gateway,
      windowMs: ctx.windowMs,
      party: (p) => ctx.party(p),
    });
    ctx.emit(type, gateway !== null ? "critical" : "warning", newcomer.mac, ip, text);
  }

  /** A reply whose Ethernet source `eth` is not its ARP sender `sha`: a MAC speaking for another. */
  mismatch(eth: number, sha: number, spa: number): void {
    const ctx = this.#ctx, c = ctx.counters;
    if (isVirtualRouterMac(eth) || isVirtualRouterMac(sha)) return void c.virtual_mac_suppressed++;
    if (ctx.allow.has(eth)) return void c.allowlist_suppressed++;
    if (!ctx.history.raise(SLOT_CONFLICT, eth, spa, ctx.t, ctx.quietMs)) return void c.repeats_suppressed++;
    if (!ctx.allowed("mac_spoof")) return;
    const gateway = ctx.gatewayOf(spa);
    const text = senderMismatch(eth, sha, spa, ctx.vendorOf(sha), gateway);
    ctx.emit("mac_spoof", gateway !== null ? "critical" : "warning", eth, spa, text);
  }

  /** Remembers a probe by `mac` for `ip` if the address is in use, in case the prober announces it anyway. */
  probe(mac: number, ip: number): void {
    const ctx = this.#ctx;
    const rec = ctx.history.ipRecord(ip);
    if (rec === undefined) return;
    const t = ctx.t, owners: number[] = [];
    for (const b of rec.claims) if (b.mac !== mac && b.last >= t - ctx.windowMs) owners.push(b.mac);
    if (owners.length === 0) return;
    this.#probes.delete(mac);
    if (this.#probes.size >= MAX_PROBES) this.#probes.delete(this.#probes.keys().next().value!);
    this.#probes.set(mac, { ip, at: t, owners });
  }

  /** Forgets probes made before `beforeMs`. */
  prune(beforeMs: number): void {
    for (const [mac, p] of this.#probes) if (p.at < beforeMs) this.#probes.delete(mac);
  }
}
