/**
 * The frame around every screen once logged in: navigation, the live-connection indicator, logout, and
 * the banner that says since when live data stopped, so stale numbers are never shown silently.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatClock, formatDuration } from "../format.ts";
import { html } from "../html.ts";
import { advisoriesRaised, recentSecurity } from "../live_state.ts";
import { route } from "../router.ts";
import { session } from "../session.ts";
import { connection } from "../stream.ts";
import { useNow } from "./hooks.ts";

/** The screens in the navigation, in order: [route, label]. */
export const NAV: readonly [string, string][] = [
  ["", "Dashboard"],
  ["flows", "Flows"],
  ["graph", "Flow graph"],
  ["devices", "Devices"],
  ["anomalies", "Anomalies"],
  ["security", "Security"],
  ["topology", "Topology"],
  ["advisories", "Advisories"],
  ["settings", "Settings"],
];

function ConnectionIndicator() {
  const c = connection.value;
  useNow(1000);
  const label = c.status === "live"
    ? "Live"
    : c.status === "connecting"
    ? "Connecting…"
    : c.status === "down"
    ? `Offline ${formatDuration(Math.floor((Date.now() - c.since) / 1000))}` // whole seconds: it ticks each second
    : "Off";
  return html`
    <span class=${`conn conn-${c.status}`} role="status" data-testid="connection" data-status=${c.status}
      title=${c.status === "live"
        ? `live since ${formatClock(c.since)}`
        : label}><span class="conn-dot" aria-hidden="true"></span>${label}</span>
  `;
}

function StaleBanner(props: { onRetry: () => void }) {
  const c = connection.value;
  const now = useNow(1000);
  if (c.status !== "down") return null;
  const wait = c.retryAt ? Math.max(0, Math.ceil((c.retryAt - now) / 1000)) : 0;
  return html`
    <div class="banner" role="alert" data-testid="stale-banner">
      <span>Live updates stopped at <strong>${formatClock(c.since)}</strong> (${formatDuration(
        Math.floor((now - c.since) / 1000),
      )} ago):${" "}what you see may be out of date. ${wait > 0
        ? `Reconnecting in ${wait} s.`
        : "Reconnecting…"}</span>
      <button type="button" onClick=${props.onRetry}>Retry now</button>
    </div>
  `;
}

/** The shell; `children` is the current screen. */
export function Shell(props: { children: ComponentChildren; onLogout: () => void; onRetry: () => void }) {
  const [open, setOpen] = useState(false);
  const current = route.value.path[0] ?? "";
  const badges: Record<string, number> = {
    security: recentSecurity.value.length,
    advisories: advisoriesRaised.value,
  };
  return html`
    <div class="shell">
      <a class="skip" href="#main" onClick=${(e: Event) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>Skip to content</a>
      <header class="topbar">
        <a class="brand" href="#/"><span class="brand-mark" aria-hidden="true">F</span>Flintnet</a>
        <button type="button" class="menu-toggle" aria-expanded=${open} aria-controls="nav"
          onClick=${() => setOpen(!open)}>Menu</button>
        <nav id="nav" class=${open ? "open" : ""} aria-label="Screens">
            ${NAV.map(([r, label]) =>
              html`
                <a href=${`#/${r}`} aria-current=${current === r ? "page" : undefined}
                  onClick=${() => setOpen(false)}>${label}${badges[r]
                    ? html`
                      <span class="count-badge">${badges[r]}</span>
                    `
                    : ""}</a>
              `
            )}
          </nav>
        <div class="topbar-end">
          <${ConnectionIndicator} />
          <span class="agent" title=${session.value?.url}>${session.value
            ? new URL(session.value.url).host
            : ""}</span>
          <button type="button" onClick=${props.onLogout} data-testid="logout">Log out</button>
        </div>
      </header>
      <${StaleBanner} onRetry=${props.onRetry} />
      <main id="main" tabindex="-1">${props.children}</main>
    </div>
  `;
}
