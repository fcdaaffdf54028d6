/**
 * TCP health per flow (one direction of a connection): retransmissions, out-of-order segments, zero
 * windows and the handshake's round-trip time, counted into the flow's visibility columns
 * (flow/flow_visibility.ts) as packets pass. The sequence analysis is Wireshark 4.0's (packet-tcp.c,
 * tcp_analyze_sequence_number, with its default fastrt_supersedes_ooo) so its counts can be checked
 * against tshark's `tcp.analysis.retransmission` / `tcp.analysis.out_of_order` on the same capture. A
 * segment carrying data (or SYN/FIN), in this order:
 * - a keep-alive (zero or one octet, one below nextseq) or a zero-window probe (one octet at nextseq into
 *   the other side's zero window): neither;
 * - all of it already acknowledged by the other side: a (spurious) retransmission;
 * - behind nextseq (the highest sequence end seen; one below it with more than one octet is not behind):
 *   a (fast) retransmission when the other side sent two or more duplicate ACKs for exactly its sequence
 *   number and its last segment came less than 20 ms before; else out of order when it comes less than
 *   the connection's initial RTT (the latest SYN → the first ACK without SYN; 3 ms while unknown) after
 *   the segment that last advanced nextseq and does not end exactly at nextseq; else a retransmission.
 * Times are compared in whole µs (Wireshark: ns; a pcap has µs). As in Wireshark a nextseq of 0 means
 * "not known yet", and every segment (empty ones too) moves it forward.
 *
 * Per packet: a handful of typed-array reads and writes, no allocation. The other direction's flow is
 * looked up once per connection (at the SYN/ACK) and its id kept; for a connection whose handshake was not
 * seen, it is looked up on the rare paths only (a segment behind nextseq, a duplicate-ACK candidate, a
 * one-octet segment at nextseq).
 */
import type { PacketBatch } from "../decode/mod.ts";
import { type Detector, type FlowTable, type FlowVisibility, visibilityOf } from "../flow/mod.ts";
import type { Publish } from "../events/mod.ts";
import { RetransmissionRule, type RetransmissionRuleOptions } from "./retransmission_rule.ts";

/** tcpState bits: the SYN seen (on the client's flow) or the SYN/ACK (on the server's), the handshake's RTT
 * known, and what this direction's last segment was (Wireshark's lastsegmentflags, for keep-alive ACKs). */
const SYN_SEEN = 2, RTT_KNOWN = 4, PEER_SYN = 8, LAST_KEEP_ALIVE = 16;
/**
 * More tcpState bits, so that a packet reads one byte of a small column where it read three lines of
 * separate columns (each a cache miss at a random flow): the other direction was linked (the peer columns
 * are worth reading), and the duplicate ACKs in a row, counted up to 3 (only "two or more" is asked).
 */
const PEER_LINKED = 1, DUP_ACK_ONE = 32, DUP_ACKS = 96;
/** TCP flags (RFC 9293 §3.1). */
const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
/** Wireshark's out-of-order threshold before the connection's RTT is known (3 ms), in µs. */
const DEFAULT_OOO_US = 3000;
/** How soon after the other side's last segment a fast retransmission comes (Wireshark: 20 ms), in µs. */
const FAST_RETRANSMISSION_US = 20_000;

/** Sequence-space comparison (RFC 9293 §3.4): a before b, modulo 2^32 (Wireshark's LT_SEQ). */
function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/**
 * Whether a segment is behind nextseq (0: not known yet); one octet below it with more than one octet is
 * new data after a zero-window probe, not behind.
 */
function behindNext(seq: number, len: number, next: number): boolean {
  return next !== 0 && seqBefore(seq, next) && !(len > 1 && ((next - 1) >>> 0) === seq);
}

/** b − a in whole µs: timestamps are ms floats, exact to the µs of a pcap but not below. */
function usBetween(a: number, b: number): number {
  return Math.round((b - a) * 1000);
}

/** The TCP health counter of every flow, and the retransmission-rate rule. */
export class TcpHealthDetector implements Detector {
  readonly name = "tcp_health";
  readonly #table: FlowTable;
  readonly #v: FlowVisibility;
  readonly #rule: RetransmissionRule;
  #src = new Uint32Array(4);
  #dst = new Uint32Array(4);
  /** Segments looked at, retransmissions and out-of-order ones counted, since start. */
  readonly totals = { segments: 0, retransmissions: 0, out_of_order: 0, zero_windows: 0, handshakes: 0 };

  constructor(table: FlowTable, publish: Publish, rule: RetransmissionRuleOptions) {
    this.#table = table;
    this.#v = visibilityOf(table);
    this.#rule = new RetransmissionRule(table, this.#v, publish, rule);
  }

  onRows(b: PacketBatch, from: number, to: number): void {
    const v = this.#v, t0 = this.#table, rowFlow = t0.rowFlow, tableGen = t0.generation, rowGen = v.tcpGen;
    const proto = b.proto, flagsCol = b.tcpFlags, seqCol = b.tcpSeq, lenCol = b.payLen, ts = b.tsMs;
    const winCol = b.tcpWindow, ackCol = b.tcpAck;
    const state = v.tcpState, nextSeq = v.nextSeq, nextTs = v.nextSeqTs, lastAck = v.lastAck;
    const lastWindow = v.lastWindow, segments = v.segments;
    let segs = 0, zeroWindows = 0; // into totals once a batch
    for (let r = from; r < to; r++) {
      if (proto[r] !== 6) continue;
      const id = rowFlow[r];
      if (id < 0) continue;
      if (rowGen[id] !== tableGen[id]) v.syncTcp(id); // inline: a call per packet for one compare cost 5 %
      const flags = flagsCol[r], t = ts[r];
      if (flags & SYN) {
        if (!(flags & ACK)) {
          // Wireshark's ts_mru_syn: the latest SYN (a retransmitted one too) starts the RTT
          if (!(state[id] & RTT_KNOWN)) {
            state[id] |= SYN_SEEN;
            v.synTs[id] = t;
          }
        } else this.#synAck(b, r, id);
      } else if ((flags & ACK) && !(state[id] & RTT_KNOWN) && (state[id] & (SYN_SEEN | PEER_SYN))) {
        this.#handshakeDone(b, r, id, t);
      }
      const win = winCol[r];
      if (win === 0 && !(flags & (SYN | FIN | RST))) {
        v.zeroWindows[id]++;
        zeroWindows++;
      }
      // Wireshark's tcp_analyze_sequence_number (packet-tcp.c, 4.0), in its order; nextseq 0 is unknown.
      const len = lenCol[r], seq = seqCol[r], ack = ackCol[r], next = nextSeq[id];
      const synFin = flags & (SYN | FIN) ? 1 : 0;
      // A zero-window probe (one octet at nextseq into a closed window) is skipped and does not advance it.
      const probe = len === 1 && seq === next && this.#peerWindowZero(b, r, id);
      const keepAlive = len <= 1 && seq === ((next - 1) >>> 0) && !(flags & (SYN | FIN | RST));
      // #noteDupAck's first test inline: most segments carry data or a new ACK
      if (!probe && len === 0 && ack === lastAck[id]) this.#noteDupAck(b, r, id, len, seq, ack, win, flags);
      if (ack !== lastAck[id]) state[id] &= ~DUP_ACKS;
      if ((len > 0 || synFin) && !probe) {
        segments[id]++; // the rate rule takes the interval's share as a difference (a line less a packet)
        segs++;
        // #classify only when it can find something: the segment is behind nextseq, or the other direction
        // is linked (its ACK may cover the segment); in order with no linked peer, the common case, it
        // cannot, and the call (not inlined) was a sixth of this loop
        if (!keepAlive && ((state[id] & PEER_LINKED) || behindNext(seq, len, next))) {
          this.#classify(b, r, id, t, len, seq, synFin, next);
        }
      }
      const end = (seq + len + synFin) >>> 0;
      // a segment starting past the next expected octet: the ones between were not seen (attack signals)
      if (next !== 0 && seqBefore(next, seq) && !(flags & (SYN | RST))) v.seqGaps[id]++;
      if ((next === 0 || seqBefore(next, end)) && !probe) {
        nextSeq[id] = end;
        nextTs[id] = t;
      }
      lastWindow[id] = win;
      lastAck[id] = ack;
      v.lastAckTs[id] = t;
      state[id] = keepAlive ? state[id] | LAST_KEEP_ALIVE : state[id] & ~LAST_KEEP_ALIVE;
    }
    this.totals.segments += segs;
    this.totals.zero_windows += zeroWindows;
  }

  /**
   * A segment carrying data (or SYN/FIN) that is not a keep-alive: Wireshark's spurious retransmission
   * (data the other side has already acknowledged), fast retransmission (asked for by two duplicate ACKs
   * within 20 ms of the other side's last segment), out of order (behind nextseq, within the first RTT of
   * the segment that last advanced it, and not just filling up to it), else a retransmission when behind.
   * The other direction is looked up only for segments behind nextseq (off the common path); in order, its
   * cached id is used when the handshake linked the two.
   */
  #classify(
    b: PacketBatch,
    r: number,
    id: number,
    t: number,
    len: number,
    seq: number,
    synFin: number,
    next: number,
  ): void {
    const v = this.#v;
    const behind = behindNext(seq, len, next);
    const rev = this.#peer(b, r, id, behind);
    const revAck = rev < 0 ? 0 : v.lastAck[rev];
    let retransmission = len > 0 && revAck !== 0 && ((seq + len - revAck) | 0) <= 0;
    if (!retransmission && behind) {
      const fast = rev >= 0 && (v.tcpState[rev] & DUP_ACKS) >= 2 * DUP_ACK_ONE && revAck === seq &&
        usBetween(v.lastAckTs[rev], t) < FAST_RETRANSMISSION_US;
      if (!fast) {
        const rtt = v.rttMs[id];
        const thr = Number.isNaN(rtt) ? DEFAULT_OOO_US : Math.round(rtt * 1000);
        if (usBetween(v.nextSeqTs[id], t) < thr && next !== ((seq + len + synFin) >>> 0)) {
          v.outOfOrder[id]++;
          this.totals.out_of_order++;
          return;
        }
      }
      retransmission = true;
    }
    if (!retransmission) return;
    v.retransmissions[id]++;
    v.ivRetransmissions[id]++;
    this.totals.retransmissions++;
  }

  onInterval(startMs: number, endMs: number): void {
    this.#rule.close(startMs, endMs);
  }

  /** Open retransmission episodes now. */
  get openEpisodes(): number {
    return this.#rule.open;
  }

  /**
   * Wireshark's duplicate ACK: no data, the same ACK, window (non-zero) and next sequence number as this
   * direction's previous segment, no SYN/FIN/RST, and not the answer to a keep-alive of the other side.
   * (A different ACK number starts the count again, in onRows.)
   */
  #noteDupAck(
    b: PacketBatch,
    r: number,
    id: number,
    len: number,
    seq: number,
    ack: number,
    win: number,
    flags: number,
  ) {
    const v = this.#v;
    if (
      len !== 0 || win === 0 || win !== v.lastWindow[id] || seq !== v.nextSeq[id] || ack !== v.lastAck[id] ||
      (flags & (SYN | FIN | RST))
    ) return;
    const rev = this.#peer(b, r, id, true);
    if (rev >= 0 && (v.tcpState[rev] & LAST_KEEP_ALIVE)) return;
    if ((v.tcpState[id] & DUP_ACKS) !== DUP_ACKS) v.tcpState[id] += DUP_ACK_ONE;
  }

  /** Whether the other direction's last segment advertised a zero window (unknown: no). */
  #peerWindowZero(b: PacketBatch, r: number, id: number): boolean {
    const rev = this.#peer(b, r, id, true);
    return rev >= 0 && this.#v.lastWindow[rev] === 0;
  }

  /**
   * The flow of the other direction: the id cached when the two were linked (at the SYN/ACK, or at an
   * earlier lookup) while the table still holds that flow there; else, when `lookup`, found in the table
   * and linked; else -1.
   */
  #peer(b: PacketBatch, r: number, id: number, lookup: boolean): number {
    const v = this.#v, p = v.tcpState[id] & PEER_LINKED ? v.peer[id] : -1;
    if (p >= 0 && this.#table.generation[p] === v.peerGen[id]) {
      v.syncTcp(p);
      return p;
    }
    if (!lookup) return -1;
    const a = r << 2, s = this.#src, d = this.#dst;
    for (let i = 0; i < 4; i++) {
      s[i] = b.dst[a + i];
      d[i] = b.src[a + i];
    }
    const q = this.#table.find(b.family[r], s, d, b.dstPort[r], b.srcPort[r], 6);
    if (q < 0) return -1;
    const gen = this.#table.generation;
    v.syncTcp(q);
    v.peer[id] = q;
    v.tcpState[id] |= PEER_LINKED;
    v.tcpState[q] |= PEER_LINKED;
    v.peerGen[id] = gen[q];
    v.peer[q] = id;
    v.peerGen[q] = gen[id];
    return q;
  }

  /** The server's SYN/ACK: links the two directions; the server's flow can end the handshake too. */
  #synAck(b: PacketBatch, r: number, id: number): void {
    const c = this.#peer(b, r, id, true), v = this.#v;
    if (c >= 0 && (v.tcpState[c] & SYN_SEEN)) v.tcpState[id] |= PEER_SYN;
  }

  /**
   * The first ACK without SYN after a SYN, either way (Wireshark's ts_first_rtt: latest SYN → that ACK,
   * tcp.analysis.initial_rtt): the handshake RTT, on both directions. It is also the out-of-order threshold.
   * Wireshark takes a zero RTT for unknown, so does this (the next ACK measures it).
   */
  #handshakeDone(b: PacketBatch, r: number, id: number, t: number): void {
    const v = this.#v;
    const c = v.tcpState[id] & SYN_SEEN ? id : this.#peer(b, r, id, false);
    if (c < 0 || usBetween(v.synTs[c], t) === 0) return;
    const rtt = t - v.synTs[c];
    v.tcpState[id] |= RTT_KNOWN;
    v.rttMs[id] = rtt;
    this.totals.handshakes++;
    const p = c === id ? this.#peer(b, r, id, true) : c;
    if (p < 0) return;
    v.tcpState[p] |= RTT_KNOWN;
    v.rttMs[p] = rtt;
  }
}
