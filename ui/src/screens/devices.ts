/**
 * Devices as cards: type icon, name, vendor and model, SNMP status, and the busiest interfaces'
 * utilisation coloured by the user's thresholds; filtered by type, status, network and text through
 * `GET /devices`, and kept live by `device` and `interface` events.
 *
 * @module
 */
import { getJson } from "../api.ts";
import { SnmpBadge } from "../components/badges.ts";
import { type Field, FilterForm } from "../components/filters.ts";
import { useApi } from "../components/hooks.ts";
import { TYPE_NAMES, TypeIcon, typeName } from "../components/icons.ts";
import { Empty, ErrorBox, Loading } from "../components/states.ts";
import { UtilBar } from "../components/util_bar.ts";
import { formatAgo, formatCount, formatPct } from "../format.ts";
import { html } from "../html.ts";
import { devices } from "../live_state.ts";
import { route } from "../router.ts";
import type { DeviceJson, InterfaceJson } from "../types.ts";

const FIELDS: readonly Field[] = [
  { name: "q", label: "Search", placeholder: "name, vendor, address…" },
  { name: "type", label: "Type", options: [["", "any"], ...Object.entries(TYPE_NAMES)] },
  {
    name: "status",
    label: "SNMP",
    options: [["", "any"], ["ok", "ok"], ["no_response", "no response"], ["auth_failure", "auth failure"], [
      "error",
      "error",
    ], ["not_polled", "not polled"]],
  },
  { name: "cidr", label: "Network", placeholder: "192.168.1.0/24" },
];

/** Interfaces shown on a card. */
const CARD_INTERFACES = 3;

/** The busiest interfaces first (max of in and out); those without a rate last. */
export function busiest(interfaces: readonly InterfaceJson[]): InterfaceJson[] {
  const u = (i: InterfaceJson) => Math.max(i.in_util_pct ?? -1, i.out_util_pct ?? -1);
  return interfaces.filter((i) => i.oper_status === "up").sort((a, b) => u(b) - u(a));
}

function DeviceCard(props: { d: DeviceJson }) {
  const d = props.d;
  const shown = busiest(d.interfaces).slice(0, CARD_INTERFACES);
  return html`<a class="card device-card" href=${`#/devices/${
    encodeURIComponent(d.ip)
  }`} data-testid="device-card" data-ip=${d.ip}>
    <div class="card-head">
      <${TypeIcon} type=${d.type} />
      <div class="card-title">
        <strong>${d.name ?? d.ip}</strong>
        <small>${d.name ? d.ip : d.mac ?? ""}</small>
      </div>
      <${SnmpBadge} status=${d.snmp.status} title=${d.snmp.last_error ?? undefined} />
    </div>
    <p class="card-meta">${typeName(d.type)}${d.vendor ? ` · ${d.vendor}` : ""}${
    d.model ? ` ${d.model}` : ""
  }</p>
    ${
    shown.length > 0 && html`<div class="card-utils">${
      shown.map((i) =>
        html`
          <div class="if-utils">
            <span class="if-name">${i.name}</span>
            <${UtilBar} label="in" pct=${i.in_util_pct} />
            <${UtilBar} label="out" pct=${i.out_util_pct} />
          </div>
        `
      )
    }</div>`
  }
    <p class="card-foot">
      ${d.interfaces.length > 0 ? `${d.interfaces.length} interfaces · ` : ""}${
    d.cpu_pct !== null ? `CPU ${formatPct(d.cpu_pct)} · ` : ""
  }seen ${formatAgo(d.last_seen)}
    </p>
  </a>`;
}

/** The screen. */
export function DevicesScreen() {
  const params = Object.fromEntries(
    FIELDS.map((f) => [f.name, route.value.params[f.name]]).filter(([, v]) => v),
  );
  const live = devices.value;
  // The API filters (the same rules as scripts get); the cards show the live copy of each device.
  const q = useApi(
    (s, signal) => getJson<{ devices: DeviceJson[]; total_matched: number }>(s, "/devices", params, signal),
    [JSON.stringify(params), live.size],
  );
  const list = q.data?.devices.map((d) => live.get(d.ip) ?? d) ?? [];
  return html`<section class="screen" aria-labelledby="devices-title">
    <h1 id="devices-title">Devices</h1>
    <${FilterForm} path=${["devices"]} fields=${FIELDS} testId="device-filters" />
    <div class="list-head">
      <p class="count" data-testid="devices-count" data-count=${q.data?.total_matched}>
        ${
    q.data ? `${formatCount(q.data.total_matched)} device${q.data.total_matched === 1 ? "" : "s"}` : "…"
  }</p>
    </div>
    ${
    q.error && !q.data
      ? html`<${ErrorBox} error=${q.error} onRetry=${q.reload} />`
      : !q.data
      ? html`<${Loading} what="devices" />`
      : list.length === 0
      ? html`<${Empty} title=${Object.keys(params).length ? "No device matches" : "No device yet"}>
          Discovery sweeps the local networks at start and every hour (ARP and SNMP); devices seen in traffic are added too.
        </${Empty}>`
      : html`<div class="cards">${list.map((d) => html`<${DeviceCard} key=${d.ip} d=${d} />`)}</div>`
  }
  </section>`;
}
