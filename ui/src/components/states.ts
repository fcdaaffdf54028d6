/**
 * Loading, empty and error states: every screen shows one of them rather than a blank area.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { ApiError } from "../api.ts";
import { html } from "../html.ts";

/** A quiet "Loading …" line. */
export function Loading(props: { what?: string }) {
  return html`<p class="state loading" role="status">Loading ${props.what ?? ""}…</p>`;
}

/** Nothing to show, and why, and what would change that. */
export function Empty(props: { title: string; children?: ComponentChildren }) {
  return html`<div class="state empty" role="status"><p class="state-title">${props.title}</p>${props.children}</div>`;
}

/** A failure in words, with a retry button. */
export function ErrorBox(props: { error: Error; onRetry?: () => void }) {
  const e = props.error;
  const title = e instanceof ApiError && e.kind === "unreachable"
    ? "The agent cannot be reached"
    : "Something failed";
  return html`<div class="state error" role="alert">
    <p class="state-title">${title}</p>
    <p>${e.message}</p>
    ${props.onRetry && html`<button type="button" onClick=${props.onRetry}>Try again</button>`}
  </div>`;
}
