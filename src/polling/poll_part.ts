/**
 * The seam for parts of a device's poll that belong to modules above polling/ — the topology's LLDP/CDP
 * and forwarding-table readers: each is named, runs after the core parts over the same session (one
 * request at a time, so the device still never has two in flight), keeps its own state per device, and
 * gets its result back only once the device is updated in the registry. A part that fails becomes a
 * warning on the device's poll, never a failed poll.
 */
import type { InterfaceJson } from "../events/mod.ts";
import type { SnmpSession, SystemInfo, TablePresence } from "../snmp/mod.ts";

/** What a part sees of the poll so far. */
export interface PollContext {
  /** The system group, just read. */
  readonly system: SystemInfo;
  /** The interfaces, just read (to name ports by ifIndex). */
  readonly interfaces: readonly InterfaceJson[];
  /** The tables the agent lacked, to skip them between rechecks. */
  readonly tables?: TablePresence;
}

/** One extra part of every device's poll. */
export interface PollPart<S = unknown, R = unknown> {
  /** Its name, under which it is timed and its failures counted ("topology"). */
  readonly name: string;
  /** How a failure reads in the device's poll warnings ("LLDP/CDP neighbours"). */
  readonly label: string;
  /** A fresh per-device state. */
  createState(): S;
  /** Reads what the part needs; a rejection is a warning on the poll. */
  poll(s: SnmpSession, ctx: PollContext, state: S): Promise<R>;
  /** Takes the result, after the device it came from is updated in the registry. */
  deliver(ip: string, result: R): void;
}

/** A part's result, waiting for the registry update. */
export interface PartResult {
  /** The part. */
  part: PollPart;
  /** What its poll returned. */
  result: unknown;
}
