/**
 * The pipeline after decoding: rows → flow table → detectors, with a clock driven by packet
 * timestamps (replay is deterministic) and, in the daemon, by a timer too (intervals close when the
 * network goes quiet). Intervals are aligned to multiples of the interval length since the epoch.
 */
import { Subsystems, type SubsystemStats } from "../base/mod.ts";
import type { BatchConsumer, PacketBatch } from "../decode/mod.ts";
import type { Detector } from "./detector.ts";
import type { FlowTable, RecordRows } from "./flow_table.ts";

/** Pipeline timing settings. */
export interface PipelineOptions {
  /** Anomaly interval in ms. */
  intervalMs: number;
  /** A flow with no packet for this long leaves the table. */
  idleTimeoutMs: number;
  /** A flow seen for longer than this has its counters restarted (its record is exported first). */
  activeTimeoutMs: number;
}

/** Hook called with a flow whose counters are about to restart (active timeout). */
export type RolloverHandler = (id: number) => void;

/** Consumes decoded batches; owns the interval clock. */
export class FlowPipeline implements BatchConsumer {
  readonly table: FlowTable;
  #detectors: Detector[];
  /** Each detector timed and guarded under its name: one that throws is counted, the others run on. */
  #timing = new Subsystems("detector");
  #o: PipelineOptions;
  #intervalStart = NaN; // start of the open interval
  #onRollover: RolloverHandler | undefined;
  /** Rows seen (IP and ARP). */
  rows = 0;
  /** Flow records seen (NetFlow, IPFIX). */
  records = 0;
  /** Flows whose counters restarted at the active timeout. */
  rolledOver = 0;
  /** Intervals closed. */
  intervalsClosed = 0;

  constructor(
    table: FlowTable,
    detectors: Detector[],
    options: PipelineOptions,
    onRollover?: RolloverHandler,
  ) {
    this.table = table;
    this.#detectors = [...detectors];
    this.#o = options;
    this.#onRollover = onRollover;
  }

  /** Adds detectors whose state exists only later (the ARP watcher's, loaded at start). */
  add(...detectors: Detector[]): void {
    this.#detectors.push(...detectors);
  }

  /** Each detector's runs, failures and time, by name. */
  detectorStats(): SubsystemStats[] {
    return this.#timing.stats();
  }

  /** Start of the interval now open (ms), NaN before the first packet. */
  get intervalStart(): number {
    return this.#intervalStart;
  }

  consume(b: PacketBatch): void {
    const n = b.count;
    this.rows += n;
    let from = 0;
    if (n === 0) return;
    if (Number.isNaN(this.#intervalStart)) this.#intervalStart = this.#align(b.tsMs[0]);
    // Split the batch where it crosses an interval boundary, so each packet lands in its own interval.
    let boundary = this.#intervalStart + this.#o.intervalMs;
    for (let r = 0; r < n; r++) {
      if (b.tsMs[r] >= boundary) {
        this.#apply(b, from, r);
        from = r;
        this.advanceTo(b.tsMs[r]);
        boundary = this.#intervalStart + this.#o.intervalMs;
      }
    }
    this.#apply(b, from, n);
  }

  /**
   * Flow records (NetFlow, IPFIX) into the table, by their arrival time: they start the clock as a first
   * packet would, and an interval boundary among them closes the interval first. Detectors see them
   * through the table (records are not packets: onRows is not called).
   */
  consumeRecords(r: RecordRows & { readonly count: number }): void {
    const n = r.count;
    if (n === 0) return;
    this.records += n;
    if (Number.isNaN(this.#intervalStart)) this.#intervalStart = this.#align(r.tsMs[0]);
    let from = 0, boundary = this.#intervalStart + this.#o.intervalMs;
    for (let i = 0; i < n; i++) {
      if (r.tsMs[i] >= boundary) {
        this.table.addRecords(r, from, i);
        from = i;
        this.advanceTo(r.tsMs[i]);
        boundary = this.#intervalStart + this.#o.intervalMs;
      }
    }
    this.table.addRecords(r, from, n);
  }

  /** Moves the clock to `nowMs`, closing every interval that ended by then. */
  advanceTo(nowMs: number): void {
    if (Number.isNaN(this.#intervalStart)) return;
    const iv = this.#o.intervalMs;
    const end = this.#intervalStart + iv;
    if (nowMs < end) return;
    const nextStart = this.#align(nowMs);
    const emptyAfter = Math.round((nextStart - end) / iv);
    this.#closeInterval(this.#intervalStart, end, emptyAfter, nowMs);
    this.#intervalStart = nextStart;
  }

  /** Closes the open interval as if it had ended now (end of a replay). */
  finish(): void {
    if (Number.isNaN(this.#intervalStart)) return;
    const end = this.#intervalStart + this.#o.intervalMs;
    this.#closeInterval(this.#intervalStart, end, 0, end);
    this.#intervalStart = end;
  }

  #apply(b: PacketBatch, from: number, to: number): void {
    if (from === to) return;
    this.table.update(b, from, to);
    for (const d of this.#detectors) if (d.onRows) this.#timing.run(d.name, () => d.onRows!(b, from, to));
  }

  #closeInterval(start: number, end: number, emptyAfter: number, nowMs: number): void {
    this.intervalsClosed++;
    for (const d of this.#detectors) {
      if (d.onInterval) this.#timing.run(d.name, () => d.onInterval!(start, end, emptyAfter));
    }
    this.table.expireIdle(nowMs - this.#o.idleTimeoutMs);
    this.#rollOver(nowMs);
  }

  /** NetFlow's active timeout: export the record and restart the counters, keep the baseline. */
  #rollOver(nowMs: number): void {
    const t = this.table, limit = this.#o.activeTimeoutMs;
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0 || t.packets(id) === 0 || nowMs - t.firstSeen(id) < limit) continue;
      this.#onRollover?.(id);
      this.rolledOver++;
      t.restartRecord(id);
    }
  }

  #align(ms: number): number {
    return Math.floor(ms / this.#o.intervalMs) * this.#o.intervalMs;
  }
}
