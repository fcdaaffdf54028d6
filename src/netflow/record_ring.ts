/**
 * A single-producer, single-consumer ring of FlowRecordBatches in one SharedArrayBuffer, as
 * capture/batch_ring.ts is for PacketBatches: the collector Worker decodes into a slot, tells the main
 * thread which one is ready, and waits (Atomics.wait) only while every slot is still unread. Nothing is
 * copied or allocated per batch; when the main thread falls behind, the Worker stops reading its
 * sockets and the kernel's receive buffer takes the burst (its overflow is counted as kernel drops).
 */
import { createFlowRecordBatch, type FlowRecordBatch, recordBatchBytes } from "./flow_record.ts";

/** Indices into the control words. */
const PRODUCED = 0, CONSUMED = 1, CLOSED = 2;
const CONTROL_BYTES = 16;

/** What both sides need to attach to the same ring (structured-clonable). */
export interface RecordRingShape {
  /** Control words, then the slots. */
  sab: SharedArrayBuffer;
  /** Number of slots. */
  slots: number;
  /** Rows per batch. */
  capacity: number;
}

/** One side of the ring. */
export class RecordRing {
  readonly shape: RecordRingShape;
  #control: Int32Array;
  #batches: FlowRecordBatch[];

  /** Attaches to `shape`, or makes a new ring of `slots` batches of `capacity` rows. */
  constructor(shape: RecordRingShape | { slots: number; capacity: number }) {
    const sab = "sab" in shape
      ? shape.sab
      : new SharedArrayBuffer(CONTROL_BYTES + shape.slots * recordBatchBytes(shape.capacity));
    this.shape = { sab, slots: shape.slots, capacity: shape.capacity };
    this.#control = new Int32Array(sab, 0, 4);
    const size = recordBatchBytes(shape.capacity);
    this.#batches = Array.from(
      { length: shape.slots },
      (_, i) => createFlowRecordBatch(shape.capacity, { buffer: sab, offset: CONTROL_BYTES + i * size }),
    );
  }

  /** The batch in `slot`. */
  batch(slot: number): FlowRecordBatch {
    return this.#batches[slot];
  }

  /** Producer: the next free batch (count 0), blocking while all slots are unread; undefined once closed. */
  acquire(): FlowRecordBatch | undefined {
    const c = this.#control;
    const produced = Atomics.load(c, PRODUCED);
    for (;;) {
      if (Atomics.load(c, CLOSED) !== 0) return undefined;
      const consumed = Atomics.load(c, CONSUMED);
      if (produced - consumed < this.shape.slots) break;
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
    Atomics.add(this.#control, CONSUMED, 1);
    Atomics.notify(this.#control, CONSUMED);
  }

  /** Consumer: stops the producer at its next acquire. */
  close(): void {
    Atomics.store(this.#control, CLOSED, 1);
    Atomics.notify(this.#control, CONSUMED);
  }
}
