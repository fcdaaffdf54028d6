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

interface Seen {
  firstSeen: number;
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
  #last = new Map<number, Seen>();
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
    const t = this.#t, next = new Map<number, Seen>();
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0) continue;
      const first = t.firstSeen(id), bytes = t.bytes(id), packets = t.packets(id);
      const prev = this.#last.get(id);
      // A slot reused by another flow, or a record restarted (active timeout): all of it is new.
      const fresh = prev === undefined || prev.firstSeen !== first || bytes < prev.bytes;
      const db = fresh ? bytes : bytes - prev.bytes, dp = fresh ? packets : packets - prev.packets;
      next.set(id, { firstSeen: first, bytes, packets });
      if (db <= 0 && dp <= 0) continue;
      const a = this.#acc.get(id);
      if (a && !fresh) {
        a.bytes += db;
        a.packets += dp;
      } else {
        if (a) this.#closed.push(a); // the slot's earlier flow ended within the minute
        this.#acc.set(id, this.#row(id, db, dp));
      }
    }
    this.#last = next;
  }

  /** Hands over the minute in progress now (at stop). */
  flush(): void {
    if (this.#minute >= 0) this.#finish();
  }

  #closed: FlowMinuteRow[] = [];

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
