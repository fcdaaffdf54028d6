/**
 * Short-lived, single-use stream tickets. A browser's `EventSource` cannot send an Authorization
 * header, and the long-lived API token must never travel in a URL (it would land in proxy logs and
 * browser history), so an authenticated `POST /auth/ticket` trades the token for a ticket that opens
 * one `GET /stream?ticket=…` within a minute and is then worthless.
 */
/** Options of a {@link TicketStore}. */
export interface TicketStoreOptions {
  /** How long a ticket stays redeemable. @default 60_000 */
  ttlMs?: number;
  /** Most tickets outstanding at once; issuing past it drops the oldest. @default 1000 */
  max?: number;
  /** Clock in milliseconds (tests inject one). @default Date.now */
  now?: () => number;
}

/** A freshly issued ticket. */
export interface IssuedTicket {
  /** 32 random bytes, base64url without padding. */
  ticket: string;
  /** Seconds until it expires. */
  expires_in: number;
}

/** Issues and redeems stream tickets; memory is bounded by `max`. */
export class TicketStore {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** ticket → expiry time; a Map iterates in insertion order, so the first entry is the oldest. */
  readonly #expiries = new Map<string, number>();

  constructor(opts: TicketStoreOptions = {}) {
    this.#ttlMs = opts.ttlMs ?? 60_000;
    this.#max = opts.max ?? 1000;
    this.#now = opts.now ?? Date.now;
    if (!(this.#ttlMs > 0)) throw new RangeError(`ttlMs must be greater than 0, got ${this.#ttlMs}`);
    if (!Number.isInteger(this.#max) || this.#max < 1) {
      throw new RangeError(`max must be a whole number of at least 1, got ${this.#max}`);
    }
  }

  /** Makes a new ticket. */
  issue(): IssuedTicket {
    const now = this.#now();
    this.#purge(now);
    while (this.#expiries.size >= this.#max) {
      this.#expiries.delete(this.#expiries.keys().next().value!);
    }
    const ticket = crypto.getRandomValues(new Uint8Array(32)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    });
    this.#expiries.set(ticket, now + this.#ttlMs);
    return { ticket, expires_in: Math.round(this.#ttlMs / 1000) };
  }

  /** True once for a ticket that was issued and has not expired; the ticket is spent either way. */
  redeem(ticket: string): boolean {
    const now = this.#now();
    this.#purge(now);
    const expiry = this.#expiries.get(ticket);
    if (expiry === undefined) return false;
    this.#expiries.delete(ticket);
    return now < expiry;
  }

  /** Tickets outstanding (issued, unexpired, unspent). */
  get size(): number {
    this.#purge(this.#now());
    return this.#expiries.size;
  }

  /** Expiry times grow with insertion order (fixed TTL), so expired tickets sit at the front. */
  #purge(now: number): void {
    for (const [ticket, expiry] of this.#expiries) {
      if (expiry > now) break;
      this.#expiries.delete(ticket);
    }
  }
}
