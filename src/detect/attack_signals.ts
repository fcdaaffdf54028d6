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

/**
 * Each source's interval, by its index in the interval's AddressIndex: SOURCE_FIELDS numbers a source in
 * one Float64Array reused from one interval to the next (an object and two arrays per source each interval
 * cost more than the judging).
 */
const PACKETS = 0, BYTES = 1, FLOWS = 2, TCP_FLOWS = 3, HALF_OPEN = 4, MAX_TTL = 5;
/** Strengths of its own signals (syn_flood, tiny_packets); its worst flow's score; every flow's bits. */
const STRENGTH0 = 6, STRENGTH1 = 7, WORST_FLOW = 8, BITS = 9;
/** What each signal counted, by bit order (5 fields). */
const COUNT = 10, SOURCE_FIELDS = 15;

/** An interval's flows with packets, and each one's source number: 8 bytes a flow, reused between intervals. */
interface FlowColumns {
  active: Int32Array;
  srcOf: Int32Array;
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
  /** The interval's sources, and what each sent. */
  readonly #sources = new AddressIndex();
  /** The sources' numbers (SOURCE_FIELDS each), and a flow of each (its address is that flow's src). */
  #cols = new Float64Array(0);
  #flowOf = new Int32Array(0);
  /** Each interval's flows with packets, and their source's column offset. */
  #flows: FlowColumns = { active: new Int32Array(0), srcOf: new Int32Array(0) };
  readonly #str = [0, 0, 0, 0, 0];
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

  /** The source columns with room for `n` sources (onInterval zeroes the ones it used). */
  #columns(n: number): Float64Array {
    if (this.#flowOf.length < n) {
      // grown as sources come (a million flows may be one source): twice the room, what was summed kept
      const room = Math.max(n, this.#flowOf.length * 2, 1024);
      const cols = new Float64Array(room * SOURCE_FIELDS), flowOf = new Int32Array(room);
      cols.set(this.#cols.subarray(0, Math.min(this.#cols.length, cols.length)));
      flowOf.set(this.#flowOf);
      this.#cols = cols;
      this.#flowOf = flowOf;
    }
    return this.#cols;
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
    const t = this.#t, th = this.#th, v = this.#v, index = this.#sources;
    this.#cols.fill(0, 0, index.size * SOURCE_FIELDS); // the last interval's sources
    index.clear();
    // First pass: the flows that sent something and their source's number, into columns reused from one
    // interval to the next; the source columns are then sized once for all sources (grown source by source,
    // doubling, they were reallocated five times in the bench capture's first interval, half of this
    // detector's time). What each flow sent is taken from the counters again below (seen* move on in the
    // scoring pass): three numbers a flow kept here were 24 MB at a million flows.
    const fl = this.#flowColumns(t.highWater);
    const active = fl.active, srcOf = fl.srcOf;
    const allowlist = this.#o.allowlist;
    let n = 0;
    for (let id = 0; id < t.highWater; id++) {
      const fam = t.family[id];
      if (fam === 0) continue;
      th.sync(id);
      // TCP columns exist for TCP flows only (flow_visibility.ts): any other flow has no gaps
      const gaps = t.proto[id] === 6 ? (v.syncTcp(id), v.seqGaps[id]) : 0;
      const bytes = t.bytes(id), packets = t.packets(id);
      let dp = packets - th.seenPackets[id];
      if (dp < 0) dp = packets; // the record restarted (active timeout)
      const a = id << 2;
      if (dp === 0 || allowlist.allows(fam, t.src, t.dst, a, t.proto[id], t.srcPort[id], t.dstPort[id])) {
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
      active[n] = id;
      srcOf[n] = index.indexOf(fam, t.src, a);
      n++;
    }
    const c = this.#columns(index.size), flowOf = this.#flowOf;
    for (let k = 0; k < n; k++) {
      const id = active[k], i = srcOf[k], s = i * SOURCE_FIELDS;
      srcOf[k] = s;
      const bytes = t.bytes(id), packets = t.packets(id);
      let db = bytes - th.seenBytes[id], dp = packets - th.seenPackets[id];
      if (dp < 0) [db, dp] = [bytes, packets]; // the record restarted (active timeout)
      if (c[s + FLOWS] === 0) flowOf[i] = id; // first met
      c[s + PACKETS] += dp;
      c[s + BYTES] += db;
      c[s + FLOWS]++;
      if (t.proto[id] === 6) {
        c[s + TCP_FLOWS]++;
        if ((t.tcpFlags(id) & (SYN | ACK)) === SYN) c[s + HALF_OPEN]++;
      }
      if (th.firstTtl[id] > c[s + MAX_TTL]) c[s + MAX_TTL] = th.firstTtl[id];
    }
    const sources = index.size, synMin = this.#o.synMin;
    // source-level signals
    for (let s = 0; s < sources * SOURCE_FIELDS; s += SOURCE_FIELDS) {
      const halfOpen = c[s + HALF_OPEN], packets = c[s + PACKETS], bytes = c[s + BYTES];
      if (halfOpen >= synMin / 4 && halfOpen * 2 >= c[s + TCP_FLOWS]) {
        c[s + STRENGTH0] = clamp(halfOpen / synMin);
        c[s + COUNT] = halfOpen;
      }
      if (packets >= TINY_MIN_PACKETS && bytes / packets <= TINY_BYTES) {
        c[s + STRENGTH1] = clamp(1.5 - (bytes / packets) / TINY_BYTES);
      }
    }
    // flow-level signals, scores, and each source's worst flow
    const str = this.#str;
    for (let i = 0; i < n; i++) {
      const id = active[i], s = srcOf[i];
      const gaps = t.proto[id] === 6 ? v.seqGaps[id] : 0;
      const bytes = t.bytes(id), packets = t.packets(id);
      let db = bytes - th.seenBytes[id], dp = packets - th.seenPackets[id];
      if (dp < 0) [db, dp] = [bytes, packets]; // the record restarted (active timeout)
      const dg = (gaps - th.seenGaps[id]) >>> 0;
      th.seenBytes[id] = bytes;
      th.seenPackets[id] = packets;
      th.seenGaps[id] = gaps;
      str.fill(0);
      const halfOpen = t.proto[id] === 6 && (t.tcpFlags(id) & (SYN | ACK)) === SYN;
      if (halfOpen) str[0] = c[s + STRENGTH0];
      // a source's many tiny packets count for the source; a flow is marked only for its own
      if (dp >= TINY_MIN_PACKETS && db / dp <= TINY_BYTES) str[1] = clamp(1.5 - (db / dp) / TINY_BYTES);
      const ttl = th.firstTtl[id];
      if (ttl > 0 && (ttl <= LOW_TTL || (c[s + FLOWS] > 1 && c[s + MAX_TTL] - ttl >= TTL_DROP))) str[2] = 1;
      if (dg > 0) str[3] = clamp((dg / dp) * 10);
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
      if (bits & AttackSignal.LowTtl) c[s + COUNT + 2]++;
      if (bits & AttackSignal.SequenceGaps) c[s + COUNT + 3] += dg;
      if (bits & AttackSignal.TinyPackets) c[s + COUNT + 1] += dp;
      if (bits & AttackSignal.SynFlood) c[s + COUNT] = c[s + HALF_OPEN];
      if (bits & AttackSignal.VolumeDeviation) c[s + COUNT + 4]++;
      c[s + BITS] |= bits;
      if (score > c[s + WORST_FLOW]) c[s + WORST_FLOW] = score;
    }
    const verdicts: SourceVerdict[] = [];
    const anyOpen = this.#episodes.open > 0;
    for (let i = 0; i < sources; i++) {
      const s = i * SOURCE_FIELDS;
      const keep = (1 - WEIGHT[0] * c[s + STRENGTH0]) * (1 - WEIGHT[1] * c[s + STRENGTH1]);
      const score = Math.max(1 - keep, c[s + WORST_FLOW]);
      if (score < this.#o.threshold && !anyOpen) continue;
      const fam = index.family[i];
      // the episodes' key, as before: an IPv4 source by its address number, an IPv6 one by its text
      const key = fam === 4 ? index.words[i << 2] : formatIp(6, index.words, i << 2);
      if (score < this.#o.threshold && !this.#episodes.isOpen(key)) continue;
      const signals: AttackSignalJson[] = [];
      const bits = c[s + BITS] | (c[s + STRENGTH0] > 0 ? 1 : 0) | (c[s + STRENGTH1] > 0 ? 2 : 0);
      for (let k = 0; k < 5; k++) {
        if (bits & (1 << k)) {
          signals.push({ name: SIGNAL_NAMES[k], weight: WEIGHT[k], count: c[s + COUNT + k] });
        }
      }
      verdicts.push({
        key,
        ip: formatIp(fam, t.src, flowOf[i] << 2),
        score: Math.round(score * 1000) / 1000,
        signals,
        packets: c[s + PACKETS],
        bytes: c[s + BYTES],
        flows: c[s + FLOWS],
        halfOpen: c[s + HALF_OPEN],
      });
    }
    this.#episodes.judge(verdicts, startMs, endMs);
  }
}
