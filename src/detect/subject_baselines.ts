/**
 * The recent baselines of one scope of subjects (flows, hosts or subnets), one slot each, as a struct of
 * arrays: what the anomaly rules read and write every interval, so that nothing is allocated per
 * subject. For flows the first four columns are the flow table's own (reset when a flow id is reused).
 */
import type { FlowTable } from "../flow/mod.ts";

/** state bit: the last interval was high (a second one in a row opens a spike episode). */
export const HIGH_BEFORE = 1;
/** state bit: an episode is open for this slot. */
export const IN_EPISODE = 2;
/** state bit: the slot is new this interval, which it only saw part of. */
export const NEW_SLOT = 4;

/** The columns; see the module comment. */
export class SubjectBaselines {
  /** EWMA of log-volume (ln(bytes + LOG_OFFSET_BYTES)) over intervals with traffic. */
  readonly mean: Float64Array;
  /** EWMA of |log-volume − mean| (mean absolute deviation). */
  readonly mad: Float64Array;
  /** Intervals learned (the baseline's maturity). */
  readonly count: Uint32Array;
  /** HIGH_BEFORE | IN_EPISODE | NEW_SLOT. */
  readonly state: Uint8Array;
  /** The level: EWMA of log-volume over about five minutes, anomalies included. */
  level: Float32Array;
  /** The last hour's level: EWMA of log-volume over about an hour, without anomalies or intervals near them. */
  slow: Float32Array;
  /** The slot's hour-of-day entry; -1 when none yet, -2 when another subject took it (not asked for again). */
  tod: Int32Array;
  readonly #capacity: number;

  /** `initial`: slots of level, slow and tod made now; {@link ensure} grows them up to `capacity`. */
  constructor(
    capacity: number,
    columns?: { mean: Float64Array; mad: Float64Array; count: Uint32Array; state: Uint8Array },
    initial = capacity,
  ) {
    this.#capacity = capacity;
    this.mean = columns?.mean ?? new Float64Array(capacity);
    this.mad = columns?.mad ?? new Float64Array(capacity);
    this.count = columns?.count ?? new Uint32Array(capacity);
    this.state = columns?.state ?? new Uint8Array(capacity);
    this.level = new Float32Array(initial);
    this.slow = new Float32Array(initial);
    this.tod = new Int32Array(initial).fill(-1);
  }

  /**
   * The flow scope: over the table's baseline columns (which the table clears for a new flow). Its own
   * columns start small and grow with the flow ids in use ({@link ensure}): made for the table's bound (1 M
   * flows by default) they cost 30 ms of every start.
   */
  static overFlows(t: FlowTable): SubjectBaselines {
    const columns = { mean: t.ewmaMean, mad: t.ewmaVar, count: t.ewmaIntervals, state: t.anomalyActive };
    return new SubjectBaselines(t.capacity, columns, Math.min(t.capacity, 1024));
  }

  /** Makes slots `0 … n-1` of level, slow and tod exist (new ones as a reset slot has them). */
  ensure(n: number): void {
    const have = this.level.length;
    if (n <= have) return;
    let size = have * 2;
    while (size < n) size *= 2;
    size = Math.min(Math.max(size, n), this.#capacity);
    const level = new Float32Array(size), slow = new Float32Array(size), tod = new Int32Array(size).fill(-1);
    level.set(this.level);
    slow.set(this.slow);
    tod.set(this.tod);
    this.level = level;
    this.slow = slow;
    this.tod = tod;
  }

  /**
   * Clears a slot for a new subject (hosts and subnets; the flow table clears its own). Mean, mad, level
   * and slow are left as they were: with count 0 nothing reads them before the baseline is started or
   * restored (BaselineLearner.start / adopt write all four), and a host table that churns reuses ~40 k
   * slots an interval, whose four untouched columns (96 pages of 4 KiB at 16 k hosts) cost ~15 µs a page
   * here on first touch (docs/benchmarks.md).
   */
  reset(slot: number): void {
    this.count[slot] = 0;
    this.state[slot] = NEW_SLOT;
    this.tod[slot] = -1;
  }
}
