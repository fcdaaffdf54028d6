/**
 * How many HTTP connections may be open at once, from one address and in all, so that one host on the
 * LAN (or a script gone wrong) cannot hold every file descriptor of the daemon. A connection over a cap
 * is refused (the front answers 503); refusals are counted, and logged once a minute at most, saying how
 * many there were since the last line and which address had the most.
 */
import { createLogger, type Logger, positiveInteger } from "../base/mod.ts";

/** Which cap a refused connection hit. */
export type Refusal = "per_address" | "total";

/** Options of {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  /** Open connections at most, from every address together. */
  maxTotal: number;
  /** Open connections at most from one address. */
  maxPerAddress: number;
  /** Where the once-a-minute refusal line goes. @default createLogger("http") */
  log?: Logger;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** What {@link ConnectionLimits} counted. */
export interface ConnectionCounters {
  /** Connections open now. */
  open: number;
  /** Distinct addresses with a connection open now. */
  addresses: number;
  /** Connections admitted since start. */
  accepted: number;
  /** Connections refused since start because their address had its cap open already. */
  refused_per_address: number;
  /** Connections refused since start because the overall cap was reached. */
  refused_total: number;
}

/** The refusal line is written again only after this long. */
const LOG_EVERY_MS = 60_000;
/** Addresses remembered per log period for "which address had the most" (a forged flood stays bounded). */
const MAX_TALLIED = 1024;

/** See the module comment. */
export class ConnectionLimits {
  readonly maxTotal: number;
  readonly maxPerAddress: number;
  readonly #perAddress = new Map<string, number>();
  readonly #log: Logger;
  readonly #now: () => number;
  #open = 0;
  #accepted = 0;
  #refused: Record<Refusal, number> = { per_address: 0, total: 0 };
  #loggedAt = -Infinity;
  #unlogged: Record<Refusal, number> = { per_address: 0, total: 0 };
  #tally = new Map<string, number>();

  constructor(o: ConnectionLimitsOptions) {
    this.maxTotal = positiveInteger("maxTotal", o.maxTotal);
    this.maxPerAddress = positiveInteger("maxPerAddress", o.maxPerAddress);
    this.#log = o.log ?? createLogger("http");
    this.#now = o.now ?? Date.now;
  }

  /** Counts a new connection from `address` in, or says which cap it hits (then nothing is counted in). */
  admit(address: string): Refusal | null {
    const mine = this.#perAddress.get(address) ?? 0;
    const refusal: Refusal | null = mine >= this.maxPerAddress
      ? "per_address"
      : this.#open >= this.maxTotal
      ? "total"
      : null;
    if (refusal !== null) {
      this.#refuse(address, refusal);
      return refusal;
    }
    this.#perAddress.set(address, mine + 1);
    this.#open++;
    this.#accepted++;
    return null;
  }

  /** Counts a connection admitted from `address` out again. */
  release(address: string): void {
    const mine = this.#perAddress.get(address);
    if (mine === undefined) return;
    if (mine <= 1) this.#perAddress.delete(address);
    else this.#perAddress.set(address, mine - 1);
    this.#open--;
  }

  /** Connections open from `address` now. */
  openFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** The counters. */
  counters(): ConnectionCounters {
    return {
      open: this.#open,
      addresses: this.#perAddress.size,
      accepted: this.#accepted,
      refused_per_address: this.#refused.per_address,
      refused_total: this.#refused.total,
    };
  }

  #refuse(address: string, why: Refusal): void {
    this.#refused[why]++;
    this.#unlogged[why]++;
    if (this.#tally.size < MAX_TALLIED || this.#tally.has(address)) {
      this.#tally.set(address, (this.#tally.get(address) ?? 0) + 1);
    }
    const now = this.#now();
    if (now - this.#loggedAt < LOG_EVERY_MS) return;
    let top = address, most = 0;
    for (const [a, n] of this.#tally) if (n > most) [top, most] = [a, n];
    this.#log.warn(
      "HTTP connections refused with 503: too many open; set FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS or " +
        "FLINTNET_HTTP_MAX_CONNECTIONS if they are legitimate",
      {
        refused_per_address: this.#unlogged.per_address,
        refused_total_cap: this.#unlogged.total,
        since: Number.isFinite(this.#loggedAt) ? new Date(this.#loggedAt).toISOString() : null,
        most_refused_address: top,
        open: this.#open,
        open_from_that_address: this.openFrom(top),
        max_per_address: this.maxPerAddress,
        max_total: this.maxTotal,
      },
    );
    this.#loggedAt = now;
    this.#unlogged = { per_address: 0, total: 0 };
    this.#tally = new Map();
  }
}
