/**
 * The flow history's Worker: the only holder of its SQLite file. Minutes arrive as messages (their flow
 * columns transferred, not copied) and are written one transaction each; queries are answered in
 * turn; every hour the minutes past the retention are deleted, and after every minute the oldest ones while
 * the file is over its size bound. SQLite's time (about 50 ms a minute of
 * 10,000 flows, most of a second for a top-N over an hour) is spent here, never on the thread that runs
 * the flow pipeline.
 *
 * `new Worker(new URL("./flow_history_worker.ts", import.meta.url), { type: "module" })`.
 */
import type { MinuteSummary } from "../events/mod.ts";
import { FlowHistoryDb, type FlowHistoryQuery, type HistoryPage } from "./flow_history_db.ts";
import { HeapReducer } from "../base/mod.ts";

/** Messages to the Worker. */
export type ToHistoryWorker =
  | { type: "open"; path: string; retentionMs: number; maxBytes: number }
  | { type: "write"; summary: MinuteSummary }
  | { type: "query"; id: number; query: FlowHistoryQuery }
  | { type: "close" };

/** Messages from the Worker. */
export type FromHistoryWorker =
  | { type: "opened"; error: string | null }
  | { type: "written"; rows: number; pruned: number; sizePruned: number; error: string | null }
  | { type: "result"; id: number; page: HistoryPage | null; error: string | null }
  | { type: "closed" };

const PRUNE_EVERY_MS = 3_600_000;

interface WorkerScope {
  postMessage(message: FromHistoryWorker): void;
  onmessage: ((e: MessageEvent<ToHistoryWorker>) => void) | null;
  close(): void;
}

const scope = self as unknown as WorkerScope;
let db: FlowHistoryDb | undefined;
let retentionMs = 0;
let maxBytes = Infinity;
let prunedAt = 0;
// What each minute's write leaves in the Worker's heap goes back while it waits for the next (base/heap_reducer.ts).
const heapReducer = new HeapReducer();

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case "open":
      try {
        db = new FlowHistoryDb(m.path);
        retentionMs = m.retentionMs;
        maxBytes = m.maxBytes;
        db.prune(Date.now() - retentionMs);
        prunedAt = Date.now();
        heapReducer.start();
        scope.postMessage({ type: "opened", error: null });
      } catch (err) {
        scope.postMessage({ type: "opened", error: message(err) });
        break;
      }
      // A file written under a larger bound (or none) is brought within this one before the first minute,
      // after saying it is open: deleting gigabytes of rows must not hold up the daemon's start. A failure
      // here is met again after the first minute's write, which reports it.
      try {
        if (Number.isFinite(maxBytes)) db.enforceSize(maxBytes);
      } catch { /* see above */ }
      break;
    case "write": {
      let rows = 0, pruned = 0, sizePruned = 0, error: string | null = null;
      try {
        rows = db!.write(m.summary);
        if (Date.now() - prunedAt >= PRUNE_EVERY_MS) {
          pruned = db!.prune(Date.now() - retentionMs);
          prunedAt = Date.now();
        }
        // Every minute: three pragmas when under the bound; a busy network fills it long before the retention.
        if (Number.isFinite(maxBytes)) sizePruned = db!.enforceSize(maxBytes);
      } catch (err) {
        error = message(err);
      }
      scope.postMessage({ type: "written", rows, pruned, sizePruned, error });
      break;
    }
    case "query":
      try {
        scope.postMessage({ type: "result", id: m.id, page: db!.query(m.query), error: null });
      } catch (err) {
        scope.postMessage({ type: "result", id: m.id, page: null, error: message(err) });
      }
      break;
    case "close":
      db?.close();
      db = undefined;
      heapReducer.stop();
      scope.postMessage({ type: "closed" });
      scope.close();
      break;
  }
};
