/**
 * What ARP has shown about each device: per MAC, when it was first and last seen, every IPv4 address
 * it claimed (with times) and a log of its address changes; per IP, the MACs that claimed it. Plus
 * the ARP watcher's memory that must survive a restart: which MACs are known (learned or
 * acknowledged), when learning started, and which alerts are still standing, so that a restart
 * neither re-learns nor re-alerts.
 *
 * Keys are numbers (MAC as a 48-bit integer, IPv4 as uint32) so that refreshing a known binding,
 * the common case, allocates nothing. Everything is bounded against a peer that invents MACs and
 * addresses: MACs (oldest evicted, counted), IPs per MAC, MACs per IP, bindings overall, log entries.
 */
import { formatIpv4, formatMac, parseIpv4 } from "../flow/address.ts";
import { ArpConditions } from "./arp_conditions.ts";
import { type ArpStateData, readArpState, writeArpState } from "./arp_history_file.ts";
import { isLocallyAdministered, parseMac } from "./mac.ts";

export { ArpStateError } from "./arp_history_file.ts";

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
}

/** An entry of a MAC's IP change log; -1 stands for "none". */
export interface IpChange {
  /** When, ms since the epoch. */
  readonly at: number;
  /** The address the MAC claimed. */
  readonly ip: number;
  /** The address it claimed before, or -1. */
  readonly previousIp: number;
  /** The MAC that claimed `ip` before this one, or -1 (a lease moved, or a conflict). */
  readonly previousMac: number;
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

/** A MAC as the API shows it. */
export interface ArpHistoryJson {
  mac: string;
  first_seen: string;
  last_seen: string;
  /** Every address it held, most recent first. */
  ips: { ip: string; first_seen: string; last_seen: string }[];
  /** Address changes, oldest first. */
  ip_changes: { ts: string; ip: string; previous_ip: string | null; previous_mac: string | null }[];
  /** The "locally administered" bit is set: a randomised or software-assigned MAC, no vendor. */
  locally_administered: boolean;
  /** Learned during the learning period or acknowledged: its appearance is not news. */
  known: boolean;
  /** Acknowledged by a person. */
  acknowledged: boolean;
}

/** One MAC's claim on an IP, as the API shows it. */
export interface IpClaimJson {
  mac: string;
  first_seen: string;
  last_seen: string;
  locally_administered: boolean;
}

/** Limits of an {@link ArpHistory}. */
export interface ArpHistoryOptions {
  /** Where save() writes (arp-state.json); without it save() does nothing. */
  path?: string;
  /** MACs kept; the least recently seen is evicted beyond. @default 65536 */
  maxMacs?: number;
  /** Addresses kept per MAC. @default 64 */
  maxIpsPerMac?: number;
  /** MACs kept per address. @default 16 */
  maxMacsPerIp?: number;
  /** Bindings kept overall. @default 262144 */
  maxBindings?: number;
  /** IP change log entries per MAC. @default 64 */
  maxChanges?: number;
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
  readonly claims: Binding[];
  lastMac: number;
}
interface MacRec extends MacRecord {
  first: number;
  last: number;
  current: Binding | null;
  readonly ips: Map<number, Binding>;
  readonly changes: IpChange[];
  orderedAt: number;
}

/** The ARP history; see the module comment. */
export class ArpHistory {
  readonly #path: string | undefined;
  readonly #maxMacs: number;
  readonly #maxIpsPerMac: number;
  readonly #maxMacsPerIp: number;
  readonly #maxBindings: number;
  readonly #maxChanges: number;
  #macs = new Map<number, MacRec>();
  #ips = new Map<number, IpRec>();
  #known = new Set<number>();
  #acknowledged = new Set<number>();
  #conditions = new ArpConditions();
  #bindings = 0;
  #evicted = 0;
  #knownRefused = 0;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();
  /** When the learning period started (ms), null until the first sighting. */
  #learningStart: number | null = null;

  constructor(opts: ArpHistoryOptions = {}) {
    this.#path = opts.path;
    this.#maxMacs = positive("maxMacs", opts.maxMacs ?? 65_536);
    this.#maxIpsPerMac = positive("maxIpsPerMac", opts.maxIpsPerMac ?? 64);
    this.#maxMacsPerIp = positive("maxMacsPerIp", opts.maxMacsPerIp ?? 16);
    this.#maxBindings = positive("maxBindings", opts.maxBindings ?? 262_144);
    this.#maxChanges = positive("maxChanges", opts.maxChanges ?? 64);
  }

  /**
   * Reads `path` (written by save(), see arp_history_file.ts); a missing file gives an empty history.
   * @throws ArpStateError when the file is not an ARP state file
   */
  static async load(path: string, opts: Omit<ArpHistoryOptions, "path"> = {}): Promise<ArpHistory> {
    const h = new ArpHistory({ ...opts, path });
    const data = await readArpState(path);
    if (data !== null) h.#restore(data);
    return h;
  }

  /** When learning started (ms since the epoch), or null before anything was seen. */
  get learningStartMs(): number | null {
    return this.#learningStart;
  }
  set learningStartMs(ms: number | null) {
    this.#learningStart = ms;
    this.#dirty = true;
  }

  /** Changed since the last save(). */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** MACs held. */
  get size(): number {
    return this.#macs.size;
  }

  /** The record of `mac`, if held. */
  mac(mac: number): MacRecord | undefined {
    return this.#macs.get(mac);
  }

  /** The claims on `ip`, if any. */
  ipRecord(ip: number): IpRecord | undefined {
    return this.#ips.get(ip);
  }

  /** Records that `mac` was seen at `atMs` without claiming an address (an ARP probe, say). */
  touch(mac: number, atMs: number): MacRecord {
    const rec = this.#macs.get(mac) ?? this.#newMac(mac, atMs);
    this.#sighted(rec, atMs);
    return rec;
  }

  /**
   * The common case, nearly every ARP packet, at the cost of one lookup: `mac` claims `ip` again, as it
   * did last, with no other MAC having claimed `ip` since. Then the times move on and this is true;
   * otherwise nothing changes and the claim is news for {@link claim}.
   */
  refresh(mac: number, ip: number, atMs: number): boolean {
    const rec = this.#macs.get(mac);
    const cur = rec?.current;
    if (cur == null || cur.ip !== ip || cur.ipRec.lastMac !== mac) return false;
    this.#sighted(rec!, atMs);
    if (atMs > cur.last) cur.last = atMs;
    return true;
  }

  /** Records that `mac` claimed `ip` at `atMs`; returns the binding. */
  claim(mac: number, ip: number, atMs: number): ArpBinding {
    if (this.refresh(mac, ip, atMs)) return this.#macs.get(mac)!.current!;
    const rec = this.#macs.get(mac) ?? this.#newMac(mac, atMs);
    this.#sighted(rec, atMs);
    const cur = rec.current;
    let b = rec.ips.get(ip);
    let ipRec = this.#ips.get(ip);
    const previousMac = ipRec !== undefined && ipRec.lastMac !== mac ? ipRec.lastMac : -1;
    const logIt = b === undefined || previousMac !== -1 || atMs - b.last > CHANGE_IDLE_MS;
    if (b === undefined) {
      if (rec.ips.size >= this.#maxIpsPerMac) this.#dropBinding(oldest(rec.ips.values()));
      if (ipRec !== undefined && ipRec.claims.length >= this.#maxMacsPerIp) {
        this.#dropBinding(oldest(ipRec.claims));
      }
      while (this.#bindings >= this.#maxBindings) {
        if (this.#evictOldestMac(rec)) continue;
        if (rec.ips.size === 0) break;
        this.#dropBinding(oldest(rec.ips.values()));
      }
      // Any of the drops above may have removed the last claim on `ip`, and its record with it.
      ipRec = this.#ips.get(ip);
      if (ipRec === undefined) {
        ipRec = { claims: [], lastMac: -1 };
        this.#ips.set(ip, ipRec);
      }
      b = { mac, ip, first: atMs, last: atMs, ipRec };
      rec.ips.set(ip, b);
      ipRec.claims.push(b);
      this.#bindings++;
    } else if (atMs > b.last) {
      b.last = atMs;
    }
    if (logIt) {
      rec.changes.push({ at: atMs, ip, previousIp: cur?.ip ?? -1, previousMac });
      if (rec.changes.length > this.#maxChanges) rec.changes.shift();
    }
    rec.current = b;
    b.ipRec.lastMac = mac;
    this.#dirty = true;
    return b;
  }

  /** Known: learned during the learning period or acknowledged. */
  isKnown(mac: number): boolean {
    return this.#known.has(mac);
  }

  /** Marks `mac` known; false when the known set is full (counted). */
  markKnown(mac: number): boolean {
    if (this.#known.has(mac)) return true;
    if (this.#known.size >= this.#maxMacs) {
      this.#knownRefused++;
      return false;
    }
    this.#known.add(mac);
    this.#dirty = true;
    return true;
  }

  /** Acknowledges `mac` (makes it known); false when it was never seen. */
  acknowledge(mac: number): boolean {
    if (!this.#macs.has(mac) && !this.#known.has(mac)) return false;
    this.#known.add(mac);
    this.#acknowledged.add(mac);
    this.#dirty = true;
    return true;
  }

  /**
   * Notes that condition `slot` holds for (mac, ip) at `atMs`. True when it is news: not seen in the
   * `quietMs` before (a standing alert is not raised again while it keeps being seen).
   */
  raise(slot: number, mac: number, ip: number, atMs: number, quietMs: number): boolean {
    this.#dirty = true;
    return this.#conditions.raise(slot, mac, ip, atMs, quietMs);
  }

  /** Forgets conditions last seen before `beforeMs`. */
  pruneConditions(beforeMs: number): void {
    this.#conditions.prune(beforeMs);
  }

  /** The API view of `mac` ("aa:bb:…"), or null when it is not held. */
  toJson(mac: string): ArpHistoryJson | null {
    const m = parseMac(mac);
    const rec = m === undefined ? undefined : this.#macs.get(m);
    if (rec === undefined) return null;
    const ips = [...rec.ips.values()].sort((a, b) => b.last - a.last);
    return {
      mac: formatMac(rec.mac),
      first_seen: iso(rec.first),
      last_seen: iso(rec.last),
      ips: ips.map((b) => ({ ip: formatIpv4(b.ip), first_seen: iso(b.first), last_seen: iso(b.last) })),
      ip_changes: rec.changes.map((c) => ({
        ts: iso(c.at),
        ip: formatIpv4(c.ip),
        previous_ip: c.previousIp < 0 ? null : formatIpv4(c.previousIp),
        previous_mac: c.previousMac < 0 ? null : formatMac(c.previousMac),
      })),
      locally_administered: isLocallyAdministered(rec.mac),
      known: this.#known.has(rec.mac),
      acknowledged: this.#acknowledged.has(rec.mac),
    };
  }

  /** The MACs that claimed `ip` (dotted quad), most recent first; empty for none or a bad address. */
  ipClaims(ip: string): IpClaimJson[] {
    const w = parseIpv4(ip);
    const rec = w === undefined ? undefined : this.#ips.get(w);
    if (rec === undefined) return [];
    return [...rec.claims].sort((a, b) => b.last - a.last).map((b) => ({
      mac: formatMac(b.mac),
      first_seen: iso(b.first),
      last_seen: iso(b.last),
      locally_administered: isLocallyAdministered(b.mac),
    }));
  }

  /** Sizes and what the bounds cost. */
  counters(): {
    macs: number;
    ips: number;
    bindings: number;
    known: number;
    evicted_macs: number;
    known_refused: number;
  } {
    return {
      macs: this.#macs.size,
      ips: this.#ips.size,
      bindings: this.#bindings,
      known: this.#known.size,
      evicted_macs: this.#evicted,
      known_refused: this.#knownRefused,
    };
  }

  /** Writes the state to the path given (atomically); saves run one after another. */
  save(): Promise<void> {
    const path = this.#path;
    if (path === undefined) return Promise.resolve();
    const run = this.#saving.catch(() => undefined).then(() => {
      this.#dirty = false;
      return writeArpState(path, this.#state());
    });
    this.#saving = run.catch(() => {
      this.#dirty = true;
    });
    return run;
  }

  #state(): ArpStateData {
    return {
      learningStartMs: this.#learningStart,
      evictedMacs: this.#evicted,
      known: [...this.#known],
      acknowledged: [...this.#acknowledged],
      macs: [...this.#macs.values()].map((r) => ({
        mac: r.mac,
        first: r.first,
        last: r.last,
        current: r.current === null ? null : r.current.ip,
        ips: [...r.ips.values()].map((b) => ({ ip: b.ip, first: b.first, last: b.last })),
        changes: [...r.changes],
      })),
      conditions: this.#conditions.list(),
    };
  }

  /** Takes back a saved state, within this history's bounds (what does not fit is left out). */
  #restore(s: ArpStateData): void {
    this.#learningStart = s.learningStartMs;
    this.#evicted = s.evictedMacs;
    for (const m of s.known) this.#addKnown(m, false);
    for (const m of s.acknowledged) this.#addKnown(m, true);
    for (const m of s.macs) {
      if (this.#macs.has(m.mac)) continue;
      if (this.#macs.size >= this.#maxMacs) break;
      const rec = this.#newMac(m.mac, m.first);
      rec.last = m.last;
      for (const b of m.ips) {
        if (rec.ips.has(b.ip)) continue;
        let ipRec = this.#ips.get(b.ip);
        if (rec.ips.size >= this.#maxIpsPerMac || this.#bindings >= this.#maxBindings) break;
        if (ipRec !== undefined && ipRec.claims.length >= this.#maxMacsPerIp) continue;
        if (ipRec === undefined) this.#ips.set(b.ip, ipRec = { claims: [], lastMac: -1 });
        const binding: Binding = { mac: m.mac, ip: b.ip, first: b.first, last: b.last, ipRec };
        rec.ips.set(b.ip, binding);
        ipRec.claims.push(binding);
        this.#bindings++;
      }
      rec.current = m.current === null ? null : rec.ips.get(m.current) ?? null;
      for (const c of m.changes) {
        rec.changes.push(c);
        if (rec.changes.length > this.#maxChanges) rec.changes.shift();
      }
    }
    for (const ipRec of this.#ips.values()) ipRec.lastMac = latestClaimer(ipRec);
    for (const c of s.conditions) this.raise(c.slot, c.mac, c.ip, c.last, 0);
    this.#dirty = false;
  }

  #addKnown(mac: number, acknowledged: boolean): void {
    if (this.#known.size >= this.#maxMacs) return;
    this.#known.add(mac);
    if (acknowledged) this.#acknowledged.add(mac);
  }

  #newMac(mac: number, atMs: number): MacRec {
    while (this.#macs.size >= this.#maxMacs) this.#evictOldestMac(null);
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
    this.#dirty = true;
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`ArpHistory ${name} must be a positive integer, got ${v}`);
  }
  return v;
}
