/**
 * The open anomaly episodes, one per subject at most, by scope and slot: opening one (through the rate
 * limit: held-back episodes run silently), following it interval by interval, and closing it — after
 * CLOSE_AFTER normal intervals, when its subject goes away, or, still high after NEW_NORMAL_MS, by taking
 * the new level as the subject's baseline.
 *
 * "Normal" is half the way back: a spike's interval under √R × the baseline it was opened against, a
 * sustained rise's level under R^¼ × it (the level lags, so it gets the lower bar).
 */
import type { AnomalyEvent, AnomalyScope, Publish } from "../events/mod.ts";
import { Episode, type EpisodeOpening, type EpisodeSubject } from "./anomaly_episode.ts";
import type { AnomalyLimiter } from "./anomaly_limiter.ts";
import type { HourOfDayBaselines } from "./hour_of_day.ts";
import { HIGH_BEFORE, IN_EPISODE, type SubjectBaselines } from "./subject_baselines.ts";

/** Normal intervals in a row that close an episode. */
export const CLOSE_AFTER = 3;
/** An episode still high after this long is over: its level becomes the baseline. */
export const NEW_NORMAL_MS = 3_600_000;
/** Open episodes at most (past it new ones are counted and dropped): bounded memory in a flood. */
const MAX_OPEN_EPISODES = 100_000;
const SCOPES: readonly AnomalyScope[] = ["flow", "host", "subnet"];

/** Why an episode ended. */
export type CloseReason = NonNullable<AnomalyEvent["close_reason"]>;

/** The settings the events quote. */
export interface EpisodeSettings {
  k: number;
  ratio: number;
  minBytes: number;
  intervalS: number;
}

/** Counters for /stats. */
export interface EpisodeCounters {
  /** Episodes opened, by scope (reported or not). */
  opened: Record<AnomalyScope, number>;
  /** Episodes closed. */
  closed: number;
  /** Episodes not opened because MAX_OPEN_EPISODES were open. */
  dropped: number;
}

/** See the module comment. */
export class EpisodeBook {
  #episodes: Map<number, Episode>[] = [new Map(), new Map(), new Map()];
  #limiter: AnomalyLimiter;
  #publish: Publish;
  #tod: HourOfDayBaselines;
  #c: EpisodeCounters = { opened: { flow: 0, host: 0, subnet: 0 }, closed: 0, dropped: 0 };
  #renewed: Set<number>[] = [new Set(), new Set(), new Set()];

  constructor(limiter: AnomalyLimiter, publish: Publish, tod: HourOfDayBaselines) {
    this.#limiter = limiter;
    this.#publish = publish;
    this.#tod = tod;
  }

  /** Counters since start. */
  counters(): EpisodeCounters {
    return { ...this.#c, opened: { ...this.#c.opened } };
  }

  /** Open episodes of a scope, by slot. */
  of(scope: number): ReadonlyMap<number, Episode> {
    return this.#episodes[scope];
  }

  /** Opens an episode for `slot` (reported unless the limiter holds it back); returns its excess octets. */
  open(
    scope: number,
    c: SubjectBaselines,
    slot: number,
    subject: EpisodeSubject,
    o: EpisodeOpening,
    p: EpisodeSettings,
  ): number {
    if (this.#episodes[scope].size >= MAX_OPEN_EPISODES) {
      this.#c.dropped++;
      return -1;
    }
    const ep = new Episode(subject, o);
    ep.slot = slot;
    this.#episodes[scope].set(slot, ep);
    c.state[slot] = (c.state[slot] | IN_EPISODE) & ~HIGH_BEFORE;
    this.#c.opened[SCOPES[scope]]++;
    ep.reported = this.#limiter.admit(subject.key, o.endMs);
    if (ep.reported) {
      const settings = {
        ...p,
        holdoffS: this.#limiter.holdoffMs / 1000,
        perMinute: this.#limiter.perMinute,
      };
      this.#publish(ep.openEvent(o, settings, this.#limiter.heldBack));
    }
    return Math.max(0, o.bytes - ep.typicalBytes);
  }

  /**
   * One more interval of `slot`'s episode: `x` octets (log-volume `y`), level `lvl` (both log-volume; x is
   * 0 for an interval without traffic). Returns its excess octets while the episode stays open, else -1.
   */
  follow(
    scope: number,
    c: SubjectBaselines,
    slot: number,
    x: number,
    y: number,
    lvl: number,
    lnR: number,
    endMs: number,
    hour: number,
  ): number {
    const ep = this.#episodes[scope].get(slot);
    if (ep === undefined) {
      c.state[slot] &= ~IN_EPISODE;
      return -1;
    }
    const anomalous = x > 0 && (ep.rule === "spike" ? y - ep.mean >= lnR / 2 : lvl - ep.mean >= lnR / 4);
    ep.add(x, endMs, anomalous);
    if (ep.quiet >= CLOSE_AFTER) {
      this.close(scope, c, ep, "back_to_normal", endMs);
      return -1;
    }
    if (endMs - ep.startMs >= NEW_NORMAL_MS) {
      this.rebase(scope, c, slot, lvl, hour);
      this.close(scope, c, ep, "new_normal", endMs);
      return -1;
    }
    return Math.max(0, x - ep.typicalBytes);
  }

  /**
   * Takes level `lvl` as the usual one of `slot`: the recent baselines, and every hour of the day (if
   * this hour's is learned; one still learning has learned the new level meanwhile). Marks the slot
   * {@link renewed} for this interval, so that its host and subnet take the change too.
   */
  rebase(scope: number, c: SubjectBaselines, slot: number, lvl: number, hour: number): void {
    const e = c.tod[slot];
    if (e >= 0 && this.#tod.ready(e, hour)) this.#tod.shift(e, lvl - this.#tod.mean(e, hour));
    c.mean[slot] = lvl;
    c.slow[slot] = lvl;
    c.state[slot] &= ~HIGH_BEFORE;
    this.#renewed[scope].add(slot);
  }

  /** Whether `slot` took a new level as its usual one this interval. */
  renewed(scope: number, slot: number): boolean {
    const r = this.#renewed[scope];
    return r.size > 0 && r.has(slot);
  }

  /** Starts an interval: forgets which slots were renewed in the last one. */
  begin(): void {
    for (const r of this.#renewed) r.clear();
  }

  /** `n` intervals passed without any traffic at all (a capture gap): they count as normal. */
  gap(n: number, endMs: number): void {
    for (let scope = 0; scope < 3; scope++) {
      for (const ep of [...this.#episodes[scope].values()]) {
        ep.quiet += n;
        if (ep.quiet >= CLOSE_AFTER) this.close(scope, null, ep, "back_to_normal", endMs);
      }
    }
  }

  /** Closes `ep` at `endMs` (its slot's state is cleared when `c` is given: the slot still holds it). */
  close(scope: number, c: SubjectBaselines | null, ep: Episode, why: CloseReason, endMs: number): void {
    if (this.#episodes[scope].get(ep.slot) === ep) this.#episodes[scope].delete(ep.slot);
    if (c !== null) c.state[ep.slot] &= ~IN_EPISODE;
    this.#c.closed++;
    if (ep.reported) this.#publish(ep.closedEvent(endMs, why));
  }
}
