/**
 * What a detector is: logic plus its own state, fed by the pipeline. Packet-level detectors read
 * batch rows (ARP watching, scans); interval-level detectors read the flow table when an interval
 * closes (EWMA). Each publishes what it finds through the function it was given.
 */
import type { PacketBatch } from "../decode/packet_batch.ts";
import type { FlintnetEvent } from "../events/mod.ts";

/** Where detectors send findings (the bus's publish, or a test's array push). */
export type Publish = (event: FlintnetEvent) => void;

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
