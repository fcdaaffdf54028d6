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

/** Indices into the control words. */
const PRODUCED = 0, CONSUMED = 1, CLOSED = 2;
const CONTROL_BYTES = 16;

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
      : new SharedArrayBuffer(CONTROL_BYTES + shape.slots * layout.bytes(shape.capacity));
    const resume = Math.min(Math.max(1, Math.floor(shape.resume ?? 1)), shape.slots);
    this.shape = { sab, slots: shape.slots, capacity: shape.capacity, resume };
    this.#resumeBelow = shape.slots - resume;
    this.#control = new Int32Array(sab, 0, 4);
    this.#batches = Array.from(
      { length: shape.slots },
      (_, i) =>
        layout.create(shape.capacity, {
          buffer: sab,
          offset: CONTROL_BYTES + i * layout.bytes(shape.capacity),
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
