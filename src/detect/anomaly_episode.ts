/**
 * One anomaly episode: from the interval that opened it until traffic is back to normal. It keeps the
 * baseline it was opened against (frozen: the anomaly must not teach the baseline that it is normal),
 * adds up what the subject carries meanwhile, and makes the `open` and `closed` events.
 */
import {
  type AnomalyEvent,
  baselineJson,
  type BaselineSource,
  bytesAt,
  logVolume,
  SIGMA_PER_MAD,
} from "../events/mod.ts";
import { closedSentence, heldBackSentence, openSentence } from "./anomaly_text.ts";

/** The members of an anomaly event that say who it is about. */
type SubjectFields = Pick<
  AnomalyEvent,
  | "scope"
  | "subject"
  | "direction"
  | "src_ip"
  | "dst_ip"
  | "src_port"
  | "dst_port"
  | "protocol"
  | "community_id"
  | "cidr"
>;

/** Who an episode is about: the event's members, and a stable key (state file, rate limit). */
export interface EpisodeSubject extends SubjectFields {
  /** "f|src|dst|sport|dport|proto", "h|s|10.0.0.5", "n|r|10.0.0.0/24". */
  key: string;
}

/** What opened it. Log-volume figures are ln(bytes + LOG_OFFSET_BYTES). */
export interface EpisodeOpening {
  rule: "spike" | "sustained";
  /** Start of the first anomalous interval, ms. */
  startMs: number;
  /** End of the interval that opened it, ms. */
  endMs: number;
  bytes: number;
  packets: number;
  flows: number;
  /** Octets of the earlier anomalous interval a two-interval spike began with; 0 when none. */
  earlierBytes: number;
  /** The subject's slow level, log-volume. */
  level: number;
  /** The baseline compared with: centre and σ (log-volume), where from, and how much it learned. */
  mean: number;
  sigma: number;
  source: BaselineSource;
  baselineIntervals: number;
  /** Flow record totals; null for hosts and subnets. */
  flowBytes: number | null;
  flowPackets: number | null;
}

/** The settings in force when it opened. */
export interface EpisodePolicy {
  k: number;
  ratio: number;
  minBytes: number;
  intervalS: number;
  /** Hold-off between reported episodes of a subject, s, and the run's cap a minute (for the held-back sentence). */
  holdoffS: number;
  perMinute: number;
}

/** See the module comment. */
export class Episode {
  readonly id: string;
  readonly subject: EpisodeSubject;
  readonly rule: "spike" | "sustained";
  readonly startMs: number;
  /** Baseline centre and σ, log-volume. */
  readonly mean: number;
  readonly sigma: number;
  /** Octets an interval usually carries (the baseline's centre). */
  readonly typicalBytes: number;
  peakBytes: number;
  totalBytes: number;
  excessBytes: number;
  intervals: number;
  /** Normal intervals in a row, for closing. */
  quiet = 0;
  /** End of the last anomalous interval, ms. */
  lastHighEndMs: number;
  /** Whether its events are published (see AnomalyLimiter). */
  reported = false;
  /** The subject's slot in its scope. */
  slot = -1;
  #open: AnomalyEvent | null = null;
  #tailIntervals = 0;
  #tailBytes = 0;
  #tailExcess = 0;

  constructor(subject: EpisodeSubject, o: EpisodeOpening) {
    this.subject = subject;
    this.rule = o.rule;
    this.startMs = o.startMs;
    this.mean = o.mean;
    this.sigma = o.sigma;
    this.typicalBytes = bytesAt(o.mean);
    this.id = `${subject.scope[0]}-${o.startMs.toString(36)}-${
      fnv1a(subject.key).toString(16).padStart(8, "0")
    }`;
    this.peakBytes = Math.max(o.bytes, o.earlierBytes);
    this.totalBytes = o.bytes + o.earlierBytes;
    this.excessBytes = excess(o.bytes, this.typicalBytes) + excess(o.earlierBytes, this.typicalBytes);
    this.intervals = o.earlierBytes > 0 ? 2 : 1;
    this.lastHighEndMs = o.endMs;
  }

  /** Builds (once) the open event; `held` is what the limiter held back before it. */
  openEvent(o: EpisodeOpening, p: EpisodePolicy, held: { same: number; cap: number }): AnomalyEvent {
    const lnR = Math.log(p.ratio);
    const sustained = o.rule === "sustained";
    const y = sustained ? o.level : logVolume(o.bytes);
    const bar = Math.max(sustained ? lnR / 2 : lnR, p.k * o.sigma);
    const measured = sustained ? bytesAt(o.level) : o.bytes;
    const e: AnomalyEvent = {
      kind: "anomaly",
      phase: "open",
      episode_id: this.id,
      ts: iso(o.endMs),
      started_at: iso(this.startMs),
      ended_at: null,
      duration_s: (o.endMs - this.startMs) / 1000,
      ...subjectFields(this.subject),
      rule: o.rule,
      bytes: o.bytes,
      packets: o.packets,
      flows: o.flows,
      level_bytes: Math.round(bytesAt(o.level)),
      baseline: baselineJson(o.source, o.mean, o.sigma / SIGMA_PER_MAD, o.baselineIntervals, true),
      ratio: round2(measured / Math.max(1, this.typicalBytes)),
      score: round2(o.sigma > 0 ? (y - o.mean) / o.sigma : 0),
      threshold_bytes: Math.round(Math.max(p.minBytes, bytesAt(o.mean + bar))),
      k: p.k,
      ratio_min: round2(sustained ? Math.sqrt(p.ratio) : p.ratio),
      min_bytes: p.minBytes,
      interval_s: p.intervalS,
      peak_bytes: this.peakBytes,
      total_bytes: this.totalBytes,
      excess_bytes: Math.round(this.excessBytes),
      intervals: this.intervals,
      close_reason: null,
      flow_bytes: o.flowBytes,
      flow_packets: o.flowPackets,
      unreported_same: held.same,
      unreported_cap: held.cap,
      reason: "",
    };
    const more = heldBackSentence(held.same, held.cap, p.holdoffS, p.perMinute);
    e.reason = openSentence(e) + (more ? ` ${more}` : "");
    this.#open = e;
    return e;
  }

  /** Adds one interval of the episode: `x` octets; `anomalous` when it is not back to normal. */
  add(x: number, endMs: number, anomalous: boolean): void {
    // Normal intervals count only once a later one is anomalous again (a dip inside the episode): the
    // ones that close it are after its end.
    this.#tailIntervals++;
    this.#tailBytes += x;
    this.#tailExcess += excess(x, this.typicalBytes);
    if (!anomalous) {
      this.quiet++;
      return;
    }
    this.quiet = 0;
    this.lastHighEndMs = endMs;
    this.intervals += this.#tailIntervals;
    this.totalBytes += this.#tailBytes;
    this.excessBytes += this.#tailExcess;
    this.#tailIntervals = this.#tailBytes = this.#tailExcess = 0;
    if (x > this.peakBytes) this.peakBytes = x;
  }

  /** The closed event at `tsMs` (the open event must have been built). */
  closedEvent(tsMs: number, reason: NonNullable<AnomalyEvent["close_reason"]>): AnomalyEvent {
    const open = this.#open;
    if (open === null) throw new Error(`episode ${this.id}: closed before its open event was built`);
    const e: AnomalyEvent = {
      ...open,
      phase: "closed",
      ts: iso(tsMs),
      ended_at: iso(this.lastHighEndMs),
      duration_s: (this.lastHighEndMs - this.startMs) / 1000,
      peak_bytes: this.peakBytes,
      total_bytes: this.totalBytes,
      excess_bytes: Math.round(this.excessBytes),
      intervals: this.intervals,
      close_reason: reason,
      unreported_same: 0,
      unreported_cap: 0,
      reason: "",
    };
    e.reason = closedSentence(e);
    return e;
  }
}

function subjectFields(s: EpisodeSubject): SubjectFields {
  const { key: _key, ...fields } = s;
  return fields;
}

function excess(x: number, typical: number): number {
  return x > typical ? x - typical : 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** FNV-1a, 32 bits: a short, stable tag of a subject key for episode ids. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
