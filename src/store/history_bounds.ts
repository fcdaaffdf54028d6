/**
 * The alert history's bounds besides its age: at most so many rows, and at most so many bytes of the
 * file in use, so that a flood of alerts (thousands of forged traps) fills neither the disk nor the
 * queries. Over a bound the oldest alerts are removed first, down to 90 % of it (one delete per flood, not
 * one per batch), counted, and said in the log once a minute at most.
 *
 * Bytes are the file's pages in use (sqlite_size.ts): rows and indexes together. Pages freed by a delete
 * are reused, so the file stops growing at about the bound.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Logger } from "../base/mod.ts";
import { sqliteUsedBytes } from "./sqlite_size.ts";

/** Bounds of {@link HistoryBounds}. */
export interface HistoryBoundsOptions {
  /** Alerts kept at most. @default Infinity */
  maxAlerts?: number;
  /** Bytes of the file in use at most. @default Infinity */
  maxBytes?: number;
}

/** What a bound removes: down to this share of it. */
const LOW_WATER = 0.9;
/** A size-bound removal is re-measured and repeated at most this often per check. */
const MAX_SIZE_ROUNDS = 8;
/** The pruning line is written again only after this long. */
const LOG_EVERY_MS = 60_000;

/** See the module comment. */
export class HistoryBounds {
  readonly maxAlerts: number;
  readonly maxBytes: number;
  readonly #db: DatabaseSync;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #deleteOldest: StatementSync;
  /** Alerts in the file; undefined until first needed (see the constructor). */
  #rows: number | undefined;
  #pruned = 0;
  #loggedAt = -Infinity;
  #unlogged = 0;

  constructor(db: DatabaseSync, o: HistoryBoundsOptions, log: Logger, now: () => number = Date.now) {
    this.maxAlerts = o.maxAlerts ?? Infinity;
    this.maxBytes = o.maxBytes ?? Infinity;
    if (!(this.maxAlerts >= 1) || !(this.maxBytes >= 1)) {
      throw new RangeError(
        `history bounds must be at least 1, got ${this.maxAlerts} alerts, ${this.maxBytes} bytes`,
      );
    }
    this.#db = db;
    this.#log = log;
    this.#now = now;
    // The rows are counted when first needed, not here: counting a large history reads a whole index
    // (850 k alerts, 1 GB: 150 ms from a cold disk), and the daemon opens the history before it answers.
    // Oldest first: (ts, id) through the alerts_ts index.
    this.#deleteOldest = db.prepare(
      "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts ORDER BY ts, id LIMIT ?)",
    );
  }

  /** Alerts in the history now. */
  get rows(): number {
    return this.#rows ??= (this.#db.prepare("SELECT count(*) AS n FROM alerts").get() as { n: number }).n;
  }

  /** Alerts removed by the bounds since open. */
  get pruned(): number {
    return this.#pruned;
  }

  /** Bytes of the file in use (its pages, less the free ones). */
  usedBytes(): number {
    return sqliteUsedBytes(this.#db);
  }

  /** Counts rows written or deleted elsewhere (inserts, retention). */
  changed(delta: number): void {
    // not counted yet: the count, when it is made, includes these
    if (this.#rows !== undefined) this.#rows = Math.max(0, this.#rows + delta);
  }

  /** Removes the oldest alerts while a bound is exceeded; returns how many went. */
  enforce(): number {
    let removed = 0;
    if (Number.isFinite(this.maxAlerts) && this.rows > this.maxAlerts) {
      removed += this.#remove(this.rows - Math.floor(this.maxAlerts * LOW_WATER));
    }
    if (Number.isFinite(this.maxBytes)) {
      for (let round = 0; round < MAX_SIZE_ROUNDS; round++) {
        const used = this.usedBytes();
        if (used <= this.maxBytes || this.rows === 0) break;
        // Rows are not all the same size: remove the share that is over, and measure again.
        removed += this.#remove(
          Math.max(1, Math.ceil(this.rows * (1 - (this.maxBytes * LOW_WATER) / used))),
        );
      }
    }
    if (removed > 0) this.#said(removed);
    return removed;
  }

  #remove(n: number): number {
    const before = this.rows; // counted before the delete, if it was not yet
    const gone = Number(this.#deleteOldest.run(n).changes);
    this.#rows = Math.max(0, before - gone);
    this.#pruned += gone;
    return gone;
  }

  #said(removed: number): void {
    this.#unlogged += removed;
    const now = this.#now();
    if (now - this.#loggedAt < LOG_EVERY_MS) return;
    this.#log.warn(
      "alert history at its bound: the oldest alerts were removed (FLINTNET_HISTORY_MAX_ALERTS, " +
        "FLINTNET_HISTORY_MAX_MB)",
      {
        removed: this.#unlogged,
        alerts: this.rows,
        max_alerts: Number.isFinite(this.maxAlerts) ? this.maxAlerts : null,
        used_bytes: this.usedBytes(),
        max_bytes: Number.isFinite(this.maxBytes) ? this.maxBytes : null,
      },
    );
    this.#loggedAt = now;
    this.#unlogged = 0;
  }
}
