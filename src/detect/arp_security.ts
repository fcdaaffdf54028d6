/**
 * The ARP watcher (arpwatch's view, plus SNMP-polled ARP tables): new devices, one MAC claiming
 * several addresses, one address claimed by several MACs, and address conflicts.
 *
 * A "claim" is a (MAC, IPv4) pair a packet vouches for: the sender fields of every ARP request,
 * reply and gratuitous ARP, or a row of a polled ARP table. ARP probes (sender IP 0.0.0.0, RFC 5227
 * §2.1.1) claim nothing. Only a change makes work: a MAC claiming another address than the one it
 * claimed last, or an address claimed by another MAC than the last one. Re-claims of a known binding,
 * nearly every ARP packet, touch two timestamps and allocate nothing.
 *
 * "At the same time" means within `conflictWindowS`. An address that moves to another MAC after the
 * old one fell silent for longer than that is a DHCP lease change: recorded, not alerted.
 *
 * The IPv4 rows of the same batches are read too, at the cost of a few comparisons each (arp_traffic.ts):
 * which MACs did DHCP (renumbering, not spoofing) and which MAC routes (its address is a gateway).
 *
 * This file classifies each claim and dispatches it to the rules: arp_rogue_rule.ts (rogue_device),
 * arp_conflict_rule.ts (mac_spoof, duplicate_ip), arp_spoof_rule.ts (arp_spoof); what they share
 * (settings, counters, the current claim, the flood limit, publishing, gateways) is arp_rule_context.ts.
 */
import { type PacketBatch, RowKind } from "../decode/mod.ts";
import type { ArpHistory } from "../devices/mod.ts";
import { parseIpv4, parseMac } from "../net/mod.ts";
import type { ArpTableEntry } from "../snmp/mod.ts";
import { ArpConflictRule } from "./arp_conflict_rule.ts";
import { sightMac } from "./arp_rogue_rule.ts";
import { ArpRuleContext, Kind } from "./arp_rule_context.ts";
import type { ArpSecuritySnapshot } from "./arp_security_counters.ts";
import { ArpSpoofRule } from "./arp_spoof_rule.ts";
import type { Detector } from "../flow/mod.ts";
import type { Publish } from "../events/mod.ts";

export type { ArpSecurityCounters, ArpSecuritySnapshot } from "./arp_security_counters.ts";

/** Options of an {@link ArpSecurityDetector}. */
export interface ArpSecurityOptions {
  /** Where bindings, known MACs and standing alerts live (and persist). */
  history: ArpHistory;
  /** Where events go. */
  publish: Publish;
  /** Seconds after the first sighting during which new MACs are learned quietly (FLINTNET_LEARNING_PERIOD). */
  learningPeriodS: number;
  /** MACs never reported (routers with proxy ARP, hosts with many addresses), "aa:bb:cc:dd:ee:ff". */
  allowMacs?: readonly string[];
  /** Two claims this close together, in seconds, are "at the same time". @default 60 */
  conflictWindowS?: number;
  /** A binding held this long, in seconds, is established (a learned secondary; a gateway's address). @default 3600 */
  stableS?: number;
  /** A standing condition is reported again only after it went unseen this long, in seconds. @default 3600 */
  quietS?: number;
  /** Vendor of a MAC from its OUI, or null. */
  vendor?: (mac: string) => string | null;
  /**
   * This appliance's default gateways (dotted quads), read at start and once per window after; a MAC
   * that claims one it does not own is critical. The daemon reads /proc/net/route; replay has none (the
   * capture was not taken here).
   */
  routeGateways?: () => readonly string[];
  /** Clock for `learning` before any packet was seen. @default Date.now */
  now?: () => number;
}

/** ff:ff:ff:ff:ff:ff */
const BROADCAST = 0xffffffffffff;

/** See the module comment. */
export class ArpSecurityDetector implements Detector {
  readonly name = "arp_security";
  /**
   * Per row of the batch onRows saw last: 1 for an ARP request that is a gateway finding a neighbour the
   * network knows ({@link gatewayAsksKnownNeighbour}, judged as the row came, before its own claim), else 0.
   * The host-sweep count reads it after this detector (AnalysisEngine.arpProbes), so a judgment never
   * depends on where a batch ends.
   */
  neighbourRequests: Uint8Array = new Uint8Array(0);
  readonly #ctx: ArpRuleContext;
  readonly #conflicts: ArpConflictRule;
  readonly #spoof: ArpSpoofRule;
  readonly #now: () => number;
  readonly #routeGateways: () => readonly string[];
  #prunedAt = -Infinity;

  /** @throws RangeError for a malformed allow-list MAC or a negative duration */
  constructor(opts: ArpSecurityOptions) {
    const learningMs = seconds("learningPeriodS", opts.learningPeriodS);
    const windowMs = seconds("conflictWindowS", opts.conflictWindowS ?? 60);
    const stableMs = seconds("stableS", opts.stableS ?? 3600);
    const quietMs = seconds("quietS", opts.quietS ?? 3600);
    const allow = new Set((opts.allowMacs ?? []).map((m) => {
      const v = parseMac(m.trim());
      if (v === undefined) {
        throw new RangeError(`allow-listed MAC "${m}" is not valid; accepted: aa:bb:cc:dd:ee:ff`);
      }
      return v;
    }));
    this.#ctx = new ArpRuleContext({
      history: opts.history,
      publish: opts.publish,
      learningMs,
      windowMs,
      stableMs,
      quietMs,
      allow,
      vendor: opts.vendor ?? (() => null),
    });
    this.#conflicts = new ArpConflictRule(this.#ctx);
    this.#spoof = new ArpSpoofRule(this.#ctx);
    this.#now = opts.now ?? Date.now;
    this.#routeGateways = opts.routeGateways ?? (() => []);
    this.#readRoutes();
  }

  /** The learning period, seconds. */
  get learningPeriodS(): number {
    return this.#ctx.learningMs / 1000;
  }

  /**
   * Changes the learning period (PUT /config/alerts), counted from the same start as before: a longer
   * one resumes learning if its end is still ahead, a shorter one may end it at once.
   * @throws RangeError unless a number of seconds ≥ 0
   */
  set learningPeriodS(s: number) {
    this.#ctx.learningMs = seconds("learningPeriodS", s);
  }

  /** True while new MACs are still being learned quietly (on the clock of what was observed). */
  get learning(): boolean {
    const ctx = this.#ctx;
    const start = ctx.history.learningStartMs;
    if (start === null) return ctx.learningMs > 0;
    const at = ctx.latest === -Infinity ? this.#now() : ctx.latest;
    return at < start + ctx.learningMs;
  }

  /** Makes `mac` known (no rogue_device for it again); false when it was never seen or is not a MAC. */
  acknowledge(mac: string): boolean {
    const m = parseMac(mac);
    return m !== undefined && this.#ctx.history.acknowledge(m);
  }

  /** A snapshot of the counters, with the gateways known. */
  counters(): ArpSecuritySnapshot {
    const ctx = this.#ctx;
    return {
      ...ctx.counters,
      learning: this.learning,
      dhcp_seen: ctx.traffic.dhcpSeen,
      gateways: ctx.gateways.list(),
    };
  }

  /**
   * A polled device's default route goes through `nextHop` (dotted quad; null when it has none): a claim
   * of that address by a MAC that does not own it is critical.
   */
  notePolledGateway(device: string, nextHop: string | null): void {
    this.#ctx.gateways.notePolled(device, nextHop === null ? null : parseIpv4(nextHop) ?? null);
  }

  /**
   * Whether an ARP request from `mac` at `senderIp` for `targetIp` is a gateway finding again a neighbour the
   * network knows: the sender is a gateway ({@link ArpRuleContext.isGatewaySender}) and another MAC has claimed
   * the target in ARP. A Linux router whose neighbour cache is past gc_thresh1 (128 entries) drops each entry
   * left stale for a minute and asks for the host by broadcast when traffic for it arrives; on a LAN of a
   * few hundred hosts that is a steady stream of broadcast requests for hosts that are there. Learns nothing.
   */
  gatewayAsksKnownNeighbour(mac: number, senderIp: number, targetIp: number): boolean {
    const ctx = this.#ctx;
    const target = ctx.history.ipRecord(targetIp);
    if (target === undefined || !ctx.isGatewaySender(mac, senderIp)) return false;
    for (const b of target.claims) if (b.mac !== mac) return true;
    return false;
  }

  onRows(batch: PacketBatch, from: number, to: number): void {
    const kind = batch.kind, traffic = this.#ctx.traffic;
    if (this.neighbourRequests.length < batch.capacity) {
      this.neighbourRequests = new Uint8Array(batch.capacity);
    }
    traffic.forgetClaims(); // the history may have changed since the last batch (a polled ARP table, pruning)
    // The IPv4 rows between two ARP rows in one call each: a few comparisons a row, nothing allocated (see
    // arp_traffic.ts); the ARP rows in their place among them, as the history they change is read there.
    let run = from;
    for (let i = from; i < to; i++) {
      if (kind[i] !== RowKind.Arp) continue;
      if (run < i) traffic.observeRows(batch, run, i);
      run = i + 1;
      this.neighbourRequests[i] = 0;
      try {
        this.#row(batch, i);
      } catch {
        this.#ctx.counters.errors++;
      }
      traffic.forgetClaims();
    }
    if (run < to) traffic.observeRows(batch, run, to);
    this.#prune();
  }

  /** Rows of an ARP table polled over SNMP at `atMs` (ipNetToMediaTable / ipNetToPhysicalTable). */
  observeArpTable(entries: readonly ArpTableEntry[], atMs: number): void {
    const ctx = this.#ctx, c = ctx.counters;
    for (const e of entries) {
      try {
        const mac = typeof e.mac === "string" ? parseMac(e.mac) : undefined;
        const ip = typeof e.ip === "string" ? parseIpv4(e.ip) : undefined;
        // ipNetToMediaType invalid(2) marks a row the agent has invalidated (RFC 1213).
        if (
          mac === undefined || ip === undefined || ip === 0 || mac === 0 || mac === BROADCAST ||
          e.type === "invalid"
        ) {
          c.snmp_invalid++;
          continue;
        }
        c.snmp_entries++;
        ctx.set(atMs, Kind.Snmp, 0, mac, 0, ip, 0, e);
        this.#claim(mac, ip);
      } catch {
        c.errors++;
      }
    }
    ctx.clearEntry();
    this.#prune();
  }

  #row(b: PacketBatch, i: number): void {
    const ctx = this.#ctx, c = ctx.counters;
    c.arp_packets++;
    const op = b.arpOp[i], sha = b.arpSha[i], eth = b.ethSrc[i];
    const spa = b.src[i << 2], tpa = b.dst[i << 2];
    if (sha === 0 || sha === BROADCAST) {
      c.ignored++;
      return;
    }
    const kind = op === 1 && spa === 0
      ? Kind.Probe
      : spa === tpa
      ? Kind.Gratuitous
      : op === 2
      ? Kind.Reply
      : Kind.Request;
    ctx.set(b.tsMs[i], kind, eth, sha, b.arpTha[i], tpa, b.vlan[i], null);
    if (kind === Kind.Probe) c.probes++;
    else if (kind === Kind.Gratuitous) c.gratuitous++;
    else if (kind === Kind.Reply) c.replies++;
    else c.requests++;
    if (eth !== 0 && eth !== sha) {
      c.eth_src_mismatch++;
      sightMac(ctx, eth, kind === Kind.Probe ? tpa : spa);
      if (op === 2 && spa !== 0) this.#conflicts.mismatch(eth, sha, spa);
    }
    if (kind === Kind.Probe) {
      sightMac(ctx, sha, tpa);
      this.#conflicts.probe(sha, tpa);
    } else if (spa !== 0) {
      // Asking who has an address it claimed itself: the poisoner looking up the real owner.
      const asked = kind === Kind.Request && this.#spoof.claimedRecently(sha, tpa) ? tpa : -1;
      // judged as the request comes, before its own claim counts
      if (kind === Kind.Request && this.gatewayAsksKnownNeighbour(sha, spa, tpa)) {
        this.neighbourRequests[i] = 1;
      }
      this.#claim(sha, spa, asked);
    } else {
      sightMac(ctx, sha, tpa);
    }
  }

  /**
   * `mac` claims `ip`: nothing to do for a known binding, else the rules look at what changed. `asked`:
   * the address it asks for in the same packet that it claimed itself within the window, or -1.
   */
  #claim(mac: number, ip: number, asked = -1): void {
    const ctx = this.#ctx, h = ctx.history;
    if (h.refresh(mac, ip, ctx.t)) {
      // Nearly every packet: nothing changed, nothing allocated.
      if (asked >= 0) this.#spoof.check(mac, ip, ip, asked);
      return;
    }
    sightMac(ctx, mac, ip);
    const rec = h.mac(mac)!;
    const cur = rec.current;
    const ipRec = h.ipRecord(ip);
    const mine = rec.ips.get(ip);
    const before = mine === undefined ? null : { first: mine.first, last: mine.last };
    // Another MAC claimed it last, or a first announcement: the conflict rule looks (after the spoof rule,
    // so that a claim that is part of an arp_spoof incident is reported once, as that incident).
    const rivals = ipRec !== undefined && ipRec.lastMac !== mac
      ? [...ipRec.claims]
      : ipRec === undefined && ctx.kind === Kind.Gratuitous
      ? []
      : null;
    const previous = cur === null ? -1 : cur.ip;
    h.claim(mac, ip, ctx.t);
    this.#spoof.check(mac, ip, previous, asked);
    if (rivals !== null) this.#conflicts.conflict(mac, ip, rivals, before);
  }

  #prune(): void {
    const ctx = this.#ctx, latest = ctx.latest;
    if (latest - this.#prunedAt < ctx.windowMs) return;
    this.#prunedAt = latest;
    this.#readRoutes();
    ctx.history.pruneConditions(latest - ctx.quietMs);
    this.#conflicts.prune(latest - ctx.windowMs);
  }

  /** Takes this appliance's default gateways from the probe; one that fails leaves none (counted). */
  #readRoutes(): void {
    const ips: number[] = [];
    try {
      for (const g of this.#routeGateways()) {
        const ip = parseIpv4(g);
        if (ip !== undefined && ip !== 0) ips.push(ip);
      }
    } catch {
      this.#ctx.counters.errors++;
    }
    this.#ctx.gateways.setRoute(ips);
  }
}

function seconds(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) {
    throw new RangeError(`ArpSecurityDetector ${name} must be ≥ 0 seconds, got ${v}`);
  }
  return v * 1000;
}
