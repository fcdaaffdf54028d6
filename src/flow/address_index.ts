/**
 * Addresses (family and four words) → dense indexes 0, 1, 2 … in the order they were first met, over
 * typed arrays (open addressing, linear probing). For a pass that sums something per address once an
 * interval: a Map keyed by the address (a number beyond the small-integer range for half the IPv4 space,
 * boxed at each lookup, or a string for IPv6) cost a microsecond a flow there. Grows as needed; clear()
 * starts over and keeps the memory.
 */

const EMPTY = -1;

/** See the module comment. */
export class AddressIndex {
  /** 4 or 6, by index. */
  family: Uint8Array;
  /** The address words, 4 per index (IPv4 in word 0, the others 0). */
  words: Uint32Array;
  #hash: Int32Array;
  /**
   * Pairs of (index or EMPTY, its address's hash): a probe compares the hash beside the index first, so an
   * address that only shares the slot costs no read of another's words (a cache miss each once the index
   * holds tens of thousands of hosts), and a match reads the words once.
   */
  #slots: Int32Array;
  #mask: number;
  #count = 0;

  /** @param initial indexes held before the first growth */
  constructor(initial = 1024) {
    const n = Math.max(16, initial);
    this.family = new Uint8Array(n);
    this.words = new Uint32Array(n * 4);
    this.#hash = new Int32Array(n);
    let slots = 32;
    while (slots < n * 2) slots *= 2;
    this.#slots = new Int32Array(slots * 2).fill(EMPTY);
    this.#mask = slots - 1;
  }

  /** Addresses held. */
  get size(): number {
    return this.#count;
  }

  /** The index of (family, w[o … o+3]), added when it is new unless `add` is false (then -1). */
  indexOf(family: number, w: ArrayLike<number>, o: number, add = true): number {
    const w0 = w[o] >>> 0, w1 = w[o + 1] >>> 0, w2 = w[o + 2] >>> 0, w3 = w[o + 3] >>> 0;
    let h = Math.imul(w0 ^ family, 0x9e3779b1) ^ Math.imul(w1 ^ 0x7f4a7c15, 0x85ebca77);
    h ^= Math.imul(w2 ^ w3 ^ (w3 >>> 7), 0xcc9e2d51);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const words = this.words, mask = this.#mask, slots = this.#slots;
    let i = h & mask;
    for (;; i = (i + 1) & mask) {
      const s = slots[i << 1];
      if (s === EMPTY) break;
      if (slots[(i << 1) + 1] !== h) continue;
      const k = s << 2;
      if (
        this.family[s] === family && words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 &&
        words[k + 3] === w3
      ) return s;
    }
    if (!add) return EMPTY;
    if (this.#count === this.family.length) {
      this.#grow();
      return this.indexOf(family, w, o);
    }
    const s = this.#count++, k = s << 2;
    this.family[s] = family;
    this.words[k] = w0;
    this.words[k + 1] = w1;
    this.words[k + 2] = w2;
    this.words[k + 3] = w3;
    this.#hash[s] = h;
    slots[i << 1] = s;
    slots[(i << 1) + 1] = h;
    return s;
  }

  /** Forgets every address (the memory stays for the next pass). */
  clear(): void {
    if (this.#count === 0) return;
    this.#slots.fill(EMPTY);
    this.#count = 0;
  }

  /** Twice the indexes, and the slots rebuilt from the hashes kept. */
  #grow(): void {
    const n = this.family.length * 2;
    const family = new Uint8Array(n), words = new Uint32Array(n * 4), hash = new Int32Array(n);
    family.set(this.family);
    words.set(this.words);
    hash.set(this.#hash);
    this.family = family;
    this.words = words;
    this.#hash = hash;
    const slots = new Int32Array(n * 4).fill(EMPTY), mask = n * 2 - 1;
    for (let s = 0; s < this.#count; s++) {
      let i = hash[s] & mask;
      while (slots[i << 1] !== EMPTY) i = (i + 1) & mask;
      slots[i << 1] = s;
      slots[(i << 1) + 1] = hash[s];
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
