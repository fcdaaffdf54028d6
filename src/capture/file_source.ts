/**
 * Replay's packet source: a capture file read and decoded in a Worker (file_worker.ts) while the
 * calling thread runs the flow table over the batches, in file order, through a shared BatchRing.
 */
import { type BatchConsumer, type DecodeCounters, DEFAULT_BATCH_ROWS } from "../decode/mod.ts";
import { BatchRing } from "./batch_ring.ts";
import { CaptureFileError, type CaptureFileStats } from "./capture_file.ts";
import type { FileStart, FromFileWorker } from "./file_worker.ts";

/** The longest the thread is held taking batches before it is yielded to messages and timers, ms. */
const YIELD_MS = 250;

/**
 * Slots in flight (430 KB each): enough that the flow table does not wait while the Worker's code is still
 * cold. With 8 the flow table waited for batches 26–70 ms of a replay (six runs), with 32 at most 31 ms,
 * twice not at all: the Worker runs further ahead while the main thread builds the detectors and closes
 * an interval.
 */
const RING_SLOTS = 32;

/** What the read found. */
export interface FileSourceResult {
  /** Framing statistics of the file. */
  stats: CaptureFileStats;
  /** The decoder's counters. */
  decode: DecodeCounters;
}

/** A capture file whose Worker is already starting: {@link FileStream.run} feeds its batches to a consumer. */
export interface FileStream {
  /**
   * Feeds every decoded batch to `consumer` (synchronously, one at a time, in order) and resolves when the
   * file is done. Call once.
   * @throws CaptureFileError when the file is missing, unreadable or not a capture file
   */
  run(
    consumer: BatchConsumer,
    opts?: { onProgress?: (bytesRead: number, totalBytes: number) => void },
  ): Promise<FileSourceResult>;
  /** Stops the Worker without reading (the caller failed before run()). */
  cancel(): void;
}

/**
 * Starts the Worker that reads and decodes `path` now, so that its start-up (an isolate, its modules:
 * about a tenth of a second) overlaps whatever the caller builds before it calls run(). Batches wait in
 * the ring (the Worker blocks when it is full) until run() consumes them. `ringSlots`: batches in flight
 * (default RING_SLOTS; the tests take a few, so that a small file makes the ring wrap and the Worker block).
 */
export function openCaptureStream(path: string, opts: { ringSlots?: number } = {}): FileStream {
  // The Worker, once the ring is full, goes on when half of it is free: woken once per sixteen batches.
  const slots = opts.ringSlots ?? RING_SLOTS;
  const ring = new BatchRing({ slots, capacity: DEFAULT_BATCH_ROWS, resume: Math.max(1, slots >> 1) });
  const worker = new Worker(new URL("./file_worker.ts", import.meta.url), {
    type: "module",
    name: "flintnet-replay",
  });
  // What arrives before run() waits here (a few messages: the Worker blocks once the ring is full).
  const early: Event[] = [];
  worker.onmessage = (e) => void early.push(e);
  worker.onerror = (e) => {
    e.preventDefault();
    early.push(e);
  };
  const start: FileStart = { type: "start", path, ring: ring.shape };
  worker.postMessage(start);
  return {
    run: (consumer, opts = {}) => consumeStream(ring, worker, consumer, opts, early),
    cancel() {
      ring.close();
      worker.terminate();
    },
  };
}

/**
 * Feeds every decoded batch of `path` to `consumer` (synchronously, one at a time, in order) and
 * resolves when the file is done.
 * @throws CaptureFileError when the file is missing, unreadable or not a capture file
 */
export function streamCaptureFile(
  path: string,
  consumer: BatchConsumer,
  opts: { onProgress?: (bytesRead: number, totalBytes: number) => void; ringSlots?: number } = {},
): Promise<FileSourceResult> {
  return openCaptureStream(path, opts).run(consumer, opts);
}

function consumeStream(
  ring: BatchRing,
  worker: Worker,
  consumer: BatchConsumer,
  opts: { onProgress?: (bytesRead: number, totalBytes: number) => void },
  early: Event[],
): Promise<FileSourceResult> {
  return new Promise<FileSourceResult>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      settled = true;
      ring.close();
      worker.terminate();
      reject(err);
    };
    // Every batch in the ring, in order, until it is empty (the Worker announces the next one then); the
    // thread is yielded every YIELD_MS so that progress messages and timers run during a long file.
    const drain = (toEnd = false): boolean => {
      if (settled) return false;
      try {
        const until = toEnd ? Infinity : performance.now() + YIELD_MS;
        for (let b = ring.takeOrArm(); b !== undefined; b = ring.takeOrArm()) {
          consumer.consume(b);
          ring.release();
          if (performance.now() > until) {
            setTimeout(() => drain(), 0);
            break;
          }
        }
      } catch (err) {
        fail(err as Error);
      }
      return !settled;
    };
    const onMessage = (e: MessageEvent<FromFileWorker>) => {
      const m = e.data;
      switch (m.type) {
        case "batch":
          drain();
          break;
        case "progress":
          opts.onProgress?.(m.bytesRead, m.totalBytes);
          break;
        case "done":
          // Every batch was published before this message: take what is left, then finish.
          if (!drain(true)) break;
          settled = true;
          worker.terminate();
          resolve({ stats: m.stats, decode: m.decode });
          break;
        case "failed":
          fail(m.captureFileError ? new CaptureFileError(m.message) : new Error(m.message));
          break;
      }
    };
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      fail(new Error(`replay worker failed: ${e.message}`));
    };
    worker.onmessage = onMessage;
    worker.onerror = onError;
    // Batches published before now were not announced (nobody waited): take them first.
    drain();
    for (const e of early.splice(0)) {
      if (settled) break;
      if (e instanceof ErrorEvent) onError(e);
      else onMessage(e as MessageEvent<FromFileWorker>);
    }
  });
}
