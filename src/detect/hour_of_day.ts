/**
 * Hour-of-day baselines: for each subject (flow, host, subnet) that has been around for an hour, what
 * each of the 24 hours of the day usually carries, learned over the last days, so that the morning ramp
 * is expected and a rise that builds up slowly is still seen against what this hour normally is.
 *
 * Per hour h an entry keeps, on log-volume y: the centre m_h (mean of y in that hour), the spread of
 * single intervals around it (mean |y − m_h|) and the spread of the subject's slow level (mean
 * |level − m_h|), which is what a rise lasting minutes is judged by. The weight of a new sample is
 * 1/n until the hour has `memoryDays` days of samples, then fixed: the first days count equally, later
 * the last week or so.
 *
 * An hour is ready once it holds two hours' worth of intervals, i.e. two days of it (48 h for every
 * hour). The entries are a fixed pool (struct of arrays, Float32): a new subject past the pool's size
 * takes the entry updated longest ago. An entry keeps its subject's key and a snapshot of its recent
 * baseline, so a flow that comes back (or every subject after a restart) starts where it left off.
 */

/** Hours in a day. */
export const HOURS = 24;

/** A subject's recent baseline, as saved beside its hours. */
export interface RecentSnapshot {
  /** EWMA of log-volume. */
  mean: number;
  /** EWMA of |y − mean|. */
  mad: number;
  /** Intervals learned. */
  count: number;
  /** The slow level (EWMA of log-volume). */
  level: number;
}

/** Who holds an entry now: a scope number and a slot in that scope; -1 when nobody (an orphan). */
export type EvictHandler = (scope: number, slot: number) => void;

/** The pool of hour-of-day entries. */
export class HourOfDayBaselines {
  readonly capacity: number;
  /** Intervals in an hour. */
  readonly perHour: number;
  /** Days after which a sample's weight stops shrinking. */
  readonly memoryDays: number;
  #mean: Float32Array;
  #mad: Float32Array;
  #levelMad: Float32Array;
  #n: Uint16Array;
  #snap: Float64Array; // 4 per entry: RecentSnapshot
  #lastMs: Float64Array;
  #ownerScope: Int8Array;
  #ownerSlot: Int32Array;
  #keys: (string | undefined)[] = [];
  #byKey = new Map<string, number>();
  #used = 0;
  #onEvict: EvictHandler;
  /** Entries given to a new subject by taking the one updated longest ago. */
  evicted = 0;

  constructor(capacity: number, intervalS: number, onEvict: EvictHandler, memoryDays = 7) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.perHour = Math.max(1, Math.round(3600 / intervalS));
    this.memoryDays = memoryDays;
    this.#mean = new Float32Array(capacity * HOURS);
    this.#mad = new Float32Array(capacity * HOURS);
    this.#levelMad = new Float32Array(capacity * HOURS);
    this.#n = new Uint16Array(capacity * HOURS);
    this.#snap = new Float64Array(capacity * 4);
    this.#lastMs = new Float64Array(capacity);
    this.#ownerScope = new Int8Array(capacity).fill(-1);
    this.#ownerSlot = new Int32Array(capacity).fill(-1);
    this.#onEvict = onEvict;
  }

  /** Entries in use. */
  get size(): number {
    return this.#byKey.size;
  }

  /** The entry of `key`, or -1. */
  find(key: string): number {
    return this.#byKey.get(key) ?? -1;
  }

  /** The subject's key of entry `e`. */
  key(e: number): string {
    return this.#keys[e] ?? "";
  }

  /** Makes (scope, slot) the holder of entry `e`; the previous holder, if any, is told it lost it. */
  attach(e: number, scope: number, slot: number): void {
    const s = this.#ownerScope[e];
    if (s >= 0 && (s !== scope || this.#ownerSlot[e] !== slot)) this.#onEvict(s, this.#ownerSlot[e]);
    this.#ownerScope[e] = scope;
    this.#ownerSlot[e] = slot;
  }

  /** Leaves entry `e` without a holder (its subject left); it keeps its data for when the key returns. */
  detach(e: number): void {
    this.#ownerScope[e] = -1;
    this.#ownerSlot[e] = -1;
  }

  /** A new entry for `key` (which must not have one), taking the one updated longest ago when full. */
  create(key: string, nowMs: number): number {
    let e: number;
    if (this.#used < this.capacity) e = this.#used++;
    else {
      e = 0;
      for (let i = 1; i < this.capacity; i++) if (this.#lastMs[i] < this.#lastMs[e]) e = i;
      if (this.#ownerScope[e] >= 0) this.#onEvict(this.#ownerScope[e], this.#ownerSlot[e]);
      this.#byKey.delete(this.#keys[e]!);
      this.evicted++;
    }
    this.#keys[e] = key;
    this.#byKey.set(key, e);
    this.#mean.fill(0, e * HOURS, (e + 1) * HOURS);
    this.#mad.fill(0, e * HOURS, (e + 1) * HOURS);
    this.#levelMad.fill(0, e * HOURS, (e + 1) * HOURS);
    this.#n.fill(0, e * HOURS, (e + 1) * HOURS);
    this.#snap.fill(0, e * 4, e * 4 + 4);
    this.#lastMs[e] = nowMs;
    this.#ownerScope[e] = -1;
    this.#ownerSlot[e] = -1;
    return e;
  }

  /** Folds one interval of hour `hour` (log-volume `y`, slow level `level`) into entry `e`. */
  learn(e: number, hour: number, y: number, level: number, nowMs: number): void {
    const i = e * HOURS + hour;
    const n = this.#n[i] < 65535 ? ++this.#n[i] : 65535;
    const w = Math.max(1 / n, 1 / (this.perHour * this.memoryDays));
    const m = this.#mean[i];
    if (n === 1) {
      this.#mean[i] = y;
    } else {
      this.#mean[i] = m + w * (y - m);
      this.#mad[i] += w * (Math.abs(y - m) - this.#mad[i]);
      this.#levelMad[i] += w * (Math.abs(level - m) - this.#levelMad[i]);
    }
    this.#lastMs[e] = nowMs;
  }

  /** Saves the subject's recent baseline in entry `e`. */
  snapshot(e: number, mean: number, mad: number, count: number, level: number): void {
    const o = e * 4;
    this.#snap[o] = mean;
    this.#snap[o + 1] = mad;
    this.#snap[o + 2] = count;
    this.#snap[o + 3] = level;
  }

  /** The recent baseline saved in entry `e`. */
  recent(e: number): RecentSnapshot {
    const o = e * 4;
    return {
      mean: this.#snap[o],
      mad: this.#snap[o + 1],
      count: this.#snap[o + 2],
      level: this.#snap[o + 3],
    };
  }

  /** True when hour `hour` of entry `e` has two days of samples. */
  ready(e: number, hour: number): boolean {
    return this.#n[e * HOURS + hour] >= 2 * this.perHour;
  }

  /** Centre of hour `hour` (log-volume). */
  mean(e: number, hour: number): number {
    return this.#mean[e * HOURS + hour];
  }

  /** Mean absolute deviation of single intervals in that hour. */
  mad(e: number, hour: number): number {
    return this.#mad[e * HOURS + hour];
  }

  /** Mean absolute deviation of the slow level in that hour. */
  levelMad(e: number, hour: number): number {
    return this.#levelMad[e * HOURS + hour];
  }

  /** Samples in that hour. */
  samples(e: number, hour: number): number {
    return this.#n[e * HOURS + hour];
  }

  /** Moves every hour's centre by `delta` (a lasting change of level is taken as the new normal). */
  shift(e: number, delta: number): void {
    for (let h = 0; h < HOURS; h++) this.#mean[e * HOURS + h] += delta;
  }

  /** When entry `e` last learned, ms. */
  lastMs(e: number): number {
    return this.#lastMs[e];
  }

  /** Every entry in use, updated most recently first. */
  entries(): number[] {
    return [...this.#byKey.values()].sort((a, b) => this.#lastMs[b] - this.#lastMs[a]);
  }

  /** The hours of entry `e` as arrays (for the state file). */
  hours(e: number): { mean: number[]; mad: number[]; level_mad: number[]; n: number[] } {
    const from = e * HOURS, to = from + HOURS;
    return {
      mean: Array.from(this.#mean.subarray(from, to)),
      mad: Array.from(this.#mad.subarray(from, to)),
      level_mad: Array.from(this.#levelMad.subarray(from, to)),
      n: Array.from(this.#n.subarray(from, to)),
    };
  }

  /** Restores a saved entry (state file); returns it, or -1 when `key` already has one. */
  restore(
    key: string,
    lastMs: number,
    snap: RecentSnapshot,
    hours: { mean: number[]; mad: number[]; level_mad: number[]; n: number[] },
  ): number {
    if (this.#byKey.has(key)) return -1;
    const e = this.create(key, lastMs);
    this.#mean.set(hours.mean, e * HOURS);
    this.#mad.set(hours.mad, e * HOURS);
    this.#levelMad.set(hours.level_mad, e * HOURS);
    this.#n.set(hours.n, e * HOURS);
    this.snapshot(e, snap.mean, snap.mad, snap.count, snap.level);
    return e;
  }
}
