/**
 * The persistent outbox: every alert message (an e-mail, a webhook POST) is written to SQLite before it
 * counts as accepted, and a delivery loop sends what is due, retrying failures with exponential backoff
 * (1 s doubling to 5 min, jittered) until it goes through or is too old.
 *
 * Guarantees: a message is sent at most once by one process (it leaves the table on success, and one
 * loop sends one message at a time); pending messages survive a restart and are sent by the next process.
 * The gap: a crash after the peer accepted the message (SMTP 250, HTTP 2xx) but before the row is
 * deleted sends it again after the restart — at-least-once, not exactly-once. The e-mail's Message-ID
 * and the webhook's X-Flintnet-Delivery header are derived from the row id (see {@link Outbox.messageId}),
 * so such a duplicate is recognisable and a mail client or receiver can drop it.
 *
 * Bounded: at most `maxPending` rows (the oldest is dropped and counted); rows older than `maxAgeMs` are
 * dropped and counted.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { positive } from "../base/mod.ts";

/** Where a message goes. */
export type OutboxChannel = "email" | "webhook";

/** A message waiting in the outbox. */
export interface OutboxMessage {
  /** Row id: never reused in this database (AUTOINCREMENT). */
  id: number;
  /** The channel. */
  channel: OutboxChannel;
  /** The recipients (e-mail, comma-separated) or the URL (webhook). */
  target: string;
  /** What to send, as the producer serialised it. */
  payload: string;
  /** When it was enqueued, ms since the epoch. */
  createdMs: number;
  /** Failed attempts so far. */
  attempts: number;
  /** The last failure in words, null before any. */
  lastError: string | null;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** The database file (`<stateDir>/outbox.db`), or ":memory:". */
  path: string;
  /** Most messages waiting; the oldest is dropped past it. @default 10_000 */
  maxPending?: number;
  /** Messages older than this are dropped undelivered. @default 7 days */
  maxAgeMs?: number;
  /** First retry delay. @default 1000 */
  backoffBaseMs?: number;
  /** Longest retry delay. @default 300_000 */
  backoffMaxMs?: number;
  /** Random numbers in [0, 1) for jitter. @default Math.random */
  random?: () => number;
}

/** What the outbox has done since it was opened. */
export interface OutboxCounters {
  /** Messages waiting now. */
  pending: number;
  /** Messages accepted. */
  enqueued: number;
  /** Messages the peer accepted. */
  delivered: number;
  /** Attempts that failed (each is retried later). */
  failed_attempts: number;
  /** Messages dropped because they were older than the maximum age. */
  dropped_expired: number;
  /** Messages dropped because the outbox was full. */
  dropped_full: number;
  /** Messages dropped because they could never be sent (their channel is no longer configured). */
  dropped_undeliverable: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_ms INTEGER NOT NULL,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_next ON outbox (next_ms);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox (created_ms);
`;

/** The SQLite-backed message queue. */
export class Outbox {
  readonly path: string;
  #db: DatabaseSync;
  #instance: string;
  #maxPending: number;
  #maxAgeMs: number;
  #baseMs: number;
  #maxMs: number;
  #random: () => number;
  #counters: Omit<OutboxCounters, "pending"> = {
    enqueued: 0,
    delivered: 0,
    failed_attempts: 0,
    dropped_expired: 0,
    dropped_full: 0,
    dropped_undeliverable: 0,
  };
  // Rows sent whose delete failed (disk trouble): never handed out again by this process.
  #sent = new Set<number>();
  #q: Record<string, StatementSync>;

  constructor(o: OutboxOptions) {
    this.path = o.path;
    this.#maxPending = positive("maxPending", o.maxPending ?? 10_000);
    this.#maxAgeMs = positive("maxAgeMs", o.maxAgeMs ?? 7 * 86_400_000);
    this.#baseMs = positive("backoffBaseMs", o.backoffBaseMs ?? 1000);
    this.#maxMs = Math.max(this.#baseMs, positive("backoffMaxMs", o.backoffMaxMs ?? 300_000));
    this.#random = o.random ?? Math.random;
    if (o.path !== ":memory:") {
      // Webhook URLs carry their secret in the path: the file is for root's eyes only. SQLite gives the
      // -wal and -shm files the database file's mode, so it is set before SQLite first touches the file
      // (an empty file is a valid new database).
      try {
        Deno.writeFileSync(o.path, new Uint8Array(), { createNew: true, mode: 0o600 });
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      }
      Deno.chmodSync(o.path, 0o600);
    }
    this.#db = new DatabaseSync(o.path);
    if (o.path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed enqueue survives a power cut, which is the point of the outbox.
    this.#db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.#db.exec(SCHEMA);
    this.#instance = this.#loadInstance();
    const d = this.#db;
    this.#q = {
      insert: d.prepare(
        "INSERT INTO outbox (channel, target, payload, created_ms, next_ms) VALUES (?, ?, ?, ?, ?)",
      ),
      count: d.prepare("SELECT count(*) AS n FROM outbox"),
      dropOldest: d.prepare(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)",
      ),
      due: d.prepare(
        "SELECT id, channel, target, payload, created_ms, attempts, last_error FROM outbox " +
          "WHERE next_ms <= ? ORDER BY next_ms, id LIMIT ?",
      ),
      next: d.prepare("SELECT min(next_ms) AS t FROM outbox"),
      delete: d.prepare("DELETE FROM outbox WHERE id = ?"),
      fail: d.prepare("UPDATE outbox SET attempts = attempts + 1, next_ms = ?, last_error = ? WHERE id = ?"),
      attempts: d.prepare("SELECT attempts FROM outbox WHERE id = ?"),
      expire: d.prepare("DELETE FROM outbox WHERE created_ms < ?"),
    };
  }

  /** A random id per database, so Message-IDs of two installations never collide. */
  #loadInstance(): string {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'instance'").get() as
      | { value: string }
      | undefined;
    if (row) return row.value;
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    this.#db.prepare("INSERT INTO meta (key, value) VALUES ('instance', ?)").run(id);
    return id;
  }

  /**
   * Stores a message; when this returns, the message is committed to disk and will be sent (by this
   * process or the next). Returns its id. Drops the oldest messages if the outbox is full.
   */
  enqueue(channel: OutboxChannel, target: string, payload: string, nowMs = Date.now()): number {
    const over = this.pending() + 1 - this.#maxPending;
    if (over > 0) {
      const r = this.#q.dropOldest.run(over);
      this.#counters.dropped_full += Number(r.changes);
    }
    const r = this.#q.insert.run(channel, target, payload, nowMs, nowMs);
    this.#counters.enqueued++;
    return Number(r.lastInsertRowid);
  }

  /** Messages whose next attempt is due at `nowMs`, earliest first. */
  due(nowMs: number, limit = 50): OutboxMessage[] {
    const rows = this.#q.due.all(nowMs, limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: Number(r.id),
      channel: r.channel as OutboxChannel,
      target: String(r.target),
      payload: String(r.payload),
      createdMs: Number(r.created_ms),
      attempts: Number(r.attempts),
      lastError: r.last_error === null ? null : String(r.last_error),
    })).filter((m) => !this.#sent.has(m.id));
  }

  /** When the earliest waiting message is due (ms since the epoch), null when none waits. */
  nextDueMs(): number | null {
    const r = this.#q.next.get() as { t: number | bigint | null };
    return r.t === null ? null : Number(r.t);
  }

  /**
   * The peer accepted message `id`: it leaves the outbox and is never handed out again by this process,
   * even when the delete fails (then the error is returned, and a restart would send it again).
   */
  markDelivered(id: number): Error | null {
    this.#counters.delivered++;
    this.#sent.add(id);
    try {
      this.#q.delete.run(id);
      this.#sent.delete(id);
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** An attempt at `id` failed: schedules the next one with backoff; returns when it is due. */
  markFailed(id: number, error: string, nowMs: number): number {
    const row = this.#q.attempts.get(id) as { attempts: number } | undefined;
    const attempts = (row?.attempts ?? 0) + 1;
    const delay = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(attempts - 1, 30));
    // Jitter in [delay/2, delay): many messages failing together do not retry in lockstep.
    const next = nowMs + Math.round(delay * (0.5 + 0.5 * this.#random()));
    this.#q.fail.run(next, error.slice(0, 500), id);
    this.#counters.failed_attempts++;
    return next;
  }

  /** Message `id` can never be sent: removes it and counts it. */
  markUndeliverable(id: number): void {
    this.#q.delete.run(id);
    this.#counters.dropped_undeliverable++;
  }

  /** Drops messages older than the maximum age; returns how many. */
  expire(nowMs: number): number {
    const n = Number(this.#q.expire.run(nowMs - this.#maxAgeMs).changes);
    this.#counters.dropped_expired += n;
    return n;
  }

  /** Messages waiting. */
  pending(): number {
    return Number((this.#q.count.get() as { n: number | bigint }).n);
  }

  /** The Message-ID local part of message `id`: the row id and this database's instance id. */
  messageId(id: number): string {
    return `flintnet.${this.#instance}.${id}`;
  }

  /** What happened since open. */
  counters(): OutboxCounters {
    return { pending: this.pending(), ...this.#counters };
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
