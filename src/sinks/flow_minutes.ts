/**
 * Per-minute flow summaries for the sinks: at every interval the pipeline closes, each flow's bytes and
 * packets since the last interval (from the table's record counters) are added to the current minute;
 * when a minute ends, its flows are handed over, the biggest first, at most `maxRows` of them.
 * Runs after the detectors of the interval, before idle flows expire, so a flow's last packets count.
 */
import type { Detector, FlowTable } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";

/** One flow's traffic in one minute. */
export interface FlowMinuteRow {
  /** Start of the minute, ms since the epoch (UTC). */
  minuteMs: number;
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  bytes: number;
  packets: number;
}

/** A flow's minute so far; its addresses are taken when it is first seen (its slot may be reused). */
type Acc = FlowMinuteRow;

const MINUTE_MS = 60_000;

/** The pipeline Detector that gathers minutes; `emit` receives each finished minute's rows. */
export class FlowMinutes implements Detector {
  readonly name = "sink_flow_minutes";
  readonly #t: FlowTable;
  readonly #emit: (rows: FlowMinuteRow[]) => void;
  readonly #maxRows: number;
  // What each flow id had counted at the last pass (first packet time tells a reused slot), grown with
  // the table's high-water mark: no allocation per flow and interval.
  #lastFirst = new Float64Array(0);
  #lastBytes = new Float64Array(0);
  #lastPackets = new Float64Array(0);
  #acc = new Map<number, Acc>();
  #minute = -1;
  /** Flows left out of a minute because it had more than maxRows. */
  truncated = 0;

  constructor(table: FlowTable, emit: (rows: FlowMinuteRow[]) => void, maxRows = 5_000) {
    this.#t = table;
    this.#emit = emit;
    this.#maxRows = maxRows;
  }

  onInterval(_startMs: number, endMs: number): void {
    const minute = Math.floor((endMs - 1) / MINUTE_MS) * MINUTE_MS;
    if (this.#minute >= 0 && minute !== this.#minute) this.#finish();
    this.#minute = minute;
    const t = this.#t, hw = t.highWater;
    if (this.#lastFirst.length < hw) this.#grow(hw);
    const lastFirst = this.#lastFirst, lastBytes = this.#lastBytes, lastPackets = this.#lastPackets;
    for (let id = 0; id < hw; id++) {
      if (t.family[id] === 0) continue;
      const first = t.firstSeen(id), bytes = t.bytes(id), packets = t.packets(id);
      // A slot reused by another flow, or a record restarted (active timeout): all of it is new.
      const fresh = lastFirst[id] !== first || bytes < lastBytes[id];
      const db = fresh ? bytes : bytes - lastBytes[id], dp = fresh ? packets : packets - lastPackets[id];
      lastFirst[id] = first;
      lastBytes[id] = bytes;
      lastPackets[id] = packets;
      if (db <= 0 && dp <= 0) continue;
      const a = this.#acc.get(id);
      if (a && (!fresh || this.#sameFlow(a, id))) {
        // The same flow (a restarted record keeps its 5-tuple): one row for the minute.
        a.bytes += db;
        a.packets += dp;
      } else {
        if (a) this.#closed.push(a); // the slot's earlier flow ended within the minute
        this.#acc.set(id, this.#row(id, db, dp));
      }
    }
  }

  #grow(hw: number): void {
    const size = Math.max(1024, hw * 2);
    const grown = (old: Float64Array) => {
      const a = new Float64Array(size);
      a.set(old);
      return a;
    };
    this.#lastFirst = grown(this.#lastFirst);
    this.#lastBytes = grown(this.#lastBytes);
    this.#lastPackets = grown(this.#lastPackets);
  }

  /** Hands over the minute in progress now (at stop). */
  flush(): void {
    if (this.#minute >= 0) this.#finish();
  }

  #closed: FlowMinuteRow[] = [];

  /** Whether slot `id` still holds the flow `a` was started for (rare: only when the slot looks fresh). */
  #sameFlow(a: Acc, id: number): boolean {
    const r = this.#row(id, 0, 0);
    return r.src_ip === a.src_ip && r.dst_ip === a.dst_ip && r.src_port === a.src_port &&
      r.dst_port === a.dst_port && r.protocol === a.protocol;
  }

  #row(id: number, bytes: number, packets: number): FlowMinuteRow {
    const t = this.#t, w = id << 2, fam = t.family[id];
    return {
      minuteMs: this.#minute,
      src_ip: formatIp(fam, t.src, w),
      dst_ip: formatIp(fam, t.dst, w),
      src_port: t.srcPort[id],
      dst_port: t.dstPort[id],
      protocol: t.proto[id],
      bytes,
      packets,
    };
  }

  #finish(): void {
    const rows = [...this.#closed, ...this.#acc.values()];
    this.#closed = [];
    this.#acc = new Map();
    if (rows.length === 0) return;
    rows.sort((a, b) => b.bytes - a.bytes);
    if (rows.length > this.#maxRows) this.truncated += rows.length - this.#maxRows;
    this.#emit(rows.slice(0, this.#maxRows));
  }
}
