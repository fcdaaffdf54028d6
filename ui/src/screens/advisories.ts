/**
 * Advisories (the analysis side: top talkers, spikes and drops, insecure protocols, scans, DNS, asymmetry):
 * listed from `GET /advisories` when the agent serves it (its OpenAPI document says so) and from
 * `advisory` events as they come. Each shows its severity, subject, the finding in a sentence, what to do
 * and, folded, the evidence. An agent without the analysis gets a clear empty state, never an error.
 *
 * @module
 */
import { SeverityBadge } from "../components/badges.ts";
import { Empty } from "../components/states.ts";
import { formatAgo, formatCount, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { advisories, advisoriesServed } from "../live_state.ts";
import type { Advisory } from "../types.ts";

/** The evidence as label/value pairs, as text (it comes from the network: never HTML). */
export function evidenceRows(evidence: Advisory["evidence"]): [string, string][] {
  if (evidence === undefined || evidence === null) return [];
  if (typeof evidence === "string") return [["", evidence]];
  const text = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);
  if (Array.isArray(evidence)) return evidence.map((v, i) => [String(i + 1), text(v)]);
  return Object.entries(evidence).map(([k, v]) => [k.replaceAll("_", " "), text(v)]);
}

function AdvisoryItem(props: { a: Advisory }) {
  const a = props.a;
  const evidence = evidenceRows(a.evidence);
  const sentence = a.summary ?? a.sentence ?? "";
  return html`
    <li class=${`alert-item lvl-${a.severity ?? "info"}`} data-testid="advisory" data-id=${a.id}>
      <div class="alert-main">
        <p class="alert-line">${a.severity && html`<${SeverityBadge} severity=${a.severity} />`}${" "}<strong
          >${a.subject ?? a.title ?? a.type ??
            "Advisory"}</strong>${" "}<span class="muted" title=${formatTime(
              a.ts,
            )}>${formatAgo(a.ts)}</span>${a.type && a.subject
            ? html`
              <span class="muted">· ${a.type}</span>
            `
            : null}</p>
        <p class="alert-summary">${sentence}</p>
        ${a.action && html`<p class="advisory-action"><strong>What to do:</strong> ${a.action}</p>`}
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

/** The screen. */
export function AdvisoriesScreen() {
  const list = advisories.value;
  return html`<section class="screen" aria-labelledby="advisories-title">
    <h1 id="advisories-title">Advisories</h1>
    <p class="count" data-testid="advisories-count" data-count=${list.length}>${
    formatCount(list.length)
  } advisor${list.length === 1 ? "y" : "ies"}</p>
    ${
    list.length === 0
      ? html`<${Empty} title=${
        advisoriesServed.value ? "No advisory" : "Advisories are not available from this agent"
      }>
          ${
        advisoriesServed.value
          ? "Flintnet's traffic analysis has nothing to point out at the moment. Findings — top talkers, sudden spikes or drops, insecure protocols, scans, DNS trouble — appear here the moment they are raised."
          : "This agent does not run the traffic analysis (it has no GET /advisories). Advisories — top talkers, sudden spikes or drops, insecure protocols, scans, DNS trouble — appear here once it is updated to a version that does."
      }
        </${Empty}>`
      : html`<ul class="alerts" data-testid="advisories">${
        list.map((a, i) => html`<${AdvisoryItem} key=${a.id ?? i} a=${a} />`)
      }</ul>`
  }
  </section>`;
}
