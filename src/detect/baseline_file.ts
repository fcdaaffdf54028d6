/**
 * baselines.json in the state directory: the hour-of-day baselines (and the recent baseline each one
 * snapshots), so that a restart neither restarts the warm-up nor forgets what each hour usually carries.
 * Written atomically (temporary file, fsync, rename) every few minutes and at stop; read at start. At most
 * MAX_SAVED subjects, the most recently active first, so the file stays a few megabytes.
 *
 * Reading is forgiving inside a valid file (an entry that does not parse is skipped and counted) and
 * strict about the file itself (not JSON, or not this version: BaselineFileError). Baselines learned at
 * another interval length do not apply and are not loaded.
 */
import { stringifyLinedSlices, writeFileAtomic } from "../base/mod.ts";
import { type HourOfDayBaselines, HOURS } from "./hour_of_day.ts";

/** The file's name in the state directory. */
export const BASELINE_FILE = "baselines.json";
/** Subjects saved at most. */
export const MAX_SAVED = 8192;
const VERSION = 1;
const MAX_KEY = 200;

/** A state file that is not one. */
export class BaselineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BaselineFileError";
  }
}

/** One subject as saved. */
interface SavedEntry {
  key: string;
  last_ms: number;
  recent: { mean: number; mad: number; count: number; level: number };
  hours: { mean: number[]; mad: number[]; level_mad: number[]; n: number[] };
}

/** What loading found. */
export interface BaselineLoad {
  /** Entries restored. */
  restored: number;
  /** Entries in the file that did not parse (skipped). */
  skipped: number;
  /** Set when the file's baselines were learned at another interval length and were not loaded. */
  otherInterval?: number;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** The document of the `MAX_SAVED` most recently active entries of `bank`. */
export function baselineDocument(bank: HourOfDayBaselines, intervalS: number, nowMs: number): string {
  return [...baselineSlices(bank, intervalS, nowMs)].join("");
}

/**
 * {@link baselineDocument} an entry a line, a slice at a time (base/lined_json.ts): each entry is read when
 * its slice is made, so a save does not hold the thread while 8,192 of them (about 6 MB of text) are made at
 * once (205–312 ms; about 20 ms a slice). An entry reused for another subject between two slices is written
 * as that subject.
 */
function baselineSlices(bank: HourOfDayBaselines, intervalS: number, nowMs: number): Generator<string> {
  const head = { version: VERSION, interval_s: intervalS, saved_at: new Date(nowMs).toISOString() };
  const entry = (e: number): SavedEntry => {
    const h = bank.hours(e), r = bank.recent(e);
    return {
      key: bank.key(e),
      last_ms: bank.lastMs(e),
      recent: { mean: round(r.mean), mad: round(r.mad), count: r.count, level: round(r.level) },
      hours: { mean: h.mean.map(round), mad: h.mad.map(round), level_mad: h.level_mad.map(round), n: h.n },
    };
  };
  // 256 entries a slice: an entry's 96 rounded numbers take about 50 µs to make.
  return stringifyLinedSlices(head, "entries", bank.entries().slice(0, MAX_SAVED), entry, 256);
}

/** Writes `bank` to `path` atomically (mode 0600: it names the hosts and flows of the network). */
export async function saveBaselines(
  path: string,
  bank: HourOfDayBaselines,
  intervalS: number,
  nowMs: number = Date.now(),
): Promise<void> {
  await writeFileAtomic(path, baselineSlices(bank, intervalS, nowMs), { mode: 0o600 });
}

function numbers(v: unknown, ok: (x: number) => boolean): v is number[] {
  return Array.isArray(v) && v.length === HOURS && v.every((x) => typeof x === "number" && ok(x));
}

function entryOf(v: unknown): SavedEntry | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const e = v as Record<string, unknown>;
  const r = e.recent as Record<string, unknown> | undefined,
    h = e.hours as Record<string, unknown> | undefined;
  if (typeof e.key !== "string" || e.key.length === 0 || e.key.length > MAX_KEY) return undefined;
  if (typeof e.last_ms !== "number" || !Number.isFinite(e.last_ms)) return undefined;
  if (typeof r !== "object" || r === null || typeof h !== "object" || h === null) return undefined;
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (!finite(r.mean) || !finite(r.mad) || !finite(r.level)) return undefined;
  if (!Number.isSafeInteger(r.count) || (r.count as number) < 0) return undefined;
  const f = (x: number) => Number.isFinite(x), n = (x: number) => Number.isInteger(x) && x >= 0 && x <= 65535;
  if (!numbers(h.mean, f) || !numbers(h.mad, f) || !numbers(h.level_mad, f) || !numbers(h.n, n)) {
    return undefined;
  }
  return e as unknown as SavedEntry;
}

/**
 * Restores the entries of `text` into `bank`. Throws BaselineFileError when the text is not a version 1
 * baseline file; entries that do not parse are skipped.
 */
export function restoreBaselines(text: string, bank: HourOfDayBaselines, intervalS: number): BaselineLoad {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BaselineFileError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || doc.version !== VERSION || !Array.isArray(doc.entries)) {
    throw new BaselineFileError(`expected {"version": ${VERSION}, "interval_s": …, "entries": […]}`);
  }
  if (doc.interval_s !== intervalS) {
    return { restored: 0, skipped: 0, otherInterval: Number(doc.interval_s) };
  }
  let restored = 0, skipped = 0;
  // Oldest first, so that if the pool is smaller than the file the most recent win.
  for (const v of (doc.entries as unknown[]).slice(0, bank.capacity).reverse()) {
    const e = entryOf(v);
    if (e === undefined || bank.restore(e.key, e.last_ms, e.recent, e.hours) < 0) skipped++;
    else restored++;
  }
  return { restored, skipped };
}
