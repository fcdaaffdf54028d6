/**
 * A fixed-size table of addresses (hosts, or networks as their masked address) with a direction tag,
 * for the per-host and per-subnet anomaly baselines: open addressing (linear probing) over typed arrays,
 * so that folding every flow into its hosts at the end of an interval allocates nothing.
 *
 * When full, the slot to reuse is chosen by CLOCK (second chance): a slot that carried traffic since the
 * hand last passed it is skipped once. The owner is told before a slot is reused.
 */

const EMPTY = -1;

/** Called with a slot about to be reused for another address. */
export type SlotEvictHandler = (slot: number) => void;

/** Addresses and tags → slots. */
export class AddressTable {
  readonly capacity: number;
  /** 4 or 6; 0 marks a free slot. */
  readonly family: Uint8Array;
  /** The address words, 4 per slot (IPv4 in word 0). */
  readonly words: Uint32Array;
  /** The caller's tag (direction, prefix). */
  readonly tag: Uint8Array;
  #hash: Int32Array;
  /**
   * Pairs of (slot or EMPTY, its key's hash): a probe compares the hash beside the slot first, so a key that
   * only shares the index position costs no read of another slot's columns (each a cache miss once the
   * table holds tens of thousands of hosts).
   */
  #index: Int32Array;
  #mask: number;
  #referenced: Uint8Array;
  #count = 0;
  #highWater = 0;
  #hand = 0;
  #onEvict: SlotEvictHandler;
  /** Slots reused for another address because the table was full. */
  evicted = 0;
  /** Set by {@link slotOf}: whether the slot it returned was just created. */
  fresh = false;

  constructor(capacity: number, onEvict: SlotEvictHandler) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.family = new Uint8Array(capacity);
    this.words = new Uint32Array(capacity * 4);
    this.tag = new Uint8Array(capacity);
    this.#hash = new Int32Array(capacity);
    this.#referenced = new Uint8Array(capacity);
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#index = new Int32Array(slots * 2).fill(EMPTY);
    this.#mask = slots - 1;
    this.#onEvict = onEvict;
  }

  /** Slots in use. */
  get size(): number {
    return this.#count;
  }

  /** Slots below this may be in use. */
  get highWater(): number {
    return this.#highWater;
  }

  /**
   * The slot of (family, words[o … o+3] masked to `prefix` bits, tag), created when missing (reusing a
   * slot by CLOCK when full). {@link fresh} says whether it is new.
   */
  slotOf(family: number, words: ArrayLike<number>, o: number, prefix: number, tag: number): number {
    const w0 = mask(words[o], prefix), w1 = mask(words[o + 1], prefix - 32);
    const w2 = mask(words[o + 2], prefix - 64), w3 = mask(words[o + 3], prefix - 96);
    return this.#slot(family, tag, w0, w1, w2, w3);
  }

  /**
   * As {@link slotOf} with the whole address (prefix 128). A code path of its own: the per-flow pass asks
   * for 40 k host addresses an interval, and sharing slotOf's masking with the subnets made V8 drop its
   * optimized code each time the other kind came.
   */
  addressSlot(family: number, words: ArrayLike<number>, o: number, tag: number): number {
    const w0 = words[o] >>> 0, w1 = words[o + 1] >>> 0, w2 = words[o + 2] >>> 0, w3 = words[o + 3] >>> 0;
    return this.#slot(family, tag, w0, w1, w2, w3);
  }

  #slot(family: number, tag: number, w0: number, w1: number, w2: number, w3: number): number {
    let h = Math.imul(w0 ^ (tag << 24) ^ family, 0x9e3779b1) ^ Math.imul(w1 ^ 0x7f4a7c15, 0x85ebca77);
    h ^= Math.imul(w2 ^ w3 ^ (w3 >>> 7), 0xcc9e2d51);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const index = this.#index, m = this.#mask, hash = this.#hash, held = this.words;
    for (let i = h & m;; i = (i + 1) & m) {
      const s = index[i << 1];
      if (s === EMPTY) break;
      if (index[(i << 1) + 1] !== h) continue;
      const k = s << 2;
      if (
        this.family[s] === family && this.tag[s] === tag && held[k] === w0 && held[k + 1] === w1 &&
        held[k + 2] === w2 && held[k + 3] === w3
      ) {
        this.#referenced[s] = 1;
        this.fresh = false;
        return s;
      }
    }
    const s = this.#claim(), k = s << 2;
    this.family[s] = family;
    this.tag[s] = tag;
    held[k] = w0;
    held[k + 1] = w1;
    held[k + 2] = w2;
    held[k + 3] = w3;
    hash[s] = h;
    this.#referenced[s] = 1;
    let i = h & m;
    while (index[i << 1] !== EMPTY) i = (i + 1) & m;
    index[i << 1] = s;
    index[(i << 1) + 1] = h;
    this.#count++;
    this.fresh = true;
    return s;
  }

  /** A slot for a new address: the next unused one, or (full) one reused by CLOCK, its owner told first. */
  #claim(): number {
    if (this.#count < this.capacity) return this.#highWater++; // a slot is only ever freed to be reused at once
    const s = this.#victim();
    this.#onEvict(s);
    this.#remove(s);
    this.evicted++;
    return s;
  }

  #victim(): number {
    for (;;) {
      const s = this.#hand;
      this.#hand = s + 1 < this.capacity ? s + 1 : 0;
      if (this.#referenced[s]) this.#referenced[s] = 0;
      else return s;
    }
  }

  /** Backward-shift deletion, so probe chains stay unbroken without tombstones. */
  #remove(s: number): void {
    const mask = this.#mask, index = this.#index;
    let i = this.#hash[s] & mask;
    while (index[i << 1] !== s) i = (i + 1) & mask;
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const other = index[j << 1];
      if (other === EMPTY) break;
      const home = index[(j << 1) + 1] & mask;
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (inRange) continue;
      index[i << 1] = other;
      index[(i << 1) + 1] = index[(j << 1) + 1];
      i = j;
    }
    index[i << 1] = EMPTY;
    this.family[s] = 0;
    this.#count--;
  }
}

/** `w` with only its first `bits` bits kept (all when bits ≥ 32, none when ≤ 0). */
function mask(w: number, bits: number): number {
  if (bits >= 32) return w >>> 0;
  if (bits <= 0) return 0;
  return (w & (0xffffffff << (32 - bits))) >>> 0;
}
