/**
 * The dashboard: live rates over the last 15 minutes (from `stats` events), active flows, capture drops,
 * the top flows by bytes (refreshed with every stats event), recent anomalies and security events, open
 * alert and advisory counts, and anomaly scores over time.
 *
 * @module
 */
import { getJson } from "../api.ts";
import { Endpoint, flowPairColumn, Proto } from "../components/flow_cells.ts";
import { ScoreChart, TimeChart } from "../components/charts.ts";
import { useApi, useNow, useThrottled } from "../components/hooks.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { PHONE_WIDTH, VirtualTable } from "../components/vtable.ts";
import { formatAgo, formatBps, formatBytes, formatCount, formatRate } from "../format.ts";
import { html } from "../html.ts";
import {
  activeFlows,
  advisoriesServed,
  captureTotals,
  latestStats,
  recentAnomalies,
  revisions,
  SERIES_MS,
  statsSeries,
} from "../live_state.ts";
import { navigate } from "../router.ts";
import { reasonAfterSubject } from "./anomalies.ts";
import { alertTypeLabel } from "../components/labels.ts";
import type { AdvisoriesPage, AlertsPage, AnomaliesPage, FlowJson, Page } from "../types.ts";

/** One number with its label. */
export function Stat(
  props: { label: string; value: string; testId: string; count?: number; href?: string; tone?: string },
) {
  const inner =
    html`<span class="stat-value" data-count=${props.count}>${props.value}</span><span class="stat-label">${props.label}</span>`;
  return props.href
    ? html`<a class=${`stat ${props.tone ?? ""}`} href=${props.href} data-testid=${props.testId}>${inner}</a>`
    : html`<div class=${`stat ${props.tone ?? ""}`} data-testid=${props.testId}>${inner}</div>`;
}

const FLOW_COLUMNS = [
  flowPairColumn<FlowJson>(),
  {
    title: "Source",
    width: "minmax(9rem,1.3fr)",
    hideBelow: PHONE_WIDTH,
    render: (f: FlowJson) => html`<${Endpoint} ip=${f.src_ip} port=${f.src_port} protocol=${f.protocol} />`,
  },
  {
    title: "Destination",
    width: "minmax(9rem,1.3fr)",
    hideBelow: PHONE_WIDTH,
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
    title: "Last seen",
    width: "7.5rem",
    className: "num",
    render: (f: FlowJson) => formatAgo(f.last_seen),
    hideBelow: 900,
  },
];

/** The screen. */
export function DashboardScreen() {
  const now = useNow(2000);
  const stats = latestStats.value;
  const series = statsSeries.value;
  const totals = stats ? captureTotals(stats) : null;
  // At most one count request a second, however fast alerts arrive.
  const alertsRevision = useThrottled(revisions.alerts.value, 1000);
  // The flow table has no event of its own: it is read again with every stats event (every 2 s).
  const flows = useApi(
    (s, signal) => getJson<{ flows: FlowJson[] } & Page>(s, "/flows", { limit: 10 }, signal),
    [stats],
  );
  const open = useApi(
    (s, signal) => getJson<AlertsPage>(s, "/alerts", { kind: "security", acked: false, limit: 1 }, signal),
    [alertsRevision],
  );
  // The latest security events from the history, so the panel is the same before and after a login, and
  // read again when the stream brings a new one.
  const latestSecurity = useApi(
    (s, signal) => getJson<AlertsPage>(s, "/alerts", { kind: "security", limit: 6 }, signal),
    [alertsRevision],
  );
  // The agent's own count of the episodes it holds (it keeps a bounded number), read again as they come.
  const anomalyTotal = useApi(
    (s, signal) => getJson<AnomaliesPage>(s, "/anomalies", { limit: 1 }, signal),
    [alertsRevision],
  );
  // Open advisories: the agent's count, read again when one is raised or resolved.
  const advisoriesRevision = useThrottled(revisions.advisories.value, 1000);
  const served = advisoriesServed.value;
  const openAdvisories = useApi(
    (s, signal) =>
      served
        ? getJson<AdvisoriesPage>(s, "/advisories", { state: "open", limit: 1 }, signal)
        : Promise.resolve(null),
    [advisoriesRevision, served],
  );
  const openAdv = openAdvisories.data?.total_matched;
  const anomalies = recentAnomalies.value;
  const security = latestSecurity.data?.alerts ?? [];
  return html`
    <section class="screen" aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <div class="stats-row">
        <${Stat} label="packets/s" testId="stat-pps" value=${series.length
          ? formatRate(series[series.length - 1].pps, "")
          : "–"} />
        <${Stat} label="bits/s" testId="stat-bps" value=${series.length
          ? formatBps(series[series.length - 1].bps).replace("bit/s", "")
          : "–"} />
        <${Stat} label="active flows" testId="stat-flows" count=${stats ? activeFlows(stats) : undefined}
          value=${stats ? formatCount(activeFlows(stats)) : "–"} href="#/flows" />
        <${Stat} label="capture drops" testId="stat-drops" count=${totals?.drops} value=${totals
          ? formatCount(totals.drops)
          : "–"}
          tone=${totals && totals.drops > 0 ? "warn" : ""} />
        <${Stat} label="open security alerts" testId="stat-open-alerts" count=${open.data?.total_matched}
          value=${open.data
            ? formatCount(open.data.total_matched)
            : "–"} href="#/security?kind=security&acked=false"
          tone=${open.data && open.data.total_matched > 0 ? "crit" : ""} />
        <${Stat} label="anomalies" testId="stat-anomalies" count=${anomalyTotal.data?.total_matched}
          value=${anomalyTotal.data ? formatCount(anomalyTotal.data.total_matched) : "–"}
          tone=${anomalies.some((a) => a.phase === "open") ? "warn" : ""} href="#/anomalies" />
        <${Stat} label="open advisories" testId="stat-advisories" count=${openAdv} value=${openAdv ===
            undefined
          ? "–"
          : formatCount(openAdv)}
          href="#/advisories?state=open" tone=${openAdv ? "warn" : ""} />
      </div>
      <div class="grid-2">
        <${TimeChart} title="Packets per second" testId="chart-pps" points=${series.map((p) => ({
          t: p.t,
          v: p.pps,
        }))}
          now=${now} spanMs=${SERIES_MS} format=${(v: number) => formatRate(v)} />
        <${TimeChart} title="Bits per second" testId="chart-bps" points=${series.map((p) => ({
          t: p.t,
          v: p.bps,
        }))}
          now=${now} spanMs=${SERIES_MS} format=${formatBps} />
      </div>
      <div class="panel">
          <div class="panel-head"><h2>Top flows by bytes</h2><a href="#/flows">All flows</a></div>
          ${flows.error && !flows.data
            ? html`<${ErrorBox} error=${flows.error} onRetry=${flows.reload} />`
            : !flows.data
            ? html`<${Loading} what="flows" />`
            : flows.data.flows.length === 0
            ? html`<${Empty} title="No flow yet">Flows appear as soon as the capture interface sees IP traffic.</${Empty}>`
            : html`
              <${VirtualTable} label="Top flows" testId="top-flows" rows=${flows.data
                .flows} columns=${FLOW_COLUMNS}
                rowKey=${(f: FlowJson) => f.community_id + f.src_port + f.src_ip}
                onRowClick=${(f: FlowJson) =>
                  navigate(["flows"], {
                    src_ip: f.src_ip,
                    dst_ip: f.dst_ip,
                    port: String(f.dst_port),
                    protocol: String(f.protocol),
                  })} />
            `}
        </div>
      <div class="grid-2">
        <div class="panel">
            <div class="panel-head"><h2>Recent anomalies</h2><a href="#/anomalies">All</a></div>
            ${anomalies.length === 0
              ? html`
                <${Empty}
                  title="No anomaly">A flow, host or subnet is flagged when it carries far more than its learned baseline.</${Empty}>
              `
              : html`<ul class="feed" data-testid="recent-anomalies">${
                anomalies.slice(0, 6).map((a) =>
                  html`<li key=${a.episode_id} class=${a.phase === "open" ? "lvl-warning" : ""}>
              <a href=${`#/anomalies/${encodeURIComponent(a.episode_id)}`}><span class="feed-time">${
                    formatAgo(a.started_at, now)
                  }</span>
              <span class="feed-text"><span class=${`sev sev-${a.phase === "open" ? "warning" : "info"}`}>${
                    a.phase === "open" ? "ongoing" : "ended"
                  }</span> <strong>${a.subject}</strong>${reasonAfterSubject(a)}</span></a></li>`
                )
              }</ul>`}
          </div>
        <div class="panel">
            <div class="panel-head"><h2>Security events</h2><a href="#/security?kind=security">History</a></div>
            ${latestSecurity.error && !latestSecurity.data
              ? html`<${ErrorBox} error=${latestSecurity.error} onRetry=${latestSecurity.reload} />`
              : !latestSecurity.data
              ? html`<${Loading} what="security events" />`
              : security.length === 0
              ? html`
                <${Empty}
                  title="No security event">New devices and ARP spoofing appear here the moment they are seen.</${Empty}>
              `
              : html`<ul class="feed" data-testid="recent-security">${
                security.map((e) =>
                  html`<li key=${e.id} class=${`lvl-${e.severity}`}>
              <a href=${`#/security?${
                    e.mac ? `mac=${encodeURIComponent(e.mac)}&` : ""
                  }kind=security`}><span class="feed-time">${formatAgo(e.ts, now)}</span>
              <span class="feed-text"><span class=${`sev sev-${e.severity}`}>${
                    alertTypeLabel(e.kind, e.type)
                  }</span> ${e.summary}</span></a></li>`
                )
              }</ul>`}
          </div>
      </div>
      <${ScoreChart} points=${anomalies.map((a) => ({
        t: Date.parse(a.ts),
        v: a.score,
      }))} now=${now} spanMs=${24 * 3600_000} />
    </section>
  `;
}
