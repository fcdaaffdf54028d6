/**
 * Where a flow's NetFlow/IPFIX records came from: the exporter of its latest record (as a small number),
 * the set of exporters that reported it (one bit per exporter, modulo 32), and the latest record's input
 * and output ifIndex and source and destination AS. Columns beside the flow table's, indexed by flow id,
 * allocated when the first record arrives: a capture-only daemon pays nothing for them.
 *
 * The exporter set is what tells asymmetric routing: a conversation whose two directions were reported
 * by exporters with no bit in common went out through one router and came back through another. With
 * more than 32 exporters two of them can share a bit, which can only hide such a pair, never invent one.
 *
 * The direction of the records counted into a flow is kept too: a router with NetFlow on both ends of a
 * flow's path through it (ingress on the interface it enters by, egress on the one it leaves by) reports
 * the flow twice, as an ingress and as an egress record with the same interfaces. The second direction's
 * records are the same traffic: {@link FlowOrigins.otherDirection} tells the flow table not to count them.
 * Records that do not say their direction (NetFlow v5, templates without the field) are told by their
 * content instead: the ingress and the egress record of one export are twins — the same flow times, counts
 * and interfaces — while a long flow's next record starts where the last one ended.
 * {@link FlowOrigins.sameAsCounted} tells the table not to count the twin of the record it counted last.
 */
import { formatIp } from "../net/mod.ts";

/**
 * A record's flowDirection (IPFIX IE 61, NetFlow v9 DIRECTION: 0 ingress, 1 egress on the wire) where its
 * exporter counted it; numbered from Unknown = 0 here, so a zeroed column says nothing.
 */
export const RecordDirection = {
  /** The record does not say (NetFlow v5, a template without the field). */
  Unknown: 0,
  /** Counted as it entered the exporter's interface. */
  Ingress: 1,
  /** Counted as it left the exporter's interface. */
  Egress: 2,
} as const;

/** The record columns that say where a record came from (FlowRecordBatch has them). */
export interface RecordOriginColumns {
  /** The exporter's address, 4 words a row. */
  readonly exporter: Uint32Array;
  /** 4 or 6: the exporter's family. */
  readonly exporterFamily: Uint8Array;
  /** Input ifIndex (0 = unknown). */
  readonly inIf: Uint32Array;
  /** Output ifIndex (0 = unknown). */
  readonly outIf: Uint32Array;
  /** Source AS (0 = unknown). */
  readonly srcAs: Uint32Array;
  /** Destination AS (0 = unknown). */
  readonly dstAs: Uint32Array;
  /** RecordDirection of each record; absent: every record's is unknown. */
  readonly direction?: Uint8Array;
  /** The exporter's start of each record's flow, ms since the epoch; absent: no record is taken for a twin. */
  readonly startMs?: Float64Array;
  /** The exporter's end of each record's flow, ms since the epoch. */
  readonly endMs?: Float64Array;
}

/** (exporter, ifIndex) pairs whose records seen twice are summed at most between two takes. */
const MAX_SEEN_INTERFACES = 65_536;
/** 2³²: an (exporter, ifIndex) pair as one exact number (exporter × 2³² + ifIndex, below 2⁴⁸). */
const IF_SPAN = 4_294_967_296;
/** Columns of a summed pair: exporter, ifIndex, in octets, in packets, out octets, out packets. */
const SEEN_COLUMNS = 6, SEEN_IN = 2, SEEN_OUT = 4;

/**
 * How far apart two twins' start times may be, ms. NetFlow v5 and v9 give times as the exporter's uptime;
 * Flintnet places them on the calendar by each datagram's header, whose clock reading is truncated to the
 * millisecond, so the same uptime can land 1 ms apart in two datagrams. A long flow's next record starts at
 * least an active timeout (seconds) after the last one did.
 */
const TWIN_START_SLACK_MS = 2;

/** Exporters numbered at most: ids are 16-bit and never reused (history rows name them). */
export const MAX_EXPORTER_IDS = 65_535;
const EMPTY = 0;

/** The origin columns of a flow table. */
export class FlowOrigins {
  /** 1 + the exporter number of the latest record; 0 = no record (captured) or past the bound. */
  readonly exporter: Uint16Array;
  /** Bit (number mod 32) of every exporter that reported the flow. */
  readonly exporterMask: Uint32Array;
  /** Input ifIndex of the latest record. */
  readonly inIf: Uint32Array;
  /** Output ifIndex of the latest record. */
  readonly outIf: Uint32Array;
  /** Source AS of the latest record. */
  readonly srcAs: Uint32Array;
  /** Destination AS of the latest record. */
  readonly dstAs: Uint32Array;
  /** The RecordDirection of the records counted into the flow, once one said (Unknown: none did yet). */
  readonly countedDirection: Uint8Array;
  /**
   * The last record counted into the flow: its start (ms modulo 2³²) and a fingerprint of its duration,
   * counts and interfaces (0: none with times yet). What {@link sameAsCounted} compares a record with.
   */
  readonly countedStart: Uint32Array;
  readonly countedPrint: Uint32Array;
  /** Exporters that arrived after MAX_EXPORTER_IDS were numbered (their flows show exporter 0). */
  unnumbered = 0;
  /** Records seen twice whose interfaces could not be summed (more than MAX_SEEN_INTERFACES pairs). */
  seenNotSummed = 0;
  /**
   * Records not counted into their flow (seen twice) still crossed their exporter's interfaces: summed here
   * by (exporter, ifIndex) until the analysis takes them, each interval. Slots in #seen, by pair.
   */
  #seenSlot = new Map<number, number>();
  #seen = new Float64Array(SEEN_COLUMNS * 64);
  #family: number[] = [0];
  /** Records not counted into their flow (seen twice), by exporter number; 0 counts those past the bound. */
  #seenTwice: number[] = [0];
  #words: number[] = [0, 0, 0, 0];
  #text: (string | undefined)[] = [undefined];
  #index = new Int32Array(1 << 12); // open addressing: exporter id or EMPTY, grown at half full
  // The last exporter looked up: records come in datagrams, each from one exporter.
  #lastWords = new Uint32Array(4);
  #lastFamily = 0;
  #lastId = 0;

  constructor(capacity: number) {
    this.exporter = new Uint16Array(capacity);
    this.exporterMask = new Uint32Array(capacity);
    this.inIf = new Uint32Array(capacity);
    this.outIf = new Uint32Array(capacity);
    this.srcAs = new Uint32Array(capacity);
    this.dstAs = new Uint32Array(capacity);
    this.countedDirection = new Uint8Array(capacity);
    this.countedStart = new Uint32Array(capacity);
    this.countedPrint = new Uint32Array(capacity);
  }

  /** Exporters numbered so far. */
  get exporters(): number {
    return this.#family.length - 1;
  }

  /** The address of exporter `id` (1 …), "" for 0. */
  exporterAddress(id: number): string {
    if (id <= 0 || id >= this.#family.length) return "";
    return this.#text[id] ??= formatIp(this.#family[id], this.#words, id << 2);
  }

  /** A new flow at `id`: no origin yet. */
  clear(id: number): void {
    this.exporter[id] = 0;
    this.exporterMask[id] = 0;
    this.inIf[id] =
      this.outIf[id] =
      this.srcAs[id] =
      this.dstAs[id] =
      this.countedDirection[id] =
      this.countedStart[id] =
      this.countedPrint[id] =
        0;
  }

  /** The number of record `i`'s exporter (0: past the bound). No allocation unless the exporter is new. */
  exporterOf(r: RecordOriginColumns, i: number): number {
    return this.#idOf(r.exporterFamily[i], r.exporter, i << 2);
  }

  /**
   * Exporter `e` ({@link exporterOf}) also reported flow `id`, in a record not counted (another observer
   * counts the flow): it joins the flow's exporter set; nothing else changes.
   */
  noteSeen(id: number, e: number): void {
    if (e !== 0) this.exporterMask[id] |= 1 << ((e - 1) & 31);
  }

  /**
   * Record `i` of `r`, from exporter `e`, was not counted into its flow (seen twice): its `bytes` and
   * `packets` are still summed on its input and output interfaces. No allocation but a new pair's slot.
   */
  sumSeen(e: number, r: RecordOriginColumns, i: number, bytes: number, packets: number): void {
    if (e === 0) return;
    const inIf = r.inIf[i], outIf = r.outIf[i];
    if (inIf !== 0) this.#addSeen(e, inIf, SEEN_IN, bytes, packets);
    if (outIf !== 0) this.#addSeen(e, outIf, SEEN_OUT, bytes, packets);
  }

  #addSeen(e: number, ifIndex: number, column: number, bytes: number, packets: number): void {
    const key = e * IF_SPAN + ifIndex;
    let slot = this.#seenSlot.get(key);
    if (slot === undefined) {
      slot = this.#seenSlot.size;
      if (slot >= MAX_SEEN_INTERFACES) return void this.seenNotSummed++;
      if ((slot + 1) * SEEN_COLUMNS > this.#seen.length) {
        const grown = new Float64Array(this.#seen.length * 2);
        grown.set(this.#seen);
        this.#seen = grown;
      }
      this.#seenSlot.set(key, slot);
      this.#seen.fill(0, slot * SEEN_COLUMNS, (slot + 1) * SEEN_COLUMNS);
      this.#seen[slot * SEEN_COLUMNS] = e;
      this.#seen[slot * SEEN_COLUMNS + 1] = ifIndex;
    }
    const o = slot * SEEN_COLUMNS + column;
    this.#seen[o] += bytes;
    this.#seen[o + 1] += packets;
  }

  /** A record of exporter `e` ({@link exporterOf}) was not counted into its flow: seen twice. */
  noteSeenTwice(e: number): void {
    this.#seenTwice[e]++;
  }

  /**
   * Records not counted into their flow since start, by exporter address, for the exporters that had any
   * (those numbered past MAX_EXPORTER_IDS under "other"): which router's records are the traffic again.
   */
  seenTwiceByExporter(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let id = 1; id < this.#seenTwice.length; id++) {
      if (this.#seenTwice[id] > 0) out[this.exporterAddress(id)] = this.#seenTwice[id];
    }
    if (this.#seenTwice[0] > 0) out.other = this.#seenTwice[0];
    return out;
  }

  /** Hands over what {@link sumSeen} summed since the last take, one call per (exporter, ifIndex). */
  takeSeen(
    visit: (
      e: number,
      ifIndex: number,
      inBytes: number,
      inPackets: number,
      outBytes: number,
      outPackets: number,
    ) => void,
  ): void {
    const v = this.#seen;
    for (let slot = 0; slot < this.#seenSlot.size; slot++) {
      const o = slot * SEEN_COLUMNS;
      visit(v[o], v[o + 1], v[o + SEEN_IN], v[o + SEEN_IN + 1], v[o + SEEN_OUT], v[o + SEEN_OUT + 1]);
    }
    this.#seenSlot.clear();
  }

  /**
   * Whether record `i` of `r`, from exporter `e`, is flow `id` counted a second time by the exporter that
   * counts it: it says the other direction than the records counted (an egress record of a flow whose
   * ingress records are counted, or the reverse). Records that do not say are never this.
   */
  otherDirection(id: number, r: RecordOriginColumns, i: number, e: number): boolean {
    const d = directionOf(r, i), counted = this.countedDirection[id];
    return e !== 0 && e === this.exporter[id] && d !== RecordDirection.Unknown &&
      counted !== RecordDirection.Unknown && counted !== d;
  }

  /**
   * Whether record `i` of `r`, from exporter `e`, is the twin of the last record counted into flow `id` by
   * the same exporter: the same start (within {@link TWIN_START_SLACK_MS}), duration, packets, octets and
   * interfaces. That is the same traffic reported again — ingress and egress NetFlow on one router without a
   * direction in the records, or a datagram the network delivered twice — not the flow's next record, which
   * starts later. Records without times (no columns, or an end of 0) are never twins.
   */
  sameAsCounted(
    id: number,
    r: RecordOriginColumns,
    i: number,
    e: number,
    bytes: number,
    packets: number,
  ): boolean {
    const print = this.countedPrint[id];
    if (
      print === 0 || e === 0 || e !== this.exporter[id] || r.startMs === undefined || r.endMs === undefined
    ) {
      return false;
    }
    const start = r.startMs[i];
    return r.endMs[i] > 0 && Math.abs((start >>> 0) - this.countedStart[id] | 0) <= TWIN_START_SLACK_MS &&
      recordPrint(r, i, start, r.endMs[i], bytes, packets) === print;
  }

  /** Record `i` of `r`, from exporter `e` ({@link exporterOf}), was counted into flow `id` with these counts. */
  note(id: number, r: RecordOriginColumns, i: number, e: number, bytes: number, packets: number): void {
    const d = directionOf(r, i);
    if (d !== RecordDirection.Unknown) this.countedDirection[id] = d;
    if (r.startMs !== undefined && r.endMs !== undefined) {
      const start = r.startMs[i];
      this.countedStart[id] = start >>> 0;
      this.countedPrint[id] = recordPrint(r, i, start, r.endMs[i], bytes, packets);
    }
    this.exporter[id] = e;
    this.noteSeen(id, e);
    this.inIf[id] = r.inIf[i];
    this.outIf[id] = r.outIf[i];
    this.srcAs[id] = r.srcAs[i];
    this.dstAs[id] = r.dstAs[i];
  }

  #idOf(family: number, w: Uint32Array, a: number): number {
    const last = this.#lastWords;
    if (
      family === this.#lastFamily && w[a] === last[0] && w[a + 1] === last[1] && w[a + 2] === last[2] &&
      w[a + 3] === last[3]
    ) return this.#lastId;
    const id = this.#lookup(family, w, a);
    this.#lastFamily = family;
    last[0] = w[a], last[1] = w[a + 1], last[2] = w[a + 2], last[3] = w[a + 3];
    this.#lastId = id;
    return id;
  }

  #lookup(family: number, w: Uint32Array, a: number): number {
    const mask = this.#index.length - 1;
    let slot = exporterHash(family, w, a) & mask;
    for (;; slot = (slot + 1) & mask) {
      const id = this.#index[slot];
      if (id === EMPTY) break;
      const k = id << 2, ws = this.#words;
      if (
        this.#family[id] === family && ws[k] === w[a] && ws[k + 1] === w[a + 1] && ws[k + 2] === w[a + 2] &&
        ws[k + 3] === w[a + 3]
      ) return id;
    }
    if (this.#family.length > MAX_EXPORTER_IDS) {
      this.unnumbered++;
      return 0;
    }
    const id = this.#family.length;
    this.#family.push(family);
    this.#words.push(w[a], w[a + 1], w[a + 2], w[a + 3]);
    this.#text.push(undefined);
    this.#seenTwice.push(0);
    this.#index[slot] = id;
    if (id * 2 > this.#index.length) this.#grow();
    return id;
  }

  #grow(): void {
    const index = new Int32Array(this.#index.length * 2), mask = index.length - 1;
    for (let id = 1; id < this.#family.length; id++) {
      let slot = exporterHash(this.#family[id], this.#words, id << 2) & mask;
      while (index[slot] !== EMPTY) slot = (slot + 1) & mask;
      index[slot] = id;
    }
    this.#index = index;
  }
}

/** The RecordDirection of record `i` of `r` (Unknown when the records carry none). */
function directionOf(r: RecordOriginColumns, i: number): number {
  return r.direction === undefined ? RecordDirection.Unknown : r.direction[i];
}

/**
 * A record's duration, counts and interfaces mixed into a non-zero 32-bit number. The duration is exact in
 * both twins (two uptimes of one clock); octets beyond 2³² enter by their high word too.
 */
function recordPrint(
  r: RecordOriginColumns,
  i: number,
  startMs: number,
  endMs: number,
  bytes: number,
  packets: number,
): number {
  let h = Math.imul(Math.round(endMs - startMs) ^ 0x27d4eb2f, 0x9e3779b1);
  h = Math.imul(h ^ (bytes >>> 0), 0x85ebca6b);
  h = Math.imul(h ^ ((bytes / 4_294_967_296) >>> 0), 0xc2b2ae35);
  h = Math.imul(h ^ (packets >>> 0), 0x9e3779b1);
  h = Math.imul(h ^ r.inIf[i], 0x85ebca6b);
  h = Math.imul(h ^ r.outIf[i], 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

/** Mixes an exporter's family and address words into an int32. */
function exporterHash(family: number, w: ArrayLike<number>, a: number): number {
  const h = Math.imul(w[a] ^ Math.imul(w[a + 1] ^ w[a + 3], 0x85ebca6b) ^ family, 0x9e3779b1) ^
    Math.imul(w[a + 2], 0xc2b2ae35);
  return h ^ (h >>> 15);
}
