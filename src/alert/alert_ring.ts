/**
 * Each device's changelog: the most recent security alerts filed under its MAC, shown with the device
 * (GET /devices/:ip). Bounded twice: per MAC (a ring), and in MACs (the least recently alerted MAC is
 * forgotten first), so a peer inventing MACs cannot grow memory.
 */
import type { EventBus, PublishedEvent, SecurityEvent, Subscription } from "../events/mod.ts";
import { RingBuffer } from "../base/mod.ts";

/** A security alert as held: the event with its bus id. */
export type StoredSecurityEvent = SecurityEvent & { id: number };

/** Options for AlertRing. */
export interface AlertRingOptions {
  /**
   * Alerts kept per MAC.
   * @default 20
   */
  perMac?: number;
  /**
   * MACs kept; past it the MAC whose latest alert is oldest is dropped.
   * @default 65_536
   */
  maxMacs?: number;
}

/** The recent security alerts of each MAC. */
export class AlertRing {
  readonly perMac: number;
  readonly maxMacs: number;
  /** Insertion order is recency: a MAC is moved to the end on each alert. */
  #rings = new Map<string, RingBuffer<StoredSecurityEvent>>();
  #sub: Subscription | undefined;
  #evicted = 0;

  constructor(options: AlertRingOptions = {}) {
    this.perMac = options.perMac ?? 20;
    this.maxMacs = options.maxMacs ?? 65_536;
    if (!Number.isInteger(this.maxMacs) || this.maxMacs < 1) {
      throw new RangeError(`maxMacs must be a whole number ≥ 1, got ${this.maxMacs}`);
    }
    new RingBuffer(this.perMac); // validates perMac the same way every ring will
  }

  /** Starts listening for security events on the bus. */
  attach(bus: EventBus): void {
    this.#sub?.unsubscribe();
    this.#sub = bus.subscribe((e: PublishedEvent) => {
      if (e.kind === "security") this.add(e);
    }, { kinds: ["security"], name: "alert-ring" });
  }

  /** Stops listening. */
  detach(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }

  /** Files an alert under its MAC. */
  add(e: StoredSecurityEvent): void {
    if (typeof e.mac !== "string") return;
    const mac = e.mac.toLowerCase();
    let ring = this.#rings.get(mac);
    if (ring === undefined) {
      ring = new RingBuffer(this.perMac);
      if (this.#rings.size >= this.maxMacs) {
        const oldest = this.#rings.keys().next().value as string;
        this.#rings.delete(oldest);
        this.#evicted++;
      }
    } else {
      this.#rings.delete(mac);
    }
    this.#rings.set(mac, ring);
    ring.push(e);
  }

  /** The MAC's alerts, newest first (any letter case); empty when none are held. */
  forMac(mac: string): StoredSecurityEvent[] {
    return this.#rings.get(mac.toLowerCase())?.toArray().reverse() ?? [];
  }

  /** MACs held. */
  get macCount(): number {
    return this.#rings.size;
  }

  /** MACs forgotten to stay within maxMacs. */
  get evicted(): number {
    return this.#evicted;
  }
}
