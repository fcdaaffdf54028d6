/**
 * What the ARP watcher's rules (arp_rogue_rule.ts, arp_conflict_rule.ts, arp_spoof_rule.ts) share:
 * the settings, the counters, the claim being looked at, the per-type flood limit, publishing, and what
 * is known beyond ARP (which addresses are gateways, which MACs did DHCP; arp_gateways.ts,
 * arp_traffic.ts). The detector (arp_security.ts) sets the claim; the rules decide and emit.
 */
import type { ArpBinding, ArpHistory } from "../devices/mod.ts";
import { MinuteBudget } from "../base/mod.ts";
import { formatIpv4, formatMac, isLocallyAdministered } from "../net/mod.ts";
import {
  type Publish,
  SECURITY_EVENT_TYPES,
  type SecurityEvent,
  type SecurityEventType as AnySecurityEventType,
} from "../events/mod.ts";
import type { ArpTableEntry } from "../snmp/mod.ts";
import { type ArpSecurityCounters, zeroCounters } from "./arp_security_counters.ts";
import { type Explanation, iso, packetEvidence, type Party, rateLimited } from "./arp_security_events.ts";
import { GatewayBook, type GatewayFacts } from "./arp_gateways.ts";
import { type RouterGuess, TrafficFacts } from "./arp_traffic.ts";

/** How the current claim was seen. */
export const Kind = { Request: 1, Reply: 2, Gratuitous: 3, Probe: 4, Snmp: 5 } as const;
const KIND_NAMES = ["", "request", "reply", "gratuitous", "probe", "snmp_arp_table"];
/**
 * Condition slots in the history's standing-alert store. An arp_spoof incident stands per MAC (IP 0):
 * SLOT_SPOOF once it was reported, SLOT_SPOOF_CRITICAL once it was reported as critical.
 */
export const SLOT_SPOOF = 1, SLOT_CONFLICT = 2, SLOT_SPOOF_CRITICAL = 3;
/**
 * Events of one type per minute (of capture time) at most: a MAC flood (macof), forged claims from
 * invented MACs or a whole switch plugged in is one story for a person, not thousands of mails and
 * history rows. The next event of the type says how many went unreported.
 */
const EVENTS_PER_MINUTE = 60;
/** The security event types the ARP rules raise (block-list hits are blocklist_watch.ts's). */
type SecurityEventType = Exclude<AnySecurityEventType, "blocklisted">;

/** The fixed part of an {@link ArpRuleContext}; durations in ms. */
export interface ArpRuleSettings {
  history: ArpHistory;
  publish: Publish;
  learningMs: number;
  windowMs: number;
  stableMs: number;
  quietMs: number;
  /** Allow-listed MACs (48-bit integers). */
  allow: ReadonlySet<number>;
  vendor: (mac: string) => string | null;
}

/** See the module comment. */
export class ArpRuleContext {
  readonly history: ArpHistory;
  readonly allow: ReadonlySet<number>;
  readonly windowMs: number;
  readonly stableMs: number;
  readonly quietMs: number;
  /** The learning period, ms (changeable: PUT /config/alerts). */
  learningMs: number;
  readonly counters: ArpSecurityCounters = zeroCounters();
  /** Addresses known to be gateways, and how. */
  readonly gateways: GatewayBook = new GatewayBook();
  /** DHCP sightings and the routing MAC, from the IPv4 rows. */
  readonly traffic: TrafficFacts;
  readonly #publish: Publish;
  readonly #vendor: (mac: string) => string | null;
  readonly #budgets = {} as Record<SecurityEventType, MinuteBudget>;
  // The claim being looked at; fields rather than an object so that a packet allocates nothing.
  #t = 0;
  #kind: number = Kind.Request;
  #eth = 0;
  #sha = 0;
  #tha = 0;
  #tpa = 0;
  #vlan = 0;
  #entry: ArpTableEntry | null = null;
  #latest = -Infinity;

  constructor(s: ArpRuleSettings) {
    this.history = s.history;
    this.#publish = s.publish;
    this.learningMs = s.learningMs;
    this.windowMs = s.windowMs;
    this.stableMs = s.stableMs;
    this.quietMs = s.quietMs;
    this.allow = s.allow;
    this.#vendor = s.vendor;
    for (const t of SECURITY_EVENT_TYPES) {
      if (t !== "blocklisted") this.#budgets[t] = new MinuteBudget(EVENTS_PER_MINUTE);
    }
    this.traffic = new TrafficFacts(
      s.windowMs,
      (guess) => this.#learnRouter(guess),
      (mac) => this.history.mac(mac)?.ips,
    );
  }

  /** Time of the current claim, ms. */
  get t(): number {
    return this.#t;
  }

  /** How the current claim was seen (a {@link Kind}). */
  get kind(): number {
    return this.#kind;
  }

  /** The latest time seen so far, ms; -Infinity before anything. */
  get latest(): number {
    return this.#latest;
  }

  /** Makes (t, kind, the ARP fields or the polled row) the current claim. */
  set(
    t: number,
    kind: number,
    eth: number,
    sha: number,
    tha: number,
    tpa: number,
    vlan: number,
    e: ArpTableEntry | null,
  ): void {
    this.#t = t;
    this.#kind = kind;
    this.#eth = eth;
    this.#sha = sha;
    this.#tha = tha;
    this.#tpa = tpa;
    this.#vlan = vlan;
    this.#entry = e;
    if (t > this.#latest) this.#latest = t;
  }

  /** Drops the polled row once a table is done (it must not outlive its poll). */
  clearEntry(): void {
    this.#entry = null;
  }

  /** When learning ends, ms; Infinity before the first sighting. */
  learningEnd(): number {
    const start = this.history.learningStartMs;
    return start === null ? Infinity : start + this.learningMs;
  }

  /**
   * A hold since `first` is established at `t`: stable long enough, or learned before learning ended (`end`:
   * learningEnd(), passed by a caller asking for many holds).
   */
  established(first: number, t: number, end = this.learningEnd()): boolean {
    return first <= t - this.stableMs || (first < end && t >= end);
  }

  /**
   * What makes `ip` a gateway, or null: this appliance's routes, a polled device's default route, or the
   * address of the MAC that forwards traffic from many sources (looked up now if not learned before).
   */
  gatewayOf(ip: number): GatewayFacts | null {
    const known = this.gateways.facts(ip);
    if (known?.traffic) return known;
    const router = this.traffic.router();
    if (router === null || !this.#firstClaimer(router.mac, ip)) return known;
    this.gateways.noteTraffic(ip, router.mac, router.score);
    return this.gateways.facts(ip);
  }

  /**
   * `gatewayOf(ip) !== null`, learning what gatewayOf learns, without allocating: a claim is judged on every
   * address its MAC holds, and a MAC answering for many addresses comes with every claim. `router`: the
   * routing MAC (`traffic.routerMac()`, which a caller asking for many addresses reads once), or -1.
   */
  isGateway(ip: number, router = this.traffic.routerMac()): boolean {
    const g = this.gateways;
    if (g.learnedFromTraffic(ip)) return true;
    if (router < 0 || !this.#firstClaimer(router, ip)) return g.isKnown(ip);
    const guess = this.traffic.router()!;
    g.noteTraffic(ip, guess.mac, guess.score);
    return true;
  }

  /**
   * {@link isGateway} for a claim of `ip` by `mac`, unless all that makes `ip` a gateway is that it is the
   * address of `mac` itself as the routing MAC: a router answering for its own address claims no gateway,
   * also before it has held the address long enough to own it (the first hour after Flintnet starts).
   */
  isGatewayAgainst(mac: number, ip: number, router = this.traffic.routerMac()): boolean {
    // The routing MAC's own claims: its traffic would only make them its own, so only the other evidence
    // counts, and nothing is learned. (Learning here made every claim of a router answering for thousands
    // of addresses learn one more gateway, so the next claim walked them all again: 0.2 s a replay.)
    if (mac === router) return this.gateways.isKnownApartFrom(ip, mac);
    return this.isGateway(ip, router) && this.gateways.isKnownApartFrom(ip, mac);
  }

  /** {@link gatewayOf} for a claim of `ip` by `mac`, null as {@link isGatewayAgainst} is false. */
  gatewayAgainst(mac: number, ip: number): GatewayFacts | null {
    const f = mac === this.traffic.routerMac() ? this.gateways.facts(ip) : this.gatewayOf(ip);
    return f !== null && this.gateways.isKnownApartFrom(ip, mac) ? f : null;
  }

  /**
   * `mac` owns `ip`: it held it first (no other MAC claimed it earlier) and long enough to be established.
   * A router answering for its own address is not spoofing it.
   */
  owns(mac: number, ip: number, t: number): boolean {
    const mine = this.history.mac(mac)?.ips.get(ip);
    return mine !== undefined && this.ownsBinding(mine, t);
  }

  /** {@link owns} for a binding in hand: its MAC owns its address (`end`: as for {@link established}). */
  ownsBinding(mine: ArpBinding, t: number, end = this.learningEnd()): boolean {
    return this.established(mine.first, t, end) && this.#claimedFirst(mine);
  }

  /**
   * Whether `mac`, sending from `ip`, is a gateway, learning nothing (for readers outside the ARP rules, whose
   * asking must not change what the rules find): `mac` routes and claimed `ip` first, or `mac` holds `ip` now
   * and holds a gateway's address — `ip` itself or another (a router asks from its own address on the LAN, and
   * the default gateway may be a second address of it: a VRRP address answered with its own MAC, say).
   */
  isGatewaySender(mac: number, ip: number): boolean {
    if (mac === this.traffic.routerMac() && this.#firstClaimer(mac, ip)) return true;
    const h = this.history;
    if (h.ipRecord(ip)?.lastMac !== mac) return false;
    return this.gateways.isKnown(ip) || this.gateways.someAddress((gw) => h.ipRecord(gw)?.lastMac === mac);
  }

  /** No MAC but `mac` claimed `ip` before `mac` did (and `mac` did). */
  #firstClaimer(mac: number, ip: number): boolean {
    const mine = this.history.mac(mac)?.ips.get(ip);
    return mine !== undefined && this.#claimedFirst(mine);
  }

  /** No other MAC claimed the binding's address before its MAC did. */
  #claimedFirst(mine: ArpBinding): boolean {
    for (const b of mine.ipRec.claims) if (b.mac !== mine.mac && b.first < mine.first) return false;
    return true;
  }

  /** The routing MAC's own addresses are gateways (called once per window, see arp_traffic.ts). */
  #learnRouter(guess: RouterGuess): void {
    const rec = this.history.mac(guess.mac);
    if (rec === undefined) return;
    for (const ip of rec.ips.keys()) {
      if (this.#firstClaimer(guess.mac, ip)) this.gateways.noteTraffic(ip, guess.mac, guess.score);
    }
  }

  /** True when an event of `type` may go out this minute (see EVENTS_PER_MINUTE); else counted. */
  allowed(type: SecurityEventType): boolean {
    if (this.#budgets[type].take(this.#t)) return true;
    this.counters.rate_limited++;
    return false;
  }

  /** A party as evidence: MAC, vendor, first and last seen. */
  party(p: Party): Record<string, unknown> {
    return {
      mac: formatMac(p.mac),
      vendor: this.vendorOf(p.mac),
      first_seen: Number.isFinite(p.first) ? iso(p.first) : null,
      last_seen: iso(p.last),
    };
  }

  /** The vendor of `mac` by its OUI; null for a locally administered one, which names none. */
  vendorOf(mac: number): string | null {
    return isLocallyAdministered(mac) ? null : this.#vendor(formatMac(mac));
  }

  /** Counts and publishes an event about the current claim. */
  emit(
    type: SecurityEventType,
    severity: SecurityEvent["severity"],
    mac: number,
    ip: number,
    text: Explanation,
  ): void {
    this.counters[type]++;
    const unreported = this.#budgets[type].takeHeldBack();
    const sentences = [...text.sentences, rateLimited(type, unreported, EVENTS_PER_MINUTE)];
    const e = this.#entry;
    const packet = packetEvidence(KIND_NAMES[this.#kind], e, {
      eth: this.#eth,
      sha: this.#sha,
      tha: this.#tha,
      tpa: this.#tpa,
      vlan: this.#vlan,
    });
    this.#publish({
      kind: "security",
      ts: iso(this.#t),
      type,
      severity,
      mac: formatMac(mac),
      ip: formatIpv4(ip),
      vendor: this.vendorOf(mac),
      explanation: sentences.filter((s) => s !== "").join(" "),
      evidence: { ...packet, seen_at: iso(this.#t), ...text.evidence, unreported_before: unreported },
      source: e ? "snmp" : "capture",
    });
  }
}
