/**
 * The in-process event bus: publishers hand it events, subscribers get them in order through their
 * own bounded queue, drained on a microtask, so one slow subscriber delays nobody else and a stalled
 * one costs at most `capacity` events of memory (the oldest are dropped and counted).
 */
import type { EventKind, FlintnetEvent, PublishedEvent } from "./events.ts";
import { createLogger, RingBuffer } from "../base/mod.ts";

/** What a subscriber asks for. */
export interface SubscribeOptions {
  /** Only these kinds; all when absent. */
  kinds?: readonly EventKind[];
  /** Queue bound; the oldest undelivered event is dropped past it. Default 10,000. */
  capacity?: number;
  /** Name used in logs and stats. */
  name?: string;
}

/** A live subscription. */
export interface Subscription {
  /** Stops delivery and frees the queue. */
  unsubscribe(): void;
  /** Events dropped because the queue was full. */
  readonly dropped: number;
}

type Handler = (e: PublishedEvent) => void;

class Subscriber implements Subscription {
  readonly name: string;
  readonly kinds: ReadonlySet<EventKind> | undefined;
  readonly queue: RingBuffer<PublishedEvent>;
  dropped = 0;
  #scheduled = false;
  #handler: Handler;
  #bus: EventBus;

  constructor(bus: EventBus, handler: Handler, o: SubscribeOptions) {
    this.#bus = bus;
    this.#handler = handler;
    this.name = o.name ?? "subscriber";
    this.kinds = o.kinds ? new Set(o.kinds) : undefined;
    this.queue = new RingBuffer(o.capacity ?? 10_000);
  }

  offer(e: PublishedEvent): void {
    if (this.kinds && !this.kinds.has(e.kind)) return;
    if (this.queue.push(e) !== undefined) this.dropped++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  #drain(): void {
    this.#scheduled = false;
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      try {
        this.#handler(e);
      } catch (err) {
        this.#bus.log.error("subscriber failed on an event", {
          subscriber: this.name,
          kind: e.kind,
          error: err,
        });
      }
    }
  }

  unsubscribe(): void {
    this.#bus.remove(this);
    this.queue.clear();
  }
}

/** Typed, kind-tagged publish/subscribe. */
export class EventBus {
  readonly log = createLogger("bus");
  #seq = 0;
  #subscribers = new Set<Subscriber>();
  #counts = new Map<EventKind, number>();

  /**
   * Stamps the event with the next id (on the object itself: publish each event object once) and queues
   * it for every interested subscriber.
   */
  publish(event: FlintnetEvent): PublishedEvent {
    const e = event as PublishedEvent;
    e.id = ++this.#seq;
    this.#counts.set(e.kind, (this.#counts.get(e.kind) ?? 0) + 1);
    for (const s of this.#subscribers) s.offer(e);
    return e;
  }

  /** Delivers matching events to `handler`, in order, asynchronously (never inside publish). */
  subscribe(handler: Handler, options: SubscribeOptions = {}): Subscription {
    const s = new Subscriber(this, handler, options);
    this.#subscribers.add(s);
    return s;
  }

  /** The id of the last event published (0 before any). */
  get lastId(): number {
    return this.#seq;
  }

  /** Events published so far, by kind. */
  countsByKind(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** Subscribers now attached. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** @internal */
  remove(s: Subscriber): void {
    this.#subscribers.delete(s);
  }
}
