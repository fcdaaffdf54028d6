/**
 * The flow history as the rest of the daemon sees it: `write()` hands a closed minute to the history's
 * Worker (flow_history_worker.ts) and returns at once, `query()` answers a GET /flows?since=… from it.
 * Minutes waiting for the Worker are bounded: when SQLite falls that far behind, the newest minute is
 * dropped and counted rather than memory growing. The file is bounded too: by age (the retention) and by
 * size (the oldest minutes go first), so a busy network cannot fill the disk.
 */
import { createLogger } from "../base/mod.ts";
import type { MinuteSummary } from "../events/mod.ts";
import type { FlowHistoryQuery, HistoryPage } from "./flow_history_db.ts";
import type { FromHistoryWorker, ToHistoryWorker } from "./flow_history_worker.ts";

/** The size bound's log line is written again only after this long. */
const SAY_SIZE_BOUND_EVERY_MS = 3_600_000;

/** Minutes handed to the Worker and not yet written, at most. */
const MAX_PENDING = 30;

/** Counters for /stats. */
export interface FlowHistoryStats {
  /** Minutes written. */
  minutes_written: number;
  /** Flow rows written. */
  rows_written: number;
  /** Flow rows deleted by the retention. */
  rows_pruned: number;
  /** Flow rows deleted, oldest minutes first, to keep the file within its size bound. */
  rows_pruned_size: number;
  /** Minutes waiting for the Worker. */
  pending: number;
  /** Minutes lost: the Worker was MAX_PENDING behind. */
  dropped: number;
  /** Writes that failed (the minute is lost), the last error. */
  write_errors: number;
  last_error: string | null;
}

/** The flow history, in its Worker. */
export class FlowHistory {
  #worker: Worker;
  #pending = 0;
  #queries = new Map<number, { resolve(p: HistoryPage): void; reject(e: Error): void }>();
  #nextId = 1;
  #closed: Promise<void> | undefined;
  #log = createLogger("flow_history");
  #sizeSaidAt = -Infinity;
  #unsaidSizePruned = 0;
  #onClosed: (() => void) | undefined;
  #stats: FlowHistoryStats = {
    minutes_written: 0,
    rows_written: 0,
    rows_pruned: 0,
    rows_pruned_size: 0,
    pending: 0,
    dropped: 0,
    write_errors: 0,
    last_error: null,
  };

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /**
   * Opens (creating) the history at `path`, keeping `retentionMs` of it in at most `maxBytes` of file (the
   * oldest minutes go first). Rejects when SQLite cannot open it.
   */
  static open(path: string, retentionMs: number, maxBytes = Infinity): Promise<FlowHistory> {
    const worker = new Worker(new URL("./flow_history_worker.ts", import.meta.url), {
      type: "module",
      name: "flintnet-flow-history",
    });
    const h = new FlowHistory(worker);
    return new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromHistoryWorker>) => {
        if (e.data.type !== "opened") return;
        if (e.data.error !== null) {
          worker.terminate();
          return reject(new Error(`flow history ${path}: ${e.data.error}`));
        }
        worker.onmessage = (e: MessageEvent<FromHistoryWorker>) => h.#receive(e.data);
        resolve(h);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`flow history worker failed: ${e.message}`));
      };
      h.#post({ type: "open", path, retentionMs, maxBytes });
    });
  }

  /** Hands a closed minute to the Worker (its flow columns are transferred: the caller must not reuse them). */
  write(s: MinuteSummary): void {
    if (this.#closed) return;
    if (this.#pending >= MAX_PENDING) {
      this.#stats.dropped++;
      return;
    }
    this.#pending++;
    const f = s.flows;
    const buffers = [
      f.family,
      f.src,
      f.dst,
      f.srcPort,
      f.dstPort,
      f.proto,
      f.tcpFlags,
      f.bytes,
      f.packets,
      f.firstMs,
      f.lastMs,
      f.exporter,
      f.exporterMask,
      f.inIf,
      f.outIf,
      f.srcAs,
      f.dstAs,
    ].map((a) => a.buffer as ArrayBuffer);
    this.#worker.postMessage({ type: "write", summary: s } satisfies ToHistoryWorker, buffers);
  }

  /** The flows of a period, from the Worker. */
  query(q: FlowHistoryQuery): Promise<HistoryPage> {
    if (this.#closed) return Promise.reject(new Error("the flow history is closed"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#queries.set(id, { resolve, reject });
      this.#post({ type: "query", id, query: q });
    });
  }

  /** Counters since open. */
  stats(): FlowHistoryStats {
    return { ...this.#stats, pending: this.#pending };
  }

  /** Writes what is queued, closes the file and ends the Worker. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      this.#post({ type: "close" });
      // A Worker stuck in a long statement is not waited for beyond this.
      const t = setTimeout(() => {
        this.#worker.terminate();
        resolve();
      }, 5000);
      Deno.unrefTimer(t);
    });
    return this.#closed;
  }

  /** Says once an hour at most that the size bound, not the retention, decides how far back the history goes. */
  #saySizeBound(rows: number): void {
    this.#unsaidSizePruned += rows;
    const now = Date.now();
    if (now - this.#sizeSaidAt < SAY_SIZE_BOUND_EVERY_MS) return;
    this.#log.warn(
      "flow history at its size bound: the oldest minutes were removed before FLINTNET_FLOW_RETENTION " +
        "(raise FLINTNET_FLOW_HISTORY_MAX_MB, or lower FLINTNET_FLOW_HISTORY_FLOWS, to keep more time)",
      { rows_removed: this.#unsaidSizePruned },
    );
    this.#sizeSaidAt = now;
    this.#unsaidSizePruned = 0;
  }

  #post(m: ToHistoryWorker): void {
    this.#worker.postMessage(m);
  }

  #receive(m: FromHistoryWorker): void {
    switch (m.type) {
      case "written":
        this.#pending--;
        if (m.error !== null) {
          this.#stats.write_errors++;
          this.#stats.last_error = m.error;
        } else {
          this.#stats.minutes_written++;
          this.#stats.rows_written += m.rows;
          this.#stats.rows_pruned += m.pruned;
          this.#stats.rows_pruned_size += m.sizePruned;
          if (m.sizePruned > 0) this.#saySizeBound(m.sizePruned);
        }
        break;
      case "result": {
        const q = this.#queries.get(m.id);
        this.#queries.delete(m.id);
        if (m.page) q?.resolve(m.page);
        else q?.reject(new Error(m.error ?? "the flow history failed"));
        break;
      }
      case "closed":
        this.#worker.terminate();
        for (const q of this.#queries.values()) q.reject(new Error("the flow history is closed"));
        this.#queries.clear();
        this.#onClosed?.();
        break;
    }
  }
}
