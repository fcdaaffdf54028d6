/**
 * What ARP has shown about each device, and the ARP watcher's memory that must survive a restart:
 * which MACs are known (learned or acknowledged), when learning started, and which alerts are still
 * standing, so that a restart neither re-learns nor re-alerts.
 *
 * The per-MAC and per-IP records, with their bounds against a peer that invents MACs and addresses,
 * live in src/devices/arp_bindings.ts (numeric keys: refreshing a known binding allocates nothing);
 * the API's views of them in arp_history_views.ts; the file in arp_history_file.ts.
 */
import { positiveInteger } from "../base/mod.ts";
import { parseIpv4, parseMac } from "../net/mod.ts";
import { type ArpBinding, ArpBindings, type IpRecord, type MacRecord } from "./arp_bindings.ts";
import { ArpConditions } from "./arp_conditions.ts";
import { type ArpStateData, readArpState, writeArpState } from "./arp_history_file.ts";
import { type ArpHistoryJson, type IpClaimJson, ipClaimsJson, macRecordJson } from "./arp_history_views.ts";

export type { ArpBinding, IpChange, IpRecord, MacRecord } from "./arp_bindings.ts";
export { ArpStateError } from "./arp_history_file.ts";
export type { ArpHistoryJson, IpClaimJson } from "./arp_history_views.ts";

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

/** The ARP history; see the module comment. */
export class ArpHistory {
  readonly #path: string | undefined;
  readonly #maxMacs: number;
  readonly #b: ArpBindings;
  #known = new Set<number>();
  #acknowledged = new Set<number>();
  #conditions = new ArpConditions();
  #knownRefused = 0;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();
  /** When the learning period started (ms), null until the first sighting. */
  #learningStart: number | null = null;

  constructor(opts: ArpHistoryOptions = {}) {
    this.#path = opts.path;
    this.#maxMacs = positiveInteger("maxMacs", opts.maxMacs ?? 65_536);
    this.#b = new ArpBindings({
      maxMacs: this.#maxMacs,
      maxIpsPerMac: positiveInteger("maxIpsPerMac", opts.maxIpsPerMac ?? 64),
      maxMacsPerIp: positiveInteger("maxMacsPerIp", opts.maxMacsPerIp ?? 16),
      maxBindings: positiveInteger("maxBindings", opts.maxBindings ?? 262_144),
      maxChanges: positiveInteger("maxChanges", opts.maxChanges ?? 64),
    });
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
    return this.#dirty || this.#b.changed;
  }

  /** MACs held. */
  get size(): number {
    return this.#b.size;
  }

  /** The record of `mac`, if held. */
  mac(mac: number): MacRecord | undefined {
    return this.#b.mac(mac);
  }

  /** The claims on `ip`, if any. */
  ipRecord(ip: number): IpRecord | undefined {
    return this.#b.ipRecord(ip);
  }

  /** See ArpBindings.sharedClaimsEpoch. */
  get sharedClaimsEpoch(): number {
    return this.#b.sharedClaimsEpoch;
  }

  /** Records that `mac` was seen at `atMs` without claiming an address (an ARP probe, say). */
  touch(mac: number, atMs: number): MacRecord {
    return this.#b.touch(mac, atMs);
  }

  /**
   * The common case, nearly every ARP packet, at the cost of one lookup: `mac` claims `ip` again, as it
   * did last, with no other MAC having claimed `ip` since. Then the times move on and this is true;
   * otherwise nothing changes and the claim is news for {@link claim}.
   */
  refresh(mac: number, ip: number, atMs: number): boolean {
    return this.#b.refresh(mac, ip, atMs);
  }

  /** Records that `mac` claimed `ip` at `atMs`; returns the binding. */
  claim(mac: number, ip: number, atMs: number): ArpBinding {
    return this.#b.claim(mac, ip, atMs);
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
    if (this.#b.mac(mac) === undefined && !this.#known.has(mac)) return false;
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

  /** True when condition `slot` holds for (mac, ip): raised within `quietMs` before `atMs`. Read only. */
  standing(slot: number, mac: number, ip: number, atMs: number, quietMs: number): boolean {
    return this.#conditions.standing(slot, mac, ip, atMs, quietMs);
  }

  /** Forgets conditions last seen before `beforeMs`. */
  pruneConditions(beforeMs: number): void {
    this.#conditions.prune(beforeMs);
  }

  /** The API view of `mac` ("aa:bb:…"), or null when it is not held. */
  toJson(mac: string): ArpHistoryJson | null {
    const m = parseMac(mac);
    const rec = m === undefined ? undefined : this.#b.mac(m);
    if (rec === undefined) return null;
    return macRecordJson(rec, this.#known.has(rec.mac), this.#acknowledged.has(rec.mac));
  }

  /** The MACs that claimed `ip` (dotted quad), most recent first; empty for none or a bad address. */
  ipClaims(ip: string): IpClaimJson[] {
    const w = parseIpv4(ip);
    const rec = w === undefined ? undefined : this.#b.ipRecord(w);
    return rec === undefined ? [] : ipClaimsJson(rec);
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
    const b = this.#b.counters();
    return {
      macs: b.macs,
      ips: b.ips,
      bindings: b.bindings,
      known: this.#known.size,
      evicted_macs: b.evicted_macs,
      known_refused: this.#knownRefused,
    };
  }

  /** Writes the state to the path given (atomically); saves run one after another. */
  save(): Promise<void> {
    const path = this.#path;
    if (path === undefined) return Promise.resolve();
    const run = this.#saving.catch(() => undefined).then(() => {
      this.#dirty = false;
      this.#b.markSaved();
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
      evictedMacs: this.#b.counters().evicted_macs,
      known: [...this.#known],
      acknowledged: [...this.#acknowledged],
      macs: this.#b.snapshot(),
      conditions: this.#conditions.list(),
    };
  }

  /** Takes back a saved state, within this history's bounds (what does not fit is left out). */
  #restore(s: ArpStateData): void {
    this.#learningStart = s.learningStartMs;
    for (const m of s.known) this.#addKnown(m, false);
    for (const m of s.acknowledged) this.#addKnown(m, true);
    this.#b.restore(s.macs, s.evictedMacs);
    for (const c of s.conditions) this.raise(c.slot, c.mac, c.ip, c.last, 0);
    this.#dirty = false;
  }

  #addKnown(mac: number, acknowledged: boolean): void {
    if (this.#known.size >= this.#maxMacs) return;
    this.#known.add(mac);
    if (acknowledged) this.#acknowledged.add(mac);
  }
}
