/**
 * Filtering, sorting and paging over the live flow table without copying it: one pass over the flow
 * ids, comparing the numeric columns (address words, not strings), keeping the best `limit` matches in
 * a bounded binary heap. O(flows · log limit), nothing allocated per flow; only the page's ids come out.
 *
 * Order is total: (sort value, flow id), both descending for `desc` and both ascending for `asc`, so a
 * page ends at one exact key and the next page starts strictly after it (keyset pagination). While the
 * table does not change, walking the pages visits every matching flow exactly once; while capture runs,
 * a flow whose counters move across the cursor between two requests can be seen twice or not at all.
 */
import type { Cidr as CidrWords, IpWords } from "../net/mod.ts";
import type { FlowTable } from "./flow_table.ts";
import { visibilityOf } from "./flow_visibility.ts";
import { threatsOf } from "./flow_threats.ts";

export type { CidrWords, IpWords };

/** Every condition a flow (or an anomaly) must meet; absent ones match everything. */
export interface FlowFilter {
  /** Either side is this address. */
  ip?: IpWords;
  /** The source is this address. */
  srcIp?: IpWords;
  /** The destination is this address. */
  dstIp?: IpWords;
  /** Either side is inside this network. */
  cidr?: CidrWords;
  /** Either port is this one (TCP, UDP and SCTP only: ICMP's type and code are not ports). */
  port?: number;
  /** IP protocol number. */
  protocol?: number;
  /** At least this many bytes. */
  minBytes?: number;
  /** Active at or after this time (ms since the epoch): last packet ≥ since. */
  sinceMs?: number;
  /** Active at or before this time: first packet ≤ until. */
  untilMs?: number;
  /** The flow's server name is this name or a name under it, lower case ("example.com" takes "www.example.com"). */
  name?: string;
  /** Only flows whose source or destination is on a block list (flow_threats.ts). */
  blocklisted?: boolean;
  /** Only flows whose attack score is at least this (0–1). */
  minAttackScore?: number;
}

/** What a flow listing can be sorted by. */
export type FlowSort = "bytes" | "packets" | "last_seen" | "first_seen";
/** The accepted sort keys, in the order the API documents them. */
export const FLOW_SORTS: readonly FlowSort[] = ["bytes", "packets", "last_seen", "first_seen"];
/** Sort direction. */
export type SortOrder = "desc" | "asc";

/** The last item of a page: where the next page starts (exclusive). */
export interface PageKey {
  /** Its sort value. */
  value: number;
  /** Its id (flow id; for anomalies, the bus id). */
  id: number;
}

/** One request for flows. */
export interface FlowQuery {
  /** Conditions. */
  filter: FlowFilter;
  /** Sort key. */
  sort: FlowSort;
  /** Direction. */
  order: SortOrder;
  /** Page size, ≥ 1. */
  limit: number;
  /** Start after this key (from the previous page's last item). */
  after?: PageKey;
}

/** One page of flows. */
export interface FlowPage {
  /** Flow ids in output order. */
  ids: number[];
  /** Flows matching the filter, on every page. */
  totalMatched: number;
  /** Where the next page starts, or null when this page is the last. */
  next: PageKey | null;
}

/** Ports mean ports only for these (RFC 793 TCP, RFC 768 UDP, RFC 9260 SCTP); others hold ICMP type/code or 0. */
export function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}

/** True when the address words at `o` equal `a` (same family). */
function sameAddress(a: IpWords, family: number, w: ArrayLike<number>, o: number): boolean {
  if (a.family !== family) return false;
  const x = a.words;
  if (x[0] !== w[o]) return false;
  return family === 4 || (x[1] === w[o + 1] && x[2] === w[o + 2] && x[3] === w[o + 3]);
}

/** True when the address words at `o` lie in `n` (same family). */
export function inNetwork(n: CidrWords, family: number, w: ArrayLike<number>, o: number): boolean {
  if (n.family !== family) return false;
  const net = n.network, m = n.mask;
  if (((w[o] & m[0]) >>> 0) !== net[0]) return false;
  return family === 4 ||
    (((w[o + 1] & m[1]) >>> 0) === net[1] && ((w[o + 2] & m[2]) >>> 0) === net[2] &&
      ((w[o + 3] & m[3]) >>> 0) === net[3]);
}

/** The address conditions of `f` (ip, srcIp, dstIp, cidr) against one endpoint pair. */
export function addressesMatch(
  f: FlowFilter,
  family: number,
  src: ArrayLike<number>,
  srcOff: number,
  dst: ArrayLike<number>,
  dstOff: number,
): boolean {
  if (f.srcIp && !sameAddress(f.srcIp, family, src, srcOff)) return false;
  if (f.dstIp && !sameAddress(f.dstIp, family, dst, dstOff)) return false;
  if (f.ip && !sameAddress(f.ip, family, src, srcOff) && !sameAddress(f.ip, family, dst, dstOff)) {
    return false;
  }
  if (f.cidr && !inNetwork(f.cidr, family, src, srcOff) && !inNetwork(f.cidr, family, dst, dstOff)) {
    return false;
  }
  return true;
}

/**
 * The address, port and protocol conditions of `f` against one endpoint pair (flows and anomalies
 * alike). Counters and times are checked by the caller, which knows where they are held.
 */
export function endpointsMatch(
  f: FlowFilter,
  family: number,
  src: ArrayLike<number>,
  srcOff: number,
  dst: ArrayLike<number>,
  dstOff: number,
  srcPort: number,
  dstPort: number,
  proto: number,
): boolean {
  if (f.protocol !== undefined && proto !== f.protocol) return false;
  if (f.port !== undefined && !(hasPorts(proto) && (srcPort === f.port || dstPort === f.port))) return false;
  return addressesMatch(f, family, src, srcOff, dst, dstOff);
}

/**
 * Keeps the `capacity` greatest (value, key) pairs seen, each with a `ref`, in a min-heap: the root is
 * the smallest kept pair, so most candidates cost one comparison. Ask for descending order by giving
 * (value, id); ascending by giving (−value, −id).
 */
export class TopK {
  /** Pairs kept at most. */
  readonly capacity: number;
  #v: Float64Array;
  #k: Float64Array;
  #ref: Int32Array;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#v = new Float64Array(capacity);
    this.#k = new Float64Array(capacity);
    this.#ref = new Int32Array(capacity);
  }

  /** Pairs held. */
  get size(): number {
    return this.#size;
  }

  /** The smallest kept value once full (a candidate below it is refused), −Infinity before. */
  get threshold(): number {
    return this.#size === this.capacity ? this.#v[0] : -Infinity;
  }

  /** The key of the smallest kept pair once full (a candidate equal to the threshold needs a greater key). */
  get thresholdKey(): number {
    return this.#size === this.capacity ? this.#k[0] : -Infinity;
  }

  /** Offers a candidate; kept when there is room or it beats the smallest kept pair. */
  offer(value: number, key: number, ref: number): void {
    // Small enough to be inlined into the caller's loop, where nearly every candidate stops here.
    if (this.#size === this.capacity) {
      const v0 = this.#v[0];
      if (value < v0 || (value === v0 && key <= this.#k[0])) return;
      this.#siftDown(value, key, ref, this.#size);
    } else this.#push(value, key, ref);
  }

  #push(value: number, key: number, ref: number): void {
    const v = this.#v, k = this.#k, r = this.#ref;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (v[p] < value || (v[p] === value && k[p] < key)) break;
      v[i] = v[p];
      k[i] = k[p];
      r[i] = r[p];
      i = p;
    }
    v[i] = value;
    k[i] = key;
    r[i] = ref;
  }

  /** Places (value, key, ref) at the root and moves it down within the first `n` slots. */
  #siftDown(value: number, key: number, ref: number, n: number): void {
    const v = this.#v, k = this.#k, r = this.#ref;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (v[c + 1] < v[c] || (v[c + 1] === v[c] && k[c + 1] < k[c]))) c++;
      if (value < v[c] || (value === v[c] && key < k[c])) break;
      v[i] = v[c];
      k[i] = k[c];
      r[i] = r[c];
      i = c;
    }
    v[i] = value;
    k[i] = key;
    r[i] = ref;
  }

  /** Empties the heap, returning the refs greatest pair first (and the last pair's value and key). */
  drain(): { refs: number[]; lastValue: number; lastKey: number } {
    const n = this.#size;
    const refs = new Array<number>(n);
    let lastValue = NaN, lastKey = NaN;
    // Popping the minimum n times fills the output from its end.
    for (let end = n; end > 0; end--) {
      const v = this.#v, k = this.#k, r = this.#ref;
      refs[end - 1] = r[0];
      if (end === n) {
        lastValue = v[0];
        lastKey = k[0];
      }
      this.#siftDown(v[end - 1], k[end - 1], r[end - 1], end - 1);
    }
    this.#size = 0;
    return { refs, lastValue, lastKey };
  }
}

/** The flow's server name is `want` or ends in "." + `want` (per flow, only when a name is asked for). */
/** The block-list and attack-score conditions of `f` against flow `id`. */
function threatMatches(v: ReturnType<typeof threatsOf>, id: number, f: FlowFilter): boolean {
  v.sync(id);
  if (f.blocklisted !== undefined && v.listed.has(id) !== f.blocklisted) return false;
  return f.minAttackScore === undefined || v.attackScore[id] >= Math.fround(f.minAttackScore);
}

function nameMatches(table: FlowTable, id: number, want: string): boolean {
  const n = visibilityOf(table).nameOf(id)?.name;
  if (n === undefined) return false;
  return n === want || (n.length > want.length && n.endsWith(want) && n[n.length - want.length - 1] === ".");
}

const SORT_CODE: Record<FlowSort, number> = { bytes: 0, packets: 1, last_seen: 2, first_seen: 3 };

/** One page of the flows matching `q`, read from the live table in one pass. */
export function queryFlows(table: FlowTable, q: FlowQuery): FlowPage {
  const f = q.filter;
  const sign = q.order === "desc" ? 1 : -1;
  const sortCode = SORT_CODE[q.sort];
  const family = table.family, src = table.src, dst = table.dst;
  const srcPort = table.srcPort, dstPort = table.dstPort, proto = table.proto;
  const addresses = f.ip !== undefined || f.srcIp !== undefined || f.dstIp !== undefined ||
    f.cidr !== undefined;
  const wantProto = f.protocol ?? -1, wantPort = f.port ?? -1;
  const minBytes = f.minBytes ?? 0;
  const since = f.sinceMs ?? -Infinity, until = f.untilMs ?? Infinity;
  const timed = f.sinceMs !== undefined || f.untilMs !== undefined;
  const hasAfter = q.after !== undefined;
  const threats = f.blocklisted !== undefined || f.minAttackScore !== undefined ? threatsOf(table) : null;
  // In heap space (sign-adjusted) a candidate comes after the cursor when it is strictly smaller.
  const afterV = hasAfter ? sign * q.after!.value : 0, afterK = hasAfter ? sign * q.after!.id : 0;
  const heap = new TopK(q.limit);
  const hw = table.highWater;
  let matched = 0, pending = 0;
  // Ids are handed out in arrival order until freed ones are reused, so times (and often counters)
  // grow with the id: scanning from the end the order favours meets the best flows first, and
  // nearly every later candidate is refused by one comparison instead of entering the heap.
  const step = sign, end = sign > 0 ? -1 : hw;
  for (let id = sign > 0 ? hw - 1 : 0; id !== end; id -= step) {
    const fam = family[id];
    if (fam === 0) continue;
    if (wantProto >= 0 && proto[id] !== wantProto) continue;
    if (wantPort >= 0) {
      if (!hasPorts(proto[id]) || (srcPort[id] !== wantPort && dstPort[id] !== wantPort)) continue;
    }
    if (minBytes > 0 && table.bytes(id) < minBytes) continue;
    if (timed && (table.lastSeen(id) < since || table.firstSeen(id) > until)) continue;
    if (addresses && !addressesMatch(f, fam, src, id << 2, dst, id << 2)) continue;
    if (f.name !== undefined && !nameMatches(table, id, f.name)) continue;
    if (threats !== null && !threatMatches(threats, id, f)) continue;
    matched++;
    let v: number;
    switch (sortCode) {
      case 0:
        v = table.bytes(id);
        break;
      case 1:
        v = table.packets(id);
        break;
      case 2:
        v = table.lastSeen(id);
        break;
      default:
        v = table.firstSeen(id);
    }
    v *= sign;
    const k = sign * id;
    if (hasAfter && !(v < afterV || (v === afterV && k < afterK))) continue;
    pending++;
    heap.offer(v, k, id);
  }
  const { refs, lastValue, lastKey } = heap.drain();
  const next = pending > refs.length ? { value: sign * lastValue, id: sign * lastKey } : null;
  return { ids: refs, totalMatched: matched, next };
}
