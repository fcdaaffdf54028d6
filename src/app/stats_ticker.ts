/**
 * The `stats` event: every few seconds a snapshot of the daemon's counters (the shape of GET /stats) is
 * published on the bus, where the stream, the dashboard's charts and anything else subscribed take it.
 * The app owns it: the SSE hub only carries what the bus brings.
 */
import { createLogger } from "../base/mod.ts";
import type { Publish } from "../events/mod.ts";

/** Options of a {@link StatsTicker}. */
export interface StatsTickerOptions {
  /** Where the event goes (the bus's publish). */
  publish: Publish;
  /** The snapshot, as GET /stats answers it. */
  snapshot: () => Record<string, unknown>;
  /** Interval, ms. @default 2000 */
  intervalMs?: number;
  /** Wall clock for the event's `ts`, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** Publishes a `stats` event every interval until stopped. */
export class StatsTicker {
  readonly #o: StatsTickerOptions;
  readonly #log = createLogger("stats");
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @throws RangeError for an interval that is not a positive number of ms */
  constructor(opts: StatsTickerOptions) {
    const ms = opts.intervalMs ?? 2000;
    if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`intervalMs must be > 0, got ${ms}`);
    this.#o = { ...opts, intervalMs: ms };
  }

  /** Starts the timer (again a no-op while running). */
  start(): void {
    this.#timer ??= setInterval(() => this.tick(), this.#o.intervalMs);
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Publishes one snapshot now; a snapshot that throws is logged and skipped, the next one goes out. */
  tick(): void {
    let stats: Record<string, unknown>;
    try {
      stats = this.#o.snapshot();
    } catch (err) {
      this.#log.error("could not take the stats snapshot for the stream", { error: err });
      return;
    }
    this.#o.publish({ kind: "stats", ts: new Date((this.#o.now ?? Date.now)()).toISOString(), stats });
  }
}
