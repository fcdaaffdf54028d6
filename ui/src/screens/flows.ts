/**
 * The flow explorer over `GET /flows`: filters (address, CIDR, port, protocol, size, time), sort, cursor
 * pages in a windowed table, CSV export, and one flow's detail (its baseline, Community ID, device names).
 *
 * @module
 */
import { useState } from "preact/hooks";
import { downloadCsv, type Params } from "../api.ts";
import { type Field, FilterForm } from "../components/filters.ts";
import { Endpoint, nameOf, Proto } from "../components/flow_cells.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { VirtualTable } from "../components/vtable.ts";
import { formatAgo, formatBytes, formatCount, formatDuration, formatTime, protocolName } from "../format.ts";
import { html } from "../html.ts";
import { route } from "../router.ts";
import { session } from "../session.ts";
import type { FlowJson } from "../types.ts";

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
    options: [["", "largest / newest first"], ["asc", "smallest / oldest first"]],
  },
];

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
function flowKey(f: FlowJson): string {
  return `${f.protocol}|${f.src_ip}|${f.src_port}|${f.dst_ip}|${f.dst_port}`;
}

const COLUMNS = [
  {
    title: "Source",
    width: "minmax(9rem,1.2fr)",
    render: (f: FlowJson) => html`<${Endpoint} ip=${f.src_ip} port=${f.src_port} protocol=${f.protocol} />`,
  },
  {
    title: "Destination",
    width: "minmax(9rem,1.2fr)",
    render: (f: FlowJson) => html`<${Endpoint} ip=${f.dst_ip} port=${f.dst_port} protocol=${f.protocol} />`,
  },
  { title: "Proto", width: "4.5rem", render: (f: FlowJson) => html`<${Proto} ...${f} />`, hideBelow: 560 },
  { title: "Bytes", width: "6rem", className: "num", render: (f: FlowJson) => formatBytes(f.bytes) },
  {
    title: "Packets",
    width: "6rem",
    className: "num",
    render: (f: FlowJson) => formatCount(f.packets),
    hideBelow: 720,
  },
  {
    title: "Duration",
    width: "6.5rem",
    className: "num",
    render: (f: FlowJson) => formatDuration(f.duration_s),
    hideBelow: 900,
  },
  {
    title: "Last seen",
    width: "7.5rem",
    className: "num",
    render: (f: FlowJson) => formatAgo(f.last_seen),
    hideBelow: 1000,
  },
];

function FlowDetail(props: { flow: FlowJson; onClose: () => void }) {
  const f = props.flow;
  const row = (k: string, v: unknown) =>
    html`
      <dt>${k}</dt>
      <dd>${v}</dd>
    `;
  return html`
    <aside class="panel detail" aria-label="Flow detail" data-testid="flow-detail">
      <div class="panel-head"><h2>Flow</h2><button type="button" onClick=${props.onClose}>Close</button></div>
      <dl class="kv">
          ${row(
            "Source",
            html`${f.src_ip}:${f.src_port} ${nameOf(f.src_ip) && html`<small>(${nameOf(f.src_ip)})</small>`}`,
          )}
          ${row(
            "Destination",
            html`${f.dst_ip}:${f.dst_port} ${nameOf(f.dst_ip) && html`<small>(${nameOf(f.dst_ip)})</small>`}`,
          )}
          ${row("Protocol", `${protocolName(f.protocol)} (${f.protocol})`)}
          ${row("Bytes / packets", `${formatBytes(f.bytes)} / ${formatCount(f.packets)}`)}
          ${row("First / last seen", `${formatTime(f.first_seen)} – ${formatTime(f.last_seen)}`)}
          ${row("Duration", formatDuration(f.duration_s))}
          ${f.protocol === 6 ? row("TCP flags", `0x${f.tcp_flags.toString(16).padStart(2, "0")}`) : null}
          ${row(
            "Baseline",
            f.baseline.intervals === 0
              ? "none yet"
              : `${
                formatBytes(f.baseline.typical_bytes)
              } per interval, ×/÷ ${f.baseline.spread_factor} spread`,
          )}
          ${row(
            "Baseline state",
            `${f.baseline.intervals} intervals, ${f.baseline.mature ? "mature: can alert" : "learning"}`,
          )}
          ${row("Community ID", html`<code class="wrap">${f.community_id}</code>`)}
        </dl>
    </aside>
  `;
}

/** The screen. */
export function FlowsScreen() {
  const params = route.value.params;
  const query = flowParams(params);
  const page = usePaged<FlowJson>("/flows", query, "flows");
  const [selected, setSelected] = useState<FlowJson | null>(null);
  const [csvError, setCsvError] = useState<Error | null>(null);
  const exportCsv = () => {
    const { limit: _limit, ...filters } = query;
    downloadCsv(session.value!, "/flows", { ...filters, limit: 1000 }, "flintnet-flows.csv").catch(
      setCsvError,
    );
  };
  return html`
    <section class="screen" aria-labelledby="flows-title">
      <h1 id="flows-title">Flows</h1>
      <${FilterForm} path=${["flows"]} fields=${FIELDS} testId="flow-filters">
          <button type="button" onClick=${exportCsv} data-testid="flows-csv">Export CSV</button>
        </${FilterForm}>
        ${csvError && html`<${ErrorBox} error=${csvError} />`}
        <div class="list-head">
          <p class="count" data-testid="flows-count" data-count=${page.total ?? undefined}>
            ${page.total === null
              ? "…"
              : `${formatCount(page.total)} flow${page.total === 1 ? "" : "s"} match; ${
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
                <${Empty}
                  title="No flow matches">Change the filters, or wait for traffic: a flow appears with its first packet.</${Empty}>
              `
              : html`
                <${VirtualTable} label="Flows" testId="flows-table" rows=${page
                  .rows} columns=${COLUMNS} rowKey=${flowKey}
                  maxRows=${16} selectedKey=${selected && flowKey(selected)} onRowClick=${setSelected} />
              `}
            ${page.more &&
              html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load ${PAGE} more</button>`}
          </div>
          ${selected && html`<${FlowDetail} flow=${selected} onClose=${() => setSelected(null)} />`}
        </div>
      </section>
  `;
}
