/**
 * What one agent lacks. Asking for a table an agent does not have costs a full request every poll (and
 * the agent walks past its end to find the next object); most agents never grow a HOST-RESOURCES-MIB or
 * an ipNetToPhysicalTable. So a table found absent is skipped on the following polls and looked for
 * again every `recheckEvery`th poll, in case the agent was upgraded or a table filled in.
 */

/** Polls between two looks at a table the agent lacked. */
export const DEFAULT_RECHECK_EVERY = 10;

/** Per-device memory of absent tables, kept between polls. */
export class TablePresence {
  readonly #recheckEvery: number;
  #poll = 0;
  /** Table name → the poll number at which it was first found absent. */
  readonly #absentSince = new Map<string, number>();
  /** Tables the last look found rows in. */
  readonly #present = new Set<string>();

  constructor(recheckEvery = DEFAULT_RECHECK_EVERY) {
    if (!Number.isInteger(recheckEvery) || recheckEvery < 1) {
      throw new RangeError(`recheckEvery ${recheckEvery} is not valid; accepted: a whole number ≥ 1`);
    }
    this.#recheckEvery = recheckEvery;
  }

  /** Starts a poll: every table asks and records at most once between two calls. */
  beginPoll(): void {
    this.#poll++;
  }

  /** Whether this poll should ask for `table`: always, unless it was absent and this is not a recheck poll. */
  shouldAsk(table: string): boolean {
    const since = this.#absentSince.get(table);
    return since === undefined || (this.#poll - since) % this.#recheckEvery === 0;
  }

  /** Records whether the agent had `table` (at least one row) when it was asked. */
  record(table: string, present: boolean): void {
    if (present) {
      this.#absentSince.delete(table);
      this.#present.add(table);
    } else {
      this.#present.delete(table);
      if (!this.#absentSince.has(table)) this.#absentSince.set(table, this.#poll);
    }
  }

  /** Whether the last look at `table` found rows (false before the first look). */
  knownPresent(table: string): boolean {
    return this.#present.has(table);
  }

  /** The tables currently believed absent, sorted. */
  absent(): string[] {
    return [...this.#absentSince.keys()].sort();
  }
}
