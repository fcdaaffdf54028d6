/**
 * The flow table: one entry per direction of a 5-tuple (src IP, dst IP, src port, dst port, protocol),
 * IPv4 and IPv6, held in typed arrays indexed by a flow id, with an open-addressing (linear probing)
 * index from key hash to flow id.
 *
 * Why typed arrays: a Map keyed by `${src}|${dst}|…` strings measured 0.4 M packets/s here; typed
 * arrays measured 5–8 M/s, because nothing is allocated per packet. Why interleaved records for what
 * every packet touches (the key, the counters, the recency links): a packet then costs three or four
 * cache lines instead of one per column, which measured 1.6× faster with 20 k flows.
 *
 * Flow ids also thread a doubly-linked list in last-seen order, so the idle sweep and "evict the
 * least recently seen flow when full" cost O(1) per flow touched instead of a scan.
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

/** Called as a flow leaves the table, while it can still be read. */
export type ExpiryHandler = (id: number, reason: number) => void;

const EMPTY = -1;
/** Index slots at start; doubles as needed. */
const INITIAL_SLOTS = 1024;
/** Key record: src words 0–3, dst words 0–3, srcPort << 16 | dstPort, proto | family << 8. */
const KEY = 10;
/** Counter record (float64s): one 64-byte cache line per flow. */
const C = 8;
const C_BYTES = 0, C_PACKETS = 1, C_IV_BYTES = 2, C_IV_PACKETS = 3, C_FIRST = 4, C_LAST = 5, C_FLAGS = 6;

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
  // per-interval baseline, owned by the EWMA detector
  /** EWMA of octets per interval. */
  readonly ewmaMean: Float64Array;
  /** EWMA variance of octets per interval. */
  readonly ewmaVar: Float64Array;
  /** Complete intervals folded into the baseline (its maturity). */
  readonly ewmaIntervals: Uint32Array;
  /** 1 while the flow is in an anomaly already reported (one event per spike). */
  readonly anomalyActive: Uint8Array;

  #keys: Uint32Array;
  #c: Float64Array;
  #links: Int32Array; // prev, next
  #hash: Int32Array;
  /** Open-addressing index: pairs of (flow id or EMPTY, key hash), so a probe touches one cache line. */
  #index: Int32Array;
  /** Slots in the index − 1. */
  #mask: number;
  #head = EMPTY; // least recently seen
  #tail = EMPTY; // most recently seen
  #freeHead = EMPTY;
  #highWater = 0; // ids below this have been used at least once
  #count = 0;
  #onExpire: ExpiryHandler | undefined;
  #findSrc = new Uint32Array(4);
  #findDst = new Uint32Array(4);
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
    this.vlan = new Uint16Array(capacity);
    this.ewmaMean = new Float64Array(capacity);
    this.ewmaVar = new Float64Array(capacity);
    this.ewmaIntervals = new Uint32Array(capacity);
    this.anomalyActive = new Uint8Array(capacity);
    this.#keys = new Uint32Array(capacity * KEY);
    this.#c = new Float64Array(capacity * C);
    this.#links = new Int32Array(capacity * 2);
    this.#hash = new Int32Array(capacity);
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

  /** Least recently seen flow id, or -1. */
  get oldest(): number {
    return this.#head;
  }

  /** IP-layer octets since the flow (record) started. */
  bytes(id: number): number {
    return this.#c[id * C + C_BYTES];
  }
  /** Packets since the flow (record) started. */
  packets(id: number): number {
    return this.#c[id * C + C_PACKETS];
  }
  /** First packet of the record, ms since the epoch. */
  firstSeen(id: number): number {
    return this.#c[id * C + C_FIRST];
  }
  /** Last packet, ms since the epoch. */
  lastSeen(id: number): number {
    return this.#c[id * C + C_LAST];
  }
  /** OR of every TCP flags byte seen. */
  tcpFlags(id: number): number {
    return this.#c[id * C + C_FLAGS];
  }
  /** Octets in the current interval. */
  intervalBytes(id: number): number {
    return this.#c[id * C + C_IV_BYTES];
  }
  /** Packets in the current interval. */
  intervalPackets(id: number): number {
    return this.#c[id * C + C_IV_PACKETS];
  }
  /** Starts a new interval for the flow. */
  resetInterval(id: number): void {
    this.#c[id * C + C_IV_BYTES] = 0;
    this.#c[id * C + C_IV_PACKETS] = 0;
  }
  /** Starts a new record (NetFlow active timeout): counters from zero, from the last packet on. */
  restartRecord(id: number): void {
    const o = id * C;
    this.#c[o + C_BYTES] = 0;
    this.#c[o + C_PACKETS] = 0;
    this.#c[o + C_FLAGS] = 0;
    this.#c[o + C_FIRST] = this.#c[o + C_LAST];
  }

  /**
   * Adds rows `from … to-1` of a batch to their flows, creating flows as needed. ARP rows are skipped.
   * This is the per-packet hot loop: no allocation, no strings.
   */
  update(b: PacketBatch, from: number, to: number): void {
    const kind = b.kind, src = b.src, dst = b.dst, keys = this.#keys, c = this.#c;
    for (let r = from; r < to; r++) {
      if (kind[r] !== RowKind.Ip) continue;
      const a = r << 2;
      const ports = ((b.srcPort[r] << 16) | b.dstPort[r]) >>> 0;
      const pf = b.proto[r] | (b.family[r] << 8);
      const h = hashKey(src, dst, a, ports, pf);
      const index = this.#index, mask = this.#mask;
      let slot = h & mask;
      let id: number;
      for (;;) {
        id = index[slot << 1];
        if (id === EMPTY) {
          id = this.#insert(slot, h, b, r, a);
          break;
        }
        const k = id * KEY;
        if (
          index[(slot << 1) + 1] === h && keys[k] === src[a] && keys[k + 4] === dst[a] &&
          keys[k + 8] === ports &&
          keys[k + 9] === pf && keys[k + 1] === src[a + 1] && keys[k + 2] === src[a + 2] &&
          keys[k + 3] === src[a + 3] && keys[k + 5] === dst[a + 1] && keys[k + 6] === dst[a + 2] &&
          keys[k + 7] === dst[a + 3]
        ) {
          this.#touch(id);
          break;
        }
        slot = (slot + 1) & mask;
      }
      const n = b.ipBytes[r], o = id * C;
      c[o + C_BYTES] += n;
      c[o + C_PACKETS] += 1;
      c[o + C_IV_BYTES] += n;
      c[o + C_IV_PACKETS] += 1;
      c[o + C_FLAGS] = c[o + C_FLAGS] | b.tcpFlags[r];
      const ts = b.tsMs[r];
      if (ts > c[o + C_LAST]) c[o + C_LAST] = ts;
    }
  }

  /** Removes every flow whose last packet is older than `cutoffMs`, oldest first. */
  expireIdle(cutoffMs: number): number {
    let n = 0;
    while (this.#head !== EMPTY && this.#c[this.#head * C + C_LAST] < cutoffMs) {
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
    const s = this.#findSrc, d = this.#findDst;
    for (let i = 0; i < 4; i++) {
      s[i] = src[i] ?? 0;
      d[i] = dst[i] ?? 0;
    }
    const ports = ((srcPort << 16) | dstPort) >>> 0, pf = proto | (family << 8);
    const h = hashKey(s, d, 0, ports, pf);
    for (let slot = h & this.#mask;; slot = (slot + 1) & this.#mask) {
      const id = this.#index[slot << 1];
      if (id === EMPTY) return -1;
      const k = id * KEY;
      let same = this.#keys[k + 8] === ports && this.#keys[k + 9] === pf;
      for (let i = 0; i < 4 && same; i++) same = this.#keys[k + i] === s[i] && this.#keys[k + 4 + i] === d[i];
      if (same) return id;
    }
  }

  #insert(slot: number, h: number, b: PacketBatch, r: number, a: number): number {
    if (this.#count === this.capacity) {
      this.#remove(this.#head, ExpiryReason.Full);
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
    let id: number;
    if (this.#freeHead !== EMPTY) {
      id = this.#freeHead;
      this.#freeHead = this.#links[(id << 1) + 1];
    } else {
      id = this.#highWater++;
    }
    this.#index[slot << 1] = id;
    this.#index[(slot << 1) + 1] = h;
    this.#hash[id] = h;
    const k = id << 2, kk = id * KEY;
    for (let i = 0; i < 4; i++) {
      this.src[k + i] = this.#keys[kk + i] = b.src[a + i];
      this.dst[k + i] = this.#keys[kk + 4 + i] = b.dst[a + i];
    }
    this.family[id] = b.family[r];
    this.srcPort[id] = b.srcPort[r];
    this.dstPort[id] = b.dstPort[r];
    this.proto[id] = b.proto[r];
    this.#keys[kk + 8] = ((b.srcPort[r] << 16) | b.dstPort[r]) >>> 0;
    this.#keys[kk + 9] = b.proto[r] | (b.family[r] << 8);
    this.vlan[id] = b.vlan[r];
    const o = id * C;
    this.#c.fill(0, o, o + C);
    this.#c[o + C_FIRST] = b.tsMs[r];
    this.#c[o + C_LAST] = b.tsMs[r];
    this.ewmaMean[id] = 0;
    this.ewmaVar[id] = 0;
    this.ewmaIntervals[id] = 0;
    this.anomalyActive[id] = 0;
    // link at the tail (most recent)
    const l = this.#links;
    l[id << 1] = this.#tail;
    l[(id << 1) + 1] = EMPTY;
    if (this.#tail !== EMPTY) l[(this.#tail << 1) + 1] = id;
    else this.#head = id;
    this.#tail = id;
    this.#count++;
    this.created++;
    return id;
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

  /** Moves a flow to the most-recent end of the list. */
  #touch(id: number): void {
    const tail = this.#tail;
    if (id === tail) return;
    const l = this.#links;
    const p = l[id << 1], n = l[(id << 1) + 1];
    if (p !== EMPTY) l[(p << 1) + 1] = n;
    else this.#head = n;
    l[n << 1] = p; // n exists: id is not the tail
    l[id << 1] = tail;
    l[(id << 1) + 1] = EMPTY;
    l[(tail << 1) + 1] = id;
    this.#tail = id;
  }

  #remove(id: number, reason: number): void {
    this.#onExpire?.(id, reason);
    // unlink from the recency list
    const l = this.#links;
    const p = l[id << 1], n = l[(id << 1) + 1];
    if (p !== EMPTY) l[(p << 1) + 1] = n;
    else this.#head = n;
    if (n !== EMPTY) l[n << 1] = p;
    else this.#tail = p;
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
    l[(id << 1) + 1] = this.#freeHead;
    this.#freeHead = id;
    this.#count--;
  }
}

/** Mixes a flow key into 32 bits (multiply–xorshift, murmur3's finaliser); an int32, as the index stores it. */
function hashKey(src: Uint32Array, dst: Uint32Array, a: number, ports: number, pf: number): number {
  let h = Math.imul(src[a], 0x9e3779b1) ^ Math.imul(dst[a] ^ 0x7f4a7c15, 0x85ebca77);
  if (pf >= 0x600) { // IPv6: fold in the other words
    h ^= Math.imul(src[a + 1] ^ dst[a + 3], 0xc2b2ae3d) ^ Math.imul(src[a + 2] ^ dst[a + 2], 0x27d4eb2f);
    h ^= Math.imul(src[a + 3] ^ dst[a + 1], 0x165667b1);
  }
  h ^= Math.imul(ports ^ (pf << 4), 0xcc9e2d51);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
