/**
 * The flow table: one entry per direction of a 5-tuple (src IP, dst IP, src port, dst port, protocol),
 * IPv4 and IPv6, held in typed arrays indexed by a flow id, with an open-addressing (linear probing)
 * index from key hash to flow id.
 *
 * Why typed arrays: a Map keyed by `${src}|${dst}|…` strings measured 0.4 M packets/s here; typed
 * arrays measured 5–8 M/s, because nothing is allocated per packet. Why one 64-byte record per flow
 * for what every packet touches (the IPv4 key and the counters): with 20 k flows the table is larger
 * than L2, so a packet costs a cache miss per distinct line it touches; a column per field cost 14.
 *
 * Eviction when full is CLOCK (second chance): every packet after a flow's first sets its reference
 * bit, and the hand evicts the first flow whose bit is clear, clearing bits as it passes. A flow seen
 * since the hand last came round is never evicted, and a flood of one-packet flows (a scan) pushes
 * out its own kind before the conversations that keep talking; no per-packet list maintenance is
 * needed. Idle expiry is exact: the flows whose last packet is older than the cutoff, oldest first.
 */
import { createPacketBatch, type PacketBatch, RowKind } from "../decode/mod.ts";
import { FlowOrigins, type RecordOriginColumns } from "./flow_origins.ts";

/** Why a flow left the table. */
export const ExpiryReason = {
  /** No packet for the idle timeout. */
  Idle: 0,
  /** The table was full and this flow had not been seen since the eviction hand last passed it. */
  Full: 1,
} as const;

/**
 * What {@link FlowTable.addRecords} reads: flow records (NetFlow, IPFIX) whose key columns are named and
 * typed as a PacketBatch's, each with its own counts. `tsMs` is when the record arrived.
 */
export type RecordRows =
  & Pick<
    PacketBatch,
    "family" | "src" | "dst" | "srcPort" | "dstPort" | "proto" | "vlan" | "tcpFlags" | "tsMs"
  >
  & {
    /** Octets the record counts. */
    readonly bytes: Float64Array;
    /** Packets the record counts. */
    readonly packets: Float64Array;
  }
  // Where each record came from (exporter, ifIndex, AS), kept in the table's origins when given.
  & Partial<RecordOriginColumns>;

/** Called as a flow leaves the table, while it can still be read. */
export type ExpiryHandler = (id: number, reason: number) => void;

const EMPTY = -1;
/** Index slots at start; doubles as needed. */
const INITIAL_SLOTS = 1024;
/**
 * The record: 16 u32 = 8 f64 = 64 bytes per flow. u32 0–3 hold the key's word 0 of each address, the
 * ports (src << 16 | dst) and proto | family << 8; f64 2–7 the counters.
 */
const R32 = 16, R64 = 8;
const K_SRC = 0, K_DST = 1, K_PORTS = 2, K_PF = 3;
const F_BYTES = 2, F_PACKETS = 3, F_IV_BYTES = 4, F_IV_PACKETS = 5, F_FIRST = 6, F_LAST = 7;
/** In the flags column: the low byte is the OR of TCP flags, this bit the CLOCK reference bit. */
const REFERENCED = 0x100;
/** In the flags column: a UDP flow whose other direction has been in the table (see FlowTable.answered). */
const ANSWERED = 0x200;
/**
 * In the flags column: a packet of the flow was captured. NetFlow/IPFIX records of a captured flow are the
 * same traffic seen again (a router exporting what the mirror port also shows): not counted.
 */
const CAPTURED = 0x400;
/** UDP (IANA protocol number). */
const UDP = 17;

function newIndex(slots: number): Int32Array {
  return new Int32Array(slots * 2).fill(EMPTY);
}

/** Fixed-capacity flow table over typed arrays. */
export class FlowTable {
  /** Maximum number of flows held at once. */
  readonly capacity: number;
  /** 4 or 6; 0 marks a free id. */
  readonly family: Uint8Array;
  /** Source address words (4 per flow; IPv4 in word 0). */
  readonly src: Uint32Array;
  /** Destination address words (4 per flow). */
  readonly dst: Uint32Array;
  /** Source port (ICMP type). */
  readonly srcPort: Uint16Array;
  /** Destination port (ICMP code). */
  readonly dstPort: Uint16Array;
  /** IP protocol. */
  readonly proto: Uint8Array;
  /** Outermost VLAN of the flow's first packet. */
  readonly vlan: Uint16Array;
  // per-interval baseline, owned by the anomaly detector (src/detect/anomaly_rules.ts), cleared for a new flow
  /** EWMA of log-volume, ln(octets per interval + LOG_OFFSET_BYTES). */
  readonly ewmaMean: Float64Array;
  /** EWMA of |log-volume − mean| (the spread, as a mean absolute deviation). */
  readonly ewmaVar: Float64Array;
  /** Intervals folded into the baseline (its maturity). */
  readonly ewmaIntervals: Uint32Array;
  /** The detector's state bits (an episode open, the last interval elevated …). */
  readonly anomalyActive: Uint8Array;
  // ---- visibility (flow/flow_visibility.ts keeps its columns beside the table, by flow id) ----
  /** Bumped each time an id is given to a new flow, so side tables know their row belongs to another flow now. */
  readonly generation: Uint32Array;
  /** The flow id of each row of the last batch update() counted (-1 for rows that are not IP). */
  rowFlow: Int32Array = new Int32Array(0);
  /** The rows of the last batch update() counted that started a new flow (the first newCount of them). */
  newRows: Int32Array = new Int32Array(0);
  /** How many of newRows are filled: detectors that work per new flow read these, not every row. */
  newCount = 0;
  // ---- end of visibility ----
  /** Where flows' NetFlow/IPFIX records came from; made when the first record with an exporter arrives. */
  origins: FlowOrigins | undefined;

  #u: Uint32Array; // records, as u32
  #f: Float64Array; // the same records, as f64
  #flags: Uint16Array; // TCP flags OR | REFERENCED | ANSWERED | CAPTURED
  #hash: Int32Array;
  /** Open-addressing index: pairs of (flow id or EMPTY, key hash), so a probe touches one cache line. */
  #index: Int32Array;
  /** Slots in the index − 1. */
  #mask: number;
  #free: Int32Array; // stack of free ids below highWater
  #freeTop = 0;
  #highWater = 0; // ids below this have been used at least once
  #count = 0;
  #hand = 0; // CLOCK hand
  #onExpire: ExpiryHandler | undefined;
  #findSrc = new Uint32Array(4);
  /** A new flow's key from a record goes through this one-row batch, so #insert only ever sees batches. */
  #one: PacketBatch | undefined;
  #findDst = new Uint32Array(4);
  /** Flows created since start. */
  created = 0;
  /** Flows removed by the idle timeout. */
  expiredIdle = 0;
  /** Flows evicted because the table was full. */
  evictedFull = 0;
  /**
   * NetFlow/IPFIX records not counted: their flow was captured, or first reported by another exporter, or
   * counted in the other direction by its exporter (the same traffic seen at a second place, or at the other
   * end of a router; counting it again would double its bytes).
   */
  recordsSeenTwice = 0;

  constructor(capacity: number, onExpire?: ExpiryHandler) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#onExpire = onExpire;
    this.family = new Uint8Array(capacity);
    this.src = new Uint32Array(capacity * 4);
    this.dst = new Uint32Array(capacity * 4);
    this.srcPort = new Uint16Array(capacity);
    this.dstPort = new Uint16Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.vlan = new Uint16Array(capacity);
    this.ewmaMean = new Float64Array(capacity);
    this.ewmaVar = new Float64Array(capacity);
    this.ewmaIntervals = new Uint32Array(capacity);
    this.anomalyActive = new Uint8Array(capacity);
    this.generation = new Uint32Array(capacity);
    const records = new ArrayBuffer(capacity * R32 * 4);
    this.#u = new Uint32Array(records);
    this.#f = new Float64Array(records);
    this.#flags = new Uint16Array(capacity);
    this.#hash = new Int32Array(capacity);
    this.#free = new Int32Array(capacity);
    // The index starts small and doubles as flows arrive, so its working set (which every packet
    // probes at random) tracks the flows actually present, not the configured maximum.
    this.#index = newIndex(INITIAL_SLOTS);
    this.#mask = INITIAL_SLOTS - 1;
  }

  /** Flows in the table now. */
  get size(): number {
    return this.#count;
  }

  /** Ids below this may be in use; iterate `0 … highWater-1` and skip `family[id] === 0`. */
  get highWater(): number {
    return this.#highWater;
  }

  /** The flow seen least recently (smallest last packet time, then lowest id), or -1. A scan: not for the hot path. */
  get oldest(): number {
    let best = -1;
    for (let id = 0; id < this.#highWater; id++) {
      if (this.family[id] !== 0 && (best < 0 || this.lastSeen(id) < this.lastSeen(best))) best = id;
    }
    return best;
  }

  /** IP-layer octets since the flow (record) started. */
  bytes(id: number): number {
    return this.#f[id * R64 + F_BYTES];
  }
  /** Packets since the flow (record) started. */
  packets(id: number): number {
    return this.#f[id * R64 + F_PACKETS];
  }
  /** First packet of the record, ms since the epoch. */
  firstSeen(id: number): number {
    return this.#f[id * R64 + F_FIRST];
  }
  /** Last packet, ms since the epoch. */
  lastSeen(id: number): number {
    return this.#f[id * R64 + F_LAST];
  }
  /** OR of every TCP flags byte seen. */
  tcpFlags(id: number): number {
    return this.#flags[id] & 0xff;
  }
  /** Octets in the current interval. */
  intervalBytes(id: number): number {
    return this.#f[id * R64 + F_IV_BYTES];
  }
  /** Packets in the current interval. */
  intervalPackets(id: number): number {
    return this.#f[id * R64 + F_IV_PACKETS];
  }
  /** Starts a new interval for the flow. */
  resetInterval(id: number): void {
    this.#f[id * R64 + F_IV_BYTES] = 0;
    this.#f[id * R64 + F_IV_PACKETS] = 0;
  }
  /** Starts a new record (NetFlow active timeout): counters from zero, from the last packet on. */
  restartRecord(id: number): void {
    const o = id * R64;
    this.#f[o + F_BYTES] = 0;
    this.#f[o + F_PACKETS] = 0;
    this.#f[o + F_FIRST] = this.#f[o + F_LAST];
    this.#flags[id] &= REFERENCED | ANSWERED | CAPTURED;
  }

  /**
   * A UDP flow whose other direction (the reverse key) has been in the table while it was: an answered
   * datagram, not a probe. Set on both flows as the second of them is created, so judging it costs no lookup
   * (at a million flows, the reverse lookups of an interval's pass were a tenth of a second of it); an answer
   * that has left the table since still counts. Always false for other protocols.
   */
  answered(id: number): boolean {
    return (this.#flags[id] & ANSWERED) !== 0;
  }

  /**
   * Adds rows `from … to-1` of a batch to their flows, creating flows as needed. ARP rows are skipped.
   * This is the per-packet hot loop: no allocation, no strings, everything an int32 or a double.
   */
  update(b: PacketBatch, from: number, to: number): void {
    // Columns in locals: the loop calls #insert, so V8 would otherwise reload each from `b` per row.
    const kind = b.kind, src = b.src, dst = b.dst, srcPort = b.srcPort, dstPort = b.dstPort;
    const family = b.family, proto = b.proto, ipBytes = b.ipBytes, tsMs = b.tsMs, tcpFlags = b.tcpFlags;
    const u = this.#u, f = this.#f, flags = this.#flags;
    if (this.rowFlow.length < b.capacity) { // once per batch size
      this.rowFlow = new Int32Array(b.capacity);
      this.newRows = new Int32Array(b.capacity);
    }
    const rowFlow = this.rowFlow;
    this.newCount = 0;
    for (let r = from; r < to; r++) {
      if (kind[r] !== RowKind.Ip) {
        rowFlow[r] = -1;
        continue;
      }
      const a = r << 2;
      const s0 = src[a] | 0, d0 = dst[a] | 0;
      const ports = (srcPort[r] << 16) | dstPort[r];
      const fam = family[r];
      const pf = proto[r] | (fam << 8);
      let h = hashKey(s0, d0, ports, pf);
      if (fam === 6) h = hashV6(h, src, dst, a);
      const index = this.#index, mask = this.#mask;
      let slot = h & mask;
      let id: number;
      let seen = REFERENCED | CAPTURED; // a flow's first packet does not set its reference bit
      for (;;) {
        id = index[slot << 1];
        if (id === EMPTY) {
          id = this.#insert(slot, h, b, r, a);
          seen = CAPTURED;
          this.newRows[this.newCount++] = r;
          break;
        }
        const k = id * R32;
        if (
          index[(slot << 1) + 1] === h && (u[k + K_SRC] | 0) === s0 && (u[k + K_DST] | 0) === d0 &&
          (u[k + K_PORTS] | 0) === ports && u[k + K_PF] === pf &&
          (fam === 4 || this.#sameV6Tail(id, src, dst, a))
        ) break;
        slot = (slot + 1) & mask;
      }
      const n = ipBytes[r], o = id * R64;
      f[o + F_BYTES] += n;
      f[o + F_PACKETS] += 1;
      f[o + F_IV_BYTES] += n;
      f[o + F_IV_PACKETS] += 1;
      const ts = tsMs[r];
      if (ts > f[o + F_LAST]) f[o + F_LAST] = ts;
      flags[id] |= tcpFlags[r] | seen;
      rowFlow[r] = id;
    }
  }

  /**
   * Adds flow records `from … to-1` (NetFlow/IPFIX), each with its own octet and packet counts, creating
   * flows as needed; time is when each record arrived. The same probe as update(), in its own loop so
   * the per-packet path stays exactly as it was. Per record: no allocation, no strings.
   */
  addRecords(r: RecordRows, from: number, to: number): void {
    const src = r.src, dst = r.dst, srcPort = r.srcPort, dstPort = r.dstPort, family = r.family;
    const proto = r.proto, tsMs = r.tsMs, tcpFlags = r.tcpFlags, bytes = r.bytes, packets = r.packets;
    const u = this.#u, f = this.#f, flags = this.#flags;
    const origin = r.exporter && r.exporterFamily && r.inIf && r.outIf && r.srcAs && r.dstAs
      ? r as RecordOriginColumns
      : undefined;
    const origins = origin ? this.origins ??= new FlowOrigins(this.capacity) : undefined;
    for (let i = from; i < to; i++) {
      const a = i << 2;
      const s0 = src[a] | 0, d0 = dst[a] | 0;
      const ports = (srcPort[i] << 16) | dstPort[i];
      const fam = family[i];
      const pf = proto[i] | (fam << 8);
      let h = hashKey(s0, d0, ports, pf);
      if (fam === 6) h = hashV6(h, src, dst, a);
      let slot = h & this.#mask;
      let id: number;
      let seen = REFERENCED;
      for (;;) {
        id = this.#index[slot << 1];
        if (id === EMPTY) {
          id = this.#insertRecord(slot, h, r, i);
          seen = 0;
          break;
        }
        const k = id * R32;
        if (
          this.#index[(slot << 1) + 1] === h && (u[k + K_SRC] | 0) === s0 && (u[k + K_DST] | 0) === d0 &&
          (u[k + K_PORTS] | 0) === ports && u[k + K_PF] === pf &&
          (fam === 4 || this.#sameV6Tail(id, src, dst, a))
        ) break;
        slot = (slot + 1) & this.#mask;
      }
      // Counted by its first observer only: the capture, else the exporter that reported it first.
      const e = origins ? origins.exporterOf(origin!, i) : 0;
      if (seen !== 0 && ((flags[id] & CAPTURED) !== 0 || (e !== 0 && e !== origins!.exporter[id]))) {
        if (origins) {
          origins.noteSeen(id, e); // still one of the exporters that saw it (asymmetry)
          origins.sumSeen(e, origin!, i, bytes[i], packets[i]); // and its interfaces carried it
          origins.noteSeenTwice(e);
        }
        this.recordsSeenTwice++;
        continue;
      }
      // The counting exporter's record of the other direction (ingress and egress NetFlow both on): the same
      // traffic through the same interfaces, not summed on them again either.
      // Or its twin (the same times, counts and interfaces), when the records do not say their direction.
      if (
        seen !== 0 && origins &&
        (origins.otherDirection(id, origin!, i, e) ||
          origins.sameAsCounted(id, origin!, i, e, bytes[i], packets[i]))
      ) {
        origins.noteSeenTwice(e);
        this.recordsSeenTwice++;
        continue;
      }
      const n = bytes[i], o = id * R64;
      f[o + F_BYTES] += n;
      f[o + F_PACKETS] += packets[i];
      f[o + F_IV_BYTES] += n;
      f[o + F_IV_PACKETS] += packets[i];
      const ts = tsMs[i];
      if (ts > f[o + F_LAST]) f[o + F_LAST] = ts;
      flags[id] |= tcpFlags[i] | seen;
      if (origins) origins.note(id, origin!, i, e, n, packets[i]);
    }
  }

  #insertRecord(slot: number, h: number, r: RecordRows, i: number): number {
    const one = this.#one ??= createPacketBatch(1);
    const a = i << 2;
    for (let w = 0; w < 4; w++) {
      one.src[w] = r.src[a + w];
      one.dst[w] = r.dst[a + w];
    }
    one.family[0] = r.family[i];
    one.srcPort[0] = r.srcPort[i];
    one.dstPort[0] = r.dstPort[i];
    one.proto[0] = r.proto[i];
    one.vlan[0] = r.vlan[i];
    one.tsMs[0] = r.tsMs[i];
    return this.#insert(slot, h, one, 0, 0);
  }

  /** Removes every flow whose last packet is older than `cutoffMs`, oldest first. O(flows): call per interval. */
  expireIdle(cutoffMs: number): number {
    const old: number[] = [];
    for (let id = 0; id < this.#highWater; id++) {
      if (this.family[id] !== 0 && this.#f[id * R64 + F_LAST] < cutoffMs) old.push(id);
    }
    old.sort((x, y) => this.lastSeen(x) - this.lastSeen(y) || x - y);
    for (const id of old) this.#remove(id, ExpiryReason.Idle);
    this.expiredIdle += old.length;
    return old.length;
  }

  /** The flow id of a key, or -1 (for tests and lookups, not the hot path). */
  find(
    family: number,
    src: ArrayLike<number>,
    dst: ArrayLike<number>,
    srcPort: number,
    dstPort: number,
    proto: number,
  ): number {
    const s = this.#findSrc, d = this.#findDst;
    for (let i = 0; i < 4; i++) {
      s[i] = src[i] ?? 0;
      d[i] = dst[i] ?? 0;
    }
    const s0 = s[0] | 0, d0 = d[0] | 0, ports = (srcPort << 16) | dstPort, pf = proto | (family << 8);
    let h = hashKey(s0, d0, ports, pf);
    if (family === 6) h = hashV6(h, s, d, 0);
    return this.#lookup(h, s0, d0, ports, pf, s, d, 0);
  }

  /**
   * The id of the flow whose key is (s0/src[a…], d0/dst[a…], ports, pf) and whose key hash is `h`, or -1. The
   * hash beside each id in the index is compared first, as in update(): the record of a flow that only shares
   * the slot is not read, so a key that is absent (a reverse key, mostly) costs the index's cache line alone.
   */
  #lookup(
    h: number,
    s0: number,
    d0: number,
    ports: number,
    pf: number,
    src: Uint32Array,
    dst: Uint32Array,
    a: number,
  ): number {
    const index = this.#index, mask = this.#mask, u = this.#u;
    for (let slot = h & mask;; slot = (slot + 1) & mask) {
      const id = index[slot << 1];
      if (id === EMPTY) return -1;
      if (index[(slot << 1) + 1] !== h) continue;
      const k = id * R32;
      if (
        (u[k + K_SRC] | 0) === s0 && (u[k + K_DST] | 0) === d0 && (u[k + K_PORTS] | 0) === ports &&
        u[k + K_PF] === pf && ((pf >> 8) === 4 || this.#sameV6Tail(id, src, dst, a))
      ) return id;
    }
  }

  /**
   * New UDP flow `id` from row `r`: when the other direction is in the table, both are answered. One probe of
   * the index per new UDP flow. A flow that is its own reverse (the same address and port at both ends) finds
   * itself, and is not its own answer.
   */
  #linkAnswer(id: number, b: PacketBatch, r: number, a: number): void {
    const src = b.dst, dst = b.src, fam = b.family[r]; // the reverse key
    const s0 = src[a] | 0,
      d0 = dst[a] | 0,
      ports = (b.dstPort[r] << 16) | b.srcPort[r],
      pf = UDP | (fam << 8);
    let h = hashKey(s0, d0, ports, pf);
    if (fam === 6) h = hashV6(h, src, dst, a);
    const other = this.#lookup(h, s0, d0, ports, pf, src, dst, a);
    if (other < 0 || other === id) return;
    this.#flags[id] |= ANSWERED;
    this.#flags[other] |= ANSWERED;
  }

  #sameV6Tail(id: number, src: Uint32Array, dst: Uint32Array, a: number): boolean {
    const k = id << 2;
    return this.src[k + 1] === src[a + 1] && this.src[k + 2] === src[a + 2] &&
      this.src[k + 3] === src[a + 3] &&
      this.dst[k + 1] === dst[a + 1] && this.dst[k + 2] === dst[a + 2] && this.dst[k + 3] === dst[a + 3];
  }

  #insert(slot: number, h: number, b: PacketBatch, r: number, a: number): number {
    if (this.#count === this.capacity) {
      this.#remove(this.#victim(), ExpiryReason.Full);
      this.evictedFull++;
      slot = -1; // the removal may have shifted entries into `slot`
    }
    // Keep the load factor ≤ 0.5 so linear-probe chains stay short.
    if ((this.#count + 1) * 2 > this.#mask + 1) {
      this.#grow();
      slot = -1;
    }
    if (slot < 0) {
      slot = h & this.#mask;
      while (this.#index[slot << 1] !== EMPTY) slot = (slot + 1) & this.#mask;
    }
    const id = this.#freeTop > 0 ? this.#free[--this.#freeTop] : this.#highWater++;
    this.#index[slot << 1] = id;
    this.#index[(slot << 1) + 1] = h;
    this.#hash[id] = h;
    const k = id << 2;
    for (let i = 0; i < 4; i++) {
      this.src[k + i] = b.src[a + i];
      this.dst[k + i] = b.dst[a + i];
    }
    this.family[id] = b.family[r];
    this.srcPort[id] = b.srcPort[r];
    this.dstPort[id] = b.dstPort[r];
    this.proto[id] = b.proto[r];
    this.vlan[id] = b.vlan[r];
    const ku = id * R32;
    this.#u[ku + K_SRC] = b.src[a];
    this.#u[ku + K_DST] = b.dst[a];
    this.#u[ku + K_PORTS] = (b.srcPort[r] << 16) | b.dstPort[r];
    this.#u[ku + K_PF] = b.proto[r] | (b.family[r] << 8);
    const o = id * R64;
    this.#f[o + F_BYTES] = 0;
    this.#f[o + F_PACKETS] = 0;
    this.#f[o + F_IV_BYTES] = 0;
    this.#f[o + F_IV_PACKETS] = 0;
    this.#f[o + F_FIRST] = b.tsMs[r];
    this.#f[o + F_LAST] = b.tsMs[r];
    this.#flags[id] = 0;
    if (b.proto[r] === UDP) this.#linkAnswer(id, b, r, a);
    this.ewmaMean[id] = 0;
    this.ewmaVar[id] = 0;
    this.ewmaIntervals[id] = 0;
    this.anomalyActive[id] = 0;
    this.generation[id]++;
    this.origins?.clear(id);
    this.#count++;
    this.created++;
    return id;
  }

  /** CLOCK: the first flow from the hand on whose reference bit is clear, clearing bits on the way. */
  #victim(): number {
    const flags = this.#flags, end = this.#highWater;
    // Two full turns at most: the first clears every bit it passes.
    for (let step = 0; step < 2 * end + 1; step++) {
      const id = this.#hand;
      this.#hand = id + 1 < end ? id + 1 : 0;
      if (this.family[id] === 0) continue;
      if (flags[id] & REFERENCED) flags[id] &= ~REFERENCED;
      else return id;
    }
    throw new Error("flow table: no eviction candidate in a full table"); // unreachable: the table is full
  }

  /** Doubles the index and re-inserts every flow (amortised O(1) per insert). */
  #grow(): void {
    const size = (this.#mask + 1) * 2;
    const index = newIndex(size), mask = size - 1;
    for (let id = 0; id < this.#highWater; id++) {
      if (this.family[id] === 0) continue;
      const h = this.#hash[id];
      let slot = h & mask;
      while (index[slot << 1] !== EMPTY) slot = (slot + 1) & mask;
      index[slot << 1] = id;
      index[(slot << 1) + 1] = h;
    }
    this.#index = index;
    this.#mask = mask;
  }

  #remove(id: number, reason: number): void {
    this.#onExpire?.(id, reason);
    // delete from the index with backward-shift, so probe chains stay unbroken without tombstones
    const mask = this.#mask, index = this.#index;
    let i = this.#hash[id] & mask;
    while (index[i << 1] !== id) i = (i + 1) & mask;
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const other = index[j << 1];
      if (other === EMPTY) break;
      const home = index[(j << 1) + 1] & mask;
      // `other` may move back to i only if its home slot is not in the cyclic range (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (inRange) continue;
      index[i << 1] = other;
      index[(i << 1) + 1] = index[(j << 1) + 1];
      i = j;
    }
    index[i << 1] = EMPTY;
    this.family[id] = 0;
    this.#free[this.#freeTop++] = id;
    this.#count--;
  }
}

/** Mixes the IPv4 part of a key into an int32 (multiply–xorshift, murmur3's finaliser). */
function hashKey(s0: number, d0: number, ports: number, pf: number): number {
  let h = Math.imul(s0, 0x9e3779b1) ^ Math.imul(d0 ^ 0x7f4a7c15, 0x85ebca77);
  h ^= Math.imul(ports ^ (pf << 4), 0xcc9e2d51);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Folds the rest of an IPv6 key into `h`. */
function hashV6(h: number, src: Uint32Array, dst: Uint32Array, a: number): number {
  h ^= Math.imul(src[a + 1] ^ dst[a + 3], 0xc2b2ae3d) ^ Math.imul(src[a + 2] ^ dst[a + 2], 0x27d4eb2f);
  h ^= Math.imul(src[a + 3] ^ dst[a + 1], 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
