/**
 * The bounded store under the ARP history (src/devices/arp_history.ts): per MAC, when it was first and
 * last seen, every IPv4 address it claimed (with times) and a log of its address changes; per IP, the
 * MACs that claimed it.
 *
 * Keys are numbers (MAC as a 48-bit integer, IPv4 as uint32) so that refreshing a known binding,
 * the common case, allocates nothing. Everything is bounded against a peer that invents MACs and
 * addresses: MACs (least recently seen evicted, counted), IPs per MAC, MACs per IP, bindings overall,
 * log entries.
 */
import type { IpChange, MacState } from "./arp_state.ts";

export type { IpChange };

/** One MAC's claim on one IPv4 address. */
export interface ArpBinding {
  /** The MAC (48-bit integer). */
  readonly mac: number;
  /** The IPv4 address (uint32). */
  readonly ip: number;
  /** First claim, ms since the epoch. */
  readonly first: number;
  /** Latest claim, ms since the epoch. */
  readonly last: number;
  /** Every MAC's claim of its address, this one among them (what `ipRecord(ip)` returns while it is held). */
  readonly ipRec: IpRecord;
}

/** What is known about one MAC. */
export interface MacRecord {
  /** The MAC. */
  readonly mac: number;
  /** First sight, ms. */
  readonly first: number;
  /** Latest sight, ms. */
  readonly last: number;
  /** The binding it claimed last, or null. */
  readonly current: ArpBinding | null;
  /** Its bindings by IP. */
  readonly ips: ReadonlyMap<number, ArpBinding>;
  /** Its IP change log, oldest first. */
  readonly changes: readonly IpChange[];
}

/** The MACs that claimed one IP. */
export interface IpRecord {
  /** The bindings, in no particular order. */
  readonly claims: readonly ArpBinding[];
  /** The MAC that claimed it last. */
  readonly lastMac: number;
}

/** Bounds of an {@link ArpBindings}, all positive integers. */
export interface ArpBindingLimits {
  maxMacs: number;
  maxIpsPerMac: number;
  maxMacsPerIp: number;
  maxBindings: number;
  maxChanges: number;
}

/** Re-queueing a record on every sight would cost; once a minute keeps eviction close enough to LRU. */
const REORDER_MS = 60_000;
/** Claiming one's own address again after this long idle is logged as a change. */
const CHANGE_IDLE_MS = 3_600_000;

interface Binding extends ArpBinding {
  first: number;
  last: number;
  readonly ipRec: IpRec;
}
interface IpRec extends IpRecord {
  /** Replaced, not pushed to, while empty: see {@link ArpBindings.#bind}. */
  claims: Binding[];
  lastMac: number;
}
interface MacRec extends MacRecord {
  first: number;
  last: number;
  current: Binding | null;
  readonly ips: Map<number, Binding>;
  /** Replaced, not pushed to, while empty: see {@link ArpBindings.#log}. */
  changes: IpChange[];
  orderedAt: number;
}

/** See the module comment. */
export class ArpBindings {
  readonly #lim: ArpBindingLimits;
  #macs = new Map<number, MacRec>();
  #ips = new Map<number, IpRec>();
  #bindings = 0;
  #evicted = 0;
  #changed = false;
  #sharedEpoch = 0;

  constructor(limits: ArpBindingLimits) {
    this.#lim = limits;
  }

  /** Changed since {@link markSaved} (a MAC or a claim added; refreshed times do not count). */
  get changed(): boolean {
    return this.#changed;
  }

  /** Clears {@link changed}. */
  markSaved(): void {
    this.#changed = false;
  }

  /** MACs held. */
  get size(): number {
    return this.#macs.size;
  }

  /**
   * Changes whenever an address is claimed (anew or again) while another MAC also holds a claim on it, and
   * when saved state is restored: what a judgment of one MAC's addresses found uncontested stays so until
   * it changes (claims only ever leave otherwise).
   */
  get sharedClaimsEpoch(): number {
    return this.#sharedEpoch;
  }

  /** Sizes and the MACs evicted so far. */
  counters(): { macs: number; ips: number; bindings: number; evicted_macs: number } {
    return {
      macs: this.#macs.size,
      ips: this.#ips.size,
      bindings: this.#bindings,
      evicted_macs: this.#evicted,
    };
  }

  /** The record of `mac`, if held. */
  mac(mac: number): MacRecord | undefined {
    return this.#macs.get(mac);
  }

  /** The claims on `ip`, if any. */
  ipRecord(ip: number): IpRecord | undefined {
    return this.#ips.get(ip);
  }

  /** See ArpHistory.touch. */
  touch(mac: number, atMs: number): MacRecord {
    const rec = this.#macs.get(mac) ?? this.#newMac(mac, atMs);
    this.#sighted(rec, atMs);
    return rec;
  }

  /** See ArpHistory.refresh: one lookup, no allocation. */
  refresh(mac: number, ip: number, atMs: number): boolean {
    const rec = this.#macs.get(mac);
    const cur = rec?.current;
    if (cur == null || cur.ip !== ip || cur.ipRec.lastMac !== mac) return false;
    this.#sighted(rec!, atMs);
    if (atMs > cur.last) cur.last = atMs;
    if (cur.ipRec.claims.length > 1) this.#sharedEpoch++;
    return true;
  }

  /** See ArpHistory.claim. */
  claim(mac: number, ip: number, atMs: number): ArpBinding {
    if (this.refresh(mac, ip, atMs)) return this.#macs.get(mac)!.current!;
    const lim = this.#lim;
    const rec = this.#macs.get(mac) ?? this.#newMac(mac, atMs);
    this.#sighted(rec, atMs);
    const cur = rec.current;
    let b = rec.ips.get(ip);
    const ipRec = this.#ips.get(ip);
    const previousMac = ipRec !== undefined && ipRec.lastMac !== mac ? ipRec.lastMac : -1;
    const logIt = b === undefined || previousMac !== -1 || atMs - b.last > CHANGE_IDLE_MS;
    if (b === undefined) {
      if (rec.ips.size >= lim.maxIpsPerMac) this.#dropBinding(oldest(rec.ips.values()));
      if (ipRec !== undefined && ipRec.claims.length >= lim.maxMacsPerIp) {
        this.#dropBinding(oldest(ipRec.claims));
      }
      while (this.#bindings >= lim.maxBindings) {
        if (this.#evictOldestMac(rec)) continue;
        if (rec.ips.size === 0) break;
        this.#dropBinding(oldest(rec.ips.values()));
      }
      // Any of the drops above may have removed the last claim on `ip`, and its record with it.
      b = this.#bind(rec, ip, atMs, atMs);
    } else if (atMs > b.last) {
      b.last = atMs;
    }
    if (logIt) this.#log(rec, { at: atMs, ip, previousIp: cur?.ip ?? -1, previousMac });
    rec.current = b;
    b.ipRec.lastMac = mac;
    if (b.ipRec.claims.length > 1) this.#sharedEpoch++;
    this.#changed = true;
    return b;
  }

  /**
   * Every MAC held now, as saved (see arp_history_file.ts), least recently seen first; each is read when the
   * iteration reaches it. A save writes them in slices with the thread free between them, so the history
   * may change meanwhile: a MAC is written as it is when reached, one gone by then is left out, and one
   * added after the start is not written (it makes the history changed again, for the next save). The
   * MACs are taken first because a record seen again moves to the end of the Map: iterating the Map
   * itself would meet it twice.
   */
  *snapshot(): Generator<MacState> {
    for (const mac of [...this.#macs.keys()]) {
      const r = this.#macs.get(mac);
      if (r === undefined) continue;
      yield {
        mac: r.mac,
        first: r.first,
        last: r.last,
        current: r.current === null ? null : r.current.ip,
        ips: [...r.ips.values()].map((b) => ({ ip: b.ip, first: b.first, last: b.last })),
        changes: [...r.changes],
      };
    }
  }

  /** Takes back saved MACs, within the bounds (what does not fit is left out); leaves {@link changed} false. */
  restore(macs: Iterable<MacState>, evictedMacs: number): void {
    const lim = this.#lim;
    this.#evicted = evictedMacs;
    this.#sharedEpoch++;
    for (const m of macs) {
      if (this.#macs.has(m.mac)) continue;
      if (this.#macs.size >= lim.maxMacs) break;
      const rec = this.#newMac(m.mac, m.first);
      rec.last = m.last;
      for (const b of m.ips) {
        if (rec.ips.has(b.ip)) continue;
        const ipRec = this.#ips.get(b.ip);
        if (rec.ips.size >= lim.maxIpsPerMac || this.#bindings >= lim.maxBindings) break;
        if (ipRec !== undefined && ipRec.claims.length >= lim.maxMacsPerIp) continue;
        this.#bind(rec, b.ip, b.first, b.last);
      }
      rec.current = m.current === null ? null : rec.ips.get(m.current) ?? null;
      for (const c of m.changes) this.#log(rec, c);
    }
    for (const ipRec of this.#ips.values()) ipRec.lastMac = latestClaimer(ipRec);
    this.#changed = false;
  }

  /** A new binding of `rec` to `ip` (whose record is made if missing). */
  #bind(rec: MacRec, ip: number, first: number, last: number): Binding {
    let ipRec = this.#ips.get(ip);
    if (ipRec === undefined) this.#ips.set(ip, ipRec = { claims: [], lastMac: -1 });
    const b: Binding = { mac: rec.mac, ip, first, last, ipRec };
    rec.ips.set(ip, b);
    // Most addresses are claimed by one MAC: an array made with its element holds one slot, one grown from
    // empty by push() seventeen (64 against 192 bytes, for each address of a history of 65,536 MACs).
    if (ipRec.claims.length === 0) ipRec.claims = [b];
    else ipRec.claims.push(b);
    this.#bindings++;
    return b;
  }

  #log(rec: MacRec, c: IpChange): void {
    // As the claims on an address: most MACs log one change (their first claim), kept in a one-slot array.
    if (rec.changes.length === 0) rec.changes = [c];
    else rec.changes.push(c);
    if (rec.changes.length > this.#lim.maxChanges) rec.changes.shift();
  }

  #newMac(mac: number, atMs: number): MacRec {
    while (this.#macs.size >= this.#lim.maxMacs) this.#evictOldestMac(null);
    const rec: MacRec = {
      mac,
      first: atMs,
      last: atMs,
      current: null,
      ips: new Map(),
      changes: [],
      orderedAt: atMs,
    };
    this.#macs.set(mac, rec);
    this.#changed = true;
    return rec;
  }

  #sighted(rec: MacRec, atMs: number): void {
    if (atMs > rec.last) rec.last = atMs;
    if (atMs < rec.first) rec.first = atMs;
    if (atMs - rec.orderedAt > REORDER_MS) {
      // Map keeps insertion order: moving a live record to the end makes the front the least recent.
      this.#macs.delete(rec.mac);
      this.#macs.set(rec.mac, rec);
      rec.orderedAt = atMs;
    }
  }

  /** Evicts the least recently seen MAC unless it is `keep`; false when nothing was evicted. */
  #evictOldestMac(keep: MacRec | null): boolean {
    const first = this.#macs.values().next();
    if (first.done || first.value === keep) return false;
    const rec = first.value;
    for (const b of [...rec.ips.values()]) this.#dropBinding(b);
    this.#macs.delete(rec.mac);
    this.#evicted++;
    return true;
  }

  #dropBinding(b: Binding): void {
    const rec = this.#macs.get(b.mac);
    if (rec !== undefined && rec.ips.get(b.ip) === b) {
      rec.ips.delete(b.ip);
      if (rec.current === b) rec.current = null;
    }
    const claims = b.ipRec.claims;
    const i = claims.indexOf(b);
    if (i >= 0) claims.splice(i, 1);
    if (claims.length === 0) this.#ips.delete(b.ip);
    else if (b.ipRec.lastMac === b.mac) b.ipRec.lastMac = latestClaimer(b.ipRec);
    this.#bindings--;
  }
}

function latestClaimer(rec: IpRec): number {
  let best: Binding | undefined;
  for (const b of rec.claims) if (best === undefined || b.last > best.last) best = b;
  return best?.mac ?? -1;
}

function oldest(bs: Iterable<Binding>): Binding {
  let o: Binding | undefined;
  for (const b of bs) if (o === undefined || b.last < o.last) o = b;
  return o!;
}
