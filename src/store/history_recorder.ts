/**
 * Writes every alert the bus carries (security, anomaly, trap) into the history, marked muted when a
 * mute rule matches, and keeps the history to its retention: rows older than `retentionDays` go at
 * attach and then every hour.
 */
import type { AlertEvent, AnomalyEvent, EventBus, PublishedEvent, Subscription } from "../events/mod.ts";
import { createLogger, type Logger } from "../base/mod.ts";
import { alertFields } from "./alert_row.ts";
import type { HistoryDb } from "./history_db.ts";

const DAY_MS = 86_400_000;

/** Options for HistoryRecorder. */
export interface HistoryRecorderOptions {
  /** Where alerts go. */
  history: HistoryDb;
  /** Alerts older than this many days are deleted (FLINTNET_HISTORY_DAYS). */
  retentionDays: number;
  /** Mute rules; nothing is muted without them. */
  mutes?: { isMuted(e: AlertEvent, nowMs: number): boolean };
  /** The clock. */
  now?: () => number;
  /**
   * How often old rows are purged, ms.
   * @default 3_600_000
   */
  purgeIntervalMs?: number;
  /** Where diagnostics go. */
  log?: Logger;
}

/** Counters. */
export interface HistoryRecorderStats {
  /** Alerts handed to the history. */
  recorded: number;
  /** Of those, muted. */
  muted: number;
  /** Rows deleted by retention. */
  purged: number;
  /** Alerts that could not be turned into a row, and purges that failed. */
  errors: number;
  /** Alerts the bus dropped because this subscriber fell behind. */
  bus_dropped: number;
}

/** Subscribes the history to the bus. */
export class HistoryRecorder {
  #o: HistoryRecorderOptions;
  #now: () => number;
  #log: Logger;
  #sub: Subscription | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #recorded = 0;
  #muted = 0;
  #purged = 0;
  #errors = 0;

  constructor(options: HistoryRecorderOptions) {
    if (!(options.retentionDays > 0)) {
      throw new RangeError(`retentionDays must be more than 0, got ${options.retentionDays}`);
    }
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? createLogger("history");
  }

  /** Purges once, then records every alert on the bus and purges every purgeIntervalMs. */
  attach(bus: EventBus): void {
    this.detach();
    this.purge();
    this.#sub = bus.subscribe((e: PublishedEvent) => {
      if (e.kind === "security" || e.kind === "anomaly" || e.kind === "trap" || e.kind === "advisory") {
        this.record(e);
      }
    }, { kinds: ["security", "anomaly", "trap", "advisory"], name: "history" });
    this.#timer = setInterval(() => this.purge(), this.#o.purgeIntervalMs ?? 3_600_000);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Stops recording and purging, and writes what is queued. */
  detach(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#o.history.sqlite.isOpen) this.#o.history.flush();
  }

  /**
   * Queues one alert (written with the rest of this tick). The closed event of an anomaly episode
   * completes the alert its open event made (summary and event replaced) rather than adding one.
   */
  record(e: AlertEvent): void {
    try {
      const now = this.#now();
      if (e.kind === "anomaly" && e.phase === "closed" && this.#closeEpisode(e)) return;
      const muted = this.#o.mutes?.isMuted(e, now) ?? false;
      this.#o.history.insert({
        ...alertFields(e, now),
        event: e as unknown as Record<string, unknown>,
        muted,
      });
      this.#recorded++;
      if (muted) this.#muted++;
    } catch (err) {
      this.#errors++;
      this.#log.warn("an alert could not be recorded", { kind: e?.kind, error: err });
    }
  }

  /** Completes the alert of a closed anomaly episode; false when its open event was not recorded here. */
  #closeEpisode(e: AnomalyEvent): boolean {
    const from = Date.parse(e.started_at);
    // The open event ends the interval or two that opened the episode.
    const to = from + 3 * e.interval_s * 1000;
    const { summary } = alertFields(e);
    return this.#o.history.updateAnomalyEpisode(
      e.episode_id,
      from,
      to,
      summary,
      e as unknown as Record<string, unknown>,
    );
  }

  /** Deletes the alerts past retention now; returns how many. */
  purge(): number {
    try {
      const n = this.#o.history.purgeOlderThan(this.#now() - this.#o.retentionDays * DAY_MS);
      this.#purged += n;
      if (n > 0) this.#log.info("old alerts purged", { rows: n, retention_days: this.#o.retentionDays });
      return n;
    } catch (err) {
      this.#errors++;
      this.#log.error("old alerts could not be purged", { error: err });
      return 0;
    }
  }

  /** Counters. */
  stats(): HistoryRecorderStats {
    return {
      recorded: this.#recorded,
      muted: this.#muted,
      purged: this.#purged,
      errors: this.#errors,
      bus_dropped: this.#sub?.dropped ?? 0,
    };
  }
}
