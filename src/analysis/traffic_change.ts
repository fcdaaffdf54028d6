/**
 * Traffic spikes and drops per local subnet and per exporter interface, against each one's baseline:
 * an exponentially weighted mean of its octets per minute (α = 0.1, about the last ten minutes; 0.01 in a
 * minute that reports), learned
 * for `warmupMinutes` before it may report. A subject that carried nothing this minute counts as 0 (a
 * dead link is the drop that matters most). Subjects are bounded; the one quiet the longest goes first.
 */
import type { AdvisoryType } from "../events/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { bytesText } from "./services.ts";

/** Thresholds. */
export interface TrafficChangeOptions {
  /** A minute at least this many times its baseline is a spike. @default 5 */
  spikeRatio: number;
  /** A minute at most this fraction of its baseline is a drop (0.05: dropped 95 %). @default 0.05 */
  dropRatio: number;
  /** Baselines (and spikes above them) smaller than this many octets a minute never report. @default 1 MB */
  minBytes: number;
  /** Minutes learned before a subject may report. @default 10 */
  warmupMinutes: number;
  /** Subjects remembered. @default 4096 */
  maxSubjects?: number;
  /** The name of an exporter's interface (ifName from an SNMP poll of the exporter), null when unknown. */
  interfaceName?: (exporter: string, ifIndex: number) => string | null;
}

const ALPHA = 0.1;

interface Baseline {
  mean: number;
  /** The exporter's ifIndex, for its name; 0 for a subnet. */
  ifIndex: number;
  minutes: number;
  kind: "subnet" | "interface";
  ip: string | null;
  lastSeen: number;
}

/** Spikes and drops. */
export class TrafficChangeAnalyzer implements Analyzer {
  readonly name = "traffic_change";
  readonly types: readonly AdvisoryType[] = ["traffic_spike", "traffic_drop"];
  readonly resolveAfterRuns = 2;
  #o: TrafficChangeOptions;
  /**
   * In the order last seen carrying traffic, the quietest first (a subject is moved to the end in the minute
   * it carries some): the one to forget is the first, found without a scan. A scan per new subject made a
   * minute with 65 k new subnets (a sweep of a local /8) take 2 s of the main thread.
   */
  #subjects = new Map<string, Baseline>();
  /** Subjects forgotten to stay within maxSubjects. */
  evicted = 0;

  constructor(o: TrafficChangeOptions) {
    this.#o = o;
  }

  analyze(m: MinuteInput): Finding[] {
    const now = new Map<
      string,
      { bytes: number; kind: "subnet" | "interface"; ip: string | null; ifIndex: number }
    >();
    for (const s of m.summary.subnets) {
      now.set(s.cidr, { bytes: s.bytes, kind: "subnet", ip: null, ifIndex: 0 });
    }
    for (const i of m.summary.interfaces) {
      now.set(`${i.exporter} ifIndex ${i.if_index}`, {
        bytes: i.in_bytes + i.out_bytes,
        kind: "interface",
        ip: i.exporter,
        ifIndex: i.if_index,
      });
    }
    const minuteStart = new Date(m.summary.minuteMs).toISOString(), at = minuteStart.slice(11, 16);
    const out: Finding[] = [];
    const seen: string[] = [];
    for (const [subject, cur] of now) {
      if (!this.#subjects.has(subject)) {
        if (this.#subjects.size >= (this.#o.maxSubjects ?? 4096)) this.#evictOne();
        this.#subjects.set(subject, {
          mean: cur.bytes,
          ifIndex: cur.ifIndex,
          minutes: 0,
          kind: cur.kind,
          ip: cur.ip,
          lastSeen: m.endMs,
        });
      }
    }
    for (const [key, b] of this.#subjects) {
      const bytes = now.get(key)?.bytes ?? 0;
      // "10.0.0.1 ifIndex 3 (Gi0/1)" once the exporter has been polled; the key stays the number.
      const name = b.kind === "interface" && b.ip !== null ? this.#o.interfaceName?.(b.ip, b.ifIndex) : null;
      const subject = name ? `${key} (${name})` : key;
      if (bytes > 0) {
        b.lastSeen = m.endMs;
        seen.push(key);
      }
      const mature = b.minutes >= this.#o.warmupMinutes && b.mean >= this.#o.minBytes;
      const what = b.kind === "subnet" ? `traffic of ${subject}` : `traffic through ${subject}`;
      let flagged = false;
      // Made only for a subject that reports (the minute's hundreds of subjects mostly do not).
      const evidence = () => ({
        minute_start: minuteStart,
        bytes,
        baseline_bytes: Math.round(b.mean),
        baseline_minutes: b.minutes,
        ratio: b.mean > 0 ? Math.round((bytes / b.mean) * 100) / 100 : null,
      });
      if (mature && bytes >= b.mean * this.#o.spikeRatio) {
        flagged = true;
        out.push({
          type: "traffic_spike",
          key,
          severity: "warning",
          subject,
          subject_kind: b.kind,
          ip: b.ip,
          summary: `The ${what} rose to ${Math.round(bytes / b.mean)} times its usual level at ${at} UTC ` +
            `(${bytesText(bytes)} in a minute, usually ${bytesText(b.mean)}).`,
          action: "See the top talkers and flows of the subject for what carried it; a backup or an update " +
            "explains it, an unknown host sending out does not.",
          evidence: evidence(),
        });
      } else if (mature && bytes <= b.mean * this.#o.dropRatio) {
        flagged = true;
        out.push({
          type: "traffic_drop",
          key,
          severity: "warning",
          subject,
          subject_kind: b.kind,
          ip: b.ip,
          summary: `The ${what} dropped ${Math.round((1 - bytes / b.mean) * 100)} % at ${at} UTC ` +
            `(${bytesText(bytes)} in a minute, usually ${bytesText(b.mean)}) — possible link failure.`,
          action:
            "Check the link, switch port or router interface of the subject, and whether its hosts are up.",
          evidence: evidence(),
        });
      }
      // A minute that reports moves the baseline ten times slower: a dead link stays a drop for hours,
      // while a lasting new level still becomes the baseline in the end.
      b.mean = b.minutes === 0 ? bytes : b.mean + (flagged ? ALPHA / 10 : ALPHA) * (bytes - b.mean);
      b.minutes++;
    }
    // After the loop: a Map's iteration visits again what is re-inserted during it.
    for (const key of seen) {
      const b = this.#subjects.get(key)!;
      this.#subjects.delete(key);
      this.#subjects.set(key, b);
    }
    return out;
  }

  /** Forgets the subject quiet the longest: the first in #subjects. */
  #evictOne(): void {
    const oldest = this.#subjects.keys().next();
    if (oldest.done) return;
    this.#subjects.delete(oldest.value);
    this.evicted++;
  }
}
