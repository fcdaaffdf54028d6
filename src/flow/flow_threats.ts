/**
 * What the threat detectors know of a flow — the block-list entry its remote address is on, its attack
 * score and the signals behind it (docs/visibility.md) — in columns beside the flow table, indexed by flow
 * id, like flow_visibility.ts. A row is cleared the first time it is used after its id went to a new flow.
 */
import type { FlowTable } from "./flow_table.ts";

/** Attack signals, as bits of {@link FlowThreats.attackSignals}; their API names in {@link ATTACK_SIGNALS}. */
export const AttackSignal = {
  /** The source sends SYNs whose handshakes do not complete. */
  SynFlood: 1,
  /** Mostly packets too small to carry data. */
  TinyPackets: 2,
  /** A TTL (hop limit) far lower than the source's usual. */
  LowTtl: 4,
  /** Sequence numbers jumping ahead of what was sent. */
  SequenceGaps: 8,
  /** Volume far above the flow's EWMA baseline. */
  VolumeDeviation: 16,
} as const;

/** Names of the {@link AttackSignal} bits, lowest bit first. */
export const ATTACK_SIGNALS = [
  "syn_flood",
  "tiny_packets",
  "low_ttl",
  "sequence_gaps",
  "volume_deviation",
] as const;

/** The name of each signal bit set in `bits`, lowest first. */
export function attackSignalNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ATTACK_SIGNALS.length; i++) if (bits & (1 << i)) out.push(ATTACK_SIGNALS[i]);
  return out;
}

/** Side columns of one flow table. */
export class FlowThreats {
  readonly table: FlowTable;
  /** The table generation each row was cleared for. */
  readonly gen: Uint32Array;
  /** The block-list version this flow was checked against (0: not yet). */
  readonly checked: Uint32Array;
  /**
   * The block-list hit of each listed flow, by flow id: the list its remote address is on and the entry
   * (address/prefix) that holds it. A map, not a column: few flows are listed, and two arrays with a
   * slot per flow held 21 MB at 1 M flows (an array of nulls made up front cost 60 ms of every replay).
   */
  readonly listed = new Map<number, { readonly list: string; readonly entry: string }>();
  /** Which address is listed: 1 the source, 2 the destination. */
  readonly listedSide: Uint8Array;
  /** Bit i (mod 32): list i holds an address of the flow (so the reverse direction need not tell it again). */
  readonly listBits: Uint32Array;
  /** The attack score, 0–1. */
  readonly attackScore: Float32Array;
  /** AttackSignal bits behind the score. */
  readonly attackSignals: Uint8Array;
  /** TTL (hop limit) of the flow's first packet. */
  readonly firstTtl: Uint8Array;
  /** The flow's octets, packets and sequence gaps when the attack signals last looked (per-interval deltas). */
  readonly seenBytes: Float64Array;
  /** See seenBytes. */
  readonly seenPackets: Float64Array;
  /** See seenBytes. */
  readonly seenGaps: Uint32Array;

  constructor(table: FlowTable) {
    const n = table.capacity;
    this.table = table;
    this.gen = new Uint32Array(n);
    this.checked = new Uint32Array(n);
    this.listedSide = new Uint8Array(n);
    this.listBits = new Uint32Array(n);
    this.attackScore = new Float32Array(n);
    this.attackSignals = new Uint8Array(n);
    this.firstTtl = new Uint8Array(n);
    this.seenBytes = new Float64Array(n);
    this.seenPackets = new Float64Array(n);
    this.seenGaps = new Uint32Array(n);
  }

  /** Makes row `id` belong to the flow the table holds there now: true when it was just cleared. */
  sync(id: number): boolean {
    const g = this.table.generation[id];
    if (this.gen[id] === g) return false;
    this.gen[id] = g;
    this.checked[id] = 0;
    if (this.listed.size > 0) this.listed.delete(id);
    this.listedSide[id] = 0;
    this.listBits[id] = 0;
    this.attackScore[id] = 0;
    this.attackSignals[id] = 0;
    this.firstTtl[id] = 0;
    this.seenBytes[id] = 0;
    this.seenPackets[id] = 0;
    this.seenGaps[id] = 0;
    return true;
  }
}

const attached = new WeakMap<FlowTable, FlowThreats>();

/** The threat columns of `table`, made on first use (one per table). */
export function threatsOf(table: FlowTable): FlowThreats {
  let v = attached.get(table);
  if (!v) attached.set(table, v = new FlowThreats(table));
  return v;
}

/** A block-list hit as flows show it. */
export interface BlocklistHitJson {
  /** The list's name (its file name without the extension). */
  list: string;
  /** The entry that holds the address, as address/prefix. */
  entry: string;
  /** The flow's address that is listed. */
  listed_ip: string;
}

/** The threat fields of a flow, as every flow output shows them. */
export interface FlowThreatsJson {
  /** The block list the flow's source or destination is on; null when none is. */
  blocklist: BlocklistHitJson | null;
  /** How much the flow looks like an attack, 0–1 (the latest anomaly interval's judgement). */
  attack_score: number;
  /** The signals behind attack_score (syn_flood, tiny_packets, low_ttl, sequence_gaps, volume_deviation). */
  attack_signals: string[];
}

/** Renders the threat fields of flow `id`; `ip` formats an address of the table. */
export function flowThreatsJson(
  table: FlowTable,
  id: number,
  src: string,
  dst: string,
): FlowThreatsJson {
  const v = threatsOf(table);
  v.sync(id);
  const hit = v.listed.get(id);
  return {
    blocklist: hit === undefined
      ? null
      : { list: hit.list, entry: hit.entry, listed_ip: v.listedSide[id] === 1 ? src : dst },
    attack_score: Math.round(v.attackScore[id] * 1000) / 1000,
    attack_signals: attackSignalNames(v.attackSignals[id]),
  };
}
