/**
 * The alert history: every security, anomaly and trap alert in an embedded SQLite file (node:sqlite),
 * queried newest first with filters and keyset pages, acknowledged, and purged by age.
 *
 * WAL with synchronous=NORMAL (https://www.sqlite.org/wal.html): readers never wait for the writer, and
 * a power cut loses at most the last transactions, never the file. Inserts are queued and written in
 * one transaction per timer tick, because a transaction per alert costs an fsync each and a burst of
 * alerts would hold the main thread for that long.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { createLogger, type Logger, RingBuffer } from "../base/mod.ts";
import type { AlertFields, AlertFilter, AlertRecord } from "./alert_row.ts";

export type { AlertFilter, AlertRecord };
import { isCorrupt, openDatabase } from "./history_file.ts";
import { HistoryBounds } from "./history_bounds.ts";
import { COLUMNS, eventJson, type Row, sqlWhere, toRecord, whereClause } from "./history_sql.ts";

export { MAX_EVENT_JSON } from "./history_sql.ts";

/** An alert to store: its columns and the event it came from. */
export interface NewAlert extends AlertFields {
  /** The event as published (its per-process bus id is dropped). */
  event: Record<string, unknown>;
  /** A mute rule matched it: kept here, not delivered. */
  muted: boolean;
}

/** Where a page starts: after this alert in (ts desc, id desc) order. */
export interface AlertKey {
  /** The previous page's last ts. */
  ts: number;
  /** The previous page's last id. */
  id: number;
}

/** Which page. */
export interface AlertPageRequest {
  /** At most this many alerts. */
  limit: number;
  /** After this key; from the newest when absent. */
  after?: AlertKey;
}

/** One page, newest first. */
export interface AlertPage {
  /** The alerts, ts desc then id desc. */
  alerts: AlertRecord[];
  /** How many match the filter on all pages. */
  totalMatched: number;
  /** The key to pass as `after` for the next page; null on the last. */
  next: AlertKey | null;
}

/** Counters for /stats and /metrics. */
export interface HistoryStats {
  /** Alerts queued, not yet written. */
  pending: number;
  /** Alerts written since open. */
  written: number;
  /** Alerts lost: queue overflow, or a failed write. */
  dropped: number;
  /** Write transactions that failed. */
  write_errors: number;
  /** Alerts in the history now. */
  alerts: number;
  /** Oldest alerts removed to keep within FLINTNET_HISTORY_MAX_ALERTS and FLINTNET_HISTORY_MAX_MB. */
  pruned: number;
}

/** What happened to a file that could not be opened as a database. */
export interface HistoryRecovery {
  /** Where the old file now is. */
  movedTo: string;
  /** Why (SQLite's message). */
  reason: string;
}

/** Options for openHistory. */
export interface HistoryOptions {
  /**
   * Alerts queued for the next write before the oldest is dropped.
   * @default 100_000
   */
  maxPending?: number;
  /** The clock, for the name a corrupt file is moved to. */
  now?: () => number;
  /** Where diagnostics go. */
  log?: Logger;
  /** Alerts kept at most; the oldest go first. @default Infinity */
  maxAlerts?: number;
  /** Bytes of the file in use at most; the oldest alerts go first. @default Infinity */
  maxBytes?: number;
}

/** The alert history over one SQLite file. Build it with openHistory(). */
export class HistoryDb {
  /** The connection, for stores that keep their tables in the same file (mutes). */
  readonly sqlite: DatabaseSync;
  /** Set when the file at open was not a database and was moved aside. */
  readonly recovered: HistoryRecovery | undefined;
  #log: Logger;
  #pending: RingBuffer<NewAlert>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #statements = new Map<string, StatementSync>();
  #written = 0;
  #dropped = 0;
  #writeErrors = 0;
  #bounds: HistoryBounds;

  /** @internal use openHistory(). */
  constructor(sqlite: DatabaseSync, recovered: HistoryRecovery | undefined, o: HistoryOptions) {
    this.sqlite = sqlite;
    this.recovered = recovered;
    this.#log = o.log ?? createLogger("history");
    this.#pending = new RingBuffer(o.maxPending ?? 100_000);
    this.#bounds = new HistoryBounds(sqlite, o, this.#log, o.now);
  }

  /** Queues an alert; it is written with the others of this tick. */
  insert(alert: NewAlert): void {
    if (this.#pending.push(alert) !== undefined) this.#dropped++;
    this.#timer ??= setTimeout(() => this.flush(), 0);
  }

  /** Writes every queued alert in one transaction now; returns how many. Failures are logged and counted. */
  flush(): number {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.toArray();
    if (batch.length === 0) return 0;
    this.#pending.clear();
    const stmt = this.#stmt(
      "INSERT INTO alerts (ts, kind, type, severity, mac, ip, peer_ip, device_ip, summary, event, muted) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    try {
      this.sqlite.exec("BEGIN");
      try {
        for (const a of batch) {
          stmt.run(
            a.ts,
            a.kind,
            a.type,
            a.severity,
            a.mac,
            a.ip,
            a.peer_ip,
            a.device_ip,
            a.summary,
            eventJson(a.event),
            a.muted ? 1 : 0,
          );
        }
        this.sqlite.exec("COMMIT");
      } catch (err) {
        if (this.sqlite.isTransaction) this.sqlite.exec("ROLLBACK");
        throw err;
      }
      this.#written += batch.length;
      this.#bounds.changed(batch.length);
      this.#bounds.enforce();
      return batch.length;
    } catch (err) {
      this.#writeErrors++;
      this.#dropped += batch.length;
      this.#log.error("alerts could not be written to the history", { alerts: batch.length, error: err });
      return 0;
    }
  }

  /** One page of the alerts matching `filter`, newest first. */
  query(filter: AlertFilter, page: AlertPageRequest): AlertPage {
    this.flush();
    const { where, args } = whereClause(filter);
    const count = this.#stmt(`SELECT count(*) AS n FROM alerts${sqlWhere(where)}`).get(...args) as {
      n: number;
    };
    const conds = [...where], pageArgs = [...args];
    if (page.after) {
      conds.push("(ts, id) < (?, ?)");
      pageArgs.push(page.after.ts, page.after.id);
    }
    const rows = this.#stmt(
      `SELECT ${COLUMNS} FROM alerts${sqlWhere(conds)} ORDER BY ts DESC, id DESC LIMIT ?`,
    ).all(...pageArgs, page.limit + 1) as unknown as Row[];
    const more = rows.length > page.limit;
    const alerts = rows.slice(0, page.limit).map(toRecord);
    const last = alerts.at(-1);
    return { alerts, totalMatched: count.n, next: more && last ? { ts: last.ts, id: last.id } : null };
  }

  /** The SQL plan of a page query (EXPLAIN QUERY PLAN details), for tests and diagnosis. */
  explainQuery(filter: AlertFilter, page: AlertPageRequest): string[] {
    const { where, args } = whereClause(filter);
    if (page.after) {
      where.push("(ts, id) < (?, ?)");
      args.push(page.after.ts, page.after.id);
    }
    const rows = this.sqlite.prepare(
      `EXPLAIN QUERY PLAN SELECT ${COLUMNS} FROM alerts${sqlWhere(where)} ORDER BY ts DESC, id DESC LIMIT ?`,
    ).all(...args, page.limit + 1) as { detail: string }[];
    return rows.map((r) => r.detail);
  }

  /** The alert with this id. */
  get(id: number): AlertRecord | undefined {
    this.flush();
    const row = this.#stmt(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Marks an alert acknowledged (again: the latest acknowledgement wins); undefined when there is none. */
  ack(id: number, by: string, note: string | null, atMs: number = Date.now()): AlertRecord | undefined {
    this.flush();
    const r = this.#stmt("UPDATE alerts SET acked_at = ?, acked_by = ?, ack_note = ? WHERE id = ?")
      .run(atMs, by, note, id);
    return r.changes === 0 ? undefined : this.get(id);
  }

  /**
   * Replaces the summary and event of the anomaly alert of episode `episodeId`, which was opened between
   * `fromMs` and `toMs` (so the search stays on the kind-and-time index): an episode is one alert, its
   * closing event completes it. False when there is no such alert (it was purged, or never recorded).
   */
  updateAnomalyEpisode(
    episodeId: string,
    fromMs: number,
    toMs: number,
    summary: string,
    event: Record<string, unknown>,
  ): boolean {
    this.flush();
    const r = this.#stmt(
      "UPDATE alerts SET summary = ?, event = ? WHERE kind = 'anomaly' AND ts >= ? AND ts <= ? " +
        "AND json_extract(event, '$.episode_id') = ?",
    ).run(summary, eventJson(event), fromMs, toMs, episodeId);
    return Number(r.changes) > 0;
  }

  /** Deletes alerts older than `cutoffMs`; returns how many. */
  purgeOlderThan(cutoffMs: number): number {
    this.flush();
    const n = Number(this.#stmt("DELETE FROM alerts WHERE ts < ?").run(cutoffMs).changes);
    this.#bounds.changed(-n);
    return n;
  }

  /** Counters. */
  stats(): HistoryStats {
    return {
      pending: this.#pending.length,
      written: this.#written,
      dropped: this.#dropped,
      write_errors: this.#writeErrors,
      alerts: this.#bounds.rows,
      pruned: this.#bounds.pruned,
    };
  }

  /** Writes what is queued and closes the file. */
  close(): void {
    if (!this.sqlite.isOpen) return;
    this.flush();
    this.#statements.clear();
    this.sqlite.close();
  }

  #stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (s === undefined) this.#statements.set(sql, s = this.sqlite.prepare(sql));
    return s;
  }
}

/**
 * Opens (creating when missing, mode 0600) the history at `path` and brings its schema up to date.
 * A file that is not a database, or whose header is corrupt, is moved aside to `<path>.corrupt-<time>`
 * and a new one made; `recovered` says so and an error line is logged. A schema newer than this
 * program knows is refused with an error (the file is fine; this is a downgrade).
 */
export function openHistory(path: string, options: HistoryOptions = {}): HistoryDb {
  const log = options.log ?? createLogger("history");
  const now = options.now ?? Date.now;
  try {
    return new HistoryDb(openDatabase(path), undefined, { ...options, log });
  } catch (err) {
    if (!isCorrupt(err)) throw err;
    const movedTo = `${path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, "-")}`;
    for (const suffix of ["", "-wal", "-shm"]) {
      try {
        Deno.renameSync(path + suffix, movedTo + suffix);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    const reason = (err as Error).message;
    log.error("the alert history was not a readable database: moved it aside and started a new one", {
      path,
      moved_to: movedTo,
      reason,
    });
    return new HistoryDb(openDatabase(path), { movedTo, reason }, { ...options, log });
  }
}
