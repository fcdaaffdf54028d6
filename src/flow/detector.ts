/**
 * What the pipeline feeds: a detector is logic plus its own state. Packet-level detectors read batch
 * rows (ARP watching, scans); interval-level detectors read the flow table when an interval closes
 * (EWMA). Declared here, by the pipeline that calls them, so flow/ needs nothing of detect/.
 */
import type { PacketBatch } from "../decode/mod.ts";

/** A detector in the pipeline. */
export interface Detector {
  /** Short name for logs and stats. */
  readonly name: string;
  /** Rows `from … to-1` of a batch, after the flow table has counted them. */
  onRows?(batch: PacketBatch, from: number, to: number): void;
  /**
   * The interval [startMs, endMs) closed. `emptyAfter` more intervals passed with no packets at all
   * (a gap in the capture or a quiet network) before the one now starting.
   */
  onInterval?(startMs: number, endMs: number, emptyAfter: number): void;
}
