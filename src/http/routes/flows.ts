/**
 * `GET /flows`: the flow explorer for scripts. Filters, a sort, and pages with an opaque cursor over
 * the live flow table, as JSON or CSV. Every parameter is checked; an unknown one is a 400, so a typo
 * never silently returns everything.
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/flows?cidr=10.0.0.0/8&port=443&limit=20'
 */
import { Hono } from "hono";
import {
  FLOW_SORTS,
  type FlowJson,
  type FlowPage,
  type FlowQuery,
  type FlowSort,
  type FlowTable,
  FlowTextCache,
  flowToJson,
  queryFlowsMany,
  type SortOrder,
} from "../../flow/mod.ts";
import { BadParameter } from "../errors.ts";
import { CSV_CONTENT_TYPE, type FlatKeys, flattenRecord, toCsv } from "../csv.ts";
import { type FlowHistorySource, historyFlows } from "./flow_history.ts";
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

/** What /flows reads. */
export interface FlowsDeps {
  /** The live flow table (read in place, never copied). */
  table: FlowTable;
  /** Intervals after which a flow's baseline counts as mature (FLINTNET_ANOMALY_WARMUP_INTERVALS). */
  warmupIntervals: number;
  /** The per-minute flow history: a request with `since` is answered from it (flow_history.ts). */
  history?: FlowHistorySource;
}

/** Every parameter /flows accepts: the explorer's, and `name` (a server name, docs/visibility.md). */
export const FLOWS_PARAMETERS: readonly string[] = [
  ...PAGE_PARAMETERS,
  "name",
  "blocklisted",
  "min_attack_score",
];

/** `blocklisted`: 1/true for flows on a block list, 0/false for the others. */
function parseBlocklisted(v: string): boolean {
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  throw new BadParameter(
    "blocklisted",
    `blocklisted=${JSON.stringify(v.slice(0, 16))} is not valid: expected 1 or true (flows to or from a ` +
      "block-listed address), 0 or false (the others)",
  );
}

/** `min_attack_score`: a number from 0 to 1. */
function parseMinScore(v: string): number {
  const n = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 1)) {
    throw new BadParameter(
      "min_attack_score",
      `min_attack_score=${JSON.stringify(v.slice(0, 16))} is not valid: expected a number from 0 to 1`,
    );
  }
  return n;
}

/** Longest server name accepted (RFC 1035 §2.3.4: 253 characters of text). */
const MAX_NAME = 253;

/** `name`: a host name (letters, digits, "-", "_", "."), any case, a final dot ignored. */
/** Filters the live table can apply and the flow history cannot (it keeps none of what they test). */
const LIVE_ONLY_FILTERS = ["name", "blocklisted", "min_attack_score"] as const;

function parseNameParameter(v: string): string {
  const n = v.toLowerCase().replace(/\.$/, "");
  if (n.length === 0 || n.length > MAX_NAME || !/^[a-z0-9_.-]+$/.test(n) || n.includes("..")) {
    const shown = v.length > 64 ? v.slice(0, 64) + "…" : v;
    throw new BadParameter(
      "name",
      `name=${
        JSON.stringify(shown)
      } is not valid: expected a host name such as example.com (1–253 characters ` +
        "of letters, digits, '-', '_' and '.'); it matches that name and the names under it",
    );
  }
  return n;
}

/** CSV columns: the flow JSON's members in its own order, `baseline` flattened. */
export const FLOW_CSV_COLUMNS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "bytes",
  "packets",
  "first_seen",
  "last_seen",
  "duration_s",
  "tcp_flags",
  "baseline_source",
  "baseline_typical_bytes",
  "baseline_spread_factor",
  "baseline_intervals",
  "baseline_mature",
  "community_id",
  "server_name",
  "name_source",
  "retransmissions",
  "out_of_order",
  "zero_windows",
  "rtt_ms",
  "blocklist_list",
  "blocklist_entry",
  "blocklist_listed_ip",
  "attack_score",
  "attack_signals",
] as const satisfies readonly FlatKeys<FlowJson>[];
// A member added to FlowJson without a CSV column fails to compile here.
const _everyFlowColumn: [Exclude<FlatKeys<FlowJson>, typeof FLOW_CSV_COLUMNS[number]>] extends [never] ? true
  : never = true;

/** The body of a JSON page. */
export interface FlowsPage {
  /** The flows on this page, in order. */
  flows: FlowJson[];
  /** How many are on this page. */
  count: number;
  /** How many match the filter, on all pages. */
  total_matched: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** A page as sent: the body and what the headers say. */
interface Rendered {
  body: string;
  csv: boolean;
  next: string | null;
  totalMatched: number;
}

/** A parsed request, ready to run. */
interface Pending {
  query: FlowQuery;
  csv: boolean;
  waiters: { resolve(r: Rendered): void; reject(e: unknown): void }[];
}

/**
 * Most different queries answered by one pass over the table (flow_query_many.ts), then the thread is
 * yielded. 64: a round of 64 different queries over 100 k flows takes about 15 ms here (capture waits
 * that long at most; the rings hold far more), and against 32 a round shares its fixed costs (the copy of
 * the counters, the filters' masks) and the flows several pages show among twice as many queries: 64
 * connections each asking something different got 37 % more answers a second.
 */
const SHARED_PASS = 64;

/** Flows already made into objects in one round (for CSV): the table cannot change while the round runs. */
type RenderedFlows = Map<number, FlowJson>;

/**
 * Renders one page. JSON pages are put together from each flow's text, which `texts` reuses while the
 * flow is unchanged (flow_text_cache.ts); the body is the text JSON.stringify gives for the whole page.
 */
function render(
  deps: FlowsDeps,
  query: FlowQuery,
  page: FlowPage,
  csv: boolean,
  seen: RenderedFlows,
  texts: FlowTextCache,
  nowMs: number,
): Rendered {
  const next = page.next ? encodeCursor({ sort: query.sort, order: query.order, ...page.next }) : null;
  if (csv) {
    const flows = page.ids.map((id) => {
      let f = seen.get(id);
      if (f === undefined) seen.set(id, f = flowToJson(deps.table, id, deps.warmupIntervals));
      return f;
    });
    const body = toCsv(
      FLOW_CSV_COLUMNS,
      flows.map((f) => flattenRecord(f as unknown as Record<string, unknown>)),
    );
    return { body, csv, next, totalMatched: page.totalMatched };
  }
  const flows = page.ids.map((id) => texts.text(id, nowMs));
  // The members in FlowsPage's order, as JSON.stringify writes them.
  const body = `{"flows":[${flows.join(",")}],"count":${flows.length},"total_matched":${page.totalMatched},` +
    `"next_cursor":${JSON.stringify(next)}}`;
  return { body, csv, next, totalMatched: page.totalMatched };
}

/**
 * The /flows sub-app (paths relative to the root; authentication is the app's).
 *
 * A page costs a pass over the table (about 1 ms for 100 k flows here) and rendering its flows
 * (Community IDs are cached per flow), on the main thread the capture pipeline needs too. So requests
 * are answered in rounds: a request is checked at once (a bad one fails at once), then waits for the
 * next timer tick, where the distinct queries waiting share one pass over the table (up to
 * SHARED_PASS of them) and each answer goes to every request that asked it. An answer is computed
 * after its request arrived: which flows it lists, their counters and times are never older than the
 * request; a flow's other fields (name, TCP health, threats) may be up to a second older, as its text
 * is reused while its counters stand still (flow_text_cache.ts). 64 dashboards polling the same page
 * cost one pass, and 64 different queries cost one pass too. Between rounds the thread is yielded, so
 * many different queries cannot hold capture up for long.
 */
export function flowsRoutes(deps: FlowsDeps): Hono {
  const waiting = new Map<string, Pending>();
  const texts = new FlowTextCache(deps.table, { warmupIntervals: deps.warmupIntervals });
  let scheduled = false;

  function runRound(): void {
    scheduled = false;
    const seen: RenderedFlows = new Map(), nowMs = performance.now();
    texts.prune(nowMs);
    // Up to SHARED_PASS different queries share one pass over the table; the rest wait for the next
    // round, after capture and I/O had the thread.
    const round: Pending[] = [];
    for (const [key, p] of waiting) {
      if (round.length === SHARED_PASS) break;
      waiting.delete(key);
      round.push(p);
    }
    let pages: FlowPage[];
    try {
      pages = queryFlowsMany(deps.table, round.map((p) => p.query));
    } catch (e) {
      for (const p of round) for (const w of p.waiters) w.reject(e);
      pages = [];
    }
    pages.forEach((page, i) => {
      const p = round[i];
      try {
        const r = render(deps, p.query, page, p.csv, seen, texts, nowMs);
        for (const w of p.waiters) w.resolve(r);
      } catch (e) {
        for (const w of p.waiters) w.reject(e);
      }
    });
    if (waiting.size > 0) {
      scheduled = true;
      setTimeout(runRound, 0);
    }
  }

  const app = new Hono();
  app.get("/flows", async (c) => {
    const url = new URL(c.req.url);
    const p = checkParameters(url.searchParams, FLOWS_PARAMETERS);
    const filter = parseFilterParameters(p);
    const name = p.get("name");
    if (name !== undefined) filter.name = parseNameParameter(name);
    const blocklisted = p.get("blocklisted");
    if (blocklisted !== undefined) filter.blocklisted = parseBlocklisted(blocklisted);
    const minScore = p.get("min_attack_score");
    if (minScore !== undefined) filter.minAttackScore = parseMinScore(minScore);
    // History: a period asked for with `since`, when the flow history is on.
    if (deps.history && filter.sinceMs !== undefined) {
      // The history keeps per-minute sums of 5-tuples, without names, block-list hits or attack scores:
      // refuse these filters rather than answer as if they had been applied.
      for (const live of LIVE_ONLY_FILTERS) {
        if (p.has(live)) {
          throw new BadParameter(
            live,
            `${live} filters live flows only; the flow history (since=…) keeps no names, block-list hits or ` +
              `attack scores: leave out ${live} or since`,
          );
        }
      }
      const csvWanted = wantsCsv("format", p.get("format"), c.req.header("accept"));
      const h = await historyFlows(deps.history, filter, p, parsePageLimit(p), csvWanted, Date.now());
      c.header("Vary", "Accept");
      if (h.next !== null) {
        c.header("Link", `<${nextPageLink(url, h.next)}>; rel="next"`);
        c.header("X-Next-Cursor", h.next);
      }
      c.header("Content-Type", h.contentType);
      return c.body(h.body, 200);
    }
    const sort: FlowSort = parseChoice("sort", p.get("sort") ?? "bytes", FLOW_SORTS);
    const order: SortOrder = parseChoice("order", p.get("order") ?? "desc", ["desc", "asc"]);
    const limit = parsePageLimit(p);
    const cursor = p.get("cursor");
    const after = cursor === undefined ? undefined : parseCursor("cursor", cursor, sort, order);
    const csv = wantsCsv("format", p.get("format"), c.req.header("accept"));

    // Same query text and format, same answer: the Link header is built from the query text too.
    const key = `${csv ? "csv" : "json"}${url.search}`;
    let pending = waiting.get(key);
    if (pending === undefined) {
      waiting.set(key, pending = { query: { filter, sort, order, limit, after }, csv, waiters: [] });
    }
    const answer = new Promise<Rendered>((resolve, reject) => pending.waiters.push({ resolve, reject }));
    if (!scheduled) {
      scheduled = true;
      setTimeout(runRound, 0);
    }
    const r = await answer;

    c.header("Vary", "Accept");
    if (r.next !== null) {
      c.header("Link", `<${nextPageLink(url, r.next)}>; rel="next"`);
      c.header("X-Next-Cursor", r.next);
    }
    c.header("X-Total-Matched", String(r.totalMatched));
    c.header("Content-Type", r.csv ? CSV_CONTENT_TYPE : "application/json");
    return c.body(r.body, 200);
  });
  return app;
}
