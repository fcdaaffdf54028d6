/**
 * A utilisation bar coloured by the user's thresholds (Settings; default 60 % and 85 %).
 *
 * @module
 */
import { signal } from "@preact/signals";
import { formatPct } from "../format.ts";
import { html } from "../html.ts";

/** Where green turns amber and amber turns red, in percent. */
export interface UtilThresholds {
  /** Amber from here. */
  warn: number;
  /** Red from here. */
  crit: number;
}

/** localStorage key of the thresholds. */
export const THRESHOLDS_KEY = "flintnet.util_thresholds";
/** The defaults the issue names. */
export const DEFAULT_THRESHOLDS: UtilThresholds = { warn: 60, crit: 85 };

function loadThresholds(): UtilThresholds {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(THRESHOLDS_KEY) ?? "null");
    if (v && Number.isFinite(v.warn) && Number.isFinite(v.crit) && v.warn < v.crit) {
      return { warn: v.warn, crit: v.crit };
    }
  } catch { /* defaults */ }
  return DEFAULT_THRESHOLDS;
}

/** The thresholds in force. */
export const thresholds = signal<UtilThresholds>(DEFAULT_THRESHOLDS);

/** Reads the saved thresholds (at start). */
export function initThresholds(): void {
  thresholds.value = loadThresholds();
}

/** Saves new thresholds. */
export function saveThresholds(t: UtilThresholds): void {
  localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(t));
  thresholds.value = t;
}

/** "ok", "warn" or "crit" for a utilisation; "none" when unknown. */
export function utilLevel(pct: number | null | undefined, t: UtilThresholds = thresholds.value): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return "none";
  return pct >= t.crit ? "crit" : pct >= t.warn ? "warn" : "ok";
}

/**
 * One bar: label, fill, value. `name`: what a screen reader calls the bar when the label is left empty
 * (a table's column or a list's term already says it). @default label
 */
export function UtilBar(props: { label: string; pct: number | null | undefined; name?: string }) {
  const pct = props.pct;
  const level = utilLevel(pct);
  const width = pct === null || pct === undefined ? 0 : Math.max(0, Math.min(100, pct));
  return html`
    <div class="util" data-level=${level}>
      <span class="util-label">${props.label}</span>
      <span class="util-track" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct ??
        undefined}
        aria-label=${`${props.name ?? props.label} utilisation`}>
        <span class=${`util-fill ${level}`} style=${{ width: `${width}%` }}></span>
      </span>
      <span class="util-value">${formatPct(pct)}</span>
    </div>
  `;
}
