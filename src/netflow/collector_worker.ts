/**
 * The collector Worker: runs the CollectorLoop off the main thread, decoding into a shared BatchRing
 * and telling the main thread which slot is ready, so receiving and decoding never wait for the main
 * thread's event loop. It never writes to stderr; logs go to the main thread.
 *
 * Started by CollectorService as
 * `new Worker(new URL("./collector_worker.ts", import.meta.url), { type: "module" })`.
 * When imported anywhere else (type checks, tests), this module does nothing.
 */
import { CollectorLoop, type FromCollector, type LoopOptions } from "./collector_loop.ts";
import { BatchRing, type BatchRingShape } from "../capture/mod.ts";
import { createFlowRecordBatch, RECORD_BATCH_LAYOUT } from "./flow_record.ts";

/** main → worker: open the sockets and collect into this ring. */
export interface CollectorStart extends LoopOptions {
  type: "start";
  ring: BatchRingShape;
}

/** Messages the worker sends: the loop's, and one per filled ring slot. */
export type FromCollectorWorker = FromCollector | { type: "batch"; slot: number; count: number };

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  postMessage(message: FromCollectorWorker): void;
  onmessage: ((e: MessageEvent<CollectorStart | { type: "stop" }>) => void) | null;
  close(): void;
}

function isWorkerScope(): boolean {
  const ctor = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
  return typeof ctor === "function" && globalThis instanceof ctor;
}

// Only as a Worker entry point does this module act: it then waits for its "start" message.
if (isWorkerScope()) {
  const scope = globalThis as unknown as WorkerScope;
  let loop: CollectorLoop | undefined;
  scope.onmessage = (e) => {
    if (e.data.type === "start" && !loop) {
      const ring = new BatchRing(e.data.ring, RECORD_BATCH_LAYOUT);
      // Where records go once the main thread has closed the ring (it is stopping).
      const scratch = createFlowRecordBatch(256);
      loop = new CollectorLoop(e.data, (m) => scope.postMessage(m), {
        first: ring.acquire() ?? scratch,
        next(b) {
          if (b === scratch) return b;
          const slot = ring.publish();
          scope.postMessage({ type: "batch", slot, count: b.count });
          return ring.acquire() ?? scratch;
        },
      });
      loop.run().finally(() => scope.close());
    } else if (e.data.type === "stop") loop?.stop();
  };
}
