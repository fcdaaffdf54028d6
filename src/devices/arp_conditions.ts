/**
 * The ARP watcher's standing alerts: which conditions (a detector-chosen slot: spoofing, conflict…) hold
 * for which (MAC, IPv4) and when each was last seen, so that a condition that keeps being seen is
 * reported once, not on every packet, and not again after a restart. Bounded: past the limit the
 * MAC whose conditions were first raised is forgotten.
 */
import type { ConditionState } from "./arp_state.ts";

/** Standing conditions kept at most by default (they are pruned by age as well). */
const MAX_CONDITIONS = 65_536;
/** 2^32: slot and IPv4 address share one numeric key. */
const SLOT = 4294967296;

/** Standing conditions, per MAC. */
export class ArpConditions {
  readonly #max: number;
  /** mac → (slot·2^32 + ip) → last time the condition was seen. */
  #byMac = new Map<number, Map<number, number>>();
  #count = 0;

  constructor(max: number = MAX_CONDITIONS) {
    this.#max = max;
  }

  /** Conditions held. */
  get size(): number {
    return this.#count;
  }

  /**
   * Notes that condition `slot` holds for (mac, ip) at `atMs`. True when it is news: not seen in the
   * `quietMs` before.
   */
  raise(slot: number, mac: number, ip: number, atMs: number, quietMs: number): boolean {
    const key = slot * SLOT + ip;
    let byMac = this.#byMac.get(mac);
    const last = byMac?.get(key);
    if (last === undefined) {
      // The oldest MAC may be this one: look its map up again, or the new condition goes into a dropped map.
      if (this.#count >= this.#max) byMac = this.#dropOldest() === mac ? undefined : byMac;
      this.#count++;
    }
    if (byMac === undefined) {
      byMac = new Map();
      this.#byMac.set(mac, byMac);
    }
    byMac.set(key, last === undefined ? atMs : Math.max(last, atMs));
    return last === undefined || atMs - last > quietMs;
  }

  /** True when condition `slot` for (mac, ip) was seen within `quietMs` before `atMs` (it stands); changes nothing. */
  standing(slot: number, mac: number, ip: number, atMs: number, quietMs: number): boolean {
    const last = this.#byMac.get(mac)?.get(slot * SLOT + ip);
    return last !== undefined && atMs - last <= quietMs;
  }

  /** Forgets conditions last seen before `beforeMs`. */
  prune(beforeMs: number): void {
    for (const [mac, byMac] of this.#byMac) {
      for (const [key, last] of byMac) {
        if (last < beforeMs) {
          byMac.delete(key);
          this.#count--;
        }
      }
      if (byMac.size === 0) this.#byMac.delete(mac);
    }
  }

  /** Every condition, for saving. */
  list(): ConditionState[] {
    const out: ConditionState[] = [];
    for (const [mac, byMac] of this.#byMac) {
      for (const [key, last] of byMac) {
        const slot = Math.floor(key / SLOT);
        out.push({ slot, mac, ip: key - slot * SLOT, last });
      }
    }
    return out;
  }

  /** Forgets the MAC whose conditions were first raised; returns it (undefined when none is held). */
  #dropOldest(): number | undefined {
    const first = this.#byMac.entries().next();
    if (first.done) return undefined;
    this.#count -= first.value[1].size;
    this.#byMac.delete(first.value[0]);
    return first.value[0];
  }
}
