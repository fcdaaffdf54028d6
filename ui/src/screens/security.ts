/**
 * Security events and the alert history (`GET /alerts`): filter by kind, type, device and acknowledged;
 * acknowledge with a note; mute a device or a type for a maintenance window (`POST /mutes`) and lift a
 * mute; CSV. New alerts on the stream refresh the list without a reload.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { downloadCsv, getJson, type Params, sendJson } from "../api.ts";
import { SeverityBadge } from "../components/badges.ts";
import { type Field, FilterForm } from "../components/filters.ts";
import { useApi, useThrottled } from "../components/hooks.ts";
import { ALERT_KIND_LABELS, alertTypeLabel, alertTypeOptions } from "../components/labels.ts";
import { usePaged } from "../components/paged.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { formatAgo, formatCount, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { revisions } from "../live_state.ts";
import { route } from "../router.ts";
import { session } from "../session.ts";
import type { AlertJson, MuteJson } from "../types.ts";

const FIELDS: readonly Field[] = [
  {
    name: "kind",
    label: "Kind",
    options: [["", "any"], ...Object.entries(ALERT_KIND_LABELS)],
  },
  // Every type the daemon has, from the label tables keyed by its own type lists.
  { name: "type", label: "Type", options: alertTypeOptions(), wide: true },
  { name: "device", label: "Device (IP or MAC)", placeholder: "192.168.1.20" },
  { name: "acked", label: "Acknowledged", options: [["", "any"], ["false", "not yet"], ["true", "yes"]] },
  { name: "q", label: "Text", placeholder: "words in the summary" },
];

const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;

/** Route parameters → GET /alerts parameters (a device is a MAC or an address). */
export function alertParams(p: Record<string, string>): Params {
  const out: Params = { limit: 100 };
  for (const k of ["kind", "type", "acked", "q", "mac", "ip"]) if (p[k]) out[k] = p[k];
  const dev = p.device?.trim();
  if (dev) out[MAC.test(dev) ? "mac" : "ip"] = dev;
  return out;
}

/** Maintenance windows offered: [seconds, label]. */
const WINDOWS: readonly [number, string][] = [[3600, "1 hour"], [4 * 3600, "4 hours"], [86400, "1 day"], [
  7 * 86400,
  "1 week",
]];

function AlertItem(props: { a: AlertJson; onChanged: () => void; onError: (e: Error) => void }) {
  const a = props.a;
  const [mode, setMode] = useState<"none" | "ack" | "mute">("none");
  const [note, setNote] = useState("");
  const [span, setSpan] = useState(3600);
  const [target, setTarget] = useState<"device" | "type">(a.mac || a.ip ? "device" : "type");
  const s = session.value!;
  const ack = (e: Event) => {
    e.preventDefault();
    sendJson(s, "POST", `/alerts/${a.id}/ack`, note.trim() ? { note: note.trim() } : {}).then(() => {
      setMode("none");
      props.onChanged();
    }, props.onError);
  };
  const mute = (e: Event) => {
    e.preventDefault();
    const rule: Record<string, unknown> = { duration_s: span, reason: note.trim() || undefined };
    if (target === "device") {
      if (a.mac) rule.mac = a.mac;
      else rule.ip = a.ip;
    } else {
      rule.kind = a.kind;
      rule.type = a.type;
    }
    sendJson(s, "POST", "/mutes", rule).then(() => {
      setMode("none");
      props.onChanged();
    }, props.onError);
  };
  return html`<li class=${`alert-item lvl-${a.severity}${
    a.acked_at ? " acked" : ""
  }`} data-testid="alert" data-id=${a.id} data-type=${a.type}>
    <div class="alert-main">
      <p class="alert-line"><${SeverityBadge} severity=${a.severity} /> <strong title=${a.type}>${
    alertTypeLabel(a.kind, a.type)
  }</strong>
        <span class="muted">${a.kind} · <span title=${formatTime(a.ts)}>${formatAgo(a.ts)}</span>
        ${a.ip ? ` · ${a.ip}` : ""}${a.mac ? ` · ${a.mac}` : ""}${a.muted ? " · muted" : ""}</span></p>
      <p class="alert-summary">${a.summary}</p>
      ${
    a.acked_at &&
    html`<p class="muted">Acknowledged ${formatTime(a.acked_at)} by ${a.acked_by}${
      a.ack_note ? `: “${a.ack_note}”` : ""
    }</p>`
  }
    </div>
    <div class="alert-actions">
      ${
    !a.acked_at && html`<button type="button" onClick=${() =>
      setMode(mode === "ack" ? "none" : "ack")} aria-expanded=${mode === "ack"}>Acknowledge</button>`
  }
      <button type="button" onClick=${() => setMode(mode === "mute" ? "none" : "mute")} aria-expanded=${
    mode === "mute"
  }>Mute…</button>
    </div>
    ${
    mode === "ack" && html`
      <form class="inline-form" onSubmit=${ack}>
        <label>Note <input value=${note} maxlength="1000" placeholder="e.g. known printer" onInput=${(
          e: Event,
        ) => setNote((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary">Acknowledge</button>
      </form>
    `
  }
    ${
    mode === "mute" && html`
      <form class="inline-form" onSubmit=${mute}>
        <label>Mute <select value=${target} onChange=${(e: Event) =>
          setTarget((e.target as HTMLSelectElement).value as "device" | "type")}>
              ${(a.mac || a.ip) && html`<option value="device">this device (${a.mac ?? a.ip})</option>`}
              <option value="type">every “${alertTypeLabel(a.kind, a.type)}” alert</option></select></label>
        <label>for <select value=${span} onChange=${(e: Event) =>
          setSpan(Number((e.target as HTMLSelectElement).value))}>
              ${WINDOWS.map(([s, l]) => html`<option value=${s}>${l}</option>`)}</select></label>
        <label>Reason <input value=${note} maxlength="500" placeholder="maintenance" onInput=${(e: Event) =>
          setNote((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary">Mute</button>
      </form>
    `
  }
  </li>`;
}

function Mutes(props: { version: number; onChanged: () => void; onError: (e: Error) => void }) {
  const q = useApi((s, signal) => getJson<{ mutes: MuteJson[]; count: number }>(s, "/mutes", {}, signal), [
    props.version,
  ]);
  if (!q.data || q.data.count === 0) return null;
  const lift = (id: number) =>
    sendJson(session.value!, "DELETE", `/mutes/${id}`).then(props.onChanged, props.onError);
  return html`
    <div class="panel" data-testid="mutes">
      <h2>Muted <small>(${q.data.count})</small></h2>
      <ul class="plain">${q.data.mutes.map((m) =>
        html`<li key=${m.id}>
      ${[m.mac, m.ip, m.kind, m.type].filter(Boolean).join(" · ")} until ${formatTime(m.until)}${
          m.reason ? ` — ${m.reason}` : ""
        }
      <button type="button" class="link" onClick=${() => lift(m.id)}>Lift</button></li>`
      )}</ul>
    </div>
  `;
}

/** The screen. */
export function SecurityScreen() {
  const params = alertParams(route.value.params);
  const [changes, setChanges] = useState(0);
  const [actionError, setActionError] = useState<Error | null>(null);
  const live = useThrottled(revisions.alerts.value, 400);
  const page = usePaged<AlertJson>("/alerts", params, "alerts", [live, changes]);
  const changed = () => {
    setActionError(null);
    setChanges((n) => n + 1);
  };
  return html`
    <section class="screen" aria-labelledby="security-title">
      <h1 id="security-title">Security events and alerts</h1>
      <${FilterForm} path=${["security"]} fields=${FIELDS} testId="alert-filters">
          <button type="button" onClick=${() =>
            downloadCsv(session.value!, "/alerts", { ...params, limit: 1000 }, "flintnet-alerts.csv").catch(
              setActionError,
            )}>
            Export CSV</button>
        </${FilterForm}>
        ${actionError && html`<${ErrorBox} error=${actionError} />`}
        <${Mutes} version=${changes} onChanged=${changed} onError=${setActionError} />
        <div class="list-head">
          <p class="count" data-testid="alerts-count" data-count=${page.total ?? undefined}>
            ${page.total === null
              ? "…"
              : `${formatCount(page.total)} alert${page.total === 1 ? "" : "s"}`}</p>
        </div>
        ${page.error
          ? html`<${ErrorBox} error=${page.error} onRetry=${page.reload} />`
          : page.loading && page.rows.length === 0
          ? html`<${Loading} what="alerts" />`
          : page.rows.length === 0
          ? html`<${Empty} title="No alert matches">
          Security events (new devices after the learning period, ARP and MAC spoofing, duplicate addresses, flows to
          block-listed addresses), anomalies, advisories and SNMP traps are kept here for 30 days.</${Empty}>`
          : html`<ul class="alerts" data-testid="alerts">${
            page.rows.map((a) =>
              html`<${AlertItem} key=${a.id} a=${a} onChanged=${changed} onError=${setActionError} />`
            )
          }</ul>`}
        ${page.more &&
          html`<button type="button" class="more" onClick=${page.loadMore} disabled=${page.loading}>Load more</button>`}
      </section>
  `;
}
