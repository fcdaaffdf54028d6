/**
 * The replay Worker: reads and decodes a capture file off the main thread, into a BatchRing, so that on
 * two cores decoding and the flow table run side by side. Messages: main → worker `FileStart`;
 * worker → main `FileBatch` when the main thread waits for batches, `FileProgress`, then `FileDone` (after
 * every batch was published) or `FileFailed`.
 * When imported anywhere else (type checks, tests), this module does nothing.
 */
import { type DecodeCounters, Decoder, type PacketBatch } from "../decode/mod.ts";
import { BatchRing, type BatchRingShape } from "./batch_ring.ts";
import { CaptureFileError, type CaptureFileStats, readCaptureFile } from "./capture_file.ts";

/** main → worker: read this file into this ring. */
export interface FileStart {
  type: "start";
  path: string;
  ring: BatchRingShape;
}
/**
 * worker → main: batches are waiting in the ring (their counts are in it). Sent only when the main thread
 * had found the ring empty (BatchRing.publishCounted), not once a batch.
 */
export interface FileBatch {
  type: "batch";
}
/** worker → main: how far the read is. */
export interface FileProgress {
  type: "progress";
  bytesRead: number;
  totalBytes: number;
}
/** worker → main: the end of the file (every batch message came before this one). */
export interface FileDone {
  type: "done";
  stats: CaptureFileStats;
  decode: DecodeCounters;
}
/** worker → main: the file could not be read; `captureFileError` when it is the user's file, not a bug. */
export interface FileFailed {
  type: "failed";
  message: string;
  captureFileError: boolean;
}
/** Messages the worker sends. */
export type FromFileWorker = FileBatch | FileProgress | FileDone | FileFailed;

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  postMessage(message: FromFileWorker): void;
  onmessage: ((e: MessageEvent<FileStart>) => void) | null;
  close(): void;
}

async function run(scope: WorkerScope, start: FileStart): Promise<void> {
  const ring = new BatchRing(start.ring);
  const first = ring.acquire();
  if (!first) return;
  const decoder = new Decoder({
    consume(b: PacketBatch): PacketBatch | void {
      if (ring.publishCounted(b.count)) scope.postMessage({ type: "batch" });
      // Blocks while every slot is unread; undefined once main gave up: decode into a scratch batch.
      return ring.acquire() ?? b;
    },
  }, first);
  try {
    const stats = await readCaptureFile(start.path, decoder, {
      onProgress: (bytesRead, totalBytes) => scope.postMessage({ type: "progress", bytesRead, totalBytes }),
    });
    decoder.flush();
    scope.postMessage({ type: "done", stats, decode: decoder.counters() });
  } catch (err) {
    scope.postMessage({
      type: "failed",
      message: err instanceof Error ? err.message : String(err),
      captureFileError: err instanceof CaptureFileError,
    });
  }
}

function isWorkerScope(): boolean {
  const ctor = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
  return typeof ctor === "function" && globalThis instanceof ctor;
}

// Only as a Worker entry point does this module act: it then waits for its "start" message.
if (isWorkerScope()) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = (e) => {
    if (e.data.type === "start") run(scope, e.data).finally(() => scope.close());
  };
}
