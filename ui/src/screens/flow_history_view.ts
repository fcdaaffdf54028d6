/**
 * The flow explorer's history mode. `GET /flows?since=…` answers from the per-minute flow history
 * (`"source": "history"`, docs/advisories.md): flows of whole minutes summed per 5-tuple, most bytes (or
 * packets) first, with how many minutes each was kept in and its exporter; no total, no names, TCP health
 * or threats, and the minute in progress is not in it yet. This file says so above the table and gives
 * the history's columns.
 *
 * @module
 */
import type { Params } from "../api.ts";
import { Endpoint, flowPairColumn, Proto } from "../components/flow_cells.ts";
import { PHONE_WIDTH } from "../components/vtable.ts";
import { formatBytes, formatCount, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { navigate } from "../router.ts";
import type { HistoryFlowJson } from "../types.ts";

/** Filters of the live table that a history answer does not apply. */
const LIVE_ONLY = ["name", "blocklisted", "min_attack_score"] as const;

/** Whether a /flows page came from the history. */
export function isHistory(page: Record<string, unknown> | null): boolean {
  return page?.source === "history";
}

/**
 * The API parameters for a period (`since` set): the history sorts by bytes or packets, most first, only;
 * another sort or order would be refused, so they are left out (and the note says the sort is by bytes).
 */
export function historyParams(query: Params): Params {
  if (query.since === undefined) return query;
  const out: Params = { ...query };
  if (out.sort !== "packets") delete out.sort;
  delete out.order;
  return out;
}

/** What the history mode says above its table; `params` are the route's. */
export function HistoryNote(props: { page: Record<string, unknown>; params: Record<string, string> }) {
  const p = props.params;
  const oldest = typeof props.page.oldest === "string" ? props.page.oldest : null;
  const ignored = LIVE_ONLY.filter((k) => p[k]);
  const sinceMs = Date.parse(p.since ?? "");
  return html`
    <div class="notice history-note" role="note" data-testid="flows-history-note">
      <p><strong>Per-minute history</strong>, ${formatTime(sinceMs)} – ${p.until
        ? formatTime(Date.parse(p.until))
        : "now"}: each connection's whole minutes summed, ${p.sort === "packets"
        ? "most packets"
        : "most bytes"} first. The minute in progress is not in it yet.${oldest
        ? ` The history goes back to ${formatTime(oldest)}${
          Date.parse(oldest) > sinceMs ? ", later than the start asked for" : ""
        }.`
        : " The history is empty so far."}</p>
      ${ignored.length > 0 &&
        html`<p>Server name, block-list and attack-score filters apply to live flows only: not applied here.</p>`}
      <button type="button" onClick=${() => {
        const { since: _s, until: _u, ...live } = p;
        navigate(["flows"], live);
      }}>Show live flows</button>
    </div>
  `;
}

/** The history's columns. */
export const HISTORY_COLUMNS = [
  flowPairColumn<HistoryFlowJson>(),
  {
    title: "Source",
    width: "minmax(10rem,1.2fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: HistoryFlowJson) =>
      html`<${Endpoint} ip=${f.src_ip} port=${f.src_port} protocol=${f.protocol} />`,
  },
  {
    title: "Destination",
    width: "minmax(9rem,1.2fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: HistoryFlowJson) =>
      html`<${Endpoint} ip=${f.dst_ip} port=${f.dst_port} protocol=${f.protocol} />`,
  },
  {
    title: "Proto",
    width: "4.5rem",
    render: (f: HistoryFlowJson) => html`<${Proto} ...${f} />`,
    hideBelow: 560,
  },
  { title: "Bytes", width: "6rem", className: "num", render: (f: HistoryFlowJson) => formatBytes(f.bytes) },
  {
    title: "Packets",
    width: "6rem",
    className: "num",
    render: (f: HistoryFlowJson) => formatCount(f.packets),
    hideBelow: 720,
  },
  {
    title: "Minutes",
    width: "5rem",
    className: "num",
    render: (f: HistoryFlowJson) => formatCount(f.minutes),
    hideBelow: 900,
  },
  {
    title: "Last seen",
    width: "11rem",
    className: "num",
    render: (f: HistoryFlowJson) => formatTime(f.last_seen),
    hideBelow: 1000,
  },
];
