/**
 * Limits failed authentication attempts per source address, so the API token cannot be guessed at
 * network speed. After `max` failures within `windowMs` the address is refused for a whole window,
 * counted from its last failure; good credentials do not lift the block (the client cannot be told
 * apart from the guesser that shares its address). Memory is bounded by `maxClients`.
 */

/** Options of a {@link FailedAuthLimiter}. */
export interface FailedAuthLimiterOptions {
  /** Failures allowed within one window before the address is blocked. @default 10 */
  max?: number;
  /** Length of the counting window and of the block, in milliseconds. @default 60_000 */
  windowMs?: number;
  /** Most addresses tracked at once; the least recently failing is forgotten past it. @default 10_000 */
  maxClients?: number;
  /** Clock in milliseconds (tests inject one). @default Date.now */
  now?: () => number;
}

interface Entry {
  /** Failures since `start`. */
  count: number;
  /** When the current counting window began. */
  start: number;
  /** Refused until this time; 0 when not blocked. */
  blockedUntil: number;
  /** Last failure; the Map is kept in this order. */
  last: number;
}

/** Counts failed authentications per address and says when an address must wait. */
export class FailedAuthLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  /** address → entry, least recently failing first (an entry is re-inserted on each failure). */
  readonly #entries = new Map<string, Entry>();

  constructor(opts: FailedAuthLimiterOptions = {}) {
    this.#max = opts.max ?? 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#maxClients = opts.maxClients ?? 10_000;
    this.#now = opts.now ?? Date.now;
    for (const [name, v] of [["max", this.#max], ["maxClients", this.#maxClients]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(`${name} must be a whole number of at least 1, got ${v}`);
      }
    }
    if (!(this.#windowMs > 0)) throw new RangeError(`windowMs must be greater than 0, got ${this.#windowMs}`);
  }

  /** Seconds `addr` must wait before trying again (at least 1 while blocked); 0 when it may try now. */
  blocked(addr: string): number {
    const e = this.#entries.get(addr);
    if (e === undefined) return 0;
    const now = this.#now();
    if (e.blockedUntil > now) return Math.max(1, Math.ceil((e.blockedUntil - now) / 1000));
    if (this.#expired(e, now)) this.#entries.delete(addr);
    return 0;
  }

  /** Records one failed attempt from `addr`. */
  fail(addr: string): void {
    const now = this.#now();
    let e = this.#entries.get(addr);
    if (e !== undefined) {
      this.#entries.delete(addr);
      if (this.#expired(e, now)) e = undefined;
    }
    if (e === undefined) {
      this.#makeRoom(now);
      e = { count: 0, start: now, blockedUntil: 0, last: now };
    }
    e.count++;
    e.last = now;
    if (e.count >= this.#max && e.blockedUntil <= now) e.blockedUntil = now + this.#windowMs;
    this.#entries.set(addr, e);
  }

  /** Addresses tracked now (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** Nothing left to remember: the counting window and any block are over. */
  #expired(e: Entry, now: number): boolean {
    return e.blockedUntil <= now && e.start + this.#windowMs <= now;
  }

  /**
   * Forgets expired entries from the front (the least recently failing, whose windows end first),
   * then the least recently failing ones while still full: amortised O(1) per failure.
   */
  #makeRoom(now: number): void {
    for (const [addr, e] of this.#entries) {
      if (e.last + this.#windowMs > now) break;
      if (this.#expired(e, now)) this.#entries.delete(addr);
    }
    while (this.#entries.size >= this.#maxClients) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}
