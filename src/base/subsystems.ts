/**
 * Named parts of the daemon that run again and again — metric collectors at each scrape, detectors at
 * each batch and interval, pollers at each cycle — timed under their name, and reported by name when they
 * fail, as node_exporter does for its collectors. A failure is caught, counted and logged (at most once a
 * minute per name, with how many happened since), so one broken part never takes the others down.
 */
import { createLogger, type Logger } from "./log.ts";

/** What is known about one named part. */
export interface SubsystemStats {
  /** Its name ("capture", "arp_security", …). */
  name: string;
  /** Runs so far. */
  runs: number;
  /** Runs that threw. */
  failures: number;
  /** Time spent in it, seconds. */
  seconds_total: number;
  /** Duration of the last run, seconds. */
  last_seconds: number;
  /** Whether the last run succeeded. */
  last_ok: boolean;
  /** The last failure's message, null if none. */
  last_error: string | null;
}

/** A failure of the same part is logged again only after this long. */
const LOG_EVERY_MS = 60_000;

interface Entry extends SubsystemStats {
  loggedAt: number;
  unlogged: number;
}

/** The named parts of one kind ("collector", "detector", "poller"). */
export class Subsystems {
  readonly kind: string;
  readonly #entries = new Map<string, Entry>();
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(kind: string, opts: { log?: Logger; now?: () => number } = {}) {
    this.kind = kind;
    this.#log = opts.log ?? createLogger(kind);
    this.#now = opts.now ?? Date.now;
  }

  /** Runs `fn` as the part `name`, timed; true when it returned, false when it threw (and was counted). */
  run(name: string, fn: () => void): boolean {
    const e = this.#entry(name);
    const t0 = performance.now();
    try {
      fn();
      this.#done(e, t0, null);
      return true;
    } catch (err) {
      this.#done(e, t0, err);
      return false;
    }
  }

  /** As {@link run}, for a part that works asynchronously. */
  async runAsync(name: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await this.timeAsync(name, fn);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Times the asynchronous part `name` and passes its result or its error on: for a caller that needs
   * the error itself (an SNMP poll turns it into the device's status). The failure is counted; it is
   * logged only when `log` is true.
   */
  async timeAsync<T>(name: string, fn: () => Promise<T>, log = true): Promise<T> {
    const e = this.#entry(name);
    const t0 = performance.now();
    try {
      const v = await fn();
      this.#done(e, t0, null, log);
      return v;
    } catch (err) {
      this.#done(e, t0, err, log);
      throw err;
    }
  }

  /** Every part seen so far, in the order they first ran. */
  stats(): SubsystemStats[] {
    // to the microsecond: the sums of performance.now() differences carry float noise in the 17th digit
    const us = (s: number) => Math.round(s * 1e6) / 1e6;
    return [...this.#entries.values()].map(({ loggedAt: _l, unlogged: _u, ...s }) => ({
      ...s,
      seconds_total: us(s.seconds_total),
      last_seconds: us(s.last_seconds),
    }));
  }

  #entry(name: string): Entry {
    let e = this.#entries.get(name);
    if (!e) {
      e = {
        name,
        runs: 0,
        failures: 0,
        seconds_total: 0,
        last_seconds: 0,
        last_ok: true,
        last_error: null,
        loggedAt: -Infinity,
        unlogged: 0,
      };
      this.#entries.set(name, e);
    }
    return e;
  }

  #done(e: Entry, t0: number, err: unknown, log = true): void {
    const s = (performance.now() - t0) / 1000;
    e.runs++;
    e.seconds_total += s;
    e.last_seconds = s;
    e.last_ok = err === null;
    if (err === null) return;
    e.failures++;
    e.last_error = err instanceof Error ? err.message : String(err);
    e.unlogged++;
    if (!log) return;
    const now = this.#now();
    if (now - e.loggedAt < LOG_EVERY_MS) return;
    this.#log.error(`${this.kind} ${e.name} failed`, {
      [this.kind]: e.name,
      failures_since_last_report: e.unlogged,
      error: err,
    });
    e.loggedAt = now;
    e.unlogged = 0;
  }
}
