/**
 * The log lines of received traps: one line per trap while they are few, and above
 * {@link TRAP_LINES_PER_MINUTE} a minute one summary line instead (how many, and from which sources most),
 * so a flapping link or a trap storm cannot fill the journal. Every trap is still in the history and on
 * the stream; only the log is summarised.
 */
import { type Logger, MinuteBudget } from "../base/mod.ts";
import type { PublishedEvent, TrapEvent } from "../events/mod.ts";

/** Traps logged one by one per minute; the rest go into the minute's summary line. */
export const TRAP_LINES_PER_MINUTE = 20;
/** Sources named in a summary line. */
const TOP_SOURCES = 5;
/** Sources counted per minute for the summary (forged sources cannot grow it further). */
const MAX_SOURCES = 1024;

/** See the module comment. */
export class TrapLog {
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #budget: MinuteBudget;
  #sources = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(log: Logger, opts: { perMinute?: number; now?: () => number } = {}) {
    this.#log = log;
    this.#now = opts.now ?? Date.now;
    this.#budget = new MinuteBudget(opts.perMinute ?? TRAP_LINES_PER_MINUTE);
  }

  /** Logs `e`, or counts it for the summary once this minute's lines are spent. */
  trap(e: TrapEvent & Pick<PublishedEvent, "id">): void {
    if (this.#budget.take(this.#now())) {
      this.#log.info(e.reason, { id: e.id, name: e.name, source_ip: e.source_ip });
      return;
    }
    if (this.#sources.size < MAX_SOURCES || this.#sources.has(e.source_ip)) {
      this.#sources.set(e.source_ip, (this.#sources.get(e.source_ip) ?? 0) + 1);
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), 60_000);
      Deno.unrefTimer(this.#timer as unknown as number);
    }
  }

  /** Writes the summary line of the traps not logged one by one, if there are any. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const n = this.#budget.takeHeldBack();
    if (n === 0) return;
    const top = [...this.#sources].sort((a, b) => b[1] - a[1]).slice(0, TOP_SOURCES);
    this.#sources = new Map();
    this.#log.info(
      `${n} more trap${n === 1 ? " was" : "s were"} received than are logged one by one ` +
        `(${this.#budget.perMinute} a minute); each is in the alert history (GET /alerts?kind=trap)`,
      { traps: n, top_sources: top.map(([source_ip, traps]) => ({ source_ip, traps })) },
    );
  }

  /** Writes what is still to be summarised and stops the timer. */
  stop(): void {
    this.flush();
  }
}
