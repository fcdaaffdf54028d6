/**
 * At most N events a minute (of the clock the caller passes: capture time for detectors), with a count
 * of those refused, for the next event that goes out to mention: a flood is one story for a person, not
 * thousands of mails and history rows. Shared by the ARP watcher (per event type) and the anomaly
 * detector (per run).
 */
export class MinuteBudget {
  /** Events allowed per minute. */
  readonly perMinute: number;
  #start = -Infinity;
  #used = 0;
  #unreported = 0;

  constructor(perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      throw new RangeError(`perMinute must be a whole number ≥ 1, got ${perMinute}`);
    }
    this.perMinute = perMinute;
  }

  /** True when an event at `nowMs` may go out (and counts it); false when over the budget (counted as unreported). */
  allowed(nowMs: number): boolean {
    if (nowMs - this.#start >= 60_000) {
      this.#start = nowMs;
      this.#used = 0;
    }
    if (this.#used >= this.perMinute) {
      this.#unreported++;
      return false;
    }
    this.#used++;
    return true;
  }

  /** Events refused since the last call, and resets the count (call when one goes out). */
  takeUnreported(): number {
    const n = this.#unreported;
    this.#unreported = 0;
    return n;
  }
}
