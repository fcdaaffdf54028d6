/**
 * The figures an anomaly episode is shown with, by its rule (AnomalyEvent.rule, docs/anomalies.md and
 * docs/visibility.md): volume rules against their baseline and threshold; `retransmissions` as segments
 * sent again of segments sent and the share against the rule's; `attack` as a 0–1 score with the signals
 * behind it and what each counted. The switch is exhaustive over the daemon's rules: a new rule without
 * figures fails the type check.
 *
 * @module
 */
import { formatBytes, formatCount, formatPct } from "../format.ts";
import { html } from "../html.ts";
import type { StoredAnomaly } from "../types.ts";
import { ATTACK_SIGNAL_LABELS, labelOf } from "./labels.ts";

/** [label, value, title] of each figure. */
export function anomalyFigures(a: StoredAnomaly): [string, string, string?][] {
  switch (a.rule) {
    case "spike":
    case "sustained":
      return [
        ["score", a.score.toFixed(1), "spreads above the baseline"],
        [
          a.rule === "sustained" ? "level" : "interval",
          formatBytes(a.rule === "sustained" ? a.level_bytes : a.bytes),
        ],
        [
          "baseline",
          formatBytes(a.baseline.typical_bytes),
          `${
            a.baseline.source === "hour_of_day" ? "this hour of the day" : "recent"
          }, ×/÷ ${a.baseline.spread_factor} spread`,
        ],
        ["threshold", formatBytes(a.threshold_bytes)],
        ["peak", formatBytes(a.peak_bytes)],
      ];
    case "retransmissions":
      return [
        ["resent", formatCount(a.score), "segments sent again in the interval"],
        ["of segments", formatCount(a.packets)],
        ["share", formatPct(a.ratio * 100)],
        ["rule from", formatPct(a.ratio_min * 100)],
      ];
    case "attack":
      return [
        ["score", a.score.toFixed(2), "0 to 1"],
        ["threshold", a.ratio_min.toFixed(2)],
        ["flows", formatCount(a.flows)],
        ["bytes", formatBytes(a.bytes)],
      ];
  }
}

/** The signals of an `attack` episode, with what each counted; nothing for other rules. */
export function AttackSignals(props: { a: StoredAnomaly }) {
  const s = props.a.signals ?? [];
  if (props.a.rule !== "attack" || s.length === 0) return null;
  return html`<ul class="signals" aria-label="Attack signals">${
    s.map((x) =>
      html`<li><span class="sev sev-warning">${labelOf(ATTACK_SIGNAL_LABELS, x.name)}</span> ${
        formatCount(x.count)
      } <small>(weight ${x.weight})</small></li>`
    )
  }</ul>`;
}
