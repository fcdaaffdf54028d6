/**
 * `GET /flows?since=…[&until=…]` when the flow history is on: the flows of that period from the
 * per-minute history (FLINTNET_FLOW_RETENTION), summed per 5-tuple, most octets (or packets) first —
 * the top talkers of last night, long after their flows left the live table. The same filters as the
 * live listing; pages by cursor; JSON or CSV. The minute in progress is not in the history yet: what
 * is happening now is the live listing's (without `since`).
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/flows?since=2024-05-01T02:00:00Z&until=2024-05-01T03:00:00Z&limit=20'
 */
import type { FlowFilter } from "../../flow/mod.ts";
import { formatIp } from "../../net/mod.ts";
import type { FlowHistoryQuery, HistoryFlowJson, HistoryPage } from "../../store/mod.ts";
import { CSV_CONTENT_TYPE, toCsv } from "../csv.ts";
import { BadParameter } from "../errors.ts";
import { invalid, parseChoice } from "../query_params.ts";

/** What the history branch of /flows reads. */
export interface FlowHistorySource {
  /** The flows of a period. */
  query(q: FlowHistoryQuery): Promise<HistoryPage>;
}

/** The body of a JSON page of history. */
export interface HistoryFlowsPage {
  /** Always "history": these flows come from the per-minute history, not the live table. */
  source: "history";
  /** The flows on this page. */
  flows: HistoryFlowJson[];
  /** How many are on this page. */
  count: number;
  /** The oldest minute the history holds, ISO 8601; null when it is empty. */
  oldest: string | null;
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** CSV columns of a history page. */
export const HISTORY_CSV_COLUMNS = [
  "src_ip",
  "dst_ip",
  "src_port",
  "dst_port",
  "protocol",
  "bytes",
  "packets",
  "first_seen",
  "last_seen",
  "minutes",
  "tcp_flags",
  "exporter",
] as const satisfies readonly (keyof HistoryFlowJson)[];

/** Sorts a history page can have. */
const HISTORY_SORTS = ["bytes", "packets"] as const;

/** The cursor of a history page: the offset of the next, base64url. */
function encodeOffset(offset: number): string {
  return btoa(JSON.stringify({ h: offset })).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function parseOffset(text: string): number {
  try {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(text)) throw new Error();
    const doc = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
    if (!Number.isSafeInteger(doc?.h) || doc.h < 0) throw new Error();
    return doc.h;
  } catch {
    throw invalid("cursor", text, "the next_cursor of a previous page of this listing");
  }
}

/** The answer of /flows?since=… from the history: body, content type, next cursor. */
export async function historyFlows(
  history: FlowHistorySource,
  filter: FlowFilter,
  p: ReadonlyMap<string, string>,
  limit: number,
  csv: boolean,
  nowMs: number,
): Promise<{ body: string; contentType: string; next: string | null }> {
  const sort = parseChoice("sort", p.get("sort") ?? "bytes", HISTORY_SORTS);
  if (p.has("order") && p.get("order") !== "desc") {
    throw new BadParameter("order", "the history lists the most first only: order=desc, or leave it out");
  }
  if (filter.cidr && filter.cidr.family !== 4) {
    throw new BadParameter("cidr", "the history filters by IPv4 networks only; use ip= for an IPv6 address");
  }
  const text = (w: { family: number; words: ArrayLike<number> } | undefined) =>
    w === undefined ? undefined : formatIp(w.family, w.words, 0);
  let v4Range: [number, number] | undefined;
  if (filter.cidr) {
    const first = filter.cidr.network[0] >>> 0;
    v4Range = [first, first + (2 ** (32 - filter.cidr.prefix)) - 1];
  }
  const offset = p.has("cursor") ? parseOffset(p.get("cursor")!) : 0;
  const page = await history.query({
    sinceMs: filter.sinceMs!,
    untilMs: filter.untilMs ?? nowMs,
    ip: text(filter.ip),
    srcIp: text(filter.srcIp),
    dstIp: text(filter.dstIp),
    v4Range,
    port: filter.port,
    protocol: filter.protocol,
    minBytes: filter.minBytes,
    sort,
    offset,
    limit,
  });
  const next = page.flows.length === limit ? encodeOffset(offset + limit) : null;
  if (csv) return { body: toCsv(HISTORY_CSV_COLUMNS, page.flows), contentType: CSV_CONTENT_TYPE, next };
  const body: HistoryFlowsPage = {
    source: "history",
    flows: page.flows,
    count: page.flows.length,
    oldest: page.oldestMs === null ? null : new Date(page.oldestMs).toISOString(),
    next_cursor: next,
  };
  return { body: JSON.stringify(body), contentType: "application/json", next };
}
