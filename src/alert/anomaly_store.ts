/**
 * The most recent anomaly episodes for GET /anomalies, bounded (FLINTNET_ANOMALY_STORE_SIZE): each
 * episode once, as its latest event — the open one, replaced by the closed one (with the summary) when
 * the episode ends.
 */
import type { AnomalyEvent, EventBus, PublishedEvent, Subscription } from "../events/mod.ts";
import { RingBuffer } from "../base/mod.ts";

/** An anomaly as stored: the event with its bus id. */
export type StoredAnomaly = AnomalyEvent & { id: number };

/** A ring entry: the episode's latest event (replaced in place, so the ring keeps its order). */
interface Entry {
  e: StoredAnomaly;
}

/** Keeps the last N anomaly episodes from the bus. */
export class AnomalyStore {
  #ring: RingBuffer<Entry>;
  #byEpisode = new Map<string, Entry>();
  #sub: Subscription | undefined;

  constructor(capacity: number) {
    this.#ring = new RingBuffer(capacity);
  }

  /** Starts listening on the bus. */
  attach(bus: EventBus): void {
    this.#sub?.unsubscribe();
    this.#sub = bus.subscribe((e: PublishedEvent) => {
      if (e.kind === "anomaly") this.add(e);
    }, { kinds: ["anomaly"], name: "anomaly-store" });
  }

  /** Stops listening. */
  detach(): void {
    this.#sub?.unsubscribe();
  }

  /** Files one event: a closed event replaces its episode's open one; anything else is a new entry. */
  add(e: StoredAnomaly): void {
    const held = this.#byEpisode.get(e.episode_id);
    if (held !== undefined) {
      held.e = e;
      return;
    }
    const entry = { e };
    const out = this.#ring.push(entry);
    if (out !== undefined) this.#byEpisode.delete(out.e.episode_id);
    this.#byEpisode.set(e.episode_id, entry);
  }

  /** The episodes, oldest first (by when they were first filed). */
  list(): StoredAnomaly[] {
    return this.#ring.toArray().map((x) => x.e);
  }

  /** How many are held. */
  get size(): number {
    return this.#ring.length;
  }
}
