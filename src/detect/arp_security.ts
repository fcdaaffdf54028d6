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
 */
import type { PacketBatch } from "../decode/packet_batch.ts";
import { RowKind } from "../decode/packet_batch.ts";
import type { ArpBinding, ArpHistory } from "../devices/arp_history.ts";
import { isLocallyAdministered, parseMac } from "../devices/mac.ts";
import { SECURITY_EVENT_TYPES, type SecurityEvent, type SecurityEventType } from "../events.ts";
import { formatIpv4, formatMac, parseIpv4 } from "../flow/address.ts";
import type { ArpTableEntry } from "../snmp/snmp_types.ts";
import { type ArpSecurityCounters, zeroCounters } from "./arp_security_counters.ts";
import {
  addressConflict,
  type Explanation,
  iso,
  packetEvidence,
  type Party,
  rateLimited,
  rogueDevice,
  senderMismatch,
  severalAddresses,
} from "./arp_security_events.ts";
import type { Detector, Publish } from "./detector.ts";
import { isVirtualRouterMac } from "./virtual_macs.ts";

export type { ArpSecurityCounters } from "./arp_security_counters.ts";

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
  /** Clock for `learning` before any packet was seen. @default Date.now */
  now?: () => number;
}

/** How the current claim was seen. */
const Kind = { Request: 1, Reply: 2, Gratuitous: 3, Probe: 4, Snmp: 5 } as const;
const KIND_NAMES = ["", "request", "reply", "gratuitous", "probe", "snmp_arp_table"];
/** Condition slots in the history's standing-alert store. */
const SLOT_SPOOF = 1, SLOT_CONFLICT = 2;
/** ff:ff:ff:ff:ff:ff */
const BROADCAST = 0xffffffffffff;
/** Probes remembered at most, waiting for their announcement. */
const MAX_PROBES = 4096;
/**
 * Events of one type per minute (of capture time) at most: a MAC flood (macof), forged claims from
 * invented MACs or a whole switch plugged in is one story for a person, not thousands of mails and
 * history rows. The next event of the type says how many went unreported.
 */
const EVENTS_PER_MINUTE = 60;

/** One event type's allowance in the current minute. */
interface Budget {
  start: number;
  used: number;
  unreported: number;
}

interface Probe {
  ip: number;
  at: number;
  owners: number[];
}

/** See the module comment. */
export class ArpSecurityDetector implements Detector {
  readonly name = "arp_security";
  readonly #h: ArpHistory;
  readonly #publish: Publish;
  #learningMs: number;
  readonly #windowMs: number;
  readonly #stableMs: number;
  readonly #quietMs: number;
  readonly #allow: Set<number>;
  readonly #vendor: (mac: string) => string | null;
  readonly #now: () => number;
  readonly #c: ArpSecurityCounters = zeroCounters();
  #probes = new Map<number, Probe>();
  readonly #budgets = {} as Record<SecurityEventType, Budget>;
  #latest = -Infinity;
  #prunedAt = -Infinity;
  // The packet being looked at; fields rather than an object so that a packet allocates nothing.
  #t = 0;
  #kind: number = Kind.Request;
  #eth = 0;
  #sha = 0;
  #tha = 0;
  #tpa = 0;
  #vlan = 0;
  #entry: ArpTableEntry | null = null;

  /** @throws RangeError for a malformed allow-list MAC or a negative duration */
  constructor(opts: ArpSecurityOptions) {
    this.#h = opts.history;
    this.#publish = opts.publish;
    this.#learningMs = seconds("learningPeriodS", opts.learningPeriodS);
    this.#windowMs = seconds("conflictWindowS", opts.conflictWindowS ?? 60);
    this.#stableMs = seconds("stableS", opts.stableS ?? 3600);
    this.#quietMs = seconds("quietS", opts.quietS ?? 3600);
    this.#allow = new Set((opts.allowMacs ?? []).map((m) => {
      const v = parseMac(m.trim());
      if (v === undefined) {
        throw new RangeError(`allow-listed MAC "${m}" is not valid; accepted: aa:bb:cc:dd:ee:ff`);
      }
      return v;
    }));
    this.#vendor = opts.vendor ?? (() => null);
    this.#now = opts.now ?? Date.now;
    for (const t of SECURITY_EVENT_TYPES) this.#budgets[t] = { start: -Infinity, used: 0, unreported: 0 };
  }

  /** The learning period, seconds. */
  get learningPeriodS(): number {
    return this.#learningMs / 1000;
  }

  /**
   * Changes the learning period (PUT /config/alerts), counted from the same start as before: a longer
   * one resumes learning if its end is still ahead, a shorter one may end it at once.
   * @throws RangeError unless a number of seconds ≥ 0
   */
  set learningPeriodS(s: number) {
    this.#learningMs = seconds("learningPeriodS", s);
  }

  /** True while new MACs are still being learned quietly (on the clock of what was observed). */
  get learning(): boolean {
    const start = this.#h.learningStartMs;
    if (start === null) return this.#learningMs > 0;
    const at = this.#latest === -Infinity ? this.#now() : this.#latest;
    return at < start + this.#learningMs;
  }

  /** Makes `mac` known (no rogue_device for it again); false when it was never seen or is not a MAC. */
  acknowledge(mac: string): boolean {
    const m = parseMac(mac);
    return m !== undefined && this.#h.acknowledge(m);
  }

  /** A snapshot of the counters. */
  counters(): ArpSecurityCounters & { learning: boolean } {
    return { ...this.#c, learning: this.learning };
  }

  onRows(batch: PacketBatch, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (batch.kind[i] !== RowKind.Arp) continue;
      try {
        this.#row(batch, i);
      } catch {
        this.#c.errors++;
      }
    }
    this.#prune();
  }

  /** Rows of an ARP table polled over SNMP at `atMs` (ipNetToMediaTable / ipNetToPhysicalTable). */
  observeArpTable(entries: readonly ArpTableEntry[], atMs: number): void {
    for (const e of entries) {
      try {
        const mac = typeof e.mac === "string" ? parseMac(e.mac) : undefined;
        const ip = typeof e.ip === "string" ? parseIpv4(e.ip) : undefined;
        // ipNetToMediaType invalid(2) marks a row the agent has invalidated (RFC 1213).
        if (
          mac === undefined || ip === undefined || ip === 0 || mac === 0 || mac === BROADCAST ||
          e.type === "invalid"
        ) {
          this.#c.snmp_invalid++;
          continue;
        }
        this.#c.snmp_entries++;
        this.#set(atMs, Kind.Snmp, 0, mac, 0, ip, 0, e);
        this.#claim(mac, ip);
      } catch {
        this.#c.errors++;
      }
    }
    this.#entry = null;
    this.#prune();
  }

  #set(
    t: number,
    kind: number,
    eth: number,
    sha: number,
    tha: number,
    tpa: number,
    vlan: number,
    e: ArpTableEntry | null,
  ) {
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

  #row(b: PacketBatch, i: number): void {
    const c = this.#c;
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
    this.#set(b.tsMs[i], kind, eth, sha, b.arpTha[i], tpa, b.vlan[i], null);
    if (kind === Kind.Probe) c.probes++;
    else if (kind === Kind.Gratuitous) c.gratuitous++;
    else if (kind === Kind.Reply) c.replies++;
    else c.requests++;
    if (eth !== 0 && eth !== sha) {
      c.eth_src_mismatch++;
      this.#sight(eth, kind === Kind.Probe ? tpa : spa);
      if (op === 2 && spa !== 0) this.#mismatch(eth, sha, spa);
    }
    if (kind === Kind.Probe) {
      this.#sight(sha, tpa);
      this.#probe(sha, tpa);
    } else if (spa !== 0) {
      this.#claim(sha, spa);
    } else {
      this.#sight(sha, tpa);
    }
  }

  #learningEnd(): number {
    const start = this.#h.learningStartMs;
    return start === null ? Infinity : start + this.#learningMs;
  }

  /** First sight of a MAC: learned during the learning period, a rogue device after it. */
  #sight(mac: number, ip: number): void {
    const h = this.#h, t = this.#t;
    if (h.mac(mac) !== undefined) return;
    if (h.learningStartMs === null) h.learningStartMs = t;
    this.#c.new_macs++;
    h.touch(mac, t);
    if (t < this.#learningEnd()) {
      h.markKnown(mac);
      this.#c.learned++;
      return;
    }
    if (h.isKnown(mac)) return;
    if (this.#allow.has(mac)) {
      this.#c.allowlist_suppressed++;
      return;
    }
    if (!this.#allowed("rogue_device")) return;
    const probing = this.#kind === Kind.Probe;
    const text = rogueDevice({
      mac,
      ip,
      probing,
      vendor: this.#vendorOf(mac),
      learningEndMs: this.#learningEnd(),
    });
    this.#emit("rogue_device", "info", mac, ip, text);
  }

  #claim(mac: number, ip: number): void {
    const h = this.#h;
    if (h.refresh(mac, ip, this.#t)) return; // nearly every packet: nothing changed
    this.#sight(mac, ip);
    const rec = h.mac(mac)!;
    const cur = rec.current;
    const ipRec = h.ipRecord(ip);
    const mine = rec.ips.get(ip);
    const before = mine === undefined ? null : { first: mine.first, last: mine.last };
    if (ipRec !== undefined && ipRec.lastMac !== mac) this.#conflict(mac, ip, ipRec.claims, before);
    else if (ipRec === undefined && this.#kind === Kind.Gratuitous) this.#conflict(mac, ip, [], before);
    if (cur !== null && cur.ip !== ip && before !== null) this.#severalIps(mac, ip, rec.ips, cur, before);
    h.claim(mac, ip, this.#t);
  }

  /** `mac` claims `ip`, last claimed by another MAC: a conflict if that one is still live. */
  #conflict(mac: number, ip: number, claims: readonly ArpBinding[], before: { first: number } | null): void {
    const t = this.#t, c = this.#c;
    const live: ArpBinding[] = [];
    let virtual = isVirtualRouterMac(mac);
    let moved = false;
    for (const b of claims) {
      if (b.mac === mac) continue;
      if (b.last < t - this.#windowMs) moved = true;
      else if (isVirtualRouterMac(b.mac)) virtual = true;
      else live.push(b);
    }
    const probe = this.#probes.get(mac);
    const probed = this.#kind === Kind.Gratuitous && probe !== undefined && probe.ip === ip &&
        probe.at >= t - this.#windowMs
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
    if (this.#allow.has(newcomer.mac)) {
      c.allowlist_suppressed++;
      return;
    }
    if (!this.#h.raise(SLOT_CONFLICT, newcomer.mac, ip, t, this.#quietMs)) {
      c.repeats_suppressed++;
      return;
    }
    const flip = before !== null;
    const gratuitous = this.#kind === Kind.Gratuitous;
    const type = gratuitous || flip || probed !== undefined ? "duplicate_ip" : "mac_spoof";
    if (!this.#allowed(type)) return;
    const gateway = older !== newcomer && this.#established(older.first, t);
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
      windowMs: this.#windowMs,
      party: (p) => this.#party(p),
    });
    this.#emit(type, gateway ? "critical" : "warning", newcomer.mac, ip, text);
  }

  /** `mac` went back to `ip` while it claimed another address within the window: several IPs at once. */
  #severalIps(
    mac: number,
    ip: number,
    ips: ReadonlyMap<number, ArpBinding>,
    cur: ArpBinding,
    before: { first: number; last: number },
  ): void {
    const t = this.#t, c = this.#c, since = t - this.#windowMs;
    // Claiming A then B once is a change of address; A, B, A again within the window is both at once.
    if (before.last < since || cur.last < since) return;
    if (this.#allow.has(mac)) return void c.allowlist_suppressed++;
    if (isVirtualRouterMac(mac)) return void c.virtual_mac_suppressed++;
    const set = [{ ip, first: before.first, last: t }];
    for (const b of ips.values()) {
      if (b.ip !== ip && b.last >= since) set.push({ ip: b.ip, first: b.first, last: b.last });
    }
    let subject: { ip: number; first: number } | undefined;
    for (const s of set) {
      if (!this.#established(s.first, t) && (subject === undefined || s.first > subject.first)) subject = s;
    }
    if (subject === undefined) return void c.secondaries_suppressed++;
    // A gateway: one of the addresses belonged, long and before this MAC, to another MAC.
    let gateway: { ip: number; owner: number } | undefined;
    for (const s of set) {
      for (const b of this.#h.ipRecord(s.ip)?.claims ?? []) {
        if (b.mac !== mac && b.first < s.first && this.#established(b.first, t)) {
          gateway ??= { ip: s.ip, owner: b.mac };
        }
      }
    }
    if (!this.#h.raise(SLOT_SPOOF, mac, subject.ip, t, this.#quietMs)) return void c.repeats_suppressed++;
    if (!this.#allowed("arp_spoof")) return;
    const text = severalAddresses({ mac, addresses: set, gateway, windowMs: this.#windowMs });
    this.#emit("arp_spoof", gateway ? "critical" : "warning", mac, subject.ip, text);
  }

  /** A reply whose Ethernet source is not its ARP sender: a MAC speaking for another. */
  #mismatch(eth: number, sha: number, spa: number): void {
    const c = this.#c;
    if (isVirtualRouterMac(eth) || isVirtualRouterMac(sha)) return void c.virtual_mac_suppressed++;
    if (this.#allow.has(eth)) return void c.allowlist_suppressed++;
    if (!this.#h.raise(SLOT_CONFLICT, eth, spa, this.#t, this.#quietMs)) return void c.repeats_suppressed++;
    if (!this.#allowed("mac_spoof")) return;
    this.#emit("mac_spoof", "warning", eth, spa, senderMismatch(eth, sha, spa, this.#vendorOf(sha)));
  }

  /** Remembers a probe for an address in use, in case the prober announces it anyway. */
  #probe(mac: number, ip: number): void {
    const rec = this.#h.ipRecord(ip);
    if (rec === undefined) return;
    const t = this.#t, owners: number[] = [];
    for (const b of rec.claims) if (b.mac !== mac && b.last >= t - this.#windowMs) owners.push(b.mac);
    if (owners.length === 0) return;
    this.#probes.delete(mac);
    if (this.#probes.size >= MAX_PROBES) this.#probes.delete(this.#probes.keys().next().value!);
    this.#probes.set(mac, { ip, at: t, owners });
  }

  #established(first: number, t: number): boolean {
    const end = this.#learningEnd();
    return first <= t - this.#stableMs || (first < end && t >= end);
  }

  #prune(): void {
    if (this.#latest - this.#prunedAt < this.#windowMs) return;
    this.#prunedAt = this.#latest;
    this.#h.pruneConditions(this.#latest - this.#quietMs);
    for (const [mac, p] of this.#probes) if (p.at < this.#latest - this.#windowMs) this.#probes.delete(mac);
  }

  /** True when an event of `type` may go out this minute (see EVENTS_PER_MINUTE); else counted. */
  #allowed(type: SecurityEventType): boolean {
    const b = this.#budgets[type];
    if (this.#t - b.start >= 60_000) {
      b.start = this.#t;
      b.used = 0;
    }
    if (b.used >= EVENTS_PER_MINUTE) {
      b.unreported++;
      this.#c.rate_limited++;
      return false;
    }
    b.used++;
    return true;
  }

  #party(p: Party): Record<string, unknown> {
    return {
      mac: formatMac(p.mac),
      vendor: this.#vendorOf(p.mac),
      first_seen: Number.isFinite(p.first) ? iso(p.first) : null,
      last_seen: iso(p.last),
    };
  }

  #vendorOf(mac: number): string | null {
    return isLocallyAdministered(mac) ? null : this.#vendor(formatMac(mac));
  }

  #emit(
    type: SecurityEventType,
    severity: SecurityEvent["severity"],
    mac: number,
    ip: number,
    text: Explanation,
  ): void {
    this.#c[type]++;
    const budget = this.#budgets[type], unreported = budget.unreported;
    budget.unreported = 0;
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
      vendor: this.#vendorOf(mac),
      explanation: sentences.filter((s) => s !== "").join(" "),
      evidence: { ...packet, seen_at: iso(this.#t), ...text.evidence, unreported_before: unreported },
      source: e ? "snmp" : "capture",
    });
  }
}

function seconds(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) {
    throw new RangeError(`ArpSecurityDetector ${name} must be ≥ 0 seconds, got ${v}`);
  }
  return v * 1000;
}
