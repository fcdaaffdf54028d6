/**
 * The retransmission-rate rule: a TCP flow that sent again more than a share of its segments in an interval
 * (FLINTNET_TCP_RETRANS_RATE, with at least FLINTNET_TCP_RETRANS_MIN_SEGMENTS segments, so three packets
 * with one repeat are not a sick link) opens an episode, published as an `anomaly` event with rule
 * `retransmissions`; the first interval back under the rate, or the flow leaving the table, closes it.
 *
 * Why an anomaly and not an advisory: advisories (src/analysis) do not exist in this tree yet; the anomaly
 * event already has the open/closed episode shape, the alert path and the SSE stream.
 */
import { type AnomalyEvent, baselineJson, type Publish } from "../events/mod.ts";
import { communityId, type FlowTable, type FlowVisibility } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";

/** Settings of the rule. */
export interface RetransmissionRuleOptions {
  /** Share of segments retransmitted in an interval that opens an episode, 0–1. */
  rate: number;
  /** Segments a flow must send in the interval for the rate to count. */
  minSegments: number;
  /** Episodes open at once; more are counted, not opened (a sick uplink makes every flow sick). */
  maxOpen?: number;
}

interface Episode {
  gen: number;
  id: string;
  startMs: number;
  peakRate: number;
  retransmissions: number;
  segments: number;
  intervals: number;
  open: AnomalyEvent;
}

const PROTO_NAMES: Record<number, string> = { 6: "TCP" };

/** Episodes of flows whose retransmission rate is too high. */
export class RetransmissionRule {
  readonly #t: FlowTable;
  readonly #v: FlowVisibility;
  readonly #publish: Publish;
  readonly #o: Required<RetransmissionRuleOptions>;
  readonly #open = new Map<number, Episode>();
  #seq = 0;
  /**
   * Each flow's segment count at the last close, and the table generation it was taken for: the interval's
   * segments are the difference, so the per-packet path increments one counter, not two.
   */
  readonly #seenSegments: Uint32Array;
  readonly #seenGen: Uint32Array;
  /** Episodes not opened because maxOpen were open. */
  notOpened = 0;

  constructor(t: FlowTable, v: FlowVisibility, publish: Publish, o: RetransmissionRuleOptions) {
    if (!(o.rate > 0 && o.rate <= 1)) {
      throw new RangeError(`retransmission rate must be in (0, 1], got ${o.rate}`);
    }
    this.#t = t;
    this.#v = v;
    this.#seenSegments = new Uint32Array(t.capacity);
    this.#seenGen = new Uint32Array(t.capacity);
    this.#publish = publish;
    this.#o = { maxOpen: 1000, ...o };
  }

  /** Episodes open now. */
  get open(): number {
    return this.#open.size;
  }

  /** The interval [startMs, endMs) closed: judge each TCP flow's rate, then start counting afresh. */
  close(startMs: number, endMs: number): void {
    const t = this.#t, v = this.#v, o = this.#o;
    for (const [id, ep] of this.#open) {
      if (t.family[id] === 0 || t.generation[id] !== ep.gen) {
        this.#closed(id, ep, endMs, "subject_gone");
      }
    }
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0 || t.proto[id] !== 6) continue;
      v.syncTcp(id);
      if (this.#seenGen[id] !== t.generation[id]) {
        this.#seenGen[id] = t.generation[id];
        this.#seenSegments[id] = 0;
      }
      const total = v.segments[id],
        segs = (total - this.#seenSegments[id]) >>> 0,
        re = v.ivRetransmissions[id];
      this.#seenSegments[id] = total;
      v.ivRetransmissions[id] = 0;
      const rate = segs > 0 ? re / segs : 0;
      const high = segs >= o.minSegments && rate >= o.rate;
      const ep = this.#open.get(id);
      if (ep) {
        if (!high) this.#closed(id, ep, endMs, "back_to_normal");
        else {
          ep.intervals++;
          ep.retransmissions += re;
          ep.segments += segs;
          if (rate > ep.peakRate) ep.peakRate = rate;
        }
      } else if (high) {
        if (this.#open.size >= o.maxOpen) this.notOpened++;
        else this.#opened(id, startMs, endMs, segs, re, rate);
      }
    }
  }

  #opened(id: number, startMs: number, endMs: number, segs: number, re: number, rate: number): void {
    const t = this.#t, a = id << 2, fam = t.family[id];
    const src = formatIp(fam, t.src, a), dst = formatIp(fam, t.dst, a);
    const sp = t.srcPort[id], dp = t.dstPort[id];
    const pct = Math.round(rate * 1000) / 10;
    const name = this.#v.nameOf(id)?.name;
    const subject = `${src}:${sp} → ${dst}:${dp} (${PROTO_NAMES[6]})`;
    const e: AnomalyEvent = {
      kind: "anomaly",
      phase: "open",
      episode_id: `retx-${Math.round(endMs)}-${++this.#seq}`,
      ts: new Date(endMs).toISOString(),
      started_at: new Date(startMs).toISOString(),
      ended_at: null,
      duration_s: (endMs - startMs) / 1000,
      scope: "flow",
      subject,
      direction: "sent",
      src_ip: src,
      dst_ip: dst,
      src_port: sp,
      dst_port: dp,
      protocol: 6,
      community_id: communityId(fam, t.src, a, t.dst, a, 6, sp, dp),
      cidr: null,
      rule: "retransmissions",
      bytes: t.intervalBytes(id),
      packets: segs,
      flows: 1,
      level_bytes: 0,
      baseline: baselineJson("recent", t.ewmaMean[id], t.ewmaVar[id], t.ewmaIntervals[id], false),
      ratio: Math.round(rate * 1000) / 1000,
      score: re,
      threshold_bytes: 0,
      k: 0,
      ratio_min: this.#o.rate,
      min_bytes: 0,
      interval_s: (endMs - startMs) / 1000,
      peak_bytes: t.intervalBytes(id),
      total_bytes: t.bytes(id),
      excess_bytes: 0,
      intervals: 1,
      close_reason: null,
      flow_bytes: t.bytes(id),
      flow_packets: t.packets(id),
      unreported_same: 0,
      unreported_cap: 0,
      reason: `${subject}${name ? ` (${name})` : ""} retransmitted ${re} of its ${segs} segments in ${
        (endMs - startMs) / 1000
      } s (${pct}%) — a lossy or congested path; the rule fires from ${
        Math.round(this.#o.rate * 1000) / 10
      }% of at least ${this.#o.minSegments} segments.`,
    };
    this.#open.set(id, {
      gen: t.generation[id],
      id: e.episode_id,
      startMs,
      peakRate: rate,
      retransmissions: re,
      segments: segs,
      intervals: 1,
      open: e,
    });
    this.#publish(e);
  }

  #closed(id: number, ep: Episode, endMs: number, why: "back_to_normal" | "subject_gone"): void {
    this.#open.delete(id);
    const pct = Math.round((ep.retransmissions / Math.max(1, ep.segments)) * 1000) / 10;
    this.#publish({
      ...ep.open,
      phase: "closed",
      ts: new Date(endMs).toISOString(),
      ended_at: new Date(endMs).toISOString(),
      duration_s: (endMs - ep.startMs) / 1000,
      ratio: Math.round(ep.peakRate * 1000) / 1000,
      score: ep.retransmissions,
      intervals: ep.intervals,
      close_reason: why,
      reason: `${ep.open.subject} ${
        why === "subject_gone" ? "ended" : "is back under the retransmission rate"
      }: ${ep.retransmissions} of ${ep.segments} segments retransmitted (${pct}%) over ${ep.intervals} interval${
        ep.intervals === 1 ? "" : "s"
      }.`,
    });
  }
}
