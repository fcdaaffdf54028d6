/** The most recent anomalies, newest last, bounded (FLINTNET_ANOMALY_STORE_SIZE). */
import type { AnomalyEvent, EventBus, PublishedEvent, Subscription } from "../events/mod.ts";
import { RingBuffer } from "../base/mod.ts";

/** An anomaly as stored: the event with its bus id. */
export type StoredAnomaly = AnomalyEvent & { id: number };

/** Keeps the last N anomaly events from the bus. */
export class AnomalyStore {
  #ring: RingBuffer<StoredAnomaly>;
  #sub: Subscription | undefined;

  constructor(capacity: number) {
    this.#ring = new RingBuffer(capacity);
  }

  /** Starts listening on the bus. */
  attach(bus: EventBus): void {
    this.#sub?.unsubscribe();
    this.#sub = bus.subscribe((e: PublishedEvent) => {
      if (e.kind === "anomaly") this.#ring.push(e);
    }, { kinds: ["anomaly"], name: "anomaly-store" });
  }

  /** Stops listening. */
  detach(): void {
    this.#sub?.unsubscribe();
  }

  /** Oldest first. */
  list(): StoredAnomaly[] {
    return this.#ring.toArray();
  }

  /** How many are held. */
  get size(): number {
    return this.#ring.length;
  }
}
