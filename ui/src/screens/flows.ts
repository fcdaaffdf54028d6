/**
 * The flow explorer over `GET /flows`: filters (address, CIDR, port, protocol, size, time, server name,
 * block-listed, attack score), sort, cursor pages in a windowed table, CSV export, and one flow's detail
 * (flow_detail.ts). With "Active since" the agent answers from its per-minute flow history: the screen
 * says so and shows that answer's columns (flow_history_view.ts).
 *
 * @module
 */
import { useState } from "preact/hooks";
import { downloadCsv, type Params } from "../api.ts";
import { type Field, FilterForm } from "../components/filters.ts";
import { Endpoint, flowPairColumn, Proto } from "../components/flow_cells.ts";
import { labelOf, NAME_SOURCE_LABELS } from "../components/labels.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { PHONE_WIDTH, VirtualTable } from "../components/vtable.ts";
import { formatAgo, formatBytes, formatCount, formatDuration } from "../format.ts";
import { html } from "../html.ts";
import { route } from "../router.ts";
import { session } from "../session.ts";
import type { FlowJson, HistoryFlowJson } from "../types.ts";
import { FlowDetail, formatScore, HistoryFlowDetail, scoreTone } from "./flow_detail.ts";
import { HISTORY_COLUMNS, HistoryNote, historyParams, isHistory } from "./flow_history_view.ts";

/**
 * The order's choices in the sort key's words ("largest / newest first" for both did not fit a phone's
 * half-width select); the values are GET /flows's `order`, descending unless "asc".
 */
export function orderOptions(values: Record<string, string>): [string, string][] {
  return values.sort === "last_seen" || values.sort === "first_seen"
    ? [["", "newest first"], ["asc", "oldest first"]]
    : [["", "largest first"], ["asc", "smallest first"]];
}

const FIELDS: readonly Field[] = [
  { name: "ip", label: "Address (either side)", placeholder: "192.168.1.20" },
  { name: "src_ip", label: "Source", placeholder: "any" },
  { name: "dst_ip", label: "Destination", placeholder: "any" },
  { name: "cidr", label: "Network", placeholder: "10.0.0.0/8" },
  { name: "port", label: "Port", placeholder: "443", type: "number" },
  {
    name: "protocol",
    label: "Protocol",
    options: [["", "any"], ["tcp", "TCP"], ["udp", "UDP"], ["icmp", "ICMP"], ["icmpv6", "ICMPv6"]],
  },
  { name: "min_bytes", label: "At least (bytes)", placeholder: "100000", type: "number" },
  { name: "name", label: "Server name", placeholder: "example.com" },
  {
    name: "blocklisted",
    label: "Block lists",
    options: [["", "any"], ["1", "block-listed only"], ["0", "not block-listed"]],
  },
  {
    name: "min_attack_score",
    label: "Attack score at least",
    placeholder: "0.5",
    type: "number",
    step: "0.05",
  },
  { name: "since", label: "Active since", type: "datetime-local" },
  { name: "until", label: "Active until", type: "datetime-local" },
  {
    name: "sort",
    label: "Sort by",
    options: [["", "bytes"], ["packets", "packets"], ["last_seen", "last seen"], [
      "first_seen",
      "first seen",
    ]],
  },
  {
    name: "order",
    label: "Order",
    options: orderOptions,
  },
];

/** Columns left out while a flow's detail takes the right of the screen. */
const SPLIT_HIDDEN = new Set(["Packets", "Duration", "Last seen", "Threat"]);

/** Page size. */
const PAGE = 200;

/** Route parameters → API parameters: local date-times become ISO 8601 instants. */
export function flowParams(p: Record<string, string>): Params {
  const out: Params = { limit: PAGE };
  for (const f of FIELDS) {
    const v = p[f.name];
    if (!v) continue;
    out[f.name] = f.type === "datetime-local" ? new Date(v).toISOString() : v;
  }
  return out;
}

/** A flow's identity within a page (the same 5-tuple cannot appear twice). */
function flowKey(f: FlowJson | HistoryFlowJson): string {
  return `${f.protocol}|${f.src_ip}|${f.src_port}|${f.dst_ip}|${f.dst_port}`;
}

const COLUMNS = [
  flowPairColumn<FlowJson>((f) => f.server_name),
  {
    title: "Source",
    width: "minmax(9rem,1.2fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: FlowJson) => html`<${Endpoint} ip=${f.src_ip} port=${f.src_port} protocol=${f.protocol} />`,
  },
  {
    title: "Destination",
    width: "minmax(9rem,1.2fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: FlowJson) => html`<${Endpoint} ip=${f.dst_ip} port=${f.dst_port} protocol=${f.protocol} />`,
  },
  {
    // On a phone the name follows the destination in the Flow column.
    title: "Name",
    width: "minmax(7rem,1fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: FlowJson) =>
      f.server_name
        ? html`<span class="flow-name" title=${`${f.server_name} — from the ${
          labelOf(NAME_SOURCE_LABELS, f.name_source)
        }`} data-source=${f.name_source}>${f.server_name}</span>`
        : html`<span class="muted">–</span>`,
  },
  { title: "Proto", width: "4.5rem", render: (f: FlowJson) => html`<${Proto} ...${f} />`, hideBelow: 640 },
  { title: "Bytes", width: "5.5rem", className: "num", render: (f: FlowJson) => formatBytes(f.bytes) },
  {
    title: "Packets",
    width: "5.5rem",
    className: "num",
    render: (f: FlowJson) => formatCount(f.packets),
    // below these widths the addresses (source port included) need the room more than these columns do
    hideBelow: 900,
  },
  {
    title: "Duration",
    width: "6.5rem",
    className: "num",
    render: (f: FlowJson) => formatDuration(f.duration_s),
    hideBelow: 1000,
  },
  {
    title: "Last seen",
    width: "7.5rem",
    className: "num",
    render: (f: FlowJson) => formatAgo(f.last_seen),
    hideBelow: 1100,
  },
  {
    title: "Threat",
    width: "5rem",
    hideBelow: 820,
    render: (f: FlowJson) =>
      html`${
        f.blocklist &&
        html`
          <span class="sev sev-critical" title=${`${f.blocklist.listed_ip} is on ${f.blocklist.list}`}>listed</span>
        `
      }${
        f.attack_score > 0 &&
        html`<span class=${`sev sev-${scoreTone(f.attack_score) || "info"}`} title=${`attack score ${
          formatScore(f.attack_score)
        }: ${f.attack_signals.join(", ")}`}>${formatScore(f.attack_score)}</span>`
      }`,
  },
];

/** The screen. */
export function FlowsScreen() {
  const params = route.value.params;
  const query = historyParams(flowParams(params));
  const page = usePaged<FlowJson | HistoryFlowJson>("/flows", query, "flows");
  const [selected, setSelected] = useState<FlowJson | HistoryFlowJson | null>(null);
  const [csvError, setCsvError] = useState<Error | null>(null);
  const history = isHistory(page.last);
  const exportCsv = () => {
    const { limit: _limit, ...filters } = query;
    downloadCsv(session.value!, "/flows", { ...filters, limit: 1000 }, "flintnet-flows.csv").catch(
      setCsvError,
    );
  };
  // A history page counts no total: the count is what is shown.
  const count = history ? page.rows.length : page.total;
  return html`
    <section class="screen" aria-labelledby="flows-title">
      <h1 id="flows-title">Flows</h1>
      <${FilterForm} path=${["flows"]} fields=${FIELDS} testId="flow-filters">
          <button type="button" onClick=${exportCsv} data-testid="flows-csv">Export CSV</button>
        </${FilterForm}>
        ${csvError && html`<${ErrorBox} error=${csvError} />`}
        ${history && !page.error && html`<${HistoryNote} page=${page.last!} params=${params} />`}
        <div class="list-head">
          <p class="count" data-testid="flows-count" data-count=${page.loading && page.rows.length === 0
            ? undefined
            : count ?? undefined} data-source=${history ? "history" : "live"}>
            ${count === null || (page.loading && page.rows.length === 0)
              ? "…"
              : history
              ? `${formatCount(count)} flow${count === 1 ? "" : "s"} of the history shown${
                page.more ? " (more to load)" : ""
              }`
              : `${formatCount(count)} flow${count === 1 ? "" : "s"} match; ${
                formatCount(page.rows.length)
              } shown`}
          </p>
          <button type="button" onClick=${page.reload}>Refresh</button>
        </div>
        <div class=${selected ? "split" : ""}>
          <div class="panel">
            ${page.error
              ? html`<${ErrorBox} error=${page.error} onRetry=${page.reload} />`
              : page.loading && page.rows.length === 0
              ? html`<${Loading} what="flows" />`
              : page.rows.length === 0
              ? html`
                <${Empty} title=${history
                  ? "No flow in the history for this period"
                  : "No flow matches"}>${history
                  ? "The history holds whole minutes that have ended; widen the period, or show live flows."
                  : "Change the filters, or wait for traffic: a flow appears with its first packet."}</${Empty}>
              `
              : html`
                <${VirtualTable} label=${history
                  ? "Flows (history)"
                  : "Flows"} testId="flows-table" rows=${page
                  .rows} columns=${history
                  ? HISTORY_COLUMNS
                  : selected
                  ? COLUMNS.filter((c) => !SPLIT_HIDDEN.has(c.title))
                  : COLUMNS} rowKey=${flowKey}
                  maxRows=${16} selectedKey=${selected && flowKey(selected)} onRowClick=${setSelected} />
              `}
            ${page.more &&
              html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load ${PAGE} more</button>`}
          </div>
          ${selected &&
            (history || !("community_id" in selected)
              ? html`<${HistoryFlowDetail} flow=${selected as HistoryFlowJson} onClose=${() =>
                setSelected(null)} />`
              : html`<${FlowDetail} flow=${selected as FlowJson} onClose=${() => setSelected(null)} />`)}
        </div>
      </section>
  `;
}
