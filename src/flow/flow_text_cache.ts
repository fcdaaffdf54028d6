/**
 * The JSON text of flows rendered recently, reused while the flow is unchanged: `/flows` answers rounds of
 * different queries many times a second, and the same flows (the top ones by bytes, the oldest, the
 * newest) are on most of their pages. Rendering a flow (addresses and times as text, the Community ID,
 * names, TCP health, threats) and serialising it cost 4–6 µs here, about half of a page's time; with
 * 64 different queries a round over 100 k flows, 1,700 different flows were rendered each round.
 *
 * A text is reused only while the flow in that row is the same flow (its generation) with the same
 * packets, bytes, last packet and baseline intervals, so counters and times are always current, and the same
 * block-list hit: `/flows?blocklisted=` filters on the hit as it is now, and a page of listed flows must not
 * show one as unlisted because its text was rendered before a reloaded list named it. What else changes
 * without the flow's counters (a name learned later from DNS, the attack score of the interval just closed)
 * shows at most `maxAgeMs` late: after that the text is rendered again.
 * Bounded: at most `maxEntries` texts; when full, the oldest quarter goes; prune() forgets the old ones.
 */
import { flowToJson } from "./flow_json.ts";
import type { FlowTable } from "./flow_table.ts";
import { threatsOf } from "./flow_threats.ts";

interface Entry {
  text: string;
  generation: number;
  packets: number;
  bytes: number;
  lastSeen: number;
  intervals: number;
  /** The block-list hit the text shows (undefined: none). */
  listed: { readonly list: string; readonly entry: string } | undefined;
  renderedAt: number;
}

/** Options of a {@link FlowTextCache}. */
export interface FlowTextCacheOptions {
  /** Intervals after which a baseline counts as mature (flowToJson's `warmup`). @default 5 */
  warmupIntervals?: number;
  /** Texts kept at most. @default 8192 */
  maxEntries?: number;
  /** How long a text is reused when the flow's counters have not changed, ms. @default 1000 */
  maxAgeMs?: number;
}

/** See the module comment. One per table. */
export class FlowTextCache {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly warmupIntervals: number;
  #entries = new Map<number, Entry>();
  /** Texts reused. */
  hits = 0;
  /** Texts rendered. */
  misses = 0;

  constructor(readonly table: FlowTable, opts: FlowTextCacheOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 8192);
    this.maxAgeMs = opts.maxAgeMs ?? 1000;
    this.warmupIntervals = opts.warmupIntervals ?? 5;
  }

  /** Texts held. */
  get size(): number {
    return this.#entries.size;
  }

  /** `JSON.stringify(flowToJson(table, id, warmupIntervals))`, reused when still current at `nowMs`. */
  text(id: number, nowMs: number): string {
    const t = this.table, e = this.#entries.get(id);
    const generation = t.generation[id], packets = t.packets(id), bytes = t.bytes(id);
    const lastSeen = t.lastSeen(id), intervals = t.ewmaIntervals[id];
    const threats = threatsOf(t);
    threats.sync(id);
    const listed = threats.listed.get(id);
    if (
      e !== undefined && e.generation === generation && e.packets === packets && e.bytes === bytes &&
      e.lastSeen === lastSeen && e.intervals === intervals && e.listed === listed &&
      nowMs - e.renderedAt < this.maxAgeMs
    ) {
      this.hits++;
      return e.text;
    }
    this.misses++;
    const text = JSON.stringify(flowToJson(t, id, this.warmupIntervals));
    if (e !== undefined) {
      // Re-inserted, so the Map's order stays the order of rendering (the oldest go first when full).
      this.#entries.delete(id);
    } else if (this.#entries.size >= this.maxEntries) this.#evictOldest();
    this.#entries.set(id, {
      text,
      generation,
      packets,
      bytes,
      lastSeen,
      intervals,
      listed,
      renderedAt: nowMs,
    });
    return text;
  }

  /**
   * Forgets the texts rendered `maxAgeMs` or more before `nowMs`: they would be rendered again anyway, and a
   * dashboard that stopped asking should not leave thousands behind. The Map holds texts in the order they
   * were rendered, so this stops at the first one still young.
   */
  prune(nowMs: number): void {
    for (const [id, e] of this.#entries) {
      if (nowMs - e.renderedAt < this.maxAgeMs) break;
      this.#entries.delete(id);
    }
  }

  /** Drops the oldest quarter of the texts (at least one). */
  #evictOldest(): void {
    let n = Math.max(1, this.maxEntries >> 2);
    for (const id of this.#entries.keys()) {
      this.#entries.delete(id);
      if (--n === 0) break;
    }
  }
}
