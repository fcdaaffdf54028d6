/**
 * The outbox's delivery loop: sends due messages one at a time (so this process never sends one twice),
 * then sleeps until the next is due; a failure is rescheduled with the outbox's backoff.
 */
import { createLogger, type Logger } from "../base/mod.ts";
import type { Outbox, OutboxMessage } from "./outbox.ts";

/** Thrown by a sender when a message can never be sent (retrying cannot help). */
export class Undeliverable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Undeliverable";
  }
}

/** Options of {@link OutboxLoop}. */
export interface OutboxLoopOptions {
  /** The outbox to drain. */
  outbox: Outbox;
  /** Sends one message; throws (in words) on failure, {@link Undeliverable} when retrying cannot help. */
  send(m: OutboxMessage): Promise<void>;
  /** Longest sleep between looks at the table. @default 60_000 */
  maxWaitMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** @default createLogger("alert") */
  log?: Logger;
}

/** Drains the outbox: sends due messages one at a time, then sleeps until the next is due. */
export class OutboxLoop {
  #o: OutboxLoopOptions;
  #now: () => number;
  #log: Logger;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #lastError: string | null = null;

  constructor(o: OutboxLoopOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#log = o.log ?? createLogger("alert");
  }

  /** The last delivery failure in words (null when none yet). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Starts draining (sends what a previous process left at once). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.kick();
  }

  /** Looks at the table now (call after enqueue). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  /** Stops after the message being sent, if any. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.kick();
        return;
      }
      const next = this.#o.outbox.nextDueMs();
      const max = this.#o.maxWaitMs ?? 60_000;
      const wait = next === null ? max : Math.min(max, Math.max(0, next - this.#now()));
      this.#timer = setTimeout(() => this.#tick(), wait);
    });
  }

  async #drain(): Promise<void> {
    const box = this.#o.outbox;
    try {
      const expired = box.expire(this.#now());
      if (expired > 0) {
        this.#log.warn("alert messages dropped undelivered after the maximum age", { count: expired });
      }
      for (const m of box.due(this.#now())) {
        if (this.#stopped) return;
        try {
          await this.#o.send(m);
        } catch (err) {
          const words = err instanceof Error ? err.message : String(err);
          this.#lastError = words;
          if (err instanceof Undeliverable) {
            box.markUndeliverable(m.id);
            this.#log.error("alert message dropped: it cannot be sent", {
              id: m.id,
              channel: m.channel,
              error: words,
            });
          } else {
            const next = box.markFailed(m.id, words, this.#now());
            this.#log.warn("alert delivery failed, will retry", {
              id: m.id,
              channel: m.channel,
              attempt: m.attempts + 1,
              retry_in_s: Math.round((next - this.#now()) / 100) / 10,
              error: words,
            });
          }
          continue;
        }
        const err = box.markDelivered(m.id);
        if (err) this.#log.error("alert message sent but not marked as sent", { id: m.id, error: err });
      }
    } catch (err) {
      // The database itself failed (disk full, file removed): keep the loop alive and try again later.
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#log.error("alert outbox failed", { error: err });
    }
  }
}
