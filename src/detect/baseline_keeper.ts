/**
 * The daemon's side of baselines.json: read once at start (a corrupt file is moved aside and reported,
 * as devices.json is; temporary files of a save killed mid-write are removed), written every
 * `saveEveryMs` and at stop. Replay never builds one: it writes no state.
 */
import { join } from "node:path";
import { createLogger, loadStateFile, type Logger } from "../base/mod.ts";
import { BASELINE_FILE, BaselineFileError, restoreBaselines, saveBaselines } from "./baseline_file.ts";
import type { HourOfDayBaselines } from "./hour_of_day.ts";

/** Options of {@link BaselineKeeper}. */
export interface BaselineKeeperOptions {
  /** The state directory. */
  stateDir: string;
  /** The baselines to keep. */
  bank: HourOfDayBaselines;
  /** The anomaly interval, s (baselines of another interval length are not loaded). */
  intervalS: number;
  /** How often to save. @default 600_000 */
  saveEveryMs?: number;
  /** @default createLogger("anomaly") */
  log?: Logger;
}

/** Loads and saves the baselines of one run. */
export class BaselineKeeper {
  readonly path: string;
  #o: BaselineKeeperOptions;
  #log: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(o: BaselineKeeperOptions) {
    this.#o = o;
    this.path = join(o.stateDir, BASELINE_FILE);
    this.#log = o.log ?? createLogger("anomaly");
  }

  /** Restores what the last run saved; never throws for the file's content. */
  async load(): Promise<void> {
    await loadStateFile(
      this.path,
      (text) => {
        const r = restoreBaselines(text, this.#o.bank, this.#o.intervalS);
        if (r.otherInterval !== undefined) {
          this.#log.warn("saved baselines were learned at another interval and are not used", {
            path: this.path,
            saved_interval_s: r.otherInterval,
            interval_s: this.#o.intervalS,
          });
        } else {this.#log.info("baselines restored", {
            path: this.path,
            subjects: r.restored,
            skipped: r.skipped,
          });}
      },
      BaselineFileError,
      (movedTo, reason) => {
        this.#log.error("baselines file is unusable: moved aside, baselines start afresh", {
          path: this.path,
          moved_to: movedTo,
          reason,
        });
      },
    );
  }

  /** Saves every `saveEveryMs` from now on. */
  start(): void {
    this.#timer ??= setInterval(() => void this.save(), this.#o.saveEveryMs ?? 600_000);
  }

  /** Stops the timer and saves once more. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.save();
  }

  /** Writes the file now (one save at a time); failures are logged, never thrown. */
  save(): Promise<void> {
    const run = async () => {
      try {
        await saveBaselines(this.path, this.#o.bank, this.#o.intervalS);
      } catch (err) {
        this.#log.error("baselines could not be saved", { path: this.path, error: err });
      }
    };
    this.#saving = this.#saving.then(run);
    return this.#saving;
  }
}
