/**
 * The ARP history's state as it is saved and restored, with numeric keys (MACs as 48-bit integers,
 * IPv4 addresses as 32-bit ones): the shapes the bindings, the standing conditions and the state file
 * (arp_history_file.ts) share, kept apart so none of them imports another to learn them.
 */

/** An entry of a MAC's IP change log; -1 stands for "none". */
export interface IpChange {
  /** When, ms since the epoch. */
  readonly at: number;
  /** The address the MAC claimed. */
  readonly ip: number;
  /** The address it claimed before, or -1. */
  readonly previousIp: number;
  /** The MAC that claimed `ip` before this one, or -1 (a lease moved, or a conflict). */
  readonly previousMac: number;
}

/** One MAC's saved record. */
export interface MacState {
  /** The MAC (48-bit integer). */
  mac: number;
  /** First and latest sight, ms. */
  first: number;
  last: number;
  /** The address it claimed last, or null. */
  current: number | null;
  /** Its bindings, in the order saved. */
  ips: { ip: number; first: number; last: number }[];
  /** Its IP change log, oldest first. */
  changes: IpChange[];
}

/** A standing condition: `slot` held for (mac, ip), last seen at `last`. */
export interface ConditionState {
  slot: number;
  mac: number;
  ip: number;
  last: number;
}

/** Everything ArpHistory keeps across a restart, with numeric keys. */
export interface ArpStateData {
  /** When learning started, ms; null before anything was seen. */
  learningStartMs: number | null;
  /** MACs evicted so far. */
  evictedMacs: number;
  /** Known MACs (learned or acknowledged). */
  known: number[];
  /** Acknowledged MACs (also known). */
  acknowledged: number[];
  /**
   * Per MAC, least recently seen first. Saving, each is made as the file's text reaches it
   * (ArpBindings.snapshot), not all of them before the first is written.
   */
  macs: Iterable<MacState>;
  /** Standing conditions. */
  conditions: ConditionState[];
}
