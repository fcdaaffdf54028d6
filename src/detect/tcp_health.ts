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
    const v = this.#v, rowFlow = this.#table.rowFlow, generation = this.#table.generation, gen = v.gen;
    const proto = b.proto, flagsCol = b.tcpFlags, seqCol = b.tcpSeq, lenCol = b.payLen, ts = b.tsMs;
    const windowCol = b.tcpWindow;
    const state = v.tcpState, nextSeq = v.nextSeq, nextTs = v.nextSeqTs, segments = v.segments;
    // Per batch, not per packet: the totals are counted in locals and added once at the end.
    let segs = 0, retrans = 0, ooo = 0, zeroWin = 0;
    for (let r = from; r < to; r++) {
      if (proto[r] !== 6) continue;
      const id = rowFlow[r];
      if (id < 0) continue;
      if (gen[id] !== generation[id]) v.sync(id); // inline: the call cost more than the compare
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
      if (windowCol[r] === 0 && !(flags & (SYN | FIN | RST))) {
        v.zeroWindows[id]++;
        zeroWin++;
      }
      const len = lenCol[r];
      const segLen = len + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
      if (segLen === 0) continue;
      const seq = seqCol[r];
      segments[id]++; // the interval's count is this minus segmentsAtInterval (one counter a packet, not two)
      segs++;
      const st = state[id], next = nextSeq[id];
      if ((st & SEQ_KNOWN) && seqBefore(seq, next)) {
        const keepAlive = len <= 1 && !(flags & (SYN | FIN)) && ((next - 1) >>> 0) === seq;
        if (!keepAlive) {
          const rtt = v.synAckMs[id];
          const thr = rtt > 0 ? rtt : DEFAULT_OOO_MS;
          if (t - nextTs[id] < thr && next !== ((seq + segLen) >>> 0)) {
            v.outOfOrder[id]++;
            ooo++;
          } else {
            v.retransmissions[id]++;
            v.ivRetransmissions[id]++;
            retrans++;
          }
        }
      }
      const end = (seq + segLen) >>> 0;
      // a segment starting past the next expected octet: the ones between were not seen (attack signals)
      if ((st & SEQ_KNOWN) && seqBefore(next, seq) && !(flags & (SYN | RST))) v.seqGaps[id]++;
      if (!(st & SEQ_KNOWN) || seqBefore(next, end)) {
        nextSeq[id] = end;
        nextTs[id] = t;
        state[id] = st | SEQ_KNOWN;
      }
    }
    const totals = this.totals;
    totals.segments += segs;
    totals.retransmissions += retrans;
    totals.out_of_order += ooo;
    totals.zero_windows += zeroWin;
  }

  onInterval(startMs: number, endMs: number): void {
    this.#rule.close(startMs, endMs);
  }

  /** Open retransmission episodes now. */
  get openEpisodes(): number {
    return this.#rule.open;
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
