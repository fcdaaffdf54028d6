/**
 * The daemon's side of advisories.json (analysis/advisory_file.ts): read once at start, so that the
 * advisories open when Flintnet stopped stay open instead of being raised (and mailed) again; written
 * after a minute that opened or closed one, and at stop. A corrupt file is moved aside and reported, as
 * devices.json is. Replay never builds one: it writes no state.
 */
import { join } from "node:path";
import { createLogger, loadStateFile, writeFileAtomic } from "../base/mod.ts";
import {
  ADVISORY_FILE,
  AdvisoryFileError,
  advisoryFileText,
  type AnalysisEngine,
  parseAdvisoryFile,
} from "../analysis/mod.ts";

/** How often the book is looked at for a change to save: the analyzers run once a minute. */
const CHECK_MS = 60_000;

/** Loads and saves the open advisories of one run. */
export class AdvisoryKeeper {
  readonly path: string;
  #engine: AnalysisEngine;
  #log = createLogger("advisory");
  #timer: ReturnType<typeof setInterval> | undefined;
  #savedVersion = -1;
  #saving: Promise<void> = Promise.resolve();

  constructor(stateDir: string, engine: AnalysisEngine) {
    this.path = join(stateDir, ADVISORY_FILE);
    this.#engine = engine;
  }

  /** Reopens what the last run left open; never throws for the file's content. */
  async load(): Promise<void> {
    await loadStateFile(
      this.path,
      (text) => {
        const { open, skipped } = parseAdvisoryFile(text, this.#engine.types);
        const book = this.#engine.book;
        book.restore(open);
        this.#savedVersion = book.version;
        this.#log.info("open advisories restored", { path: this.path, open: book.restored, skipped });
      },
      AdvisoryFileError,
      (movedTo, reason) => {
        this.#log.error("advisories file is unusable: moved aside, open advisories will be raised again", {
          path: this.path,
          moved_to: movedTo,
          reason,
        });
      },
    );
  }

  /** Saves after each minute that opened or closed an advisory. */
  start(): void {
    this.#timer ??= setInterval(() => void this.save(), CHECK_MS);
  }

  /** Stops the timer and writes the open advisories as they are now (their latest miss counts too). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.save(true);
  }

  /**
   * Writes the open advisories if any opened or closed since the last write, or `always` (one write at a
   * time). Between those, only their latest numbers and miss counts change: not worth a write a minute.
   */
  save(always = false): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const book = this.#engine.book, version = book.version;
      if (version === this.#savedVersion && !always) return;
      try {
        await writeFileAtomic(this.path, advisoryFileText(book.openEntries()));
        this.#savedVersion = version;
      } catch (err) {
        this.#log.error("open advisories could not be saved: a restart will raise them again", {
          path: this.path,
          error: err,
        });
      }
    });
    return this.#saving;
  }
}
