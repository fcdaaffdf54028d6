/**
 * An allowance of so many things a minute, and a count of what it held back: the flood limit behind
 * security events (ARP rules), SNMP traps per source and log lines. A flood of one kind is one story for
 * a person, told by the first few and then by a count ("27 more were held back"), never by thousands of
 * mails, rows or lines.
 *
 * The minute starts with the first thing let through after the previous minute ended, on whatever clock
 * the caller passes (capture time for replayed packets, wall time for traps and logs).
 */
import { positiveInteger } from "./checks.ts";

/** One minute, ms. */
const MINUTE_MS = 60_000;

/** See the module comment. */
export class MinuteBudget {
  /** How many may go out per minute. */
  readonly perMinute: number;
  #start = -Infinity;
  #used = 0;
  #heldBack = 0;
  #heldBackTotal = 0;

  constructor(perMinute: number) {
    this.perMinute = positiveInteger("perMinute", perMinute);
  }

  /** True when one more may go out at `t` (ms); otherwise it is counted as held back and false. */
  take(t: number): boolean {
    if (t - this.#start >= MINUTE_MS || this.#start - t >= MINUTE_MS) {
      // A clock stepped back by a minute or more starts a new minute too, instead of holding everything
      // back until it catches up; frames a little out of order stay in the minute they belong to.
      this.#start = t;
      this.#used = 0;
    }
    if (this.#used >= this.perMinute) {
      this.holdBack();
      return false;
    }
    this.#used++;
    return true;
  }

  /** Counts one held back for a reason of the caller's (a shared budget above this one said no). */
  holdBack(): void {
    this.#heldBack++;
    this.#heldBackTotal++;
  }

  /** Held back since the last {@link takeHeldBack}. */
  get heldBack(): number {
    return this.#heldBack;
  }

  /** Held back since this budget was made. */
  get heldBackTotal(): number {
    return this.#heldBackTotal;
  }

  /** How many were held back since the last call (for the next message that goes out), and resets that count. */
  takeHeldBack(): number {
    const n = this.#heldBack;
    this.#heldBack = 0;
    return n;
  }

  /** True when the minute that `t` falls in has nothing to say: its window is over and nothing is held back. */
  idle(t: number): boolean {
    return this.#heldBack === 0 && t - this.#start >= MINUTE_MS;
  }
}
