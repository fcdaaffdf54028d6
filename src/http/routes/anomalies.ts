/**
 * `GET /anomalies`: the anomaly episodes the store holds (each as its latest event), with the same
 * filters, cursor and CSV as /flows. Sorted by `ts` (default, newest first), `bytes` (of the interval
 * that opened it) or `score`; ties by bus id, which the cursor carries.
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/anomalies?since=2024-05-01&format=csv'
 */
import { Hono } from "hono";
import type { AnomalyStore, StoredAnomaly } from "../../alert/mod.ts";
import { parseIp } from "../../net/mod.ts";
import { endpointsMatch, type SortOrder, TopK } from "../../flow/mod.ts";
import { CSV_CONTENT_TYPE, type FlatKeys, flattenRecord, toCsv } from "../csv.ts";
import {
  checkParameters,
  encodeCursor,
  nextPageLink,
  PAGE_PARAMETERS,
  parseChoice,
  parseCursor,
  parseFilterParameters,
  parsePageLimit,
  wantsCsv,
} from "../query_params.ts";

/** What /anomalies reads. */
export interface AnomaliesDeps {
  /** The recent anomalies. */
  anomalies: AnomalyStore;
}

/** What /anomalies can be sorted by. */
export type AnomalySort = "ts" | "bytes" | "score";
const ANOMALY_SORTS: readonly AnomalySort[] = ["ts", "bytes", "score"];

/** Every parameter /anomalies accepts. */
export const ANOMALIES_PARAMETERS: readonly string[] = PAGE_PARAMETERS;

/** CSV columns: every member of a stored anomaly, the bus id first, `baseline` flattened. */
export const ANOMALY_CSV_COLUMNS = [
  "id",
  "kind",
  "phase",
  "episode_id",
  "ts",
  "started_at",
  "ended_at",
  "duration_s",
  "scope",
  "subject",
  "direction",
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "community_id",
  "cidr",
  "rule",
  "bytes",
  "packets",
  "flows",
  "level_bytes",
  "baseline_source",
  "baseline_typical_bytes",
  "baseline_spread_factor",
  "baseline_intervals",
  "baseline_mature",
  "ratio",
  "score",
  "threshold_bytes",
  "k",
  "ratio_min",
  "min_bytes",
  "interval_s",
  "peak_bytes",
  "total_bytes",
  "excess_bytes",
  "intervals",
  "close_reason",
  "flow_bytes",
  "flow_packets",
  "unreported_same",
  "unreported_cap",
  "reason",
  "signals",
] as const satisfies readonly FlatKeys<StoredAnomaly>[];
// A member added to AnomalyEvent without a CSV column fails to compile here.
const _everyAnomalyColumn: [Exclude<FlatKeys<StoredAnomaly>, typeof ANOMALY_CSV_COLUMNS[number]>] extends
  [never] ? true
  : never = true;

/** The body of a JSON page. */
export interface AnomaliesPage {
  /** The anomalies on this page, in order. */
  anomalies: StoredAnomaly[];
  /** How many are on this page. */
  count: number;
  /** How many match the filter, on all pages. */
  total_matched: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** An anomaly's addresses and time in the numeric form the filters compare. */
interface Parsed {
  family: number;
  src: Uint32Array;
  dst: Uint32Array;
  tsMs: number;
}

/**
 * A host anomaly has one address (src_ip when it sent, dst_ip when it received); a subnet's is its
 * network's address, on the side of its direction.
 */
function parseAnomaly(e: StoredAnomaly): Parsed {
  const net = e.cidr === null ? undefined : parseIp(e.cidr.slice(0, e.cidr.indexOf("/")));
  const s = e.src_ip !== null ? parseIp(e.src_ip) : e.direction === "sent" ? net : undefined;
  const d = e.dst_ip !== null ? parseIp(e.dst_ip) : e.direction === "received" ? net : undefined;
  const family = s !== undefined && d !== undefined
    ? (s.family === d.family ? s.family : 0)
    : s?.family ?? d?.family;
  return {
    family: family ?? 0, // 0: no address filter matches
    src: s?.words ?? new Uint32Array(4),
    dst: d?.words ?? new Uint32Array(4),
    tsMs: Date.parse(e.ts),
  };
}

/** A finite number for the heap and the cursor (a score of ±Infinity sorts at its end). */
function sortable(x: number): number {
  return Number.isFinite(x) ? x : x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

/** The /anomalies sub-app (paths relative to the root; authentication is the app's). */
export function anomaliesRoutes(deps: AnomaliesDeps): Hono {
  // Stored events never change, so each is parsed once; entries go with the events the store drops.
  const parsed = new WeakMap<StoredAnomaly, Parsed>();
  const app = new Hono();
  app.get("/anomalies", (c) => {
    const url = new URL(c.req.url);
    const p = checkParameters(url.searchParams, ANOMALIES_PARAMETERS);
    const f = parseFilterParameters(p);
    const sort = parseChoice("sort", p.get("sort") ?? "ts", ANOMALY_SORTS);
    const order: SortOrder = parseChoice("order", p.get("order") ?? "desc", ["desc", "asc"]);
    const limit = parsePageLimit(p);
    const cursor = p.get("cursor");
    const after = cursor === undefined ? undefined : parseCursor("cursor", cursor, sort, order);
    const csv = wantsCsv("format", p.get("format"), c.req.header("accept"));

    const list = deps.anomalies.list();
    const sign = order === "desc" ? 1 : -1;
    const endpoints = f.ip !== undefined || f.srcIp !== undefined || f.dstIp !== undefined ||
      f.cidr !== undefined || f.port !== undefined || f.protocol !== undefined;
    const since = f.sinceMs ?? -Infinity, until = f.untilMs ?? Infinity;
    const afterV = after ? sign * after.value : 0, afterK = after ? sign * after.id : 0;
    const heap = new TopK(limit);
    let matched = 0, pending = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      let a = parsed.get(e);
      if (a === undefined) parsed.set(e, a = parseAnomaly(e));
      if (f.minBytes !== undefined && e.bytes < f.minBytes) continue;
      if (a.tsMs < since || a.tsMs > until) continue;
      if (
        endpoints &&
        !endpointsMatch(f, a.family, a.src, 0, a.dst, 0, e.src_port ?? -1, e.dst_port ?? -1, e.protocol ?? -1)
      ) continue;
      matched++;
      const v = sign * sortable(sort === "ts" ? a.tsMs : sort === "bytes" ? e.bytes : e.score);
      const k = sign * e.id;
      if (after && !(v < afterV || (v === afterV && k < afterK))) continue;
      pending++;
      heap.offer(v, k, i);
    }
    const { refs, lastValue, lastKey } = heap.drain();
    const anomalies = refs.map((i) => list[i]);
    const next = pending > refs.length
      ? encodeCursor({ sort, order, value: sign * lastValue, id: sign * lastKey })
      : null;

    c.header("Vary", "Accept");
    if (next !== null) {
      c.header("Link", `<${nextPageLink(url, next)}>; rel="next"`);
      c.header("X-Next-Cursor", next);
    }
    c.header("X-Total-Matched", String(matched));
    if (csv) {
      const rows = anomalies.map((a) => flattenRecord(a as unknown as Record<string, unknown>));
      return c.body(toCsv(ANOMALY_CSV_COLUMNS, rows), 200, { "Content-Type": CSV_CONTENT_TYPE });
    }
    const body: AnomaliesPage = {
      anomalies,
      count: anomalies.length,
      total_matched: matched,
      next_cursor: next,
    };
    return c.json(body);
  });
  return app;
}
