/**
 * One client of the SSE hub (sse_hub.ts): a bounded queue of shared chunks in front of the client's
 * `ReadableStream`, which the hub drops when the queue fills because the reader stopped.
 *
 * @module
 */

/**
 * One stream. Chunks wait in the client's own queue and go to the stream only when its reader (the
 * runtime, writing to the socket) asks for one, so `#queued` is exactly what the socket has not taken.
 */
export class SseClient {
  /** What the HTTP response streams to the client. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Clients with the same key get the same chunk. */
  readonly filterKey: string;
  /** Settles when the stream has ended, whichever way. */
  readonly finished: Promise<void>;
  readonly #kinds: ReadonlySet<string> | undefined;
  readonly #limit: number;
  readonly #onFinish: (c: SseClient) => void;
  readonly #settle: () => void;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #weights: number[] = [];
  #head = 0;
  /** Events waiting (heartbeats count as one; the start of the stream and its replay count nothing). */
  #queued = 0;
  /** A read is waiting with nothing to give it: the next chunk goes straight through. */
  #wanting = false;
  #closing = false;
  #done = false;

  /** `limit`: events queued before send() refuses; `onFinish` runs once when the stream ends. */
  constructor(limit: number, kinds: readonly string[] | undefined, onFinish: (c: SseClient) => void) {
    this.#limit = limit;
    this.#kinds = kinds ? new Set(kinds) : undefined;
    this.filterKey = this.#kinds ? [...this.#kinds].sort().join(",") : "*";
    this.#onFinish = onFinish;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.finished = promise;
    this.#settle = resolve;
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => this.#pull(),
      cancel: () => this.#finish(),
    }, { highWaterMark: 0 });
  }

  /** Whether this client asked for events of this kind. */
  wants(kind: string): boolean {
    return this.#kinds === undefined || this.#kinds.has(kind);
  }

  /** Queues a chunk weighing `weight` events; false, queuing nothing, when the queue is already full. */
  send(chunk: Uint8Array, weight: number): boolean {
    if (this.#done || this.#closing) return true;
    if (this.#wanting) {
      this.#wanting = false;
      this.#controller.enqueue(chunk);
      return true;
    }
    if (weight > 0 && this.#queued >= this.#limit) return false;
    this.#chunks.push(chunk);
    this.#weights.push(weight);
    this.#queued += weight;
    return true;
  }

  /** Ends the stream once what is queued has been taken; settles when it has. */
  close(): Promise<void> {
    if (!this.#done) {
      this.#closing = true;
      if (this.#head === this.#chunks.length) this.#end();
    }
    return this.finished;
  }

  /** Ends the stream now and frees its queue; `last` (a comment) is all the reader still gets. */
  cut(last?: Uint8Array): void {
    if (this.#done) return;
    this.#reset();
    try {
      if (last) this.#controller.enqueue(last);
    } catch {
      // The reader cancelled in the meantime: nobody to tell.
    }
    this.#end();
  }

  #pull(): void {
    if (this.#done) return;
    if (this.#head === this.#chunks.length) {
      if (this.#closing) this.#end();
      else this.#wanting = true;
      return;
    }
    const chunk = this.#chunks[this.#head];
    this.#queued -= this.#weights[this.#head];
    this.#head++;
    if (this.#head === this.#chunks.length) {
      this.#reset();
    } else if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#weights = this.#weights.slice(this.#head);
      this.#head = 0;
    }
    this.#controller.enqueue(chunk);
    if (this.#closing && this.#chunks.length === 0) this.#end();
  }

  #reset(): void {
    this.#chunks = [];
    this.#weights = [];
    this.#head = 0;
    this.#queued = 0;
  }

  #end(): void {
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the reader.
    }
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#reset();
    this.#onFinish(this);
    this.#settle();
  }
}
