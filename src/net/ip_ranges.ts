/**
 * A large set of address ranges (block lists, allow lists) in typed arrays: IPv4 networks as two Uint32
 * columns (first, last), IPv6 networks as four words of first and last, both sorted by first address and
 * looked up by binary search — no object per entry, nothing allocated by a lookup. A million IPv4 entries
 * take 8 MB.
 *
 * Entries keep their identity so a hit can say which entry it was: a network inside an earlier, wider one
 * is dropped (the wider one answers for it), adjacent networks stay separate entries. A range
 * `first-last` that is not one network is split into the networks that make it up (RFC 4632 §3.1
 * aggregation in reverse), so every entry is a network and prints as `address/prefix`.
 */
import { formatIpv4, formatIpv6 } from "./address.ts";

/** Collects entries; {@link IpRangeSetBuilder.build} sorts and freezes them into an {@link IpRangeSet}. */
export class IpRangeSetBuilder {
  #v4First = new Uint32Array(1024);
  #v4Prefix = new Uint8Array(1024);
  #v4n = 0;
  #v6: { w: Uint32Array; prefix: number }[] = [];

  /** Entries added so far (IPv4 and IPv6, before nested ones are dropped). */
  get size(): number {
    return this.#v4n + this.#v6.length;
  }

  /** Adds the IPv4 network `address/prefix` (host bits are cleared). */
  addV4(address: number, prefix: number): void {
    if (this.#v4n === this.#v4First.length) {
      const f = new Uint32Array(this.#v4n * 2), p = new Uint8Array(this.#v4n * 2);
      f.set(this.#v4First);
      p.set(this.#v4Prefix);
      this.#v4First = f;
      this.#v4Prefix = p;
    }
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.#v4First[this.#v4n] = (address & mask) >>> 0;
    this.#v4Prefix[this.#v4n++] = prefix;
  }

  /** Adds every address from `first` to `last` (IPv4, inclusive) as the networks that make it up. */
  addV4Range(first: number, last: number): void {
    let a = first;
    while (a <= last) {
      // the widest network starting at `a` that does not pass `last`
      let bits = a === 0 ? 32 : Math.min(32, 31 - Math.clz32(a & -a));
      while (bits > 0 && a + 2 ** bits - 1 > last) bits--;
      this.addV4(a, 32 - bits);
      a += 2 ** bits;
      if (a > 0xffffffff) break;
    }
  }

  /** Adds the IPv6 network of the four words `w` and `prefix` (host bits are cleared). */
  addV6(w: ArrayLike<number>, prefix: number): void {
    const n = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      const b = Math.min(32, Math.max(0, prefix - 32 * i));
      n[i] = (w[i] & (b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0)) >>> 0;
    }
    this.#v6.push({ w: n, prefix });
  }

  /** Sorts, drops nested entries, and returns the set. The builder is spent. */
  build(): IpRangeSet {
    const n = this.#v4n, first = this.#v4First, prefix = this.#v4Prefix;
    // Of two entries at one address the wider (shorter prefix) must come first to swallow the narrower.
    sortEntries(first, prefix, n);
    const f4 = new Uint32Array(n), l4 = new Uint32Array(n);
    let m = 0, lastEnd = -1;
    for (let k = 0; k < n; k++) {
      const a = first[k], end = a + 2 ** (32 - prefix[k]) - 1;
      if (a <= lastEnd) continue; // inside the entry before (networks nest or are apart)
      f4[m] = a;
      l4[m++] = end;
      lastEnd = end;
    }
    const v6 = this.#v6.sort((x, y) => compare6(x.w, 0, y.w, 0) || x.prefix - y.prefix);
    const f6: number[] = [], l6: number[] = [];
    const end = new Uint32Array(4), prevEnd = new Uint32Array(4);
    let have = false;
    for (const e of v6) {
      for (let i = 0; i < 4; i++) {
        const b = Math.min(32, Math.max(0, e.prefix - 32 * i));
        end[i] = (e.w[i] | (b === 32 ? 0 : (0xffffffff >>> b))) >>> 0;
      }
      if (have && compare6(e.w, 0, prevEnd, 0) <= 0) continue;
      f6.push(...e.w);
      l6.push(...end);
      prevEnd.set(end);
      have = true;
    }
    this.#v4First = new Uint32Array(0);
    this.#v4Prefix = new Uint8Array(0);
    this.#v6 = [];
    return new IpRangeSet(f4.slice(0, m), l4.slice(0, m), Uint32Array.from(f6), Uint32Array.from(l6));
  }
}

/**
 * Sorts the entries in place by (first address, prefix) unless they are in that order already (published
 * lists usually are). A stable LSD radix sort — prefix, then the low and the high 16 bits of the address,
 * moving the pairs themselves so every pass reads in order — is O(n) with no comparator calls.
 */
function sortEntries(first: Uint32Array, prefix: Uint8Array, n: number): void {
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = first[i - 1] < first[i] || (first[i - 1] === first[i] && prefix[i - 1] <= prefix[i]);
  }
  if (sorted) return;
  let f: Uint32Array = first, p: Uint8Array = prefix;
  let g: Uint32Array = new Uint32Array(n), q: Uint8Array = new Uint8Array(n);
  const count = new Uint32Array(65_537);
  for (let pass = 0; pass < 3; pass++) {
    const buckets = pass === 0 ? 33 : 65_536, shift = pass === 2 ? 16 : 0;
    count.fill(0, 0, buckets + 1);
    if (pass === 0) { for (let k = 0; k < n; k++) count[p[k] + 1]++; }
    else for (let k = 0; k < n; k++) count[((f[k] >>> shift) & 0xffff) + 1]++;
    for (let b = 0; b < buckets; b++) count[b + 1] += count[b];
    for (let k = 0; k < n; k++) {
      const d = pass === 0 ? p[k] : (f[k] >>> shift) & 0xffff;
      const at = count[d]++;
      g[at] = f[k];
      q[at] = p[k];
    }
    [f, g] = [g, f];
    [p, q] = [q, p];
  }
  // three passes: the result is in the spare arrays
  first.set(f.subarray(0, n));
  prefix.set(p.subarray(0, n));
}

/** Compares the IPv6 addresses of 4 words at `ao` in `a` and `bo` in `b`: < 0, 0, > 0. */
function compare6(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number): number {
  for (let i = 0; i < 4; i++) {
    const d = a[ao + i] - b[bo + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Sorted, non-overlapping networks of both families; see the module comment. */
export class IpRangeSet {
  readonly #f4: Uint32Array;
  readonly #l4: Uint32Array;
  readonly #f6: Uint32Array;
  readonly #l6: Uint32Array;

  constructor(f4: Uint32Array, l4: Uint32Array, f6: Uint32Array, l6: Uint32Array) {
    this.#f4 = f4;
    this.#l4 = l4;
    this.#f6 = f6;
    this.#l6 = l6;
  }

  /** An empty set. */
  static empty(): IpRangeSet {
    return new IpRangeSet(new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0));
  }

  /** IPv4 entries kept. */
  get sizeV4(): number {
    return this.#f4.length;
  }

  /** IPv6 entries kept. */
  get sizeV6(): number {
    return this.#f6.length >> 2;
  }

  /** Bytes of the typed arrays. */
  get bytes(): number {
    return this.#f4.byteLength + this.#l4.byteLength + this.#f6.byteLength + this.#l6.byteLength;
  }

  /**
   * The entry holding the address of `family` at words `w[o…]` (IPv4 in word 0), or -1. IPv4 entries are
   * numbered 0…sizeV4-1, IPv6 ones from sizeV4 on. No allocation.
   */
  find(family: number, w: ArrayLike<number>, o: number): number {
    if (family === 4) {
      const a = w[o] >>> 0, f = this.#f4;
      let lo = 0, hi = f.length - 1, at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (f[mid] <= a) {
          at = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return at >= 0 && a <= this.#l4[at] ? at : -1;
    }
    if (family !== 6) return -1;
    const f = this.#f6;
    let lo = 0, hi = (f.length >> 2) - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare6(f, mid << 2, w, o) <= 0) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && compare6(w, o, this.#l6, at << 2) <= 0 ? at + this.#f4.length : -1;
  }

  /** Entry `i` as `address/prefix`. */
  entryText(i: number): string {
    if (i < this.#f4.length) {
      const size = this.#l4[i] - this.#f4[i] + 1;
      return `${formatIpv4(this.#f4[i])}/${32 - Math.round(Math.log2(size))}`;
    }
    const o = (i - this.#f4.length) << 2;
    let host = 0;
    for (let k = 3; k >= 0; k--) {
      const diff = (this.#l6[o + k] ^ this.#f6[o + k]) >>> 0;
      if (diff === 0) break;
      host += 32 - Math.clz32(diff);
      if (diff !== 0xffffffff) break;
    }
    return `${formatIpv6(this.#f6, o)}/${128 - host}`;
  }
}
