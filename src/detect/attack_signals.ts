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
  AddressIndex,
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
import { AttackSources } from "./attack_sources.ts";
import { clamp, synStrength, tinyStrength } from "./attack_strength.ts";

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
/** A first TTL this low is low anywhere; this far under the source's highest is low for that source. */
const LOW_TTL = 5, TTL_DROP = 16;
/** Intervals of baseline before volume_deviation is judged. */
const VOLUME_WARMUP = 5;
/** TCP flags (RFC 9293 §3.1). */
const SYN = 0x02, ACK = 0x10;

/** An interval's flows with packets, and each one's source number: 8 bytes a flow, reused between intervals. */
interface FlowColumns {
  active: Int32Array;
  srcOf: Int32Array;
}

/** The attack-signal detector. */
export class AttackSignals implements Detector {
  readonly name = "attack_signals";
  readonly #t: FlowTable;
  readonly #th: FlowThreats;
  readonly #v: FlowVisibility;
  readonly #o: AttackOptions;
  readonly #episodes: AttackEpisodes;
  /** The interval's sources (made for the first interval's flows at once: grown source by source, its
   * copies and fresh pages cost ~3 ms of the bench capture's first interval), and what each sent. */
  #sources = new AddressIndex();
  readonly #sums = new AttackSources();
  /** Each interval's flows with packets, and their source's number. */
  #flows: FlowColumns = { active: new Int32Array(0), srcOf: new Int32Array(0) };
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

  /** The per-flow columns of onInterval with room for `n` flows (grown to the table's high water once). */
  #flowColumns(n: number): FlowColumns {
    if (this.#flows.active.length < n) {
      const room = Math.max(n, this.#flows.active.length * 2, 1024);
      this.#flows = { active: new Int32Array(room), srcOf: new Int32Array(room) };
    }
    return this.#flows;
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
    this.#sums.clear(this.#sources.size); // the last interval's sources
    this.#sources.clear();
    // One method a pass: each loop runs once an interval, so mostly before V8 has optimized it, and a
    // small function is compiled (on stack replacement) sooner than the one that held them all.
    const n = this.#collect();
    this.#number(n);
    this.#sumSources(n);
    this.#scoreFlows(n);
    this.#episodes.judge(this.#verdicts(), startMs, endMs);
  }

  /**
   * First pass: the flows that sent something, into columns reused from one interval to the next; what
   * each flow sent is taken from the counters again below (seen* move on in the scoring pass): three
   * numbers a flow kept here were 24 MB at a million flows. Returns how many.
   */
  #collect(): number {
    const t = this.#t, th = this.#th, v = this.#v;
    const active = this.#flowColumns(t.highWater).active;
    const allowlist = this.#o.allowlist;
    const family = t.family, proto = t.proto, src = t.src;
    let n = 0;
    for (let id = 0; id < t.highWater; id++) {
      const fam = family[id];
      if (fam === 0) continue;
      th.sync(id);
      // TCP columns exist for TCP flows only (flow_visibility.ts): any other flow has no gaps
      const gaps = proto[id] === 6 ? (v.syncTcp(id), v.seqGaps[id]) : 0;
      const bytes = t.bytes(id), packets = t.packets(id);
      let dp = packets - th.seenPackets[id];
      if (dp < 0) dp = packets; // the record restarted (active timeout)
      if (dp === 0 || allowlist.allows(fam, src, t.dst, id << 2, proto[id], t.srcPort[id], t.dstPort[id])) {
        if (dp !== 0) {
          th.attackScore[id] = 0;
          th.attackSignals[id] = 0;
          this.counters.allowed_flows++;
        }
        th.seenBytes[id] = bytes;
        th.seenPackets[id] = packets;
        th.seenGaps[id] = gaps;
        continue;
      }
      active[n++] = id;
    }
    return n;
  }

  /** The sources of the `n` flows collected, numbered in flow order; the source columns sized for all. */
  #number(n: number): void {
    const t = this.#t, family = t.family, src = t.src, { active, srcOf } = this.#flows;
    // The index grows with the sources met, not sized for the flows up front: a million flows from a few
    // thousand sources looked each source up at random in 8 MB of slots, a cache miss a flow.
    const index = this.#sources;
    for (let k = 0; k < n; k++) srcOf[k] = index.indexOf(family[active[k]], src, active[k] << 2);
    this.#sums.ensure(index.size);
  }

  /** What each source sent in the interval, over how many flows (TCP, half-open), its highest first TTL. */
  #sumSources(n: number): void {
    const t = this.#t, th = this.#th, sums = this.#sums, proto = t.proto, { active, srcOf } = this.#flows;
    const flowOf = sums.flowOf, flows = sums.flows, tcpFlows = sums.tcpFlows, halfOpen = sums.halfOpen;
    const sPackets = sums.packets, sBytes = sums.bytes, maxTtl = sums.maxTtl, firstTtl = th.firstTtl;
    for (let k = 0; k < n; k++) {
      const id = active[k], i = srcOf[k];
      const bytes = t.bytes(id), packets = t.packets(id);
      let db = bytes - th.seenBytes[id], dp = packets - th.seenPackets[id];
      if (dp < 0) [db, dp] = [bytes, packets]; // the record restarted (active timeout)
      if (flows[i] === 0) flowOf[i] = id; // first met
      sPackets[i] += dp;
      sBytes[i] += db;
      flows[i]++;
      if (proto[id] === 6) {
        tcpFlows[i]++;
        if ((t.tcpFlags(id) & (SYN | ACK)) === SYN) halfOpen[i]++;
      }
      if (firstTtl[id] > maxTtl[i]) maxTtl[i] = firstTtl[id];
    }
  }

  /** Flow-level signals and scores, and what they add to their source: counts, bits, its worst flow. */
  #scoreFlows(n: number): void {
    const t = this.#t, th = this.#th, sums = this.#sums, synMin = this.#o.synMin, proto = t.proto;
    const { active, srcOf } = this.#flows;
    const flows = sums.flows, tcpFlows = sums.tcpFlows, halfOpen = sums.halfOpen;
    const maxTtl = sums.maxTtl, firstTtl = th.firstTtl;
    const worst = sums.worstFlow, bitsOf = sums.bits, tiny = sums.tinyPackets, gapsOf = sums.gaps;
    const lowTtlFlows = sums.lowTtlFlows, volumeFlows = sums.volumeFlows;
    const seqGaps = this.#v.seqGaps, ewmaIntervals = t.ewmaIntervals;
    const ewmaMean = t.ewmaMean, ewmaVar = t.ewmaVar;
    for (let k = 0; k < n; k++) {
      const id = active[k], i = srcOf[k];
      const tcp = proto[id] === 6;
      const gaps = tcp ? seqGaps[id] : 0;
      const bytes = t.bytes(id), packets = t.packets(id);
      let db = bytes - th.seenBytes[id], dp = packets - th.seenPackets[id];
      if (dp < 0) [db, dp] = [bytes, packets]; // the record restarted (active timeout)
      const dg = (gaps - th.seenGaps[id]) >>> 0;
      th.seenBytes[id] = bytes;
      th.seenPackets[id] = packets;
      th.seenGaps[id] = gaps;
      // the strengths in AttackSignal bit order: syn_flood, tiny_packets, low_ttl, sequence_gaps, volume
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
      if (tcp && (t.tcpFlags(id) & (SYN | ACK)) === SYN) s0 = synStrength(halfOpen[i], tcpFlows[i], synMin);
      // a source's many tiny packets count for the source; a flow is marked only for its own
      s1 = tinyStrength(dp, db);
      const ttl = firstTtl[id];
      if (ttl > 0 && (ttl <= LOW_TTL || (flows[i] > 1 && maxTtl[i] - ttl >= TTL_DROP))) s2 = 1;
      if (dg > 0) s3 = clamp((dg / dp) * 10);
      if (ewmaIntervals[id] >= VOLUME_WARMUP) {
        const z = (logVolume(db) - ewmaMean[id]) / Math.max(sigmaOf(ewmaVar[id]), 0.05);
        s4 = clamp((z - 3) / 3);
      }
      // 1 − Π(1 − w·s) over the signals present, in bit order (a NaN strength counts, as it always did)
      let keep = 1, bits = 0;
      if (!(s0 <= 0)) (keep *= 1 - WEIGHT[0] * s0), (bits |= 1);
      if (!(s1 <= 0)) (keep *= 1 - WEIGHT[1] * s1), (bits |= 2);
      if (!(s2 <= 0)) (keep *= 1 - WEIGHT[2] * s2), (bits |= 4);
      if (!(s3 <= 0)) (keep *= 1 - WEIGHT[3] * s3), (bits |= 8);
      if (!(s4 <= 0)) (keep *= 1 - WEIGHT[4] * s4), (bits |= 16);
      const score = 1 - keep;
      th.attackScore[id] = score;
      th.attackSignals[id] = bits;
      if (score > 0) this.counters.flows_scored++;
      if (bits & AttackSignal.LowTtl) lowTtlFlows[i]++;
      if (bits & AttackSignal.SequenceGaps) gapsOf[i] += dg;
      if (bits & AttackSignal.TinyPackets) tiny[i] += dp;
      if (bits & AttackSignal.VolumeDeviation) volumeFlows[i]++;
      bitsOf[i] |= bits;
      if (score > worst[i]) worst[i] = score;
    }
  }

  /** The sources that score at or above the threshold, or have an episode open. */
  #verdicts(): SourceVerdict[] {
    const t = this.#t,
      sums = this.#sums,
      index = this.#sources,
      sources = index.size,
      synMin = this.#o.synMin;
    const flowOf = sums.flowOf, flows = sums.flows, tcpFlows = sums.tcpFlows, halfOpen = sums.halfOpen;
    const sPackets = sums.packets, sBytes = sums.bytes, worst = sums.worstFlow, bitsOf = sums.bits;
    const tiny = sums.tinyPackets,
      gapsOf = sums.gaps,
      lowTtlFlows = sums.lowTtlFlows,
      volumeFlows = sums.volumeFlows;
    const verdicts: SourceVerdict[] = [];
    const anyOpen = this.#episodes.open > 0;
    for (let i = 0; i < sources; i++) {
      // the source's own signals: syn_flood (counting its half-open flows) and tiny_packets
      const st0 = synStrength(halfOpen[i], tcpFlows[i], synMin), st1 = tinyStrength(sPackets[i], sBytes[i]);
      const keep = (1 - WEIGHT[0] * st0) * (1 - WEIGHT[1] * st1);
      const score = Math.max(1 - keep, worst[i]);
      if (score < this.#o.threshold && !anyOpen) continue;
      const fam = index.family[i];
      // the episodes' key, as before: an IPv4 source by its address number, an IPv6 one by its text
      const key = fam === 4 ? index.words[i << 2] : formatIp(6, index.words, i << 2);
      if (score < this.#o.threshold && !this.#episodes.isOpen(key)) continue;
      const signals: AttackSignalJson[] = [];
      const bits = bitsOf[i] | (st0 > 0 ? 1 : 0) | (st1 > 0 ? 2 : 0);
      const counts = [halfOpen[i], tiny[i], lowTtlFlows[i], gapsOf[i], volumeFlows[i]];
      for (let k = 0; k < 5; k++) {
        if (bits & (1 << k)) signals.push({ name: SIGNAL_NAMES[k], weight: WEIGHT[k], count: counts[k] });
      }
      verdicts.push({
        key,
        ip: formatIp(fam, t.src, flowOf[i] << 2),
        score: Math.round(score * 1000) / 1000,
        signals,
        packets: sPackets[i],
        bytes: sBytes[i],
        flows: flows[i],
        halfOpen: halfOpen[i],
      });
    }
    return verdicts;
  }
}
