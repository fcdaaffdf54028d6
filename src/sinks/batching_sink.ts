/**
 * One external sink: rows gathered in memory, sealed into a batch every interval (or sooner when many
 * have gathered), the batch put into the on-disk spool, and the spool sent oldest first. A server that
 * fails makes the sink wait longer each time (up to five minutes) while batches wait on disk, within
 * the spool's bound. Nothing here throws at its callers: failures are counted and logged once a minute.
 */
import { createLogger, MinuteBudget } from "../base/mod.ts";
import type { Spool, SpoolStats } from "./spool.ts";

/** Where a sink's batches go. */
export interface SinkTransport {
  /** Called before the first send and again after a failure (e.g. CREATE TABLE IF NOT EXISTS). */
  prepare?(signal: AbortSignal): Promise<void>;
  /** Sends one batch; rejects when the server did not take it. */
  send(body: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void>;
}

/** The server refused a batch itself (bad data): retrying it cannot help, so it is dropped and counted. */
export class RefusedBatch extends Error {}

/** Counters of one sink, for /stats and /metrics. */
export interface SinkStats extends SpoolStats {
  /** Rows the server took. */
  rows_sent: number;
  /** Batches the server took. */
  batches_sent: number;
  /** Sends that failed (each is retried). */
  failures: number;
  /** Rows gathered in memory, not yet sealed into a batch. */
  pending_rows: number;
  /** Batches the server refused as such (dropped, not retried). */
  refused_batches: number;
}

/** Options of a {@link BatchingSink}. */
export interface BatchingSinkOptions {
  /** Milliseconds between batches. */
  intervalMs: number;
  /** Rows that seal a batch early. @default 10_000 */
  maxRows?: number;
  /** Milliseconds one send may take. @default 10_000 */
  timeoutMs?: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/** A sink with a spool: add() rows, the rest happens on its own. */
export class BatchingSink {
  readonly name: string;
  readonly #spool: Spool;
  readonly #transport: SinkTransport;
  readonly #o: Required<BatchingSinkOptions>;
  readonly #log = createLogger("sink");
  readonly #warnings = new MinuteBudget(1);
  #rows: string[] = [];
  #prepared = false;
  #sending: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #abort = new AbortController();
  #retryAt = 0;
  #failuresInARow = 0;
  #sent = { rows: 0, batches: 0, failures: 0, refused: 0 };

  constructor(name: string, spool: Spool, transport: SinkTransport, opts: BatchingSinkOptions) {
    this.name = name;
    this.#spool = spool;
    this.#transport = transport;
    this.#o = { maxRows: 10_000, timeoutMs: 10_000, ...opts };
  }

  /** Adds one row (a line of the batch body: a JSON object, a line of line protocol). */
  add(row: string): void {
    this.#rows.push(row);
    if (this.#rows.length >= this.#o.maxRows) void this.flush();
  }

  /** Sends every interval from now on. */
  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#o.intervalMs);
  }

  /** Seals what gathered into a batch and sends what waits, unless waiting after a failure. */
  flush(): Promise<void> {
    this.#sending ??= this.#flush().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  /**
   * Stops: what gathered goes to the spool (sent at the next start if not now), one last send is tried
   * within `budgetMs`, and a send still running then is aborted.
   */
  async stop(budgetMs = 1_500): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#seal();
    this.#retryAt = 0;
    const deadline = setTimeout(() => this.#abort.abort(), budgetMs);
    try {
      await this.flush();
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Counters. */
  stats(): SinkStats {
    return {
      rows_sent: this.#sent.rows,
      batches_sent: this.#sent.batches,
      failures: this.#sent.failures,
      pending_rows: this.#rows.length,
      refused_batches: this.#sent.refused,
      ...this.#spool.stats(),
    };
  }

  async #seal(): Promise<void> {
    if (this.#rows.length === 0) return;
    const rows = this.#rows;
    this.#rows = [];
    await this.#spool.push(new TextEncoder().encode(rows.join("\n") + "\n"), rows.length);
  }

  async #flush(): Promise<void> {
    try {
      await this.#seal();
      if (Date.now() < this.#retryAt) return;
      for (let batch = await this.#spool.peek(); batch; batch = await this.#spool.peek()) {
        if (this.#abort.signal.aborted) return;
        const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#o.timeoutMs)]);
        if (!this.#prepared) {
          await this.#transport.prepare?.(signal);
          this.#prepared = true;
        }
        try {
          await this.#transport.send(batch.body, signal);
        } catch (err) {
          if (!(err instanceof RefusedBatch)) throw err;
          await this.#spool.ack(batch.seq);
          this.#sent.refused++;
          this.#log.warn(`${this.name}: ${err.message}; the batch is dropped`, {
            sink: this.name,
            rows: batch.rows,
          });
          continue;
        }
        await this.#spool.ack(batch.seq);
        this.#sent.rows += batch.rows;
        this.#sent.batches++;
        this.#failuresInARow = 0;
      }
    } catch (err) {
      this.#sent.failures++;
      this.#failuresInARow++;
      this.#prepared = false;
      const wait = Math.min(MAX_BACKOFF_MS, this.#o.intervalMs * 2 ** Math.min(this.#failuresInARow, 16));
      this.#retryAt = Date.now() + wait;
      if (this.#warnings.take(Date.now())) {
        this.#log.warn(
          `${this.name} did not take a batch; kept on disk, next try in ${Math.round(wait / 1000)} s`,
          {
            sink: this.name,
            error: err instanceof Error ? err.message : String(err),
            waiting_batches: this.#spool.stats().batches,
          },
        );
      }
    }
  }
}
