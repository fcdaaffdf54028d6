/**
 * Advisories (the traffic analysis: top talkers, spikes and drops, insecure protocols, scans and sweeps,
 * DNS volume, asymmetric routing) from `GET /advisories`: filters by state, type, severity, address and
 * text (the route's own), each advisory in its latest state — open, or resolved with when and why — with
 * its severity, subject, the finding, what to do and, folded, the evidence. `advisory` events on the
 * stream (raised, resolved) bring the list up to date without a reload. An agent without the analysis gets
 * a clear empty state, never an error.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { downloadCsv, type Params } from "../api.ts";
import { SeverityBadge } from "../components/badges.ts";
import { type Field, FilterForm } from "../components/filters.ts";
import { useThrottled } from "../components/hooks.ts";
import { ADVISORY_LABELS, labelOf } from "../components/labels.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { formatAgo, formatCount, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { advisoriesServed, revisions } from "../live_state.ts";
import { formatHash, route } from "../router.ts";
import { session } from "../session.ts";
import type { AdvisoryEvent } from "../types.ts";

const FIELDS: readonly Field[] = [
  {
    name: "state",
    label: "State",
    options: [["", "open and resolved"], ["open", "open"], ["resolved", "resolved"]],
  },
  { name: "type", label: "Type", options: [["", "any"], ...Object.entries(ADVISORY_LABELS)] },
  {
    name: "severity",
    label: "Severity at least",
    options: [["", "any"], ["warning", "warning"], ["critical", "critical"]],
  },
  { name: "ip", label: "Address", placeholder: "192.168.1.20" },
  { name: "q", label: "Text", placeholder: "words in the finding" },
];

/** Route parameters → GET /advisories parameters. */
export function advisoryParams(p: Record<string, string>): Params {
  const out: Params = { limit: 100 };
  for (const f of FIELDS) if (p[f.name]) out[f.name] = p[f.name];
  return out;
}

/** An instant as the API writes it ("2024-01-15T09:00:00.000Z"): shown in local time like the rest. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/** The evidence as label/value pairs, as text (it comes from the network: never HTML). */
export function evidenceRows(evidence: Record<string, unknown> | null | undefined): [string, string][] {
  if (evidence === undefined || evidence === null) return [];
  const text = (v: unknown): string =>
    typeof v === "string"
      ? (ISO_TIME.test(v) ? formatTime(v) : v)
      : Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)
      ? v.join(", ")
      : JSON.stringify(v);
  return Object.entries(evidence).map(([k, v]) => [k.replaceAll("_", " "), text(v)]);
}

function AdvisoryItem(props: { a: AdvisoryEvent }) {
  const a = props.a;
  const evidence = evidenceRows(a.evidence);
  const open = a.phase === "raised";
  return html`
    <li class=${`alert-item lvl-${a.severity}${open ? "" : " acked"}`} data-testid="advisory" data-id=${a
      .advisory_id} data-type=${a.type} data-phase=${a.phase}>
      <div class="alert-main">
        <p class="alert-line"><${SeverityBadge} severity=${a.severity} />${" "}<strong>${labelOf(
          ADVISORY_LABELS,
          a.type,
        )}</strong>${" "}<span class="subject">${a.subject}</span>${" "}<span class=${`phase ${
          open ? "phase-open" : "phase-resolved"
        }`}>${open ? "open" : "resolved"}</span></p>
        <p class="alert-summary">${a.summary}</p>
        <p class="muted">Raised <span title=${formatTime(a.raised_at)}>${formatAgo(
          a.raised_at,
        )}</span>${a.resolved_at
          ? html`, resolved <span title=${formatTime(a.resolved_at)}>${formatAgo(a.resolved_at)}</span>${
            a.resolution ? `: ${a.resolution}` : ""
          }`
          : ""}${a.ip ? " · " : ""}${a.ip &&
          html`<a href=${formatHash(["flows"], { ip: a.ip })}>its flows</a>`}</p>
        ${open && a.action && html`<p class="advisory-action"><strong>What to do:</strong> ${a.action}</p>`}
        ${evidence.length > 0 && html`
          <details class="evidence">
            <summary>Evidence</summary>
            <dl class="kv">${evidence.map(([k, v]) =>
              html`
                <dt>${k}</dt>
                <dd>${v}</dd>
              `
            )}</dl>
          </details>
        `}
      </div>
    </li>
  `;
}

function List(props: { params: Params }) {
  const live = useThrottled(revisions.advisories.value, 500);
  const page = usePaged<AdvisoryEvent>("/advisories", props.params, "advisories", [live]);
  const filtered = Object.keys(props.params).length > 1;
  return html`
    <div class="list-head">
      <p class="count" data-testid="advisories-count" data-count=${page.total ??
        undefined}>${page.total === null
        ? "…"
        : `${formatCount(page.total)} advisor${page.total === 1 ? "y" : "ies"}`}</p>
    </div>
    ${page.error
      ? html`<${ErrorBox} error=${page.error} onRetry=${page.reload} />`
      : page.loading && page.rows.length === 0
      ? html`<${Loading} what="advisories" />`
      : page.rows.length === 0
      ? html`<${Empty} title=${filtered ? "No advisory matches" : "No advisory"}>
          Flintnet reads its flows once a minute and says here what a person looking after the network should
          know — top talkers, sudden spikes or drops, insecure protocols, port scans and host sweeps, heavy DNS
          use, asymmetric routing — the moment it is raised, and again when it is resolved.</${Empty}>`
      : html`<ul class="alerts" data-testid="advisories">${
        page.rows.map((a) => html`<${AdvisoryItem} key=${a.advisory_id} a=${a} />`)
      }</ul>`}
    ${page.more &&
      html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load more</button>`}
  `;
}

/** The screen. */
export function AdvisoriesScreen() {
  const params = advisoryParams(route.value.params);
  const served = advisoriesServed.value;
  const [csvError, setCsvError] = useState<Error | null>(null);
  return html`<section class="screen" aria-labelledby="advisories-title">
    <h1 id="advisories-title">Advisories</h1>
    ${
    served === null
      ? html`<${Loading} what="advisories" />`
      : !served
      ? html`<${Empty} title="Advisories are not available from this agent">
          This agent does not run the traffic analysis (it has no GET /advisories). Advisories — top talkers,
          sudden spikes or drops, insecure protocols, scans, DNS trouble — appear here once it is updated to a
          version that does.</${Empty}>`
      : html`
        <${FilterForm} path=${["advisories"]} fields=${FIELDS} testId="advisory-filters">
          <button type="button" onClick=${() =>
            downloadCsv(session.value!, "/advisories", { ...params, limit: 1000 }, "flintnet-advisories.csv")
              .catch(setCsvError)}>
            Export CSV</button>
        </${FilterForm}>
        ${csvError && html`<${ErrorBox} error=${csvError} />`}
        <${List} params=${params} />
      `
  }
  </section>`;
}
