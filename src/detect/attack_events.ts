/**
 * Attack episodes per source: a source whose attack score (attack_signals.ts) reaches the threshold opens
 * one, published as an `anomaly` event with rule `attack`, scope host, the score and the signals behind it;
 * each later interval at or above it extends it (counts added up); the first interval below it, or without
 * the source, closes it with a `closed` event carrying the totals. At most MAX_OPEN open at once (a spoofed
 * flood from a million addresses is counted, not a million alerts), and at most OPENS_PER_MINUTE opened a
 * minute, the rest counted.
 */
import { MinuteBudget } from "../base/mod.ts";
import { type AnomalyEvent, type AttackSignalJson, baselineJson, type Publish } from "../events/mod.ts";

/** Open episodes at once. */
const MAX_OPEN = 1000;
/** Episodes opened a minute. */
const OPENS_PER_MINUTE = 60;

/** One source's judgement for an interval. */
export interface SourceVerdict {
  /** The source's key (IPv4 as a number, IPv6 as text). */
  key: number | string;
  /** Its address. */
  ip: string;
  /** 0–1. */
  score: number;
  /** Signals and what they counted. */
  signals: AttackSignalJson[];
  /** Its packets, octets and flows in the interval. */
  packets: number;
  /** See packets. */
  bytes: number;
  /** See packets. */
  flows: number;
  /** TCP flows whose handshake never completed. */
  halfOpen: number;
}

interface Episode {
  open: AnomalyEvent;
  startMs: number;
  intervals: number;
  peak: number;
  bytes: number;
  packets: number;
  counts: Map<string, AttackSignalJson>;
}

/** The open attack episodes. */
export class AttackEpisodes {
  readonly #publish: Publish;
  readonly #threshold: number;
  readonly #open = new Map<number | string, Episode>();
  readonly #budget = new MinuteBudget(OPENS_PER_MINUTE);
  #seq = 0;
  /** Episodes not opened: MAX_OPEN open, or over the minute's budget. */
  notOpened = 0;

  constructor(publish: Publish, threshold: number) {
    this.#publish = publish;
    this.#threshold = threshold;
  }

  /** Open episodes. */
  get open(): number {
    return this.#open.size;
  }

  /** True when `key` has an episode open. */
  isOpen(key: number | string): boolean {
    return this.#open.has(key);
  }

  /** The interval [startMs, endMs) was judged: open, extend and close episodes. */
  judge(verdicts: readonly SourceVerdict[], startMs: number, endMs: number): void {
    const seen = new Set<number | string>();
    for (const v of verdicts) {
      seen.add(v.key);
      const ep = this.#open.get(v.key);
      if (v.score >= this.#threshold) {
        if (ep) this.#extend(ep, v);
        else this.#opened(v, startMs, endMs);
      } else if (ep) this.#closed(v.key, ep, endMs);
    }
    for (const [key, ep] of this.#open) if (!seen.has(key)) this.#closed(key, ep, endMs);
  }

  #extend(ep: Episode, v: SourceVerdict): void {
    ep.intervals++;
    ep.peak = Math.max(ep.peak, v.score);
    ep.bytes += v.bytes;
    ep.packets += v.packets;
    for (const s of v.signals) {
      const c = ep.counts.get(s.name);
      if (c) c.count += s.count;
      else ep.counts.set(s.name, { ...s });
    }
  }

  #opened(v: SourceVerdict, startMs: number, endMs: number): void {
    if (this.#open.size >= MAX_OPEN || !this.#budget.take(endMs)) {
      this.notOpened++;
      return;
    }
    const held = this.#budget.takeHeldBack();
    const names = v.signals.map((s) => `${s.name.replace("_", " ")} (${s.count})`).join(", ");
    const e: AnomalyEvent = {
      kind: "anomaly",
      phase: "open",
      episode_id: `attack-${Math.round(endMs)}-${++this.#seq}`,
      ts: new Date(endMs).toISOString(),
      started_at: new Date(startMs).toISOString(),
      ended_at: null,
      duration_s: (endMs - startMs) / 1000,
      scope: "host",
      subject: v.ip,
      direction: "sent",
      src_ip: v.ip,
      dst_ip: null,
      src_port: null,
      dst_port: null,
      protocol: null,
      community_id: null,
      cidr: null,
      rule: "attack",
      bytes: v.bytes,
      packets: v.packets,
      flows: v.flows,
      level_bytes: 0,
      baseline: baselineJson("recent", 0, 0, 0, false),
      ratio: 0,
      score: v.score,
      threshold_bytes: 0,
      k: 0,
      ratio_min: this.#threshold,
      min_bytes: 0,
      interval_s: (endMs - startMs) / 1000,
      peak_bytes: v.bytes,
      total_bytes: v.bytes,
      excess_bytes: 0,
      intervals: 1,
      close_reason: null,
      flow_bytes: null,
      flow_packets: null,
      unreported_same: 0,
      unreported_cap: held,
      reason:
        `${v.ip} looks like an attack source (score ${v.score} of 1, from ${this.#threshold}): ${names}` +
        ` in ${(endMs - startMs) / 1000} s.` +
        (held > 0
          ? ` ${held} more attack episodes were not reported before this one (over ${OPENS_PER_MINUTE} a minute).`
          : ""),
      signals: v.signals.map((s) => ({ ...s })),
    };
    this.#open.set(v.key, {
      open: e,
      startMs,
      intervals: 1,
      peak: v.score,
      bytes: v.bytes,
      packets: v.packets,
      counts: new Map(v.signals.map((s) => [s.name, { ...s }])),
    });
    this.#publish(e);
  }

  #closed(key: number | string, ep: Episode, endMs: number): void {
    this.#open.delete(key);
    const signals = [...ep.counts.values()];
    this.#publish({
      ...ep.open,
      phase: "closed",
      ts: new Date(endMs).toISOString(),
      ended_at: new Date(endMs).toISOString(),
      duration_s: (endMs - ep.startMs) / 1000,
      score: ep.peak,
      intervals: ep.intervals,
      total_bytes: ep.bytes,
      close_reason: "back_to_normal",
      signals,
      reason: `${ep.open.subject} no longer looks like an attack source: peak score ${ep.peak} over ` +
        `${ep.intervals} interval${ep.intervals === 1 ? "" : "s"}; ${
          signals.map((s) => `${s.name.replace("_", " ")} ${s.count}`).join(", ")
        }.`,
    });
  }
}
