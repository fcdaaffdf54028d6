/**
 * A windowed table: only the rows in view (plus a few) are in the DOM, so a list of 100,000 rows scrolls
 * as lightly as one of 20. Rows have one fixed height; columns are a CSS grid set through the CSSOM.
 * Clickable rows are focusable and open with Enter.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.ts";

/** A column. */
export interface Column<T> {
  /** Header text. */
  title: string;
  /**
   * CSS grid track, e.g. "1fr", "8rem" or "minmax(9rem,1.2fr)": a flexible track's minimum is the width it
   * wants, and it gives way below it where the table has no room (see {@link gridTrack}).
   */
  width: string;
  /** The cell's content (text is escaped by Preact). */
  render: (row: T) => ComponentChildren;
  /** Extra class of the cells (num: right-aligned digits). */
  className?: string;
  /** Hide below this viewport width in px (phones). */
  hideBelow?: number;
  /** Show only below this viewport width in px: a phone's column in place of wider ones it hides. */
  showBelow?: number;
}

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 6;

/** Viewports narrower than this are phones: tables show their phone columns (Column.showBelow). */
export const PHONE_WIDTH = 480;

/**
 * A column's grid track: "minmax(9rem,1.2fr)" becomes "minmax(0,1.2fr)". Where the table is wider than its
 * columns' minimums nothing changes (the flexible columns share the room by their fr); where it is narrower —
 * a phone, a tablet, half a screen — they give way and their text is cut, instead of the table (which clips,
 * it does not scroll sideways) cutting off the last columns at its edge: two address columns at their
 * minimum pushed Bytes off a phone's Flows table, and Threat off a tablet's (820 px).
 */
export function gridTrack(track: string): string {
  return track.replace(/^minmax\([^,]+,/, "minmax(0,");
}

/** Which rows to render for a scroll position: [first, end). */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const end = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);
  return [first, Math.max(first, end)];
}

/** The table. `maxRows` rows high at most; shorter lists take their own height. */
export function VirtualTable<T>(props: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string | number;
  onRowClick?: (row: T) => void;
  selectedKey?: string | number | null;
  rowHeight?: number;
  maxRows?: number;
  label: string;
  testId?: string;
}) {
  const rowHeight = props.rowHeight ?? 36;
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [width, setWidth] = useState(globalThis.innerWidth ?? 1200);
  useEffect(() => {
    const onResize = () => setWidth(innerWidth);
    addEventListener("resize", onResize);
    return () => removeEventListener("resize", onResize);
  }, []);
  const cols = props.columns.filter((c) =>
    (!c.hideBelow || width >= c.hideBelow) && (!c.showBelow || width < c.showBelow)
  );
  const grid = { gridTemplateColumns: cols.map((c) => gridTrack(c.width)).join(" ") };
  const viewport = Math.min(props.rows.length, props.maxRows ?? 14) * rowHeight;
  const [first, end] = visibleRange(scrollTop, viewport, rowHeight, props.rows.length);
  const rows = [];
  for (let i = first; i < end; i++) {
    const r = props.rows[i];
    const key = props.rowKey(r);
    const click = props.onRowClick;
    rows.push(html`
      <div key=${key} role="row" class=${`vrow${key === props.selectedKey ? " selected" : ""}${
        click ? " clickable" : ""
      }`}
        aria-rowindex=${i + 2} tabindex=${click ? 0 : undefined}
        style=${{ ...grid, top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick=${click && (() => click(r))}
        onKeyDown=${click && ((e: KeyboardEvent) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            click(r);
          }
        })}>
            ${cols.map((c) =>
              html`<div role="cell" class=${`vcell ${c.className ?? ""}`}>${c.render(r)}</div>`
            )}
          </div>
    `);
  }
  return html`
    <div class="vtable" role="table" aria-label=${props.label} aria-rowcount=${props.rows.length + 1}
      data-testid=${props.testId} data-rows=${props.rows.length}>
      <div role="row" class="vrow vhead" style=${grid} aria-rowindex="1">
          ${cols.map((c) =>
            html`<div role="columnheader" class=${`vcell ${c.className ?? ""}`}>${c.title}</div>`
          )}
        </div>
      <div class="vbody" ref=${body} role="rowgroup" style=${{ height: `${viewport}px` }}
        onScroll=${(e: Event) => setScrollTop((e.currentTarget as HTMLElement).scrollTop)}>
        <div class="vspace" style=${{ height: `${props.rows.length * rowHeight}px` }}>${rows}</div>
      </div>
    </div>
  `;
}
