/**
 * TCP health per flow (one direction of a connection): retransmissions, out-of-order segments, zero
 * windows and the handshake's round-trip time, counted into the flow's visibility columns
 * (flow/flow_visibility.ts) as packets pass. The sequence analysis follows Wireshark's (packet-tcp.c,
 * tcp_analyze_sequence_number) so its counts can be checked against tshark's `tcp.analysis.*` on the same
 * capture: a segment carrying data (or SYN/FIN) that does not advance the highest sequence number seen is
 * out of order when it comes within the connection's first RTT (3 ms when unknown) of the segment that
 * last advanced it and does not just fill up to it, else a retransmission; a one-octet (or empty) segment
 * one below the next sequence number is a keep-alive, neither.
 *
 * Per packet: a handful of typed-array reads and writes, no allocation; the reverse flow is looked up
 * only for the handshake's SYN/ACK and its ACK (twice per connection).
 */
import type { PacketBatch } from "../decode/mod.ts";
import { type Detector, type FlowTable, type FlowVisibility, visibilityOf } from "../flow/mod.ts";
import type { Publish } from "../events/mod.ts";
import { RetransmissionRule, type RetransmissionRuleOptions } from "./retransmission_rule.ts";

/** tcpState bits. */
const SEQ_KNOWN = 1, SYN_SEEN = 2, RTT_KNOWN = 4, SYNACK_SEEN = 8;
/** TCP flags (RFC 9293 §3.1). */
const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
/** Wireshark's out-of-order threshold before the connection's RTT is known (3 ms). */
const DEFAULT_OOO_MS = 3;
/** How soon after the duplicate ACKs a segment is a fast retransmission (Wireshark: 20 ms). */
const FAST_RETRANSMISSION_MS = 20;

/** Sequence-space comparison (RFC 9293 §3.4): a before b, modulo 2^32. */
function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
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
    const v = this.#v, rowFlow = this.#table.rowFlow;
    const proto = b.proto, flagsCol = b.tcpFlags, seqCol = b.tcpSeq, lenCol = b.payLen, ts = b.tsMs;
    const state = v.tcpState, nextSeq = v.nextSeq, nextTs = v.nextSeqTs;
    for (let r = from; r < to; r++) {
      if (proto[r] !== 6) continue;
      const id = rowFlow[r];
      if (id < 0) continue;
      v.sync(id);
      const flags = flagsCol[r], t = ts[r];
      if (flags & SYN) {
        if (!(flags & ACK)) {
          if (!(state[id] & SYN_SEEN)) {
            state[id] |= SYN_SEEN;
            v.synTs[id] = t;
          }
        } else this.#synAck(b, r, t);
      } else if (
        (flags & ACK) && (state[id] & (SYN_SEEN | SYNACK_SEEN | RTT_KNOWN)) === (SYN_SEEN | SYNACK_SEEN)
      ) {
        this.#handshakeDone(b, r, id, t);
      }
      const win = b.tcpWindow[r];
      if (win === 0 && !(flags & (SYN | FIN | RST))) {
        v.zeroWindows[id]++;
        this.totals.zero_windows++;
      }
      const len = lenCol[r];
      const segLen = len + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
      const seq = seqCol[r];
      if (flags & ACK) this.#noteAck(b, r, id, t, segLen, seq, win, flags);
      v.lastWindow[id] = win;
      if (segLen === 0) continue;
      v.segments[id]++;
      v.ivSegments[id]++;
      this.totals.segments++;
      const st = state[id], next = nextSeq[id];
      if ((st & SEQ_KNOWN) && seqBefore(seq, next)) {
        const keepAlive = len <= 1 && !(flags & (SYN | FIN)) && ((next - 1) >>> 0) === seq;
        if (!keepAlive) {
          const rtt = v.synAckMs[id];
          const thr = rtt > 0 ? rtt : DEFAULT_OOO_MS;
          if (
            !this.#fastRetransmission(b, r, seq, t) && t - nextTs[id] < thr && next !== ((seq + segLen) >>> 0)
          ) {
            v.outOfOrder[id]++;
            this.totals.out_of_order++;
          } else {
            v.retransmissions[id]++;
            v.ivRetransmissions[id]++;
            this.totals.retransmissions++;
          }
        }
      }
      const end = (seq + segLen) >>> 0;
      if (!(st & SEQ_KNOWN) || seqBefore(next, end)) {
        nextSeq[id] = end;
        nextTs[id] = t;
        state[id] = st | SEQ_KNOWN;
      }
    }
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
   * direction's previous segment, no SYN/FIN/RST. Any other ACK number starts the count again.
   */
  #noteAck(
    b: PacketBatch,
    r: number,
    id: number,
    t: number,
    segLen: number,
    seq: number,
    win: number,
    flags: number,
  ) {
    const v = this.#v, ack = b.tcpAck[r];
    if (ack !== v.lastAck[id]) {
      v.dupAcks[id] = 0;
      v.lastAckTs[id] = t;
    } else if (
      segLen === 0 && win !== 0 && win === v.lastWindow[id] && !(flags & (SYN | FIN | RST)) &&
      (v.tcpState[id] & SEQ_KNOWN) && seq === v.nextSeq[id]
    ) v.dupAcks[id]++;
    v.lastAck[id] = ack;
  }

  /**
   * Wireshark's fast retransmission, checked before out-of-order: the segment the other side has asked for
   * with at least two duplicate ACKs, within 20 ms of its last ACK. Counted as a retransmission (tshark
   * marks it `tcp.analysis.retransmission` as well). Only for segments already behind the next sequence
   * number, so the reverse lookup is off the common path.
   */
  #fastRetransmission(b: PacketBatch, r: number, seq: number, t: number): boolean {
    const rev = this.#reverse(b, r), v = this.#v;
    if (rev < 0 || v.sync(rev)) return false;
    return v.dupAcks[rev] >= 2 && v.lastAck[rev] === seq && t - v.lastAckTs[rev] < FAST_RETRANSMISSION_MS;
  }

  /** The flow of the opposite direction of row `r`, or -1. */
  #reverse(b: PacketBatch, r: number): number {
    const a = r << 2, s = this.#src, d = this.#dst;
    for (let i = 0; i < 4; i++) {
      s[i] = b.dst[a + i];
      d[i] = b.src[a + i];
    }
    return this.#table.find(b.family[r], s, d, b.dstPort[r], b.srcPort[r], 6);
  }

  /** The server's SYN/ACK: the client's flow learns the first half of the handshake. */
  #synAck(b: PacketBatch, r: number, t: number): void {
    const c = this.#reverse(b, r), v = this.#v;
    if (c < 0) return;
    v.sync(c);
    if ((v.tcpState[c] & (SYN_SEEN | SYNACK_SEEN)) !== SYN_SEEN) return;
    v.tcpState[c] |= SYNACK_SEEN;
    v.synAckMs[c] = t - v.synTs[c];
  }

  /** The client's ACK of the SYN/ACK: the handshake RTT, on both directions. */
  #handshakeDone(b: PacketBatch, r: number, id: number, t: number): void {
    const v = this.#v;
    v.tcpState[id] |= RTT_KNOWN;
    v.rttMs[id] = t - v.synTs[id];
    this.totals.handshakes++;
    const s = this.#reverse(b, r);
    if (s < 0) return;
    v.sync(s);
    v.tcpState[s] |= RTT_KNOWN;
    v.rttMs[s] = v.rttMs[id];
    v.synAckMs[s] = v.synAckMs[id];
  }
}
