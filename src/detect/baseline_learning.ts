/**
 * How a subject's baselines learn from an interval that is no anomaly, and how a subject seen again (a
 * flow that returns, everything after a restart) takes back what it had learned. The rules that decide
 * what is an anomaly are in anomaly_rules.ts; this file only moves the numbers.
 *
 * The recent baseline: centre m ← m + α·d and spread (mean |d|) at a tenth of α, where d = y − m is
 * clipped at +2σ (and |d| at 2σ) once the subject is mature, so one odd interval moves it little; a
 * fall is not clipped, so the baseline follows traffic that drops for good. The first intervals
 * weigh 1/n (a plain mean) until that is less than α. The last hour's level (not from intervals past
 * half the threshold: a surge that is not yet an anomaly must not become its reference) and the hour of
 * the day's baseline learn alongside; a subject gets an hour-of-day entry after an hour of traffic.
 */
import { sigmaOf } from "../events/mod.ts";
import type { HourOfDayBaselines } from "./hour_of_day.ts";
import type { SubjectBaselines } from "./subject_baselines.ts";

/** σ is never taken below this (5 % in volume): a steady subject then needs the ratio alone. */
export const MIN_SIGMA = 0.05;
/** The spread learns at this share of α (a memory of about 100 intervals): thresholds do not wobble. */
const MAD_ALPHA_SHARE = 0.1;
/** Deviations beyond this many σ are clipped when learning (once mature). */
const CLIP_SIGMAS = 2;
/** The level's time constant, s: what "the last minutes" means. */
export const LEVEL_S = 300;
/** The last hour's level (a lasting rise's reference before the hours of the day are learned), s. */
const SLOW_S = 3600;
/** A saved recent baseline older than this is not taken back (the subject may have changed since). */
const RESTORE_WITHIN_MS = 3_600_000;

/** The learning rates of one interval length. */
export interface LearningRates {
  /** Weight of the newest interval in the recent centre (FLINTNET_EWMA_ALPHA). */
  alpha: number;
  /** Intervals before a baseline is mature (clipping starts then). */
  warmupIntervals: number;
  /** Interval length, s. */
  intervalS: number;
}

/** The level's weight per interval. */
export function levelAlpha(intervalS: number): number {
  return Math.min(1, intervalS / LEVEL_S);
}

/** See the module comment. */
export class BaselineLearner {
  #tod: HourOfDayBaselines;
  #key: (scope: number, slot: number) => string;
  /** Subjects whose recent baseline was taken back from the hour-of-day store. */
  restored = 0;

  constructor(tod: HourOfDayBaselines, key: (scope: number, slot: number) => string) {
    this.#tod = tod;
    this.#key = key;
  }

  /**
   * Folds log-volume `y` (slow level `lvl`) of hour `hour` into the baselines of `slot`. An `elevated`
   * interval (past half the threshold) moves the centre but not the spread: the spread is what ordinary
   * intervals do, and an attack building up must not widen it.
   */
  learn(
    r: LearningRates,
    scope: number,
    c: SubjectBaselines,
    slot: number,
    y: number,
    lvl: number,
    elevated: boolean,
    hour: number,
    nowMs: number,
  ): void {
    const n = ++c.count[slot];
    const a = Math.max(r.alpha, 1 / n), am = Math.max(r.alpha * MAD_ALPHA_SHARE, 1 / n);
    if (!elevated) c.slow[slot] += Math.max(Math.min(1, r.intervalS / SLOW_S), 1 / n) * (y - c.slow[slot]);
    const m = c.mean[slot];
    let d = y - m, dev = d < 0 ? -d : d;
    if (n > r.warmupIntervals) {
      // Anomalies are upward: only a rise is clipped, so the baseline follows traffic that falls.
      const clip = CLIP_SIGMAS * Math.max(sigmaOf(c.mad[slot]), MIN_SIGMA);
      if (d > clip) d = clip;
      if (dev > clip) dev = clip;
    }
    c.mean[slot] = m + a * d;
    if (!elevated) c.mad[slot] += am * (dev - c.mad[slot]);
    let e = c.tod[slot];
    if (e === -1 && n >= this.#tod.perHour) {
      // An hour of traffic: worth learning its hours of the day (and keeping across restarts).
      const key = this.#key(scope, slot);
      e = this.#tod.find(key);
      if (e < 0) e = this.#tod.create(key, nowMs);
      this.#tod.attach(e, scope, slot);
      c.tod[slot] = e;
    }
    if (e >= 0) {
      this.#tod.learn(e, hour, y, lvl, nowMs);
      this.#tod.snapshot(e, c.mean[slot], c.mad[slot], n, lvl);
    }
  }

  /**
   * An interval left out of the recent baseline (high, or in an episode) still teaches an hour of the
   * day that has not yet learned two days: else the hour an office opens, flagged on the first morning
   * against the night before, would never be learned and would be flagged every morning.
   */
  learnHour(c: SubjectBaselines, slot: number, y: number, lvl: number, hour: number, nowMs: number): void {
    const e = c.tod[slot];
    if (e >= 0 && !this.#tod.ready(e, hour)) this.#tod.learn(e, hour, y, lvl, nowMs);
  }

  /** Starts the baselines of a subject new to `slot` at log-volume `y`. */
  start(c: SubjectBaselines, slot: number, y: number): void {
    c.mean[slot] = y;
    c.mad[slot] = 0;
    c.level[slot] = y;
    c.slow[slot] = y;
    c.count[slot] = 1;
  }

  /**
   * A subject seen for the first time in this slot: the hour-of-day entry of the slot's previous subject
   * is let go, and one kept for this subject's key is taken back, with the recent baseline it saved when
   * that is less than an hour old. True when the recent baseline was restored.
   */
  adopt(scope: number, c: SubjectBaselines, slot: number, nowMs: number): boolean {
    const old = c.tod[slot];
    if (old >= 0) this.#tod.detach(old);
    c.tod[slot] = -1;
    if (this.#tod.size === 0) return false;
    const e = this.#tod.find(this.#key(scope, slot));
    if (e < 0) return false;
    this.#tod.attach(e, scope, slot);
    c.tod[slot] = e;
    const r = this.#tod.recent(e);
    if (r.count === 0 || nowMs - this.#tod.lastMs(e) > RESTORE_WITHIN_MS) return false;
    c.mean[slot] = r.mean;
    c.mad[slot] = r.mad;
    c.count[slot] = r.count;
    c.level[slot] = r.level;
    c.slow[slot] = r.level;
    this.restored++;
    return true;
  }
}
