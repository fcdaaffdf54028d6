/**
 * Replay's packet source: a capture file read and decoded in a Worker (file_worker.ts) while the
 * calling thread runs the flow table over the batches, in file order, through a shared BatchRing.
 */
import { type BatchConsumer, type DecodeCounters, DEFAULT_BATCH_ROWS } from "../decode/mod.ts";
import { BatchRing } from "./batch_ring.ts";
import { CaptureFileError, type CaptureFileStats } from "./capture_file.ts";
import type { FileStart, FromFileWorker } from "./file_worker.ts";

/** Slots in flight: enough that neither side waits for the other on a jitter, few enough to stay in cache. */
const RING_SLOTS = 8;

/** What the read found. */
export interface FileSourceResult {
  /** Framing statistics of the file. */
  stats: CaptureFileStats;
  /** The decoder's counters. */
  decode: DecodeCounters;
}

/**
 * Feeds every decoded batch of `path` to `consumer` (synchronously, one at a time, in order) and
 * resolves when the file is done.
 * @throws CaptureFileError when the file is missing, unreadable or not a capture file
 */
export function streamCaptureFile(
  path: string,
  consumer: BatchConsumer,
  opts: { onProgress?: (bytesRead: number, totalBytes: number) => void } = {},
): Promise<FileSourceResult> {
  const ring = new BatchRing({ slots: RING_SLOTS, capacity: DEFAULT_BATCH_ROWS });
  const worker = new Worker(new URL("./file_worker.ts", import.meta.url), {
    type: "module",
    name: "flintnet-replay",
  });
  return new Promise<FileSourceResult>((resolve, reject) => {
    const fail = (err: Error) => {
      ring.close();
      worker.terminate();
      reject(err);
    };
    worker.onmessage = (e: MessageEvent<FromFileWorker>) => {
      const m = e.data;
      switch (m.type) {
        case "batch": {
          const b = ring.batch(m.slot);
          b.count = m.count;
          try {
            consumer.consume(b);
          } catch (err) {
            return fail(err as Error);
          }
          ring.release();
          break;
        }
        case "progress":
          opts.onProgress?.(m.bytesRead, m.totalBytes);
          break;
        case "done":
          worker.terminate();
          resolve({ stats: m.stats, decode: m.decode });
          break;
        case "failed":
          fail(m.captureFileError ? new CaptureFileError(m.message) : new Error(m.message));
          break;
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fail(new Error(`replay worker failed: ${e.message}`));
    };
    const start: FileStart = { type: "start", path, ring: ring.shape };
    worker.postMessage(start);
  });
}
