/**
 * Which anomaly episodes are reported: at most one per subject (flow, host, subnet) per `holdoffMs`, and
 * at most `perMinute` for the whole run, as security events are limited. An episode held back still
 * runs (its baseline stays frozen, it closes) but publishes nothing; the next reported episode of the
 * same subject, and the next reported one anywhere, say how many were held back.
 */
import { MinuteBudget } from "../base/mod.ts";

/** Options of {@link AnomalyLimiter}. */
export interface AnomalyLimiterOptions {
  /** Reported episodes per minute for the whole run. */
  perMinute: number;
  /** Least time between two reported episodes of one subject, ms. */
  holdoffMs: number;
  /** Subjects remembered at most (the oldest report is forgotten first). @default 100_000 */
  maxSubjects?: number;
}

/** What the next reported episode carries. */
export interface HeldBack {
  /** Episodes of the same subject not reported since its last reported one. */
  same: number;
  /** Episodes anywhere not reported over the run's cap since the last reported one. */
  cap: number;
}

/** Counters for /stats. */
export interface AnomalyLimiterCounters {
  /** Episodes reported. */
  reported: number;
  /** Held back: their subject had one reported within the hold-off. */
  held_same_subject: number;
  /** Held back: over the run's cap a minute. */
  held_run_cap: number;
}

/** How long a subject with held-back episodes is remembered, waiting for its next report. */
const KEEP_HELD_MS = 86_400_000;

interface Subject {
  lastMs: number;
  held: number;
}

/** See the module comment. */
export class AnomalyLimiter {
  readonly holdoffMs: number;
  readonly perMinute: number;
  #maxSubjects: number;
  #budget: MinuteBudget;
  // Insertion order is report order (a reported subject is re-inserted), so pruning scans from the front.
  #subjects = new Map<string, Subject>();
  #c: AnomalyLimiterCounters = { reported: 0, held_same_subject: 0, held_run_cap: 0 };
  #taken: HeldBack = { same: 0, cap: 0 };

  constructor(o: AnomalyLimiterOptions) {
    this.holdoffMs = o.holdoffMs;
    this.perMinute = o.perMinute;
    this.#maxSubjects = o.maxSubjects ?? 100_000;
    this.#budget = new MinuteBudget(o.perMinute);
  }

  /**
   * True when an episode of `subject` opening at `nowMs` is reported; then {@link heldBack} says what was
   * held back before it. False when it is held back (and counted).
   */
  admit(subject: string, nowMs: number): boolean {
    const s = this.#subjects.get(subject);
    if (s !== undefined && nowMs - s.lastMs < this.holdoffMs) {
      s.held++;
      this.#c.held_same_subject++;
      return false;
    }
    if (!this.#budget.take(nowMs)) {
      if (s !== undefined) s.held++;
      this.#c.held_run_cap++;
      return false;
    }
    this.#c.reported++;
    this.#taken = { same: s?.held ?? 0, cap: this.#budget.takeHeldBack() };
    this.#subjects.delete(subject);
    this.#subjects.set(subject, { lastMs: nowMs, held: 0 });
    this.#prune(nowMs);
    return true;
  }

  /** What was held back before the episode {@link admit} just reported. */
  get heldBack(): HeldBack {
    return this.#taken;
  }

  /** Counters since start. */
  counters(): AnomalyLimiterCounters {
    return { ...this.#c };
  }

  /**
   * Forgets subjects past their hold-off that hold nothing back (those that do wait a day for their next
   * report to carry the count), and the oldest beyond the bound.
   */
  #prune(nowMs: number): void {
    for (const [key, s] of this.#subjects) {
      const age = nowMs - s.lastMs;
      if (this.#subjects.size <= this.#maxSubjects && age < this.holdoffMs) break;
      if (this.#subjects.size > this.#maxSubjects || s.held === 0 || age >= KEEP_HELD_MS) {
        this.#subjects.delete(key);
      }
    }
  }
}
