/**
 * Neighbours seen in capture: one entry per interface, protocol, sender and port, kept for as long as
 * the sender asked (LLDP TTL, CDP holdtime) and dropped at once on a shutdown LLDPDU (TTL 0). Bounded:
 * a flood of forged frames with ever new senders evicts the oldest entries instead of growing memory.
 */
import type { PassiveObservation } from "./passive_report.ts";

/** Entries kept at most. */
export const DEFAULT_MAX_PASSIVE = 1024;

/** One neighbour seen in capture. */
export interface PassiveNeighbour {
  /** interface | protocol | sender MAC | chassis ID or device ID | port. */
  key: string;
  /** The latest frame from it. */
  last: PassiveObservation;
  /** First frame, ms since the epoch. */
  firstSeenMs: number;
  /** Frames seen. */
  frames: number;
}

/** A neighbour as replay prints it. */
export interface PassiveNeighbourJson {
  /** lldp or cdp. */
  protocol: "lldp" | "cdp";
  /** Capture interface; null in replay. */
  interface: string | null;
  /** Ethernet source of the frames. */
  src_mac: string;
  /** VLAN tag of the frames, 0 for none. */
  vlan: number;
  /** LLDP chassis ID as kind:value; null for CDP. */
  chassis_id: string | null;
  /** The neighbour's port ID as sent. */
  port_id: string;
  /** The port's name as Flintnet shows it (LLDP: the ID when it is a name, else the description). */
  port: string;
  /** LLDP port description. */
  port_description: string | null;
  /** LLDP system name, CDP device ID. */
  system_name: string | null;
  /** LLDP system description, CDP software version. */
  system_description: string | null;
  /** CDP platform. */
  platform: string | null;
  /** Capabilities enabled. */
  capabilities: string[];
  /** Management addresses. */
  management_addresses: string[];
  /** Port VLAN ID (LLDP 802.1) or native VLAN (CDP). */
  native_vlan: number | null;
  /** TTL / holdtime of the last frame, seconds. */
  ttl_s: number;
  /** First frame, ISO 8601. */
  first_seen: string;
  /** Last frame, ISO 8601. */
  last_seen: string;
  /** Frames seen. */
  frames: number;
}

/** The set of neighbours seen in capture. */
export class PassiveNeighbours {
  readonly #max: number;
  /** In the order first seen (list(), replay's output). */
  readonly #entries = new Map<string, PassiveNeighbour>();
  /**
   * The same entries in the order of their latest frame, the oldest first: the one to evict is the first,
   * found without a scan (a scan per new sender made a flood of forged LLDP frames cost O(max) each).
   * Rebuilt by sorting when entries were restored since (their saved times, not the order restored).
   */
  #byLast = new Map<string, PassiveNeighbour>();
  #byLastStale = false;
  /** Entries evicted because the set was full. */
  evicted = 0;

  constructor(max = DEFAULT_MAX_PASSIVE) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`max ${max} is not valid; accepted: a whole number ≥ 1`);
    }
    this.#max = max;
  }

  /** Takes one frame; true when the set changed in a way the graph shows (new, gone, or saying something else). */
  observe(o: PassiveObservation): boolean {
    const r = o.report.remote;
    const key = [o.iface, o.report.protocol, o.srcMac, r.chassisId ?? r.name ?? "", r.port.name].join("|");
    const known = this.#entries.get(key);
    if (o.ttlS === 0) return this.#delete(key); // a shutdown LLDPDU (802.1AB §9.2.7.7.1)
    if (known) {
      const changed = JSON.stringify(known.last.report) !== JSON.stringify(o.report);
      known.last = o;
      known.frames++;
      this.#byLast.delete(key);
      this.#byLast.set(key, known);
      return changed;
    }
    if (this.#entries.size >= this.#max) this.#evictOldest();
    const e = { key, last: o, firstSeenMs: o.tsMs, frames: 1 };
    this.#entries.set(key, e);
    this.#byLast.set(key, e);
    return true;
  }

  /** Drops entries whose sender's TTL ran out by `nowMs`; true when any went. */
  expire(nowMs: number): boolean {
    let gone = false;
    for (const [key, e] of this.#entries) {
      if (e.last.tsMs + e.last.ttlS * 1000 < nowMs) {
        this.#delete(key);
        gone = true;
      }
    }
    return gone;
  }

  /** Puts back an entry saved earlier (persistence). */
  restore(e: PassiveNeighbour): void {
    if (this.#entries.size >= this.#max) this.#evictOldest();
    this.#entries.set(e.key, e);
    this.#byLast.set(e.key, e);
    this.#byLastStale = true;
  }

  /** Every entry, in the order first seen. */
  list(): PassiveNeighbour[] {
    return [...this.#entries.values()];
  }

  /** How many there are. */
  get size(): number {
    return this.#entries.size;
  }

  /** Every entry as replay prints it, in the order first seen. */
  toJson(): PassiveNeighbourJson[] {
    return this.list().map(({ last: o, firstSeenMs, frames }) => {
      const r = o.report.remote;
      return {
        protocol: o.report.protocol,
        interface: o.iface === "" ? null : o.iface,
        src_mac: o.srcMac,
        vlan: o.vlan,
        chassis_id: r.chassisId,
        port_id: o.portId,
        port: r.port.name,
        port_description: o.portDescription,
        system_name: r.name,
        system_description: o.systemDescription,
        platform: o.report.protocol === "cdp" ? r.platform : null,
        capabilities: r.capabilities,
        management_addresses: r.addresses,
        native_vlan: o.nativeVlan,
        ttl_s: o.ttlS,
        first_seen: new Date(firstSeenMs).toISOString(),
        last_seen: new Date(o.tsMs).toISOString(),
        frames,
      };
    });
  }

  #delete(key: string): boolean {
    this.#byLast.delete(key);
    return this.#entries.delete(key);
  }

  /** Evicts the entry whose latest frame is the oldest. */
  #evictOldest(): void {
    if (this.#byLastStale) {
      const sorted = [...this.#entries.values()].sort((a, b) => a.last.tsMs - b.last.tsMs);
      this.#byLast = new Map(sorted.map((e) => [e.key, e]));
      this.#byLastStale = false;
    }
    const oldest = this.#byLast.keys().next();
    if (oldest.done) return;
    this.#delete(oldest.value);
    this.evicted++;
  }
}
