/**
 * The flow table: one entry per direction of a 5-tuple (src IP, dst IP, src port, dst port, protocol),
 * IPv4 and IPv6, held as struct-of-arrays typed columns indexed by a flow id, with an open-addressing
 * (linear probing) index from key hash to flow id.
 *
 * Why typed arrays: a Map keyed by `${src}|${dst}|…` strings measured 0.4 M packets/s here; this layout
 * measured 5–8 M/s, because nothing is allocated per packet. Flow ids also thread a doubly-linked list
 * in last-seen order, so the idle sweep and "evict the least recently seen flow when full" cost O(1)
 * per flow touched instead of a scan.
 */
import type { PacketBatch } from "../decode/packet_batch.ts";
import { RowKind } from "../decode/packet_batch.ts";

/** Why a flow left the table. */
export const ExpiryReason = {
  /** No packet for the idle timeout. */
  Idle: 0,
  /** The table was full and this was the least recently seen flow. */
  Full: 1,
} as const;

/** Called as a flow leaves the table, while its columns still hold it. */
export type ExpiryHandler = (id: number, reason: number) => void;

const EMPTY = -1;

/** Fixed-capacity flow table over typed arrays. */
export class FlowTable {
  /** Maximum number of flows held at once. */
  readonly capacity: number;
  // key columns
  /** 4 or 6; 0 marks a free id. */
  readonly family: Uint8Array;
  /** Source address words (4 per flow). */
  readonly src: Uint32Array;
  /** Destination address words (4 per flow). */
  readonly dst: Uint32Array;
  /** Source port (ICMP type). */
  readonly srcPort: Uint16Array;
  /** Destination port (ICMP code). */
  readonly dstPort: Uint16Array;
  /** IP protocol. */
  readonly proto: Uint8Array;
  // statistics
  /** IP-layer octets since the flow started. */
  readonly bytes: Float64Array;
  /** Packets since the flow started. */
  readonly packets: Float64Array;
  /** First packet, ms since the epoch. */
  readonly firstSeen: Float64Array;
  /** Last packet, ms since the epoch. */
  readonly lastSeen: Float64Array;
  /** OR of every TCP flags byte seen. */
  readonly tcpFlags: Uint8Array;
  /** Outermost VLAN of the flow's first packet. */
  readonly vlan: Uint16Array;
  // per-interval baseline, owned by the EWMA detector
  /** Octets in the current interval. */
  readonly intervalBytes: Float64Array;
  /** Packets in the current interval. */
  readonly intervalPackets: Float64Array;
  /** EWMA of octets per interval. */
  readonly ewmaMean: Float64Array;
  /** EWMA variance of octets per interval. */
  readonly ewmaVar: Float64Array;
  /** Complete intervals folded into the baseline (its maturity). */
  readonly ewmaIntervals: Uint32Array;
  /** 1 while the flow is in an anomaly already reported (one event per spike). */
  readonly anomalyActive: Uint8Array;

  #hash: Uint32Array;
  #index: Int32Array;
  #mask: number;
  #prev: Int32Array;
  #next: Int32Array;
  #head = EMPTY; // least recently seen
  #tail = EMPTY; // most recently seen
  #freeHead = EMPTY;
  #highWater = 0; // ids below this have been used at least once
  #count = 0;
  #onExpire: ExpiryHandler | undefined;
  /** Flows created since start. */
  created = 0;
  /** Flows removed by the idle timeout. */
  expiredIdle = 0;
  /** Flows evicted because the table was full. */
  evictedFull = 0;

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
    this.bytes = new Float64Array(capacity);
    this.packets = new Float64Array(capacity);
    this.firstSeen = new Float64Array(capacity);
    this.lastSeen = new Float64Array(capacity);
    this.tcpFlags = new Uint8Array(capacity);
    this.vlan = new Uint16Array(capacity);
    this.intervalBytes = new Float64Array(capacity);
    this.intervalPackets = new Float64Array(capacity);
    this.ewmaMean = new Float64Array(capacity);
    this.ewmaVar = new Float64Array(capacity);
    this.ewmaIntervals = new Uint32Array(capacity);
    this.anomalyActive = new Uint8Array(capacity);
    this.#hash = new Uint32Array(capacity);
    this.#prev = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    // Load factor ≤ 0.5 keeps linear-probe chains short.
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.#index = new Int32Array(size).fill(EMPTY);
    this.#mask = size - 1;
  }

  /** Flows in the table now. */
  get size(): number {
    return this.#count;
  }

  /** Ids below this may be in use; iterate `0 … highWater-1` and skip `family[id] === 0`. */
  get highWater(): number {
    return this.#highWater;
  }

  /** Least recently seen flow id, or -1. */
  get oldest(): number {
    return this.#head;
  }

  /**
   * Adds rows `from … to-1` of a batch to their flows, creating flows as needed. ARP rows are skipped.
   * This is the per-packet hot loop: no allocation, no strings.
   */
  update(b: PacketBatch, from: number, to: number): void {
    const kind = b.kind, src = b.src, dst = b.dst;
    for (let r = from; r < to; r++) {
      if (kind[r] !== RowKind.Ip) continue;
      const a = r << 2;
      const fam = b.family[r], proto = b.proto[r], sp = b.srcPort[r], dp = b.dstPort[r];
      const h = hashKey(fam, src, dst, a, sp, dp, proto);
      let slot = h & this.#mask;
      let id: number;
      for (;;) {
        id = this.#index[slot];
        if (id === EMPTY) {
          id = this.#insert(slot, h, b, r, a);
          break;
        }
        if (
          this.#hash[id] === h && this.srcPort[id] === sp && this.dstPort[id] === dp &&
          this.proto[id] === proto &&
          this.family[id] === fam && this.#sameAddr(id, src, dst, a)
        ) {
          this.#touch(id);
          break;
        }
        slot = (slot + 1) & this.#mask;
      }
      const n = b.ipBytes[r];
      this.bytes[id] += n;
      this.packets[id] += 1;
      this.intervalBytes[id] += n;
      this.intervalPackets[id] += 1;
      this.tcpFlags[id] |= b.tcpFlags[r];
      const ts = b.tsMs[r];
      if (ts > this.lastSeen[id]) this.lastSeen[id] = ts;
    }
  }

  /** Removes every flow whose last packet is older than `cutoffMs`, oldest first. */
  expireIdle(cutoffMs: number): number {
    let n = 0;
    while (this.#head !== EMPTY && this.lastSeen[this.#head] < cutoffMs) {
      this.#remove(this.#head, ExpiryReason.Idle);
      this.expiredIdle++;
      n++;
    }
    return n;
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
    const s = Uint32Array.from({ length: 4 }, (_, i) => src[i] ?? 0);
    const d = Uint32Array.from({ length: 4 }, (_, i) => dst[i] ?? 0);
    const h = hashKey(family, s, d, 0, srcPort, dstPort, proto);
    for (let slot = h & this.#mask;; slot = (slot + 1) & this.#mask) {
      const id = this.#index[slot];
      if (id === EMPTY) return -1;
      if (
        this.#hash[id] === h && this.family[id] === family && this.srcPort[id] === srcPort &&
        this.dstPort[id] === dstPort && this.proto[id] === proto && this.#sameAddr(id, s, d, 0)
      ) return id;
    }
  }

  #sameAddr(id: number, src: Uint32Array, dst: Uint32Array, a: number): boolean {
    const k = id << 2;
    return this.src[k] === src[a] && this.dst[k] === dst[a] && this.src[k + 1] === src[a + 1] &&
      this.src[k + 2] === src[a + 2] && this.src[k + 3] === src[a + 3] && this.dst[k + 1] === dst[a + 1] &&
      this.dst[k + 2] === dst[a + 2] && this.dst[k + 3] === dst[a + 3];
  }

  #insert(slot: number, h: number, b: PacketBatch, r: number, a: number): number {
    if (this.#count === this.capacity) {
      this.#remove(this.#head, ExpiryReason.Full);
      this.evictedFull++;
      // The removal may have shifted entries into `slot`; find the free slot for this key again.
      slot = h & this.#mask;
      while (this.#index[slot] !== EMPTY) slot = (slot + 1) & this.#mask;
    }
    let id: number;
    if (this.#freeHead !== EMPTY) {
      id = this.#freeHead;
      this.#freeHead = this.#next[id];
    } else {
      id = this.#highWater++;
    }
    this.#index[slot] = id;
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
    this.bytes[id] = 0;
    this.packets[id] = 0;
    this.firstSeen[id] = b.tsMs[r];
    this.lastSeen[id] = b.tsMs[r];
    this.tcpFlags[id] = 0;
    this.intervalBytes[id] = 0;
    this.intervalPackets[id] = 0;
    this.ewmaMean[id] = 0;
    this.ewmaVar[id] = 0;
    this.ewmaIntervals[id] = 0;
    this.anomalyActive[id] = 0;
    // link at the tail (most recent)
    this.#prev[id] = this.#tail;
    this.#next[id] = EMPTY;
    if (this.#tail !== EMPTY) this.#next[this.#tail] = id;
    else this.#head = id;
    this.#tail = id;
    this.#count++;
    this.created++;
    return id;
  }

  /** Moves a flow to the most-recent end of the list. */
  #touch(id: number): void {
    if (id === this.#tail) return;
    const p = this.#prev[id], n = this.#next[id];
    if (p !== EMPTY) this.#next[p] = n;
    else this.#head = n;
    this.#prev[n] = p; // n exists: id is not the tail
    this.#prev[id] = this.#tail;
    this.#next[id] = EMPTY;
    this.#next[this.#tail] = id;
    this.#tail = id;
  }

  #remove(id: number, reason: number): void {
    this.#onExpire?.(id, reason);
    // unlink from the recency list
    const p = this.#prev[id], n = this.#next[id];
    if (p !== EMPTY) this.#next[p] = n;
    else this.#head = n;
    if (n !== EMPTY) this.#prev[n] = p;
    else this.#tail = p;
    // delete from the index with backward-shift, so probe chains stay unbroken without tombstones
    const mask = this.#mask, index = this.#index;
    let i = this.#hash[id] & mask;
    while (index[i] !== id) i = (i + 1) & mask;
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const other = index[j];
      if (other === EMPTY) break;
      const home = this.#hash[other] & mask;
      // `other` may move back to i only if its home slot is not in the cyclic range (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (inRange) continue;
      index[i] = other;
      i = j;
    }
    index[i] = EMPTY;
    this.family[id] = 0;
    this.#next[id] = this.#freeHead;
    this.#freeHead = id;
    this.#count--;
  }
}

/** Mixes a flow key into 32 bits (multiply–xorshift, murmur3's finaliser). */
function hashKey(
  family: number,
  src: Uint32Array,
  dst: Uint32Array,
  a: number,
  sp: number,
  dp: number,
  proto: number,
): number {
  let h = Math.imul(src[a], 0x9e3779b1) ^ Math.imul(dst[a] ^ 0x7f4a7c15, 0x85ebca77);
  if (family === 6) {
    h ^= Math.imul(src[a + 1] ^ dst[a + 3], 0xc2b2ae3d) ^ Math.imul(src[a + 2] ^ dst[a + 2], 0x27d4eb2f);
    h ^= Math.imul(src[a + 3] ^ dst[a + 1], 0x165667b1);
  }
  h ^= Math.imul(((sp << 16) | dp) ^ (proto << 8) ^ family, 0xcc9e2d51);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
