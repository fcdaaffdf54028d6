/**
 * A single-producer, single-consumer ring of PacketBatches in one SharedArrayBuffer: a Worker decodes
 * into a slot, tells the main thread which slot is ready, and waits (Atomics.wait, allowed in Workers)
 * only when every slot is still unread. The main thread reads the slot in place and releases it.
 * Nothing is copied or allocated per batch, and the decoder can never run more than `slots` batches
 * ahead of the flow table: memory stays bounded whatever the file size.
 */
import { batchBytes, createPacketBatch, type PacketBatch } from "../decode/mod.ts";

/** How a kind of batch is laid out in the ring (PacketBatch by default; the NetFlow collector's records too). */
export interface BatchLayout<T> {
  /** Bytes one batch of `capacity` rows takes (a multiple of 8). */
  bytes(capacity: number): number;
  /** The batch over `memory.buffer` from `memory.offset` on. */
  create(capacity: number, memory: { buffer: ArrayBufferLike; offset: number }): T;
}

const PACKET_LAYOUT: BatchLayout<PacketBatch> = { bytes: batchBytes, create: createPacketBatch };

/** Indices into the control words; the slots' row counts follow them (see {@link BatchRing.publishCounted}). */
const PRODUCED = 0, CONSUMED = 1, CLOSED = 2, WAITING = 3;
const CONTROL_WORDS = 4;

/** Control words and one count word a slot, rounded up so the batches after them are 8-byte aligned. */
function controlBytes(slots: number): number {
  return Math.ceil(((CONTROL_WORDS + slots) * 4) / 8) * 8;
}

/** What both sides need to attach to the same ring (structured-clonable). */
export interface BatchRingShape {
  /** The shared memory: control words, then the slots. */
  sab: SharedArrayBuffer;
  /** Number of slots. */
  slots: number;
  /** Rows per batch. */
  capacity: number;
  /**
   * Slots that must be free again before a producer that found the ring full goes on (1 by default). More
   * wakes it once per several batches instead of once per batch: fewer futex calls and context switches
   * when the consumer is the slower side, as in replay.
   */
  resume?: number;
}

/** One side of the ring. */
export class BatchRing<T extends { count: number } = PacketBatch> {
  readonly shape: BatchRingShape;
  #control: Int32Array;
  /** Rows in each slot, as the producer published them (publishCounted). */
  #counts: Int32Array;
  #batches: T[];
  /** A producer that found the ring full goes on once at most this many slots are unread. */
  #resumeBelow: number;

  /** Attaches to `shape`, or makes a new ring of `slots` batches of `capacity` rows. */
  constructor(
    shape: BatchRingShape | { slots: number; capacity: number; resume?: number },
    layout: BatchLayout<T> = PACKET_LAYOUT as unknown as BatchLayout<T>,
  ) {
    const sab = "sab" in shape
      ? shape.sab
      : new SharedArrayBuffer(controlBytes(shape.slots) + shape.slots * layout.bytes(shape.capacity));
    const resume = Math.min(Math.max(1, Math.floor(shape.resume ?? 1)), shape.slots);
    this.shape = { sab, slots: shape.slots, capacity: shape.capacity, resume };
    this.#resumeBelow = shape.slots - resume;
    this.#control = new Int32Array(sab, 0, CONTROL_WORDS);
    this.#counts = new Int32Array(sab, CONTROL_WORDS * 4, shape.slots);
    const control = controlBytes(shape.slots);
    this.#batches = Array.from(
      { length: shape.slots },
      (_, i) =>
        layout.create(shape.capacity, {
          buffer: sab,
          offset: control + i * layout.bytes(shape.capacity),
        }),
    );
  }

  /** The batch in `slot`. */
  batch(slot: number): T {
    return this.#batches[slot];
  }

  /**
   * Producer: the next free batch (count 0), blocking the calling Worker while all slots are unread.
   * Returns undefined once the consumer has closed the ring.
   */
  acquire(): T | undefined {
    const c = this.#control;
    const produced = Atomics.load(c, PRODUCED);
    let limit = this.shape.slots; // a free slot will do, unless the ring was full: then `resume` of them
    for (;;) {
      if (Atomics.load(c, CLOSED) !== 0) return undefined;
      const consumed = Atomics.load(c, CONSUMED);
      if (produced - consumed < limit) break;
      limit = this.#resumeBelow + 1;
      Atomics.wait(c, CONSUMED, consumed, 1000); // re-checks CLOSED at least every second
    }
    const b = this.#batches[produced % this.shape.slots];
    b.count = 0;
    return b;
  }

  /** Producer: marks the batch acquired last as filled; returns its slot for the message to the consumer. */
  publish(): number {
    return Atomics.add(this.#control, PRODUCED, 1) % this.shape.slots;
  }

  /**
   * Producer: marks the batch acquired last as filled with `count` rows, kept in the ring for
   * {@link takeOrArm}; true when the consumer found the ring empty since and must be woken (with a message
   * of the caller's choosing). A consumer that keeps up is sent one message per idle spell, not one a batch:
   * each message cost the main thread a dispatch (about a tenth of a millisecond in replay).
   */
  publishCounted(count: number): boolean {
    const c = this.#control;
    const produced = Atomics.load(c, PRODUCED);
    Atomics.store(this.#counts, produced % this.shape.slots, count);
    Atomics.store(c, PRODUCED, produced + 1);
    return Atomics.exchange(c, WAITING, 0) === 1;
  }

  /**
   * Consumer: the oldest unread batch, its count as published with {@link publishCounted} (release() it
   * after use), or undefined when none is left — and then the producer's next publishCounted() returns
   * true. The flag is set before the ring is looked at again, so a batch published in between is either
   * seen here or announced: never both missed.
   */
  takeOrArm(): T | undefined {
    const c = this.#control;
    let armed = false;
    for (;;) {
      const consumed = Atomics.load(c, CONSUMED);
      if (Atomics.load(c, PRODUCED) !== consumed) {
        if (armed) Atomics.store(c, WAITING, 0); // at most one needless message if the producer saw it set
        const slot = consumed % this.shape.slots;
        const b = this.#batches[slot];
        b.count = Atomics.load(this.#counts, slot);
        return b;
      }
      if (armed) return undefined;
      Atomics.store(c, WAITING, 1);
      armed = true;
    }
  }

  /** Consumer: hands the oldest slot back to the producer. */
  release(): void {
    const c = this.#control;
    const before = Atomics.add(c, CONSUMED, 1);
    // Only a producer that found the ring full waits, and it waits until this many are unread: wake it
    // then, and save the futex call every other time (the wait itself re-checks the counter it waits on).
    if (Atomics.load(c, PRODUCED) - (before + 1) === this.#resumeBelow) Atomics.notify(c, CONSUMED);
  }

  /** Consumer: stops the producer at its next acquire (for an abandoned replay). */
  close(): void {
    Atomics.store(this.#control, CLOSED, 1);
    Atomics.notify(this.#control, CONSUMED);
  }
}
