/**
 * The anomaly rules, applied to one subject (flow, host or subnet) at the end of each interval. All on
 * log-volume y = ln(bytes + LOG_OFFSET_BYTES), against baselines that anomalies do not teach:
 *
 *   threshold  =  max(floor, bytes at m + max(ln R, k·σ))   for the recent baseline (m, σ); once this
 *                 hour of the day has two days behind it, also at least R × that hour's centre m_h
 *   spike      ⇔  x ≥ threshold ∧ (x + the interval before ≥ 2 × threshold
 *                                  ∨ (y − m ≥ 2·max(ln R, k·σ) ∧ x ≥ 2 × floor))
 *   sustained  ⇔  level ≥ floor ∧ (hour ready ?  level − m_h ≥ max(½ ln R, k·σ of the level at that hour)
 *                                             :  level − the last hour's level ≥ max(ln R, k·σ_level))
 *
 * where R is FLINTNET_ANOMALY_RATIO, k FLINTNET_ANOMALY_K, the level an EWMA of y over about five minutes
 * and σ_level the level's σ if intervals were independent. Either opens an episode (episode_book.ts), one
 * per subject at a time. A host's or subnet's rise that its flows' (hosts') anomalies explain is learned,
 * not reported. Intervals without traffic are no sample (a flow that pauses and resumes at its usual rate
 * is not an anomaly). High intervals and whole episodes are left out of the recent baseline; how the
 * others are learned is baseline_learning.ts.
 */
import { type BaselineSource, bytesAt, logVolume, type Publish, sigmaOf } from "../events/mod.ts";
import type { Episode, EpisodeOpening, EpisodeSubject } from "./anomaly_episode.ts";
import { type CloseReason, EpisodeBook, type EpisodeCounters } from "./episode_book.ts";
import type { AnomalyLimiter } from "./anomaly_limiter.ts";
import type { HourOfDayBaselines } from "./hour_of_day.ts";
import { HIGH_BEFORE, IN_EPISODE, NEW_SLOT, type SubjectBaselines } from "./subject_baselines.ts";
import { BaselineLearner, levelAlpha, MIN_SIGMA } from "./baseline_learning.ts";

/** The knobs, re-read every interval (PUT /config/alerts changes them in place). */
export interface AnomalyOptions {
  /** Weight of the newest interval in the recent baseline, 0 < α ≤ 1 (FLINTNET_EWMA_ALPHA). */
  alpha: number;
  /** Spreads above the baseline an anomaly needs (FLINTNET_ANOMALY_K). */
  k: number;
  /** Times the baseline an anomaly needs (FLINTNET_ANOMALY_RATIO). */
  ratio: number;
  /** Octets per interval below which nothing is anomalous (FLINTNET_ANOMALY_MIN_BYTES). */
  minBytes: number;
  /** Intervals with traffic before a baseline may alert (FLINTNET_ANOMALY_WARMUP). */
  warmupIntervals: number;
  /** Interval length, s (FLINTNET_ANOMALY_INTERVAL). */
  intervalS: number;
}

/** Scope numbers (index of the per-scope state). */
export const SCOPE_FLOW = 0, SCOPE_HOST = 1, SCOPE_SUBNET = 2;

/**
 * An interval this close under the threshold (half its bytes, in log-volume) is remembered for one
 * interval: with the next it may make a two-interval spike (an attack that began mid-interval).
 */
const ELEVATED = Math.LN2;

/** What the rules need from the detector about subjects. */
export interface SubjectDirectory {
  /** The stable key of a subject (for the hour-of-day store and the rate limit). */
  key(scope: number, slot: number): string;
  /** How an event names it. */
  describe(scope: number, slot: number): EpisodeSubject;
  /** Flow record totals, null for other scopes. */
  flowTotals(scope: number, slot: number): { bytes: number; packets: number } | null;
}

/** Counters for /stats. */
export interface AnomalyRuleCounters extends EpisodeCounters {
  /** Intervals in which a host's (subnet's) rise was not an episode of its own: its flows' (hosts') anomalies explained it. */
  explained: number;
  /** Subjects whose baseline came back from the hour-of-day store (a restart, or a flow that returned). */
  restored: number;
}

/** See the module comment. */
export class AnomalyRules {
  #o: AnomalyOptions;
  #tod: HourOfDayBaselines;
  #dir: SubjectDirectory;
  #book: EpisodeBook;
  // Bytes of the last interval per slot that was elevated, for the spike it may begin; swapped per interval.
  #pendingNow: Map<number, number>[] = [new Map(), new Map(), new Map()];
  #pendingBefore: Map<number, number>[] = [new Map(), new Map(), new Map()];
  #startMs = 0;
  #endMs = 0;
  #hour = 0;
  #lnR = 0;
  #levelAlpha = 0;
  #levelNoise = 0;
  #learner: BaselineLearner;
  #explained = 0;

  constructor(
    o: AnomalyOptions,
    tod: HourOfDayBaselines,
    limiter: AnomalyLimiter,
    publish: Publish,
    dir: SubjectDirectory,
  ) {
    this.#o = o;
    this.#tod = tod;
    this.#dir = dir;
    this.#book = new EpisodeBook(limiter, publish, tod);
    this.#learner = new BaselineLearner(tod, (scope, slot) => dir.key(scope, slot));
  }

  /** Counters since start. */
  counters(): AnomalyRuleCounters {
    return { ...this.#book.counters(), explained: this.#explained, restored: this.#learner.restored };
  }

  /** Open episodes of a scope, by slot. */
  episodes(scope: number): ReadonlyMap<number, Episode> {
    return this.#book.of(scope);
  }

  /** Whether `slot` took a new level as its usual one in this interval (its parent should too). */
  renewed(scope: number, slot: number): boolean {
    return this.#book.renewed(scope, slot);
  }

  /** Closes `ep` now (its subject is gone); `c` when its slot still holds it. */
  close(scope: number, c: SubjectBaselines | null, ep: Episode, why: CloseReason): void {
    this.#book.close(scope, c, ep, why, this.#endMs);
  }

  /** `n` intervals passed without any traffic at all: open episodes count them as normal. */
  gap(n: number): void {
    this.#book.gap(n, this.#endMs);
  }

  /** Starts the interval [startMs, endMs) of hour of day `hour`. */
  begin(startMs: number, endMs: number, hour: number): void {
    this.#startMs = startMs;
    this.#endMs = endMs;
    this.#hour = hour;
    this.#lnR = Math.log(this.#o.ratio);
    this.#levelAlpha = levelAlpha(this.#o.intervalS);
    // σ of the level when intervals are independent with σ 1: √(α / (2 − α)).
    this.#levelNoise = Math.sqrt(this.#levelAlpha / (2 - this.#levelAlpha));
    this.#book.begin();
    for (let s = 0; s < 3; s++) {
      const before = this.#pendingBefore[s];
      before.clear();
      this.#pendingBefore[s] = this.#pendingNow[s];
      this.#pendingNow[s] = before;
    }
  }

  /**
   * One interval of one subject: `x` octets in `packets` packets over `flows` flows; `explained` octets
   * of it belong to anomalies of its parts (a host's flows, a subnet's hosts). Returns the octets above
   * its baseline that belong to anomalies — its own episode's, or its parts' when they explain its rise —
   * for its parent to count as explained; -1 when none. `renew`: one of its parts took a new level as
   * its usual one (an episode that lasted an hour); the subject does the same.
   */
  step(
    scope: number,
    c: SubjectBaselines,
    slot: number,
    x: number,
    packets: number,
    flows: number,
    explained: number,
    renew = false,
  ): number {
    const st = c.state[slot];
    if (x <= 0) {
      c.state[slot] = st & ~HIGH_BEFORE;
      if ((st & IN_EPISODE) !== 0) return this.#follow(scope, c, slot, 0, -Infinity, c.level[slot]);
      return -1;
    }
    if ((st & NEW_SLOT) !== 0) {
      c.state[slot] = st & ~NEW_SLOT; // a first, partial interval is no fair sample
      return -1;
    }
    const y = logVolume(x);
    if (c.count[slot] === 0 && !this.#learner.adopt(scope, c, slot, this.#endMs)) {
      this.#learner.start(c, slot, y);
      return -1;
    }
    const lvl = c.level[slot] + this.#levelAlpha * (y - c.level[slot]);
    c.level[slot] = lvl;
    if ((st & IN_EPISODE) !== 0) {
      this.#learner.learnHour(c, slot, y, lvl, this.#hour, this.#endMs);
      return this.#follow(scope, c, slot, x, y, lvl);
    }
    if (renew) {
      this.#book.rebase(scope, c, slot, lvl, this.#hour);
      this.#learner.learn(this.#o, scope, c, slot, y, lvl, true, this.#hour, this.#endMs);
      return -1;
    }

    const o = this.#o, lnR = this.#lnR, k = o.k, n = c.count[slot];
    if (n < o.warmupIntervals) {
      this.#learner.learn(o, scope, c, slot, y, lvl, false, this.#hour, this.#endMs);
      return -1;
    }
    const e = c.tod[slot], hour = this.#hour;
    const hourReady = e >= 0 && this.#tod.ready(e, hour);
    const recentSigma = Math.max(sigmaOf(c.mad[slot]), MIN_SIGMA);
    let mean = c.mean[slot], sigma = recentSigma, source: BaselineSource = "recent", learned = n;
    let bar = Math.max(lnR, k * sigma), dist = y - mean;
    if (hourReady) {
      // The hour of day must agree that it is R× what this hour carries (it knows the morning ramp); its
      // spread, which holds the day-to-day changes and the hour's own trend, is not asked for.
      const mh = this.#tod.mean(e, hour), sh = Math.max(sigmaOf(this.#tod.mad(e, hour)), MIN_SIGMA);
      const barH = lnR;
      if (y - mh - barH < dist - bar) {
        [mean, sigma, bar, source, learned, dist] = [
          mh,
          sh,
          barH,
          "hour_of_day",
          this.#tod.samples(e, hour),
          y - mh,
        ];
      }
    }
    const threshold = Math.max(o.minBytes, bytesAt(mean + bar));
    const elevated = dist >= bar - ELEVATED;
    if (elevated) {
      const high = x >= threshold;
      const earlier = (st & HIGH_BEFORE) !== 0 ? this.#pendingBefore[scope].get(slot) ?? 0 : 0;
      // Two intervals in a row that together carry twice the threshold, the last above it; or one at twice the distance.
      const spike = high && (earlier + x >= 2 * threshold || (dist >= 2 * bar && x >= 2 * o.minBytes));
      if (spike && !this.#explains(explained, x, mean)) {
        return this.#open(scope, c, slot, {
          rule: "spike",
          startMs: earlier > 0 ? this.#startMs - (this.#endMs - this.#startMs) : this.#startMs,
          endMs: this.#endMs,
          bytes: x,
          packets,
          flows,
          earlierBytes: earlier,
          level: lvl,
          mean,
          sigma,
          source,
          baselineIntervals: learned,
          ...this.#flowTotals(scope, slot),
        });
      }
      c.state[slot] = st | HIGH_BEFORE;
      this.#pendingNow[scope].set(slot, x);
      // Explained by its parts' anomalies: its excess is theirs (passed up as explained too), and what
      // they become (back to normal, or the new normal) it learns with them.
      if (spike) {
        this.#learner.learn(o, scope, c, slot, y, lvl, true, hour, this.#endMs);
        return Math.max(0, x - bytesAt(mean));
      }
      if (high) {
        this.#learner.learnHour(c, slot, y, lvl, hour, this.#endMs);
        return -1; // a high interval is left out of the baseline
      }
    } else c.state[slot] = st & ~HIGH_BEFORE;
    // A lasting rise: the level of the last minutes against this hour of the day once learned (a slow
    // climb does not move it) and √R above it; before that against the last hour's level, R above it.
    const ref = hourReady ? this.#tod.mean(e, hour) : c.slow[slot];
    const need = hourReady ? lnR / 2 : lnR;
    const sl = Math.max(
      hourReady ? sigmaOf(this.#tod.levelMad(e, hour)) : recentSigma * this.#levelNoise,
      MIN_SIGMA,
    );
    if (lvl - ref >= Math.max(need, k * sl) && bytesAt(lvl) >= o.minBytes) {
      if (this.#explains(explained, x, ref)) {
        this.#learner.learn(o, scope, c, slot, y, lvl, true, hour, this.#endMs);
        return Math.max(0, x - bytesAt(ref));
      }
      return this.#open(scope, c, slot, {
        rule: "sustained",
        startMs: this.#startMs,
        endMs: this.#endMs,
        bytes: x,
        packets,
        flows,
        earlierBytes: 0,
        level: lvl,
        mean: ref,
        sigma: sl,
        source: hourReady ? "hour_of_day" : "recent",
        baselineIntervals: hourReady ? this.#tod.samples(e, hour) : n,
        ...this.#flowTotals(scope, slot),
      });
    }
    this.#learner.learn(o, scope, c, slot, y, lvl, elevated, hour, this.#endMs);
    return -1;
  }

  /** True (and counted) when anomalies of the subject's parts carry at least half of its excess over `mean`. */
  #explains(explained: number, x: number, mean: number): boolean {
    if (explained <= 0 || explained < 0.5 * (x - bytesAt(mean))) return false;
    this.#explained++;
    return true;
  }

  #follow(scope: number, c: SubjectBaselines, slot: number, x: number, y: number, lvl: number): number {
    return this.#book.follow(scope, c, slot, x, y, lvl, this.#lnR, this.#endMs, this.#hour);
  }

  #open(scope: number, c: SubjectBaselines, slot: number, o: EpisodeOpening): number {
    this.#learner.learnHour(c, slot, logVolume(o.bytes), o.level, this.#hour, this.#endMs);
    const subject = this.#dir.describe(scope, slot);
    return this.#book.open(scope, c, slot, subject, o, this.#o);
  }

  #flowTotals(scope: number, slot: number): { flowBytes: number | null; flowPackets: number | null } {
    const t = this.#dir.flowTotals(scope, slot);
    return { flowBytes: t?.bytes ?? null, flowPackets: t?.packets ?? null };
  }
}
