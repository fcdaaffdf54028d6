/**
 * Community IDs kept per flow id, so a flow is hashed once however often it is shown (every /flows
 * page, CSV export and replay document renders it). Each entry remembers the key it was computed
 * from and is recomputed when the id now holds another flow, so the flow table needs no hook.
 * Memory grows with the highest id rendered (about 90 bytes a flow: the key words and the string),
 * never per packet.
 */
import { communityId } from "./community_id.ts";
import type { FlowTable } from "./flow_table.ts";

/** Key words kept per id: source 4, destination 4, ports, protocol | family << 8. */
const KW = 10;

/** The Community IDs of one table's flows. */
export class CommunityIdCache {
  #ids: (string | undefined)[] = [];
  #keys = new Uint32Array(0);
  /** Lookups answered from the cache. */
  hits = 0;
  /** Lookups that hashed. */
  misses = 0;

  /** The Community ID (seed 0) of flow `id` of `table`. */
  get(table: FlowTable, id: number): string {
    const fam = table.family[id], src = table.src, dst = table.dst, a = id << 2;
    const ports = (table.srcPort[id] << 16 | table.dstPort[id]) >>> 0;
    const pf = table.proto[id] | (fam << 8);
    const k = this.#keys, o = id * KW;
    const cached = this.#ids[id];
    if (
      cached !== undefined && k[o + 8] === ports && k[o + 9] === pf && k[o] === src[a] &&
      k[o + 4] === dst[a] &&
      (fam === 4 ||
        (k[o + 1] === src[a + 1] && k[o + 2] === src[a + 2] && k[o + 3] === src[a + 3] &&
          k[o + 5] === dst[a + 1] && k[o + 6] === dst[a + 2] && k[o + 7] === dst[a + 3]))
    ) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const cid = communityId(fam, src, a, dst, a, table.proto[id], table.srcPort[id], table.dstPort[id]);
    if (o + KW > this.#keys.length) this.#grow(id, table.capacity);
    const kk = this.#keys;
    for (let i = 0; i < 4; i++) {
      kk[o + i] = src[a + i];
      kk[o + 4 + i] = dst[a + i];
    }
    kk[o + 8] = ports;
    kk[o + 9] = pf;
    this.#ids[id] = cid;
    return cid;
  }

  #grow(id: number, capacity: number): void {
    const n = Math.min(capacity, Math.max(1024, (id + 1) * 2));
    const next = new Uint32Array(n * KW);
    next.set(this.#keys);
    this.#keys = next;
  }
}

const caches = new WeakMap<FlowTable, CommunityIdCache>();

/** The cache of `table`, made on first use. */
export function communityIdCache(table: FlowTable): CommunityIdCache {
  let c = caches.get(table);
  if (c === undefined) caches.set(table, c = new CommunityIdCache());
  return c;
}
