/**
 * The anomaly rules, applied to one subject (flow, host or subnet) at the end of each interval. All on
 * log-volume y = ln(bytes + LOG_OFFSET_BYTES), against baselines that anomalies do not teach:
 *
 *   threshold  =  max(floor, bytes at m + max(ln R, k·σ))   for the recent baseline (m, σ), and for this
 *                 hour of the day's once it has two days behind it (the higher of the two)
 *   spike      ⇔  x ≥ threshold ∧ (x + the interval before ≥ 2 × threshold  ∨  y − m ≥ 2·max(ln R, k·σ))
 *   sustained  ⇔  hour of day learned ∧ level − m_h ≥ max(½ ln R, k·σ_level,h) ∧ level ≥ floor
 *
 * where R is FLINTNET_ANOMALY_RATIO, k FLINTNET_ANOMALY_K and the level an EWMA of y over about five
 * minutes. A spike or sustained rise opens an episode (one per subject at a time); it closes after
 * CLOSE_AFTER intervals back under half the distance (y − m < ½ ln R; a sustained one: level − m_h < ¼ ln R),
 * or, still high after NEW_NORMAL_MS, by taking the new level as the baseline. Intervals without
 * traffic are no sample (a flow that pauses and resumes at its usual rate is not an anomaly). High
 * intervals and whole episodes are left out of every baseline.
 */
import type { AnomalyEvent, AnomalyScope } from "../events.ts";
import { type BaselineSource, bytesAt, logVolume, sigmaOf } from "../flow/baseline_json.ts";
import type { Publish } from "./detector.ts";
import { Episode, type EpisodeOpening, type EpisodeSubject } from "./anomaly_episode.ts";
import type { AnomalyLimiter } from "./anomaly_limiter.ts";
import type { HourOfDayBaselines } from "./hour_of_day.ts";
import { HIGH_BEFORE, IN_EPISODE, NEW_SLOT, type SubjectBaselines } from "./subject_baselines.ts";

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
const SCOPES: readonly AnomalyScope[] = ["flow", "host", "subnet"];

/** σ is never taken below this (5 % in volume): a steady subject then needs the ratio alone. */
export const MIN_SIGMA = 0.05;
/** The spread learns at this share of α (memory of about 100 intervals): a steadier σ, so thresholds do not wobble. */
const MAD_ALPHA_SHARE = 0.1;
/** Normal intervals in a row that close an episode. */
export const CLOSE_AFTER = 3;
/** An episode still high after this long is over: its level becomes the baseline. */
export const NEW_NORMAL_MS = 3_600_000;
/**
 * An interval this close under the threshold (half its bytes, in log-volume) is remembered for one
 * interval: with the next it may make a two-interval spike (an attack that began mid-interval).
 */
const ELEVATED = Math.LN2;
/** Deviations beyond this many σ are clipped when learning (once mature): one odd interval moves the baseline little. */
const CLIP_SIGMAS = 2;
/** Open episodes at most (past it new ones are counted and dropped): bounded memory in a flood. */
const MAX_OPEN_EPISODES = 100_000;
/** The level's time constant, s: what "the last minutes" means. */
const LEVEL_S = 300;
/** The last hour's level (the reference of a lasting rise before the hours of the day are learned): its time constant, s. */
const SLOW_S = 3600;

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
export interface AnomalyRuleCounters {
  /** Episodes opened, by scope (reported or not). */
  opened: Record<AnomalyScope, number>;
  /** Episodes closed. */
  closed: number;
  /** Host or subnet rises not opened because an anomaly of one of its flows (hosts) or hosts (subnets) explains them. */
  explained: number;
  /** Episodes not opened because MAX_OPEN_EPISODES were open. */
  dropped: number;
  /** Subjects whose baseline came back from the hour-of-day store (a restart, or a flow that returned). */
  restored: number;
}

/** See the module comment. */
export class AnomalyRules {
  #o: AnomalyOptions;
  #tod: HourOfDayBaselines;
  #limiter: AnomalyLimiter;
  #publish: Publish;
  #dir: SubjectDirectory;
  #episodes: Map<number, Episode>[] = [new Map(), new Map(), new Map()];
  // Bytes of the last interval per slot that was high alone, for the episode it may begin; swapped per interval.
  #pendingNow: Map<number, number>[] = [new Map(), new Map(), new Map()];
  #pendingBefore: Map<number, number>[] = [new Map(), new Map(), new Map()];
  #startMs = 0;
  #endMs = 0;
  #hour = 0;
  #lnR = 0;
  #levelAlpha = 0;
  #levelNoise = 0;
  #slowAlpha = 0;
  readonly counters: AnomalyRuleCounters = {
    opened: { flow: 0, host: 0, subnet: 0 },
    closed: 0,
    explained: 0,
    dropped: 0,
    restored: 0,
  };

  constructor(
    o: AnomalyOptions,
    tod: HourOfDayBaselines,
    limiter: AnomalyLimiter,
    publish: Publish,
    dir: SubjectDirectory,
  ) {
    this.#o = o;
    this.#tod = tod;
    this.#limiter = limiter;
    this.#publish = publish;
    this.#dir = dir;
  }

  /** Open episodes of a scope, by slot. */
  episodes(scope: number): ReadonlyMap<number, Episode> {
    return this.#episodes[scope];
  }

  /** Starts the interval [startMs, endMs) of hour of day `hour`. */
  begin(startMs: number, endMs: number, hour: number): void {
    this.#startMs = startMs;
    this.#endMs = endMs;
    this.#hour = hour;
    this.#lnR = Math.log(this.#o.ratio);
    this.#levelAlpha = Math.min(1, this.#o.intervalS / LEVEL_S);
    // σ of the level when intervals are independent with σ 1: √(α / (2 − α)).
    this.#levelNoise = Math.sqrt(this.#levelAlpha / (2 - this.#levelAlpha));
    this.#slowAlpha = Math.min(1, this.#o.intervalS / SLOW_S);
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
   * for its parent to count as explained; -1 when none.
   */
  step(
    scope: number,
    c: SubjectBaselines,
    slot: number,
    x: number,
    packets: number,
    flows: number,
    explained: number,
  ): number {
    const st = c.state[slot];
    if (x <= 0) {
      c.state[slot] = st & ~HIGH_BEFORE;
      if ((st & IN_EPISODE) !== 0) return this.#continue(scope, c, slot, 0, -Infinity, -Infinity);
      return -1;
    }
    if ((st & NEW_SLOT) !== 0) {
      c.state[slot] = st & ~NEW_SLOT; // a first, partial interval is no fair sample
      return -1;
    }
    const y = logVolume(x);
    if (c.count[slot] === 0 && !this.#adopt(scope, c, slot)) {
      c.mean[slot] = y;
      c.mad[slot] = 0;
      c.level[slot] = y;
      c.slow[slot] = y;
      c.count[slot] = 1;
      return -1;
    }
    const lvl = c.level[slot] + this.#levelAlpha * (y - c.level[slot]);
    c.level[slot] = lvl;
    if ((st & IN_EPISODE) !== 0) return this.#continue(scope, c, slot, x, y, lvl);

    const o = this.#o, lnR = this.#lnR, k = o.k, n = c.count[slot];
    if (n < o.warmupIntervals) {
      this.#learn(scope, c, slot, y, lvl, false);
      return -1;
    }
    const e = c.tod[slot], hour = this.#hour;
    const hourReady = e >= 0 && this.#tod.ready(e, hour);
    const recentSigma = Math.max(sigmaOf(c.mad[slot]), MIN_SIGMA);
    let mean = c.mean[slot], sigma = recentSigma, source: BaselineSource = "recent", learned = n;
    let bar = Math.max(lnR, k * sigma), dist = y - mean;
    if (hourReady) {
      // Both baselines must agree: the hour of day knows the morning ramp, the recent one today's level.
      const mh = this.#tod.mean(e, hour), sh = Math.max(sigmaOf(this.#tod.mad(e, hour)), MIN_SIGMA);
      const barH = Math.max(lnR, k * sh);
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
      // Explained by its parts' anomalies: its excess is theirs, passed up as explained too.
      if (spike) return Math.max(0, x - bytesAt(mean));
      if (high) return -1; // a high interval is left out of the baseline
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
      if (this.#explains(explained, x, ref)) return Math.max(0, x - bytesAt(ref));
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
    this.#learn(scope, c, slot, y, lvl, elevated);
    return -1;
  }

  /** True (and counted) when anomalies of the subject's parts carry at least half of its excess over `mean`. */
  #explains(explained: number, x: number, mean: number): boolean {
    if (explained <= 0 || explained < 0.5 * (x - bytesAt(mean))) return false;
    this.counters.explained++;
    return true;
  }

  /** `n` intervals passed without any traffic at all (a gap): open episodes count them as normal. */
  gap(n: number): void {
    for (let scope = 0; scope < 3; scope++) {
      for (const ep of [...this.#episodes[scope].values()]) {
        ep.quiet += n;
        if (ep.quiet >= CLOSE_AFTER) this.close(scope, null, ep, "back_to_normal");
      }
    }
  }

  /** Closes `ep` (its subject's state is cleared when `c` is given: the slot still holds it). */
  close(
    scope: number,
    c: SubjectBaselines | null,
    ep: Episode,
    why: NonNullable<AnomalyEvent["close_reason"]>,
  ): void {
    if (this.#episodes[scope].get(ep.slot) === ep) this.#episodes[scope].delete(ep.slot);
    if (c !== null) c.state[ep.slot] &= ~IN_EPISODE;
    this.counters.closed++;
    if (ep.reported) this.#publish(ep.closedEvent(this.#endMs, why));
  }

  #continue(scope: number, c: SubjectBaselines, slot: number, x: number, y: number, lvl: number): number {
    const ep = this.#episodes[scope].get(slot);
    if (ep === undefined) {
      c.state[slot] &= ~IN_EPISODE;
      return -1;
    }
    const anomalous = ep.rule === "spike" ? y - ep.mean >= this.#lnR / 2 : lvl - ep.mean >= this.#lnR / 4;
    ep.add(x, this.#endMs, anomalous);
    if (ep.quiet >= CLOSE_AFTER) {
      this.close(scope, c, ep, "back_to_normal");
      return -1;
    }
    if (this.#endMs - ep.startMs >= NEW_NORMAL_MS) {
      const e = c.tod[slot];
      if (e >= 0) this.#tod.shift(e, lvl - this.#tod.mean(e, this.#hour));
      c.mean[slot] = lvl;
      this.close(scope, c, ep, "new_normal");
      return -1;
    }
    return Math.max(0, x - ep.typicalBytes);
  }

  #open(scope: number, c: SubjectBaselines, slot: number, o: EpisodeOpening): number {
    if (this.#episodes[scope].size >= MAX_OPEN_EPISODES) {
      this.counters.dropped++;
      return -1;
    }
    const subject = this.#dir.describe(scope, slot);
    const ep = new Episode(subject, o);
    ep.slot = slot;
    this.#episodes[scope].set(slot, ep);
    c.state[slot] = (c.state[slot] | IN_EPISODE) & ~HIGH_BEFORE;
    this.counters.opened[SCOPES[scope]]++;
    ep.reported = this.#limiter.admit(subject.key, o.endMs);
    if (ep.reported) {
      const p = this.#o;
      this.#publish(ep.openEvent(o, {
        k: p.k,
        ratio: p.ratio,
        minBytes: p.minBytes,
        intervalS: p.intervalS,
        holdoffS: this.#limiter.holdoffMs / 1000,
        perMinute: this.#limiter.perMinute,
      }, this.#limiter.heldBack));
    }
    return Math.max(0, o.bytes - ep.typicalBytes);
  }

  #flowTotals(scope: number, slot: number): { flowBytes: number | null; flowPackets: number | null } {
    const t = this.#dir.flowTotals(scope, slot);
    return { flowBytes: t?.bytes ?? null, flowPackets: t?.packets ?? null };
  }

  /**
   * Folds an interval that is no anomaly into the recent baseline, the last hour's level and the hour of
   * day's. An `elevated` one (past half the threshold) moves the centre but not the spread: the spread
   * is what ordinary intervals do, and an attack building up must not widen it.
   */
  #learn(scope: number, c: SubjectBaselines, slot: number, y: number, lvl: number, elevated: boolean): void {
    const n = ++c.count[slot];
    const a = Math.max(this.#o.alpha, 1 / n), am = Math.max(this.#o.alpha * MAD_ALPHA_SHARE, 1 / n);
    c.slow[slot] += Math.max(this.#slowAlpha, 1 / n) * (y - c.slow[slot]);
    const m = c.mean[slot];
    let d = y - m;
    if (n > this.#o.warmupIntervals) {
      const clip = CLIP_SIGMAS * Math.max(sigmaOf(c.mad[slot]), MIN_SIGMA);
      d = d > clip ? clip : d < -clip ? -clip : d;
    }
    c.mean[slot] = m + a * d;
    if (!elevated) c.mad[slot] += am * (Math.abs(d) - c.mad[slot]);
    let e = c.tod[slot];
    if (e === -1 && n >= this.#tod.perHour) {
      // An hour of traffic: worth learning its hours of the day (and keeping across restarts).
      const key = this.#dir.key(scope, slot);
      e = this.#tod.find(key);
      if (e < 0) e = this.#tod.create(key, this.#endMs);
      this.#tod.attach(e, scope, slot);
      c.tod[slot] = e;
    }
    if (e >= 0) {
      this.#tod.learn(e, this.#hour, y, lvl, this.#endMs);
      this.#tod.snapshot(e, c.mean[slot], c.mad[slot], n, lvl);
    }
  }

  /**
   * A subject seen for the first time in this slot: its old hour-of-day entry (if the slot held another
   * subject) is let go, and an entry kept for its own key is taken back, with the recent baseline it
   * saved when that is less than an hour old. True when the recent baseline was restored.
   */
  #adopt(scope: number, c: SubjectBaselines, slot: number): boolean {
    const old = c.tod[slot];
    if (old >= 0) this.#tod.detach(old);
    c.tod[slot] = -1;
    if (this.#tod.size === 0) return false;
    const e = this.#tod.find(this.#dir.key(scope, slot));
    if (e < 0) return false;
    this.#tod.attach(e, scope, slot);
    c.tod[slot] = e;
    const r = this.#tod.recent(e);
    if (r.count === 0 || this.#endMs - this.#tod.lastMs(e) > NEW_NORMAL_MS) return false;
    c.mean[slot] = r.mean;
    c.mad[slot] = r.mad;
    c.count[slot] = r.count;
    c.level[slot] = r.level;
    this.counters.restored++;
    return true;
  }
}
