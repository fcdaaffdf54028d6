/**
 * Anomalies: one entry per episode (a flow, host or subnet far above its baseline), open or closed, with
 * the plain-language reason, the score, the bytes against the baseline and the threshold; each links to
 * its flows in the explorer. Episodes opening and closing on the stream bring the list up to date
 * without a reload.
 *
 * @module
 */
import { downloadCsv } from "../api.ts";
import { anomalyFigures, AttackSignals } from "../components/anomaly_figures.ts";
import { useThrottled } from "../components/hooks.ts";
import { ANOMALY_RULE_LABELS, labelOf } from "../components/labels.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { formatAgo, formatCount, formatDuration, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { revisions } from "../live_state.ts";
import { formatHash, navigate, route } from "../router.ts";
import { session } from "../session.ts";
import type { StoredAnomaly } from "../types.ts";

/** The flow explorer filtered to what an anomaly is about: its flow, its host or its subnet. */
export function flowLink(a: StoredAnomaly): string {
  if (a.scope === "subnet" && a.cidr) return formatHash(["flows"], { cidr: a.cidr });
  if (a.scope === "host") return formatHash(["flows"], { ip: a.src_ip ?? a.dst_ip ?? undefined });
  return formatHash(["flows"], {
    src_ip: a.src_ip ?? undefined,
    dst_ip: a.dst_ip ?? undefined,
    port: a.dst_port === null ? undefined : String(a.dst_port),
    protocol: a.protocol === null ? undefined : String(a.protocol),
  });
}

/**
 * The reason without the subject it starts with (shown just before it, in bold): " sent 1.2 MB in 10 s…".
 * A reason worded otherwise is kept whole.
 */
export function reasonAfterSubject(a: { subject: string; reason: string }): string {
  return a.reason.startsWith(a.subject) ? a.reason.slice(a.subject.length) : ` — ${a.reason}`;
}

/** "open for 40 s" or "lasted 5 min 20 s, back to normal". */
function episodeState(a: StoredAnomaly): string {
  if (a.phase === "open") return `ongoing, ${formatDuration(a.duration_s)} so far`;
  const why = a.close_reason === "new_normal"
    ? "now the usual level"
    : a.close_reason === "subject_gone"
    ? "the traffic ended"
    : "back to normal";
  return `lasted ${formatDuration(a.duration_s)}, ${why}`;
}

function AnomalyItem(props: { a: StoredAnomaly; selected: boolean }) {
  const a = props.a;
  return html`
    <li class=${`anomaly${props.selected ? " selected" : ""}${
      a.phase === "open" ? " open" : ""
    }`} id=${`anomaly-${a.episode_id}`} data-testid="anomaly" data-id=${a.id} data-episode=${a.episode_id}>
      <div class="anomaly-main">
        <p
          class="anomaly-reason"><span class=${`sev sev-${a.phase === "open" ? "warning" : "info"}`}>${a
            .scope} · ${labelOf(ANOMALY_RULE_LABELS, a.rule)}</span> <strong>${a
            .subject}</strong>${reasonAfterSubject(a)}</p>
        <p class="anomaly-meta">
          <span title=${formatTime(a.started_at)}>${formatAgo(a.started_at)}</span>${" · "}${episodeState(
            a,
          )}${" · "}<a
            href=${flowLink(a)}>${a.scope === "flow" ? "see the flow" : "see its flows"}</a>
        </p>
        <${AttackSignals} a=${a} />
      </div>
      <dl class="anomaly-figures">
        ${anomalyFigures(a).map(([k, v, title]) =>
          html`
            <div>
              <dt>${k}</dt>
              <dd class=${k === "score" ? "score" : ""} title=${title}>${v}</dd>
            </div>
          `
        )}
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
  const selected = props.selectedId ?? null;
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
          Every flow, local host and local subnet learns its own baseline before it can alert; traffic far above it, and above
          the minimum size, opens an anomaly episode, which closes when traffic is back to normal. The thresholds are in Settings.</${Empty}>`
      : html`<ul class="anomalies" data-testid="anomalies">${
        page.rows.map((a) =>
          html`<${AnomalyItem} key=${a.episode_id} a=${a} selected=${a.episode_id === selected} />`
        )
      }</ul>`
  }
    ${
    page.more &&
    html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load more</button>`
  }
  </section>`;
}
