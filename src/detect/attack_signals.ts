/**
 * Packet-level attack signals, judged per flow and per source at the end of each interval and combined into
 * a score from 0 to 1 (docs/visibility.md):
 *
 * - syn_flood: a source's TCP flows that sent a SYN and never an ACK (the handshake never completed: no
 *   SYN/ACK came, or it was answered with RST) — full strength at FLINTNET_ATTACK_SYN_MIN such flows in an
 *   interval, and only when they are most of the source's TCP flows;
 * - tiny_packets: at least 100 packets in the interval averaging ≤ 64 octets (headers and little else), for
 *   a flow by its own packets, for a source by all of its (a flood of one-packet flows);
 * - low_ttl: a flow's first TTL (hop limit) ≤ 5, or 16 or more below the highest its source sent with in
 *   the interval (a packet crafted to expire, or spoofed from elsewhere);
 * - sequence_gaps: TCP segments that began past the next expected octet (tcp_health.ts counts them);
 * - volume_deviation: the flow's interval far above its EWMA baseline (3 spreads and up, full at 6).
 *
 * Each signal has a strength s in [0, 1] and a weight w; the score is 1 − Π(1 − w·s), so one strong signal
 * scores its weight and signals together score more. A source scores its own signals or its worst flow,
 * whichever is higher; a source at or above FLINTNET_ATTACK_SCORE opens an `anomaly` episode with rule
 * `attack` (attack_events.ts). Flows and sources the allow list names are left out.
 *
 * Cost: per new flow, one TTL copied (from the rows the table lists as having created flows); everything
 * else once per interval, over the flow table.
 */
import type { PacketBatch } from "../decode/mod.ts";
import { type AttackSignalJson, logVolume, type Publish, sigmaOf } from "../events/mod.ts";
import {
  AttackSignal,
  type Detector,
  type FlowTable,
  type FlowThreats,
  type FlowVisibility,
  threatsOf,
  visibilityOf,
} from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";
import type { AttackAllowlist } from "./attack_allowlist.ts";
import { AttackEpisodes, type SourceVerdict } from "./attack_events.ts";

/** Settings. */
export interface AttackOptions {
  /** Score at which a source raises an anomaly (FLINTNET_ATTACK_SCORE), 0–1. */
  threshold: number;
  /** Half-open TCP flows a source makes in an interval for a full-strength syn_flood (FLINTNET_ATTACK_SYN_MIN). */
  synMin: number;
  /** Known-good traffic. */
  allowlist: AttackAllowlist;
}

/** Weights of the signals, by AttackSignal bit order. */
const WEIGHT = [0.9, 0.5, 0.4, 0.4, 0.5];
const SIGNAL_NAMES = ["syn_flood", "tiny_packets", "low_ttl", "sequence_gaps", "volume_deviation"] as const;
/** Packets in an interval before tiny_packets is judged, and the mean size (IP octets) at or under which it counts. */
const TINY_MIN_PACKETS = 100, TINY_BYTES = 64;
/** A first TTL this low is low anywhere; this far under the source's highest is low for that source. */
const LOW_TTL = 5, TTL_DROP = 16;
/** Intervals of baseline before volume_deviation is judged. */
const VOLUME_WARMUP = 5;
/** TCP flags (RFC 9293 §3.1). */
const SYN = 0x02, ACK = 0x10;

/** One source's interval. */
interface Source {
  family: number;
  /** Offset of its address in the flow table's src column (a flow of it). */
  flow: number;
  packets: number;
  bytes: number;
  flows: number;
  tcpFlows: number;
  halfOpen: number;
  maxTtl: number;
  /** Strengths of its own signals, by bit order; and what each counted. */
  strength: number[];
  count: number[];
  /** Worst flow score and that flow's signal bits; the union of every flow's bits. */
  worstFlow: number;
  bits: number;
}

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** The attack-signal detector. */
export class AttackSignals implements Detector {
  readonly name = "attack_signals";
  readonly #t: FlowTable;
  readonly #th: FlowThreats;
  readonly #v: FlowVisibility;
  readonly #o: AttackOptions;
  readonly #episodes: AttackEpisodes;
  /** Interval passes made and flows scored above zero, since start. */
  readonly counters = { intervals: 0, flows_scored: 0, allowed_flows: 0 };

  constructor(table: FlowTable, publish: Publish, o: AttackOptions) {
    if (!(o.threshold > 0 && o.threshold <= 1)) {
      throw new RangeError(`attack threshold must be in (0, 1], got ${o.threshold}`);
    }
    this.#t = table;
    this.#th = threatsOf(table);
    this.#v = visibilityOf(table);
    this.#o = o;
    this.#episodes = new AttackEpisodes(publish, o.threshold);
  }

  /** Open attack episodes. */
  get openEpisodes(): number {
    return this.#episodes.open;
  }

  onRows(b: PacketBatch): void {
    const t = this.#t, n = t.newCount, th = this.#th;
    for (let k = 0; k < n; k++) {
      const r = t.newRows[k], id = t.rowFlow[r];
      if (id < 0) continue;
      th.sync(id);
      th.firstTtl[id] = b.ttl[r];
    }
  }

  onInterval(startMs: number, endMs: number): void {
    this.counters.intervals++;
    const t = this.#t, th = this.#th, v = this.#v;
    const sources = new Map<number | string, Source>();
    const active: number[] = [], dBytes: number[] = [], dPackets: number[] = [], dGaps: number[] = [];
    const srcOf: Source[] = [];
    for (let id = 0; id < t.highWater; id++) {
      const fam = t.family[id];
      if (fam === 0) continue;
      th.sync(id);
      v.sync(id);
      let db = t.bytes(id) - th.seenBytes[id], dp = t.packets(id) - th.seenPackets[id];
      if (dp < 0) [db, dp] = [t.bytes(id), t.packets(id)]; // the record restarted (active timeout)
      const dg = (v.seqGaps[id] - th.seenGaps[id]) >>> 0;
      th.seenBytes[id] = t.bytes(id);
      th.seenPackets[id] = t.packets(id);
      th.seenGaps[id] = v.seqGaps[id];
      if (dp === 0) continue;
      const a = id << 2, proto = t.proto[id];
      if (this.#o.allowlist.allows(fam, t.src, t.dst, a, proto, t.srcPort[id], t.dstPort[id])) {
        th.attackScore[id] = 0;
        th.attackSignals[id] = 0;
        this.counters.allowed_flows++;
        continue;
      }
      const key = fam === 4 ? t.src[a] : formatIp(6, t.src, a);
      let s = sources.get(key);
      if (!s) {
        s = {
          family: fam,
          flow: id,
          packets: 0,
          bytes: 0,
          flows: 0,
          tcpFlows: 0,
          halfOpen: 0,
          maxTtl: 0,
          strength: [0, 0, 0, 0, 0],
          count: [0, 0, 0, 0, 0],
          worstFlow: 0,
          bits: 0,
        };
        sources.set(key, s);
      }
      s.packets += dp;
      s.bytes += db;
      s.flows++;
      if (proto === 6) {
        s.tcpFlows++;
        if ((t.tcpFlags(id) & (SYN | ACK)) === SYN) s.halfOpen++;
      }
      if (th.firstTtl[id] > s.maxTtl) s.maxTtl = th.firstTtl[id];
      active.push(id);
      dBytes.push(db);
      dPackets.push(dp);
      dGaps.push(dg);
      srcOf.push(s);
    }
    // source-level signals
    for (const s of sources.values()) {
      if (s.halfOpen >= this.#o.synMin / 4 && s.halfOpen * 2 >= s.tcpFlows) {
        s.strength[0] = clamp(s.halfOpen / this.#o.synMin);
        s.count[0] = s.halfOpen;
      }
      if (s.packets >= TINY_MIN_PACKETS && s.bytes / s.packets <= TINY_BYTES) {
        s.strength[1] = clamp(1.5 - (s.bytes / s.packets) / TINY_BYTES);
      }
    }
    // flow-level signals, scores, and each source's worst flow
    const str = [0, 0, 0, 0, 0];
    for (let i = 0; i < active.length; i++) {
      const id = active[i], s = srcOf[i], dp = dPackets[i], db = dBytes[i];
      str.fill(0);
      const halfOpen = t.proto[id] === 6 && (t.tcpFlags(id) & (SYN | ACK)) === SYN;
      if (halfOpen) str[0] = s.strength[0];
      // a source's many tiny packets count for the source; a flow is marked only for its own
      if (dp >= TINY_MIN_PACKETS && db / dp <= TINY_BYTES) str[1] = clamp(1.5 - (db / dp) / TINY_BYTES);
      const ttl = th.firstTtl[id];
      if (ttl > 0 && (ttl <= LOW_TTL || (s.flows > 1 && s.maxTtl - ttl >= TTL_DROP))) str[2] = 1;
      if (dGaps[i] > 0) str[3] = clamp((dGaps[i] / dp) * 10);
      if (t.ewmaIntervals[id] >= VOLUME_WARMUP) {
        const z = (logVolume(db) - t.ewmaMean[id]) / Math.max(sigmaOf(t.ewmaVar[id]), 0.05);
        str[4] = clamp((z - 3) / 3);
      }
      let keep = 1, bits = 0;
      for (let k = 0; k < 5; k++) {
        if (str[k] <= 0) continue;
        keep *= 1 - WEIGHT[k] * str[k];
        bits |= 1 << k;
      }
      const score = 1 - keep;
      th.attackScore[id] = score;
      th.attackSignals[id] = bits;
      if (score > 0) this.counters.flows_scored++;
      if (bits & AttackSignal.LowTtl) s.count[2]++;
      if (bits & AttackSignal.SequenceGaps) s.count[3] += dGaps[i];
      if (bits & AttackSignal.TinyPackets) s.count[1] += dp;
      if (bits & AttackSignal.SynFlood) s.count[0] = s.halfOpen;
      if (bits & AttackSignal.VolumeDeviation) s.count[4]++;
      s.bits |= bits;
      if (score > s.worstFlow) s.worstFlow = score;
    }
    const verdicts: SourceVerdict[] = [];
    for (const [key, s] of sources) {
      let keep = 1;
      for (let k = 0; k < 2; k++) keep *= 1 - WEIGHT[k] * s.strength[k];
      const score = Math.max(1 - keep, s.worstFlow);
      if (score < this.#o.threshold && !this.#episodes.isOpen(key)) continue;
      const signals: AttackSignalJson[] = [];
      const bits = s.bits | (s.strength[0] > 0 ? 1 : 0) | (s.strength[1] > 0 ? 2 : 0);
      for (let k = 0; k < 5; k++) {
        if (bits & (1 << k)) signals.push({ name: SIGNAL_NAMES[k], weight: WEIGHT[k], count: s.count[k] });
      }
      verdicts.push({
        key,
        ip: formatIp(s.family, t.src, s.flow << 2),
        score: Math.round(score * 1000) / 1000,
        signals,
        packets: s.packets,
        bytes: s.bytes,
        flows: s.flows,
        halfOpen: s.halfOpen,
      });
    }
    this.#episodes.judge(verdicts, startMs, endMs);
  }
}
