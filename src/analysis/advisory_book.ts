/**
 * Advisories raised once and resolved once. Each minute the analyzers report the conditions they find;
 * a condition not open yet is raised (an `advisory` event, phase raised), one still found stays open
 * silently (its latest numbers kept for GET /advisories), and one missing for its analyzer's
 * `resolveAfterRuns` runs is resolved (the same advisory, phase resolved). The book also keeps the most
 * recent advisories, open and resolved, for the API: bounded, the oldest resolved forgotten first.
 */
import type { AdvisoryEvent } from "../events/mod.ts";
import type { SavedAdvisory } from "./advisory_file.ts";
import type { Finding } from "./analyzer.ts";

/** Advisories kept for the API, open and resolved together. */
export const DEFAULT_KEPT = 10_000;
/** Open advisories at most: past it a new condition is counted in `notRaised`, not raised. */
export const MAX_OPEN = 5_000;

interface Open {
  event: AdvisoryEvent;
  missed: number;
  resolveAfter: number;
}

/** Raises and resolves advisories; publishes through `publish`. */
export class AdvisoryBook {
  #open = new Map<string, Open>();
  #kept: AdvisoryEvent[] = [];
  #keep: number;
  #publish: (e: AdvisoryEvent) => void;
  #seq = 0;
  /** Advisories raised since start. */
  raised = 0;
  /** Advisories resolved since start. */
  resolved = 0;
  /** Conditions not raised because MAX_OPEN advisories were open. */
  notRaised = 0;
  /** Advisories reopened from an earlier run's advisories.json. */
  restored = 0;

  constructor(publish: (e: AdvisoryEvent) => void, keep = DEFAULT_KEPT) {
    this.#publish = publish;
    this.#keep = keep;
  }

  /**
   * One run of one analyzer at `endMs`: `findings` are what it sees now. Conditions of this analyzer's
   * types that are open and not found count a miss; at `resolveAfter` misses they are resolved.
   */
  run(
    analyzerTypes: readonly string[],
    findings: readonly Finding[],
    resolveAfter: number,
    endMs: number,
  ): void {
    const ts = new Date(endMs).toISOString();
    const found = new Set<string>();
    for (const f of findings) {
      const key = `${f.type}|${f.key}`;
      if (found.has(key)) continue;
      found.add(key);
      const open = this.#open.get(key);
      if (open) {
        open.missed = 0;
        // The latest numbers, for the API; the raised event already went out with the first ones.
        Object.assign(open.event, {
          severity: f.severity,
          summary: f.summary,
          action: f.action,
          evidence: f.evidence,
          ts,
        });
        continue;
      }
      if (this.#open.size >= MAX_OPEN) {
        this.notRaised++;
        continue;
      }
      const event: AdvisoryEvent = {
        kind: "advisory",
        phase: "raised",
        advisory_id: `${f.type}-${Math.floor(endMs / 1000)}-${++this.#seq}`,
        ts,
        type: f.type,
        severity: f.severity,
        subject: f.subject,
        subject_kind: f.subject_kind,
        ip: f.ip,
        summary: f.summary,
        action: f.action,
        evidence: f.evidence,
        raised_at: ts,
        resolved_at: null,
        resolution: null,
      };
      this.#open.set(key, { event, missed: 0, resolveAfter });
      this.#remember(event);
      this.raised++;
      this.#publish({ ...event });
    }
    for (const [key, open] of this.#open) {
      if (found.has(key) || !analyzerTypes.includes(open.event.type)) continue;
      if (++open.missed < open.resolveAfter) continue;
      this.#open.delete(key);
      const minutes = open.missed === 1 ? "the last minute" : `the last ${open.missed} minutes`;
      Object.assign(
        open.event,
        {
          phase: "resolved",
          ts,
          resolved_at: ts,
          resolution: `Not seen in ${minutes}.`,
        } satisfies Partial<AdvisoryEvent>,
      );
      this.resolved++;
      this.#publish({ ...open.event });
    }
  }

  /** Advisories open now. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Changes whenever an advisory opens or closes (what advisories.json holds). */
  get version(): number {
    return this.raised + this.resolved + this.restored;
  }

  /** The advisories open now, as advisories.json keeps them. */
  openEntries(): SavedAdvisory[] {
    return [...this.#open].map(([key, o]) => ({
      key,
      event: { ...o.event },
      missed: o.missed,
      resolveAfter: o.resolveAfter,
    }));
  }

  /**
   * Reopens the advisories an earlier run left open (advisories.json), without raising them again: the
   * condition they name is judged from the next run on, as if the daemon had not stopped (found: stays
   * open; missing for its analyzer's runs: resolved). A condition open already is kept as it is.
   */
  restore(saved: readonly SavedAdvisory[]): void {
    for (const s of saved) {
      if (this.#open.has(s.key) || this.#open.size >= MAX_OPEN) continue;
      const event = { ...s.event };
      this.#open.set(s.key, { event, missed: s.missed, resolveAfter: s.resolveAfter });
      this.#remember(event);
      this.restored++;
    }
  }

  /** The advisories kept, newest raised first (each in its latest state). */
  list(): readonly AdvisoryEvent[] {
    return this.#kept.toReversed();
  }

  #remember(e: AdvisoryEvent): void {
    this.#kept.push(e);
    if (this.#kept.length <= this.#keep) return;
    // Forget the oldest resolved one; if every kept advisory is open, the oldest of all.
    const i = this.#kept.findIndex((k) => k.phase === "resolved");
    this.#kept.splice(i < 0 ? 0 : i, 1);
  }
}
