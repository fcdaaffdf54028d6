/**
 * Advisories (the analysis side: top talkers, spikes and drops, insecure protocols, scans, DNS, asymmetry):
 * listed from `GET /advisories` when the agent serves it (its OpenAPI document says so) and from
 * `advisory` events as they come.
 *
 * @module
 */
import { SeverityBadge } from "../components/badges.ts";
import { Empty } from "../components/states.ts";
import { formatAgo, formatCount, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { advisories, advisoriesServed } from "../live_state.ts";
import type { Advisory } from "../types.ts";

function AdvisoryItem(props: { a: Advisory }) {
  const a = props.a;
  return html`
    <li class=${`alert-item lvl-${a.severity ?? "info"}`} data-testid="advisory">
      <p class="alert-line">${a.severity &&
        html`<${SeverityBadge} severity=${a.severity} />`} <strong>${a.title ?? a.type ?? "Advisory"}</strong>
          <span class="muted" title=${formatTime(a.ts)}>${formatAgo(a.ts)}</span></p>
      <p class="alert-summary">${a.summary ?? a.reason ?? ""}</p>
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
      ? html`<${Empty} title="No advisory">
          ${
        advisoriesServed.value
          ? "Flintnet's analysis has nothing to point out at the moment."
          : "Advisories — top talkers, sudden spikes or drops, insecure protocols, scans, DNS trouble — arrive with the traffic analysis in a coming release; they will be listed here as they are raised."
      }
        </${Empty}>`
      : html`<ul class="alerts" data-testid="advisories">${
        list.map((a, i) => html`<${AdvisoryItem} key=${a.id ?? i} a=${a} />`)
      }</ul>`
  }
  </section>`;
}
