/**
 * The thread boundary a decoded batch crosses, both of its ends in one file so that the way of one packet
 * reads straight through (docs/architecture.md):
 *
 * - the capture Worker's end, {@link BatchSender}, is the decoder's consumer: it posts each full batch to the
 *   main thread, transferring its buffer instead of copying it, and gives the decoder a batch to fill next;
 * - the main thread's end, {@link BatchReceiver}, counts the batch, hands it to its consumer (the flow
 *   pipeline) and, once consume() returns, sends the buffer back to the Worker to be filled again. A new
 *   400 KB buffer per batch made the daemon's RSS grow with every burst.
 *
 * The sender counts the batches posted and not yet sent back: at {@link MAX_WAITING_BATCHES} the capture
 * Worker stops reading the kernel's ring (mid-read, at the next block) until the main thread catches up, so a
 * main thread that cannot keep up (a flood of ARP claims of ever new addresses, each judged by the ARP
 * watcher) leaves the frames in the ring, where an overflow is counted as kernel drops, instead of in a queue
 * of posted batches: unbounded, that queue took the daemon to 701 MB during 3 M such frames at 0.6 M/s.
 *
 * capture_worker.ts and live_capture.ts only route the messages to these two.
 */
import {
  batchBytes,
  type BatchConsumer,
  batchTransferList,
  createPacketBatch,
  DEFAULT_BATCH_ROWS,
  type PacketBatch,
} from "../decode/mod.ts";

/** Worker → main: a full batch, its buffer transferred. */
export interface BatchMessage {
  type: "batch";
  batch: PacketBatch;
}

/** Main → Worker: a batch's buffer the main thread is done with. */
export interface RecycleMessage {
  type: "recycle";
  buffer: ArrayBuffer;
}

/** Buffers kept for reuse; more than a burst's worth in flight are left to the collector. */
const MAX_SPARE_BATCHES = 16;

/**
 * Batches posted and not yet sent back at which the Worker stops reading: 4,096 rows each, 262 k frames in
 * ~26 MB, a quarter of a second at a million frames/s; the kernel's ring (up to 64 MiB) holds more.
 */
export const MAX_WAITING_BATCHES = 64;

/** The Worker's end: the decoder's consumer. */
export class BatchSender implements BatchConsumer {
  readonly #post: (m: BatchMessage, transfer: Transferable[]) => void;
  /** Batches over buffers the main thread sent back. */
  readonly #spare: PacketBatch[] = [];
  #waiting = 0;
  /** Called when the main thread catches up below MAX_WAITING_BATCHES. */
  readonly #caughtUp: () => void;

  constructor(post: (m: BatchMessage, transfer: Transferable[]) => void, caughtUp: () => void = () => {}) {
    this.#post = post;
    this.#caughtUp = caughtUp;
  }

  /** Batches posted that the main thread has not sent back yet. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether the main thread is MAX_WAITING_BATCHES behind: read no more frames until it catches up. */
  get behind(): boolean {
    return this.#waiting >= MAX_WAITING_BATCHES;
  }

  /** Posts the batch away with its buffers; the decoder fills a returned one (or a new one) next. */
  consume(batch: PacketBatch): PacketBatch {
    this.#post({ type: "batch", batch }, batchTransferList(batch));
    this.#waiting++;
    return this.#spare.pop() ?? createPacketBatch(batch.capacity);
  }

  /** Takes back a buffer this end posted (one of another size is counted but not kept). */
  recycle(buffer: ArrayBuffer): void {
    const wasBehind = this.behind;
    if (this.#waiting > 0) this.#waiting--;
    if (wasBehind && !this.behind) this.#caughtUp();
    const capacity = DEFAULT_BATCH_ROWS;
    if (this.#spare.length >= MAX_SPARE_BATCHES || buffer.byteLength !== batchBytes(capacity)) return;
    this.#spare.push(createPacketBatch(capacity, { buffer, offset: 0 }));
  }
}

/** What the main thread's end has received. */
export interface BatchCounts {
  /** Batches received. */
  batches: number;
  /** Rows in those batches. */
  rows: number;
  /** Frame bytes on the wire of those rows (the dashboard's bits per second). */
  bytes: number;
}

/** Sum of the wire lengths of a batch's rows: one pass over a typed array, nothing allocated. */
function frameBytes(batch: PacketBatch): number {
  const len = batch.frameLen;
  let sum = 0;
  for (let i = 0; i < batch.count; i++) sum += len[i];
  return sum;
}

/** The main thread's end: counts, consumes and returns each batch. */
export class BatchReceiver {
  readonly #source: string;
  readonly #consumer: BatchConsumer;
  readonly #sendBack: (m: RecycleMessage, transfer: Transferable[]) => void;
  readonly #onError: (e: unknown) => void;

  /**
   * @param source the interface the batches come from, stamped on each
   * @param sendBack posts a buffer back to the Worker (a no-op once it has stopped)
   * @param onError told when the consumer throws; the batch is then dropped, the capture goes on
   */
  constructor(
    source: string,
    consumer: BatchConsumer,
    sendBack: (m: RecycleMessage, transfer: Transferable[]) => void,
    onError: (e: unknown) => void,
  ) {
    this.#source = source;
    this.#consumer = consumer;
    this.#sendBack = sendBack;
    this.#onError = onError;
  }

  /** Counts the batch into `counts`, hands it to the consumer, then sends its buffer back. */
  receive(batch: PacketBatch, counts: BatchCounts): void {
    counts.batches++;
    counts.rows += batch.count;
    counts.bytes += frameBytes(batch);
    batch.source = this.#source;
    try {
      this.#consumer.consume(batch);
    } catch (e) {
      this.#onError(e);
    }
    // The consumer is done with the batch once consume() returns (BatchConsumer's contract).
    const buffer = batchTransferList(batch)[0];
    this.#sendBack({ type: "recycle", buffer }, [buffer]);
  }
}
