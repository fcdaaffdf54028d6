/**
 * What a device's page shows of its traffic beyond counters (GET /devices/:ip, docs/visibility.md): the
 * DNS queries it made, newest first, with their answers and TTLs, and the TCP health of its flows. Names
 * and answers come from the network: rendered as text.
 *
 * @module
 */
import { formatCount, formatPct, formatTime } from "../format.ts";
import { html } from "../html.ts";
import type { DnsQueryJson, HostTcpHealthJson } from "../types.ts";
import { VirtualTable } from "./vtable.ts";

/** "A 192.0.2.1 (TTL 300 s)": one answer. */
export function answerText(a: DnsQueryJson["answers"][number]): string {
  return `${a.type} ${a.data} (TTL ${a.ttl} s)`;
}

/** The answers of a query, or its response code when there are none, or that none came. */
export function answersText(q: DnsQueryJson): string {
  if (q.answers.length > 0) return q.answers.map(answerText).join(", ");
  if (q.rcode === null) return "no response seen";
  return q.rcode === "NOERROR" ? "no address (NOERROR)" : q.rcode;
}

const DNS_COLUMNS = [
  { title: "Time", width: "11rem", render: (q: DnsQueryJson) => formatTime(q.ts), hideBelow: 560 },
  {
    title: "Name",
    width: "minmax(8rem,1.2fr)",
    render: (q: DnsQueryJson) => html`<span class="dns-name" title=${q.name}>${q.name}</span>`,
  },
  { title: "Type", width: "4rem", render: (q: DnsQueryJson) => q.type },
  {
    title: "Answers",
    width: "minmax(8rem,1.6fr)",
    render: (q: DnsQueryJson) => {
      const text = answersText(q);
      return html`<span class=${q.answers.length === 0 ? "muted" : ""} title=${text}>${text}</span>`;
    },
  },
  {
    title: "Resolver",
    width: "7.5rem",
    render: (q: DnsQueryJson) => q.server,
    hideBelow: 1000,
  },
];

/** The DNS history panel. */
export function DnsHistory(props: { queries: readonly DnsQueryJson[] | undefined }) {
  const q = props.queries ?? [];
  return html`
    <div class="panel">
      <h2>DNS history <small data-testid="dns-history-count" data-count=${q.length}>(${q.length})</small></h2>
      ${q.length === 0
        ? html`<p class="muted">No DNS query seen from this address (queries over UDP or TCP port 53 are read from capture;
          DNS over HTTPS or TLS is not visible).</p>`
        : html`
          <${VirtualTable} label="DNS history" testId="dns-history" rows=${q} columns=${DNS_COLUMNS}
            rowKey=${(x: DnsQueryJson) => `${x.ts}|${x.name}|${x.type}`} maxRows=${10} />
        `}
    </div>
  `;
}

/** The TCP health panel (its flows' counters added up, both directions). */
export function TcpHealth(props: { health: HostTcpHealthJson | null | undefined }) {
  const h = props.health;
  const row = (k: string, v: string) =>
    html`
      <dt>${k}</dt>
      <dd>${v}</dd>
    `;
  return html`
    <div class="panel">
      <h2>TCP health</h2>
      ${!h || h.flows === 0
        ? html`<p class="muted">No TCP flow of this address is in the flow table now.</p>`
        : html`
          <dl class="kv" data-testid="tcp-health">
            ${row("TCP flows", formatCount(h.flows))}
            ${row("Data segments", formatCount(h.segments))}
            ${row(
              "Retransmissions",
              `${formatCount(h.retransmissions)} (${formatPct(h.retransmission_rate * 100)})`,
            )}
            ${row("Out of order", formatCount(h.out_of_order))}
            ${row("Zero windows", formatCount(h.zero_windows))}
            ${row(
              "Median handshake RTT",
              h.median_rtt_ms === null ? "no handshake seen" : `${h.median_rtt_ms} ms`,
            )}
          </dl>
        `}
    </div>
  `;
}
