/**
 * The flows of the minute in progress, per 5-tuple: what each carried in this minute, summed over the
 * intervals the flow table closed, with its first and last packet and where its records came from. Keyed
 * by the 5-tuple rather than by flow id, because the table reuses an id as soon as a flow ends.
 *
 * Open addressing over typed arrays, filled once per interval per active flow, emptied once a minute: no
 * allocation per flow. Past `capacity` flows a minute, further new flows are not kept here (counted in
 * `notKept`); the host and subnet sums, made elsewhere from the same pass, still count them.
 */
import type { MinuteFlowColumns } from "../events/mod.ts";
import { type FlowTable, TopK } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";

const EMPTY = -1;
/** Rows allocated at first; doubled as needed up to the capacity. */
const INITIAL_ROWS = 4096;

/** Index slots for `rows` rows: a power of two, at least twice as many. */
function slotsFor(rows: number): number {
  let slots = 16;
  while (slots < rows * 2) slots *= 2;
  return slots;
}

/** An empty index of `slots` slots: pairs of (row or EMPTY, the key's hash). */
function newIndex(slots: number): Int32Array {
  return new Int32Array(slots * 2).fill(EMPTY);
}

/** to[i] = from[refs[i]] for i < n. */
function gather<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(
  to: T,
  from: T,
  refs: Int32Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) to[i] = from[refs[i]];
}

/** The same for columns of four words a row. */
function gather4(to: Uint32Array, from: Uint32Array, refs: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = refs[i] << 2, o = i << 2;
    to[o] = from[k];
    to[o + 1] = from[k + 1];
    to[o + 2] = from[k + 2];
    to[o + 3] = from[k + 3];
  }
}

/** Columns of `n` rows. */
export function createMinuteFlowColumns(n: number): MinuteFlowColumns {
  return {
    count: 0,
    family: new Uint8Array(n),
    src: new Uint32Array(n * 4),
    dst: new Uint32Array(n * 4),
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    proto: new Uint8Array(n),
    tcpFlags: new Uint8Array(n),
    bytes: new Float64Array(n),
    packets: new Float64Array(n),
    firstMs: new Float64Array(n),
    lastMs: new Float64Array(n),
    exporter: new Uint16Array(n),
    exporterMask: new Uint32Array(n),
    inIf: new Uint32Array(n),
    outIf: new Uint32Array(n),
    srcAs: new Uint32Array(n),
    dstAs: new Uint32Array(n),
  };
}

/** The minute's flows by 5-tuple. */
export class MinuteFlows {
  readonly capacity: number;
  #rows: MinuteFlowColumns;
  /**
   * Pairs of (row or EMPTY, its key's hash): a probe compares the hash beside the row first, so a key that
   * only shares the slot costs no read of the row's columns (each a cache miss once the minute holds tens of
   * thousands of flows, and past the capacity every flow not kept probes to an empty slot).
   */
  #index: Int32Array;
  #mask: number;
  /** The hash of the key #slotOf looked up last, stored with the row when it is added there. */
  #hash = 0;
  /** Distinct flows offered this minute that did not fit. */
  notKept = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    // Rows as the minutes need them, up to capacity: 80,000 rows allocated up front were ~15 ms of a
    // replay's start, for minutes that mostly hold fewer.
    this.#rows = createMinuteFlowColumns(Math.min(capacity, INITIAL_ROWS));
    const slots = slotsFor(this.#rows.family.length);
    this.#index = newIndex(slots);
    this.#mask = slots - 1;
  }

  /** Flows held. */
  get size(): number {
    return this.#rows.count;
  }

  /**
   * Adds what flow `id` of `t` carried in an interval: `bytes`, `packets`, its packets between `firstMs`
   * and `lastMs`, its TCP flags and (from the table's origins) its latest record's exporter and interfaces.
   * `offeredBefore`: the flow was offered at an earlier interval of this minute (if it did not fit then, it
   * is already counted in {@link notKept}). Returns false when the flow is not kept: the minute is full, and
   * stays so until {@link clear}.
   */
  add(
    t: FlowTable,
    id: number,
    bytes: number,
    packets: number,
    firstMs: number,
    lastMs: number,
    offeredBefore = false,
  ): boolean {
    const rows = this.#rows, a = id << 2;
    const fam = t.family[id], sp = t.srcPort[id], dp = t.dstPort[id], pr = t.proto[id];
    const s = t.src, d = t.dst;
    const slot = this.#slotOf(fam, s, a, d, a, sp, dp, pr);
    let r = this.#index[slot << 1];
    if (r === EMPTY) {
      if (rows.count === this.capacity) {
        if (!offeredBefore) this.notKept++;
        return false;
      }
      if (rows.count === rows.family.length) {
        this.#grow();
        return this.add(t, id, bytes, packets, firstMs, lastMs, offeredBefore);
      }
      r = rows.count++;
      this.#index[slot << 1] = r;
      this.#index[(slot << 1) + 1] = this.#hash;
      const k = r << 2;
      for (let w = 0; w < 4; w++) {
        rows.src[k + w] = s[a + w];
        rows.dst[k + w] = d[a + w];
      }
      rows.family[r] = fam;
      rows.srcPort[r] = sp;
      rows.dstPort[r] = dp;
      rows.proto[r] = pr;
      rows.tcpFlags[r] = 0;
      rows.bytes[r] = 0;
      rows.packets[r] = 0;
      rows.firstMs[r] = firstMs;
      rows.lastMs[r] = lastMs;
      rows.exporterMask[r] = 0;
    }
    rows.bytes[r] += bytes;
    rows.packets[r] += packets;
    rows.tcpFlags[r] |= t.tcpFlags(id);
    if (firstMs < rows.firstMs[r]) rows.firstMs[r] = firstMs;
    if (lastMs > rows.lastMs[r]) rows.lastMs[r] = lastMs;
    const o = t.origins;
    rows.exporter[r] = o ? o.exporter[id] : 0;
    if (o) rows.exporterMask[r] |= o.exporterMask[id];
    rows.inIf[r] = o ? o.inIf[id] : 0;
    rows.outIf[r] = o ? o.outIf[id] : 0;
    rows.srcAs[r] = o ? o.srcAs[id] : 0;
    rows.dstAs[r] = o ? o.dstAs[id] : 0;
    return true;
  }

  /**
   * The `limit` flows with the most octets (ties: the earlier), as new columns, with their exporters
   * numbered into `exporters` (1 + index; `exporterAddress` names the table's numbers).
   */
  top(
    limit: number,
    exporterAddress: (n: number) => string,
  ): { flows: MinuteFlowColumns; exporters: string[] } {
    const rows = this.#rows, n = rows.count;
    const refs = this.#largest(Math.min(limit, n));
    const out = createMinuteFlowColumns(refs.length);
    // Column by column (one small loop each, quick to optimise), not row by row over every column.
    const k = refs.length;
    gather(out.family, rows.family, refs, k);
    gather4(out.src, rows.src, refs, k);
    gather4(out.dst, rows.dst, refs, k);
    gather(out.srcPort, rows.srcPort, refs, k);
    gather(out.dstPort, rows.dstPort, refs, k);
    gather(out.proto, rows.proto, refs, k);
    gather(out.tcpFlags, rows.tcpFlags, refs, k);
    gather(out.bytes, rows.bytes, refs, k);
    gather(out.packets, rows.packets, refs, k);
    gather(out.firstMs, rows.firstMs, refs, k);
    gather(out.lastMs, rows.lastMs, refs, k);
    gather(out.exporterMask, rows.exporterMask, refs, k);
    gather(out.inIf, rows.inIf, refs, k);
    gather(out.outIf, rows.outIf, refs, k);
    gather(out.srcAs, rows.srcAs, refs, k);
    gather(out.dstAs, rows.dstAs, refs, k);
    // Exporters numbered in the order the kept flows name them.
    const exporters: string[] = [];
    const numbered = new Map<number, number>();
    for (let i = 0; i < k; i++) {
      const e = rows.exporter[refs[i]];
      if (e === 0) continue;
      let m = numbered.get(e);
      if (m === undefined) {
        exporters.push(exporterAddress(e));
        numbered.set(e, m = exporters.length);
      }
      out.exporter[i] = m;
    }
    out.count = refs.length;
    return { flows: out, exporters };
  }

  /**
   * The rows of the `k` flows with the most octets, most first (ties: the earlier row). Octets are whole
   * numbers, so while the largest leaves room for the row number below 2^53 each row is one number,
   * octets × 2^bits + the row number reversed, and a native sort of those does what a heap with a
   * comparison per step did at a quarter of the cost; otherwise the heap.
   */
  #largest(k: number): Int32Array {
    const rows = this.#rows, n = rows.count, bytes = rows.bytes, refs = new Int32Array(k);
    if (k === 0) return refs;
    const span = 2 ** (32 - Math.clz32(n)); // > every row number
    let whole = true, max = 0;
    for (let r = 0; r < n; r++) {
      const b = bytes[r];
      if (b > max) max = b;
      if (!Number.isInteger(b) || b < 0) whole = false;
    }
    if (whole && max * span + span <= Number.MAX_SAFE_INTEGER) {
      const keys = new Float64Array(n);
      for (let r = 0; r < n; r++) keys[r] = bytes[r] * span + (span - 1 - r);
      keys.sort();
      for (let i = 0; i < k; i++) refs[i] = span - 1 - (keys[n - 1 - i] % span);
      return refs;
    }
    const heap = new TopK(k);
    for (let r = 0; r < n; r++) heap.offer(bytes[r], -r, r);
    refs.set(heap.drain().refs);
    return refs;
  }

  /**
   * Conversations seen in both directions whose directions were reported by exporters with none in
   * common (out through one router, back through another), counted per exporter pair.
   */
  asymmetry(
    exporterAddress: (n: number) => string,
  ): Map<string, { conversations: number; bytes: number; sample: string[] }> {
    const rows = this.#rows,
      out = new Map<string, { conversations: number; bytes: number; sample: string[] }>();
    for (let r = 0; r < rows.count; r++) {
      const m = rows.exporterMask[r], k = r << 2;
      if (m === 0) continue;
      const slot = this.#slotOf(
        rows.family[r],
        rows.dst,
        k,
        rows.src,
        k,
        rows.dstPort[r],
        rows.srcPort[r],
        rows.proto[r],
      );
      const back = this.#index[slot << 1];
      // Each conversation once: from the row with the lower index.
      if (
        back === EMPTY || back < r || rows.exporterMask[back] === 0 || (rows.exporterMask[back] & m) !== 0
      ) continue;
      const a = exporterAddress(rows.exporter[r]), b = exporterAddress(rows.exporter[back]);
      const pair = a < b ? `${a}|${b}` : `${b}|${a}`;
      let p = out.get(pair);
      if (p === undefined) out.set(pair, p = { conversations: 0, bytes: 0, sample: [] });
      p.conversations++;
      p.bytes += rows.bytes[r] + rows.bytes[back];
      if (p.sample.length < 5) {
        p.sample.push(
          `${formatIp(rows.family[r], rows.src, k)}:${rows.srcPort[r]} ⇄ ${
            formatIp(rows.family[r], rows.dst, k)
          }:${rows.dstPort[r]} (out via ${a}, back via ${b})`,
        );
      }
    }
    return out;
  }

  /** The slot of a key: the row holding it, or the EMPTY slot where it would go. */
  #slotOf(
    fam: number,
    s: Uint32Array,
    a: number,
    d: Uint32Array,
    b: number,
    sp: number,
    dp: number,
    pr: number,
  ): number {
    const rows = this.#rows;
    let h = Math.imul(s[a] ^ fam, 0x9e3779b1) ^ Math.imul(d[b] ^ 0x7f4a7c15, 0x85ebca77) ^
      Math.imul(((sp << 16) | dp) ^ (pr << 8), 0xcc9e2d51);
    if (fam === 6) {
      h ^= Math.imul(s[a + 1] ^ s[a + 2] ^ s[a + 3] ^ d[b + 1] ^ d[b + 2] ^ d[b + 3], 0x27d4eb2f);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    this.#hash = h;
    for (let slot = h & this.#mask;; slot = (slot + 1) & this.#mask) {
      const r = this.#index[slot << 1];
      if (r === EMPTY) return slot;
      if (this.#index[(slot << 1) + 1] !== h) continue;
      const k = r << 2;
      if (
        rows.family[r] === fam && rows.srcPort[r] === sp && rows.dstPort[r] === dp && rows.proto[r] === pr &&
        rows.src[k] === s[a] && rows.dst[k] === d[b] && rows.src[k + 1] === s[a + 1] &&
        rows.src[k + 2] === s[a + 2] && rows.src[k + 3] === s[a + 3] && rows.dst[k + 1] === d[b + 1] &&
        rows.dst[k + 2] === d[b + 2] && rows.dst[k + 3] === d[b + 3]
      ) return slot;
    }
  }

  /** Room for `n` rows (at most capacity) at once, rather than by doubling as they come. */
  reserve(n: number): void {
    if (this.#rows.family.length < Math.min(n, this.capacity)) this.#grow(n);
  }

  /** Twice the rows or `atLeast` (at most capacity), the index rebuilt. */
  #grow(atLeast = 0): void {
    const old = this.#rows, n = old.count;
    const rows = createMinuteFlowColumns(Math.min(this.capacity, Math.max(old.family.length * 2, atLeast)));
    for (const key of Object.keys(rows) as (keyof MinuteFlowColumns)[]) {
      const to = rows[key], from = old[key];
      if (typeof to !== "number") (to as Uint32Array).set(from as Uint32Array);
    }
    rows.count = n;
    this.#rows = rows;
    const slots = slotsFor(rows.family.length);
    this.#index = newIndex(slots);
    this.#mask = slots - 1;
    for (let r = 0; r < n; r++) {
      const k = r << 2;
      const slot = this.#slotOf(
        rows.family[r],
        rows.src,
        k,
        rows.dst,
        k,
        rows.srcPort[r],
        rows.dstPort[r],
        rows.proto[r],
      );
      this.#index[slot << 1] = r;
      this.#index[(slot << 1) + 1] = this.#hash;
    }
  }

  /** Forgets every flow: a new minute. */
  clear(): void {
    this.#rows.count = 0;
    this.#index.fill(EMPTY);
    this.notKept = 0;
  }
}
