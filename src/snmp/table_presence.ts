/**
 * What one agent lacks. Asking for a table an agent does not have costs a full request every poll (and
 * the agent walks past its end to find the next object); most agents never grow a HOST-RESOURCES-MIB or
 * an ipNetToPhysicalTable. So a table found absent is skipped on the following polls and looked for
 * again every `recheckEvery`th poll, in case the agent was upgraded or a table filled in. A poll of an agent
 * that has just started asks for every table: what an agent lacks in its first minutes is often a table not
 * filled in yet, not one it does not have (see beginPoll).
 */

/** Polls between two looks at a table the agent lacked. */
export const DEFAULT_RECHECK_EVERY = 10;

/** Per-device memory of absent tables, kept between polls. */
export class TablePresence {
  readonly #recheckEvery: number;
  #poll = 0;
  /** This poll asks for every table (the agent has just started). */
  #askAll = false;
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

  /**
   * Starts a poll: every table asks and records at most once between two calls. With `askEveryTable` (the
   * agent has just started), tables found absent are asked for too: Net-SNMP lists its processors at once but
   * has their hrProcessorLoad only after a minute, and a switch's forwarding table and LLDP neighbours fill
   * in as traffic and announcements come; skipping them for 10 polls would hide them for 10 minutes.
   */
  beginPoll(askEveryTable = false): void {
    this.#poll++;
    this.#askAll = askEveryTable;
  }

  /**
   * Whether this poll should ask for `table`: always, unless it was absent, this is not a recheck poll and
   * the poll was not begun asking for every table.
   */
  shouldAsk(table: string): boolean {
    if (this.#askAll) return true;
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
