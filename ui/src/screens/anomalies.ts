/**
 * Anomalies: the plain-language reason, the score, the interval's bytes against the baseline and the
 * threshold; each links to its flow in the explorer. New anomalies on the stream bring the list up to
 * date without a reload.
 *
 * @module
 */
import { downloadCsv } from "../api.ts";
import { useThrottled } from "../components/hooks.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { formatAgo, formatBytes, formatCount, formatTime, protocolName } from "../format.ts";
import { html } from "../html.ts";
import { revisions } from "../live_state.ts";
import { formatHash, navigate, route } from "../router.ts";
import { session } from "../session.ts";
import type { StoredAnomaly } from "../types.ts";

/** The explorer's filter for an anomaly's flow. */
export function flowLink(a: StoredAnomaly): string {
  return formatHash(["flows"], {
    src_ip: a.src_ip,
    dst_ip: a.dst_ip,
    port: String(a.dst_port),
    protocol: String(a.protocol),
  });
}

function AnomalyItem(props: { a: StoredAnomaly; selected: boolean }) {
  const a = props.a;
  return html`
    <li class=${`anomaly${
      props.selected ? " selected" : ""
    }`} id=${`anomaly-${a.id}`} data-testid="anomaly" data-id=${a.id}>
      <div class="anomaly-main">
        <p class="anomaly-reason">${a.reason}</p>
        <p class="anomaly-meta">
            <span title=${formatTime(a.ts)}>${formatAgo(a.ts)}</span>${" · "}${a.src_ip}:${a.src_port} → ${a
              .dst_ip}:${a.dst_port}${" "}${protocolName(a.protocol)}${" · "}<a href=${flowLink(
                a,
              )}>see the flow</a>
          </p>
      </div>
      <dl class="anomaly-figures">
        <div>
          <dt>score</dt>
          <dd class="score">${a.score.toFixed(1)}</dd>
        </div>
        <div>
          <dt>interval</dt>
          <dd>${formatBytes(a.bytes)}</dd>
        </div>
        <div>
          <dt>baseline</dt>
          <dd>${formatBytes(a.ewma_bytes)}</dd>
        </div>
        <div>
          <dt>threshold</dt>
          <dd>${formatBytes(a.threshold_bytes)}</dd>
        </div>
      </dl>
    </li>
  `;
}

/** The screen; `selectedId` from `#/anomalies/<id>`. */
export function AnomaliesScreen(props: { selectedId?: string }) {
  const sort = route.value.params.sort ?? "ts";
  const newest = useThrottled(revisions.alerts.value, 1000);
  const page = usePaged<StoredAnomaly>("/anomalies", { sort, limit: 100 }, "anomalies", [
    newest,
    revisions.anomalies.value,
  ]);
  const selected = props.selectedId ? Number(props.selectedId) : null;
  return html`<section class="screen" aria-labelledby="anomalies-title">
    <h1 id="anomalies-title">Anomalies</h1>
    <div class="list-head">
      <p class="count" data-testid="anomalies-count" data-count=${page.total ?? undefined}>
        ${
    page.total === null ? "…" : `${formatCount(page.total)} anomal${page.total === 1 ? "y" : "ies"}`
  }</p>
      <label class="inline">Sort by
        <select value=${sort} onChange=${(e: Event) =>
    navigate(["anomalies"], { sort: (e.target as HTMLSelectElement).value })}>
          <option value="ts">newest</option><option value="score">score</option><option value="bytes">bytes</option>
        </select></label>
      <button type="button" onClick=${() =>
    downloadCsv(
      session.value!,
      "/anomalies",
      { sort, limit: 1000 },
      "flintnet-anomalies.csv",
    )}>Export CSV</button>
    </div>
    ${
    page.error
      ? html`<${ErrorBox} error=${page.error} onRetry=${page.reload} />`
      : page.loading && page.rows.length === 0
      ? html`<${Loading} what="anomalies" />`
      : page.rows.length === 0
      ? html`<${Empty} title="No anomaly">
          Each flow learns its own baseline (about 5 minutes of 10-second intervals) before it can alert; an interval far above
          it, and above the minimum size, is an anomaly. The thresholds are in Settings.</${Empty}>`
      : html`<ul class="anomalies" data-testid="anomalies">${
        page.rows.map((a) => html`<${AnomalyItem} key=${a.id} a=${a} selected=${a.id === selected} />`)
      }</ul>`
  }
    ${
    page.more &&
    html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load more</button>`
  }
  </section>`;
}
