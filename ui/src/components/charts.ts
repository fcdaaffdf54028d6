/**
 * Charts drawn as SVG (no chart library): a time-series line with an area under it, and a scatter of
 * anomaly scores. Axis text is HTML beside the drawing, so it keeps its size on any width.
 *
 * @module
 */
import { html } from "../html.ts";

/** Drawing width in SVG units; the SVG scales to its box. */
const W = 600;

/** A point of a series. */
export interface Point {
  /** Time, epoch ms. */
  t: number;
  /** Value. */
  v: number;
}

/** The polyline points of `points` over [t0, t1] × [0, max] in a W × h box. */
export function linePath(points: readonly Point[], t0: number, t1: number, max: number, h: number): string {
  if (points.length === 0 || t1 <= t0 || max <= 0) return "";
  return points.map((p) => {
    const x = ((p.t - t0) / (t1 - t0)) * W;
    const y = h - (Math.max(0, p.v) / max) * (h - 2) - 1;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  }).join(" ");
}

/** A round maximum at or above `v`: 1, 2, 5 × 10ⁿ. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * The time range drawn: up to `spanMs` back from `now`, but no further back than the first point, so a
 * few minutes of data fill the chart instead of a sliver at its right edge.
 */
export function timeRange(points: readonly Point[], now: number, spanMs: number): [number, number] {
  const earliest = now - spanMs;
  // Points are oldest first; one older than the span means the whole span has data.
  const first = points.length > 0 ? Math.min(...points.map((p) => p.t)) : earliest;
  // At least a minute, so two points 2 s apart do not stretch across the whole width.
  return [Math.min(Math.max(earliest, first), now - 60_000), now];
}

/** How far back `t0` is, as the axis says it: "15 min ago", "3 h ago". */
function agoLabel(now: number, t0: number): string {
  const s = (now - t0) / 1000;
  return s >= 5400 ? `${Math.round(s / 3600)} h ago` : `${Math.max(1, Math.round(s / 60))} min ago`;
}

/** A line chart over the last `spanMs` (at most) up to `now`. */
export function TimeChart(props: {
  title: string;
  points: readonly Point[];
  now: number;
  spanMs: number;
  format: (v: number) => string;
  height?: number;
  testId?: string;
}) {
  const h = props.height ?? 120;
  const [t0, t1] = timeRange(props.points, props.now, props.spanMs);
  const visible = props.points.filter((p) => p.t >= t0);
  const max = niceMax(Math.max(0, ...visible.map((p) => p.v)));
  const line = linePath(visible, t0, t1, max, h);
  const last = visible.length > 0 ? visible[visible.length - 1].v : null;
  const area = line && visible.length > 1
    ? `${(((visible[0].t - t0) / (t1 - t0)) * W).toFixed(1)},${h} ${line} ${
      (((visible[visible.length - 1].t - t0) / (t1 - t0)) * W).toFixed(1)
    },${h}`
    : "";
  return html`
    <figure class="chart" data-testid=${props.testId}>
      <figcaption><span>${props.title}</span><strong class="chart-now">${last === null
        ? "–"
        : props.format(last)}</strong></figcaption>
      <div class="chart-body">
          <span class="chart-max">${props.format(max)}</span>
          <svg viewBox=${`0 0 ${W} ${h}`} preserveAspectRatio="none" role="img"
            aria-label=${`${props.title}, last ${Math.round(props.spanMs / 60000)} minutes`}>
            <line class="grid" x1="0" x2=${W} y1=${h / 2} y2=${h / 2} />
            ${area && html`<polygon class="area" points=${area} />`}
            ${line && html`<polyline class="line" points=${line} vector-effect="non-scaling-stroke" />`}
          </svg>
          ${visible.length < 2 && html`<span class="chart-wait">collecting: a point every 2 s</span>`}
        </div>
      <div class="chart-axis"><span>${agoLabel(t1, t0)}</span><span>now</span></div>
    </figure>
  `;
}

/** Anomaly scores over time, on a log scale (scores run from 4 to thousands). */
export function ScoreChart(
  props: { points: readonly Point[]; now: number; spanMs: number; height?: number },
) {
  const h = props.height ?? 120;
  const [t0, t1] = timeRange(props.points.filter((p) => p.v > 0), props.now, props.spanMs);
  const visible = props.points.filter((p) => p.t >= t0 && p.v > 0);
  // Dots keep a margin so none is cut at an edge. A dot is a zero-length line with round caps and a
  // non-scaling stroke: it stays round although the drawing stretches to the chart's width.
  const x = (t: number) => 8 + ((t - t0) / (t1 - t0)) * (W - 16);
  const top = Math.max(10, ...visible.map((p) => p.v));
  const logTop = Math.log10(niceMax(top));
  const y = (v: number) => h - 6 - (Math.log10(Math.max(1, v)) / logTop) * (h - 12);
  return html`
    <figure class="chart" data-testid="chart-scores">
      <figcaption><span>Anomaly scores</span><strong class="chart-now">${visible.length}</strong></figcaption>
      <div class="chart-body">
          <span class="chart-max">${niceMax(top).toLocaleString("en-US")} σ</span>
          <svg viewBox=${`0 0 ${W} ${h}`} preserveAspectRatio="none" role="img"
            aria-label=${`${visible.length} anomaly scores over the last ${
              Math.round(props.spanMs / 3600000)
            } hours`}>
            <line class="grid" x1="0" x2=${W} y1=${y(10)} y2=${y(10)} />
            ${visible.map((p) =>
              html`<line class="dot" x1=${x(p.t).toFixed(1)} x2=${x(p.t).toFixed(1)} y1=${
                y(p.v).toFixed(1)
              } y2=${y(p.v).toFixed(1)} />`
            )}
          </svg>
          ${visible.length === 0 && html`<span class="chart-wait">no anomaly in this period</span>`}
        </div>
      <div class="chart-axis"><span>${agoLabel(t1, t0)}</span><span>now</span></div>
    </figure>
  `;
}
