/**
 * How many traps a minute become events: so many per source and so many in all, the rest held back and
 * counted, and the count said in the source's next published trap (as the ARP watcher does for security
 * events). Traps are UDP, so sources can be forged: the overall allowance bounds a flood from invented
 * addresses, and the table of sources is bounded too — beyond {@link MAX_SOURCES} new sources share one
 * allowance.
 */
import { MinuteBudget } from "../base/mod.ts";

/** Entries in the table of sources at most (the shared allowance of the rest among them). */
export const MAX_SOURCES = 4096;
/** The shared allowance of sources beyond MAX_SOURCES. */
const OVERFLOW = "";
/** The table of sources is swept for forgotten ones at most this often, ms. */
const SWEEP_EVERY_MS = 1000;

/** Options of {@link TrapLimiter}. */
export interface TrapLimiterOptions {
  /** Traps a minute from one source. */
  perSource: number;
  /** Traps a minute from every source together. */
  total: number;
}

/** See the module comment. */
export class TrapLimiter {
  readonly perSource: number;
  readonly total: number;
  readonly #sources = new Map<string, MinuteBudget>();
  readonly #all: MinuteBudget;
  #heldBack = 0;
  #sweptAt = -Infinity;

  constructor(o: TrapLimiterOptions) {
    this.#all = new MinuteBudget(o.total);
    this.perSource = o.perSource;
    this.total = o.total;
    new MinuteBudget(o.perSource); // checks the option now, not at the first trap
  }

  /**
   * Whether a trap from `source` at `t` (ms) may be published. When it may, returns how many of that
   * source's traps were held back before it (to say so in it); when it may not, returns null and counts it.
   */
  admit(source: string, t: number): number | null {
    const budget = this.#budgetOf(source, t);
    // The source's own allowance first: one loud source spends its own, never everyone's.
    if (!budget.take(t)) {
      this.#heldBack++;
      return null;
    }
    if (!this.#all.take(t)) {
      budget.holdBack();
      this.#heldBack++;
      return null;
    }
    return budget.takeHeldBack();
  }

  /** Traps held back since start. */
  get heldBack(): number {
    return this.#heldBack;
  }

  /** Sources with an allowance of their own now. */
  get sources(): number {
    return this.#sources.size;
  }

  #budgetOf(source: string, t: number): MinuteBudget {
    let b = this.#sources.get(source);
    if (b !== undefined) return b;
    // The shared allowance takes the last place.
    const full = () => this.#sources.size >= MAX_SOURCES - 1;
    if (full() && Math.abs(t - this.#sweptAt) >= SWEEP_EVERY_MS) {
      // Forget the sources whose minute is over and that have nothing to tell (once a second at most,
      // so a flood of new sources does not walk the table at every trap).
      this.#sweptAt = t;
      for (const [s, old] of this.#sources) if (s !== OVERFLOW && old.idle(t)) this.#sources.delete(s);
    }
    const key = full() ? OVERFLOW : source;
    b = this.#sources.get(key);
    if (b === undefined) this.#sources.set(key, b = new MinuteBudget(this.perSource));
    return b;
  }
}
