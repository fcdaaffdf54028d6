/**
 * Settings: the alert policy the agent applies (`GET`/`PUT /config/alerts`: anomaly threshold, warm-up
 * and floor, cooldown, learning period, which alerts go to e-mail and webhooks), and this browser's
 * utilisation colour thresholds.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, sendJson } from "../api.ts";
import { useApi } from "../components/hooks.ts";
import { SECURITY_LABELS } from "../components/labels.ts";
import { ErrorBox, Loading } from "../components/states.ts";
import { DEFAULT_THRESHOLDS, saveThresholds, thresholds } from "../components/util_bar.ts";
import { html } from "../html.ts";
import { session } from "../session.ts";
import type { AlertChannel, AlertPolicy, RouteKind } from "../types.ts";

const CHANNELS: readonly AlertChannel[] = ["email", "webhook"];

/**
 * Every kind the policy routes, by name, in the words the Security screen uses: a kind added to the agent
 * without one does not type-check.
 */
const KIND_NAMES: Record<RouteKind, string> = {
  ...SECURITY_LABELS,
  anomaly: "Traffic anomaly",
  trap: "SNMP trap",
  advisory: "Advisory",
};

function NumberField(
  props: {
    label: string;
    hint: string;
    value: number;
    step?: string;
    onInput: (v: number) => void;
    name: string;
  },
) {
  return html`<label class="field"><span>${props.label}</span>
    <input type="number" name=${props.name} step=${props.step ?? "1"} value=${props.value}
      onInput=${(e: Event) => props.onInput(Number((e.target as HTMLInputElement).value))} />
    <small>${props.hint}</small></label>`;
}

function PolicyForm(props: { policy: AlertPolicy; onSaved: (p: AlertPolicy) => void }) {
  const [p, setP] = useState<AlertPolicy>(props.policy);
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setP(props.policy), [props.policy]);
  const anomaly = (k: keyof AlertPolicy["anomaly"]) => (v: number) =>
    setP({ ...p, anomaly: { ...p.anomaly, [k]: v } });
  const toggle = (kind: RouteKind, ch: AlertChannel) => {
    const has = p.routes[kind].includes(ch);
    const next = has ? p.routes[kind].filter((c) => c !== ch) : [...p.routes[kind], ch];
    setP({ ...p, routes: { ...p.routes, [kind]: CHANNELS.filter((c) => next.includes(c)) } });
  };
  const save = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    sendJson<AlertPolicy>(session.value!, "PUT", "/config/alerts", p).then((r) => {
      setError(null);
      setSaved(true);
      if (r) props.onSaved(r);
    }, setError);
  };
  return html`<form class="panel settings-form" onSubmit=${save} data-testid="policy-form">
    <h2>Alert policy <small>(applies at once, kept across restarts)</small></h2>
    <div class="form-grid">
      <${NumberField} name="k" label="Anomaly threshold (k)" step="0.1" value=${p.anomaly.k} onInput=${
    anomaly("k")
  }
        hint="How many spreads (a flow's usual variation) above its baseline an interval must be to be an anomaly." />
      <${NumberField} name="warmup_intervals" label="Warm-up (intervals)" value=${p.anomaly.warmup_intervals} onInput=${
    anomaly("warmup_intervals")
  }
        hint="Intervals a flow is watched before it may alert." />
      <${NumberField} name="min_bytes" label="Minimum interval size (bytes)" value=${p.anomaly.min_bytes} onInput=${
    anomaly("min_bytes")
  }
        hint="Intervals smaller than this never alert." />
      <${NumberField} name="cooldown_s" label="Cooldown (seconds)" value=${p.cooldown_s} onInput=${(
    v: number,
  ) => setP({ ...p, cooldown_s: v })}
        hint="The same alert for the same device is sent again only after this long; 0 turns it off." />
      <${NumberField} name="learning_period_s" label="Learning period (seconds)" value=${p.learning_period_s}
        onInput=${(v: number) =>
    setP({
      ...p,
      learning_period_s: v,
    })} hint="New devices are learned quietly this long after the first start." />
    </div>
    <h3>Where alerts go</h3>
    <table class="routes">
      <thead><tr><th scope="col">Alert</th>${
    CHANNELS.map((c) => html`<th scope="col">${c === "email" ? "E-mail" : "Webhooks"}</th>`)
  }</tr></thead>
      <tbody>${
    (Object.keys(p.routes) as RouteKind[]).map((kind) =>
      html`<tr>
        <th scope="row">${KIND_NAMES[kind] ?? kind}</th>
        ${
        CHANNELS.map((ch) =>
          html`<td><input type="checkbox" checked=${p.routes[kind].includes(ch)} onChange=${() =>
            toggle(kind, ch)}
          aria-label=${`${KIND_NAMES[kind] ?? kind} by ${ch}`} /></td>`
        )
      }
      </tr>`
    )
  }</tbody>
    </table>
    ${error && html`<${ErrorBox} error=${error} />`}
    ${saved && html`<p class="notice" role="status">Saved.</p>`}
    <button type="submit" class="primary">Save policy</button>
  </form>`;
}

function ThresholdForm() {
  const [t, setT] = useState(thresholds.value);
  const [error, setError] = useState<string | null>(null);
  const save = (e: Event) => {
    e.preventDefault();
    if (!(t.warn > 0 && t.warn < t.crit && t.crit <= 100)) {
      setError("Amber must be above 0 and below red, and red at most 100.");
      return;
    }
    setError(null);
    saveThresholds(t);
  };
  return html`<form class="panel settings-form" onSubmit=${save} data-testid="threshold-form">
    <h2>Utilisation colours <small>(this browser)</small></h2>
    <div class="form-grid">
      <${NumberField} name="warn" label="Amber from (%)" value=${t.warn} onInput=${(v: number) =>
    setT({ ...t, warn: v })} hint="Default 60 %." />
      <${NumberField} name="crit" label="Red from (%)" value=${t.crit} onInput=${(v: number) =>
    setT({ ...t, crit: v })} hint="Default 85 %." />
    </div>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    <button type="submit" class="primary">Save colours</button>
    <button type="button" onClick=${() => {
    setT(DEFAULT_THRESHOLDS);
    saveThresholds(DEFAULT_THRESHOLDS);
  }}>Defaults</button>
  </form>`;
}

/** The screen. */
export function SettingsScreen() {
  const q = useApi((s, signal) => getJson<AlertPolicy>(s, "/config/alerts", {}, signal), []);
  const [policy, setPolicy] = useState<AlertPolicy | null>(null);
  return html`<section class="screen" aria-labelledby="settings-title">
    <h1 id="settings-title">Settings</h1>
    ${
    q.error && !q.data
      ? html`<${ErrorBox} error=${q.error} onRetry=${q.reload} />`
      : !q.data
      ? html`<${Loading} what="the alert policy" />`
      : html`<${PolicyForm} policy=${policy ?? q.data} onSaved=${setPolicy} />`
  }
    <${ThresholdForm} />
  </section>`;
}
