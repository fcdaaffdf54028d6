/**
 * One flow in the explorer's side panel: its ends with their device names, the server name and where it
 * came from, TCP health (retransmissions, out-of-order, zero windows, handshake RTT), its attack score with
 * the signals behind it, a block-list hit, the baseline and the Community ID. A row of the per-minute
 * history (which keeps counters only) gets the part it has.
 *
 * @module
 */
import { nameOf } from "../components/flow_cells.ts";
import { ATTACK_SIGNAL_LABELS, labelOf, NAME_SOURCE_LABELS } from "../components/labels.ts";
import { endpoint, formatBytes, formatCount, formatDuration, formatTime, protocolName } from "../format.ts";
import { html } from "../html.ts";
import type { FlowJson, HistoryFlowJson } from "../types.ts";

/** "0.42": an attack score (0–1) as the API gives it, two decimals. */
export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** The tone of a score: none below 0.3, warning below 0.7, critical from 0.7. */
export function scoreTone(score: number): "" | "warning" | "critical" {
  return score >= 0.7 ? "critical" : score >= 0.3 ? "warning" : "";
}

const row = (k: string, v: unknown, testId?: string) =>
  html`
    <dt>${k}</dt>
    <dd data-testid=${testId}>${v}</dd>
  `;

function End(props: { ip: string; port: number; protocol: number }) {
  const name = nameOf(props.ip);
  const text = props.protocol === 6 || props.protocol === 17 || props.protocol === 132
    ? endpoint(props.ip, props.port)
    : props.ip;
  return html`${text}${
    name && html`
      <small>(${name})</small>
    `
  }`;
}

/** The counters every flow has, live or from the history. */
function Counters(props: { f: FlowJson | HistoryFlowJson }) {
  const f = props.f;
  return html`
    ${row("Source", html`<${End} ip=${f.src_ip} port=${f.src_port} protocol=${f.protocol} />`)}
    ${row("Destination", html`<${End} ip=${f.dst_ip} port=${f.dst_port} protocol=${f.protocol} />`)}
    ${row("Protocol", `${protocolName(f.protocol)} (${f.protocol})`)}
    ${row("Bytes / packets", `${formatBytes(f.bytes)} / ${formatCount(f.packets)}`)}
    ${row("First / last seen", `${formatTime(f.first_seen)} – ${formatTime(f.last_seen)}`)}
    ${f.protocol === 6 ? row("TCP flags", `0x${f.tcp_flags.toString(16).padStart(2, "0")}`) : null}
  `;
}

/** The server name and its source, or why there is none. */
function NameRow(props: { f: FlowJson }) {
  const f = props.f;
  return row(
    "Server name",
    f.server_name
      ? html`<span class="wrap">${f.server_name}</span> <small>from the ${
        labelOf(NAME_SOURCE_LABELS, f.name_source)
      }</small>`
      : html`<span class="muted">not seen (no TLS SNI, HTTP Host or DNS answer for it)</span>`,
    "flow-name",
  );
}

/** TCP health of this direction. */
function TcpHealth(props: { f: FlowJson }) {
  const f = props.f;
  return html`
    <h3>TCP health</h3>
    <dl class="kv" data-testid="flow-tcp-health">
      ${row("Retransmissions", formatCount(f.retransmissions))}
      ${row("Out of order", formatCount(f.out_of_order))}
      ${row("Zero windows", formatCount(f.zero_windows))}
      ${row("Handshake RTT", f.rtt_ms === null ? "handshake not seen" : `${f.rtt_ms} ms`)}
    </dl>
  `;
}

/** The attack score and its signals, and a block-list hit. */
function Threats(props: { f: FlowJson }) {
  const f = props.f;
  const tone = scoreTone(f.attack_score);
  return html`
    <h3>Threats</h3>
    <dl class="kv" data-testid="flow-threats">
      ${row(
        "Attack score",
        html`<span class=${tone ? `sev sev-${tone}` : ""}>${formatScore(f.attack_score)}</span>${" "}${
          f.attack_signals.length === 0
            ? html`
              <small>no attack signal</small>
            `
            : null
        }`,
      )}
      ${f.attack_signals.length > 0 &&
        row(
          "Signals",
          html`<ul class="plain">${
            f.attack_signals.map((s) => html`<li>${labelOf(ATTACK_SIGNAL_LABELS, s)}</li>`)
          }</ul>`,
        )}
      ${row(
        "Block list",
        f.blocklist
          ? html`
            <span
              class="sev sev-critical">listed</span> ${f.blocklist.listed_ip} is on <strong>${f.blocklist
                .list}</strong> <small>(entry ${f.blocklist.entry})</small>
          `
          : "not listed",
        "flow-blocklist",
      )}
    </dl>
  `;
}

/** The panel of a live flow. */
export function FlowDetail(props: { flow: FlowJson; onClose: () => void }) {
  const f = props.flow;
  return html`
    <aside class="panel detail" aria-label="Flow detail" data-testid="flow-detail">
      <div class="panel-head"><h2>Flow</h2><button type="button" onClick=${props.onClose}>Close</button></div>
      <dl class="kv">
        <${Counters} f=${f} />
        <${NameRow} f=${f} />
        ${row("Duration", formatDuration(f.duration_s))}
        ${row(
          "Baseline",
          f.baseline.intervals === 0
            ? "none yet"
            : `${formatBytes(f.baseline.typical_bytes)} per interval, ×/÷ ${f.baseline.spread_factor} spread`,
        )}
        ${row(
          "Baseline state",
          `${f.baseline.intervals} intervals, ${f.baseline.mature ? "mature: can alert" : "learning"}`,
        )}
        ${row("Community ID", html`<code class="wrap">${f.community_id}</code>`)}
      </dl>
      ${f.protocol === 6 && html`<${TcpHealth} f=${f} />`}
      <${Threats} f=${f} />
    </aside>
  `;
}

/** The panel of a row of the per-minute history. */
export function HistoryFlowDetail(props: { flow: HistoryFlowJson; onClose: () => void }) {
  const f = props.flow;
  return html`
    <aside class="panel detail" aria-label="Flow detail" data-testid="flow-detail">
      <div
        class="panel-head"><h2>Flow <small>(history)</small></h2><button type="button" onClick=${props
          .onClose}>Close</button></div>
      <dl class="kv">
        <${Counters} f=${f} />
        ${row("Minutes", `${formatCount(f.minutes)} minute${f.minutes === 1 ? "" : "s"} of the period`)}
        ${row("Exporter", f.exporter ?? "captured here")}
      </dl>
      <p class="muted">The history keeps each minute's counters; names, TCP health and threats are on the live
        flow while it is in the table.</p>
    </aside>
  `;
}
