/**
 * One device: identity and the classification rule that decided it, SNMP poll status, CPU and memory,
 * interfaces with utilisation in and out, error and discard rates, its ARP history and who else
 * claimed its address, its last 20 security alerts, its DNS history and TCP health
 * (components/host_visibility.ts), and "this device is ours".
 *
 * @module
 */
import { useState } from "preact/hooks";
import { getJson, sendJson } from "../api.ts";
import { SeverityBadge, SnmpBadge } from "../components/badges.ts";
import { useApi } from "../components/hooks.ts";
import { DnsHistory, TcpHealth } from "../components/host_visibility.ts";
import { alertTypeLabel, DEVICE_SOURCE_LABELS, labelOf } from "../components/labels.ts";
import { TypeIcon, typeName } from "../components/icons.ts";
import { ErrorBox, Loading } from "../components/states.ts";
import { UtilBar } from "../components/util_bar.ts";
import { VirtualTable } from "../components/vtable.ts";
import { formatAgo, formatBps, formatDuration, formatRate, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { devices } from "../live_state.ts";
import { session } from "../session.ts";
import type {
  ArpHistoryJson,
  DeviceJson,
  DnsQueryJson,
  HostTcpHealthJson,
  InterfaceJson,
  IpClaimJson,
  SecurityEvent,
} from "../types.ts";

/**
 * Where a device's interfaces come from, in words for the Interfaces panel: a device that has never answered
 * SNMP and sends sFlow has the ports it sends counters for (named by ifIndex: sFlow has no names).
 */
export function interfacesNote(d: Pick<DeviceJson, "interfaces" | "snmp" | "sources">): string | null {
  const pushed = d.snmp.last_success === null && d.sources.includes("netflow");
  if (d.interfaces.length === 0) {
    return pushed
      ? "No interface yet: the device does not answer SNMP, and its flow exports have carried no sFlow port counters."
      : "No interface: the device is not polled over SNMP.";
  }
  return pushed
    ? "From the port counters the device sends in sFlow (it does not answer SNMP); sFlow carries no interface names, so ports are named by their ifIndex."
    : null;
}

/** GET /devices/:ip. */
type DeviceDetail = DeviceJson & {
  arp?: ArpHistoryJson | null;
  ip_claims?: IpClaimJson[];
  alerts?: (SecurityEvent & { id: number })[];
  dns_history?: DnsQueryJson[];
  tcp_health?: HostTcpHealthJson | null;
};

const IF_COLUMNS = [
  {
    title: "Interface",
    width: "minmax(5.5rem,1.2fr)",
    render: (i: InterfaceJson) =>
      html`<span class="ifname"><strong>${i.name}</strong>${
        i.alias && html`<small>${i.alias}</small>`
      }</span>`,
  },
  {
    title: "Status",
    width: "5.5rem",
    hideBelow: 560,
    render: (i: InterfaceJson) => html`<span class=${`ifstatus if-${i.oper_status}`}>${i.oper_status}</span>`,
  },
  {
    title: "Speed",
    width: "6.5rem",
    className: "num",
    render: (i: InterfaceJson) => formatBps(i.speed_bps),
    hideBelow: 700,
  },
  {
    title: "In",
    width: "minmax(6rem,1fr)",
    render: (i: InterfaceJson) =>
      html`<${UtilBar} label="" name=${`${i.name} in`} pct=${i.in_util_pct} /><small class="rate">${
        formatBps(i.in_bps)
      }</small>`,
  },
  {
    title: "Out",
    width: "minmax(6rem,1fr)",
    render: (i: InterfaceJson) =>
      html`<${UtilBar} label="" name=${`${i.name} out`} pct=${i.out_util_pct} /><small class="rate">${
        formatBps(i.out_bps)
      }</small>`,
  },
  {
    title: "Errors/s in · out",
    width: "10rem", // the title's width: at 8rem it read "ERRORS/S IN · …"
    className: "num",
    hideBelow: 900,
    render: (i: InterfaceJson) =>
      `${formatRate(i.in_errors_per_s, "")} · ${formatRate(i.out_errors_per_s, "")}`,
  },
  {
    title: "Discards/s",
    width: "6rem",
    className: "num",
    hideBelow: 1000,
    render: (i: InterfaceJson) => formatRate(i.in_discards_per_s, ""),
  },
];

/** A CPU or memory figure as a bar, for the SNMP card's list (its term names it). */
function meter(name: string, pct: number | null) {
  return pct === null ? null : html`<${UtilBar} label="" name=${name} pct=${pct} />`;
}

/** The screen for `ip`. */
export function DeviceDetailScreen(props: { ip: string }) {
  const live = devices.value.get(props.ip);
  const q = useApi(
    (s, signal) => getJson<DeviceDetail>(s, `/devices/${encodeURIComponent(props.ip)}`, {}, signal),
    [props.ip, live?.last_seen],
  );
  const [ack, setAck] = useState<string | null>(null);
  const [ackError, setAckError] = useState<Error | null>(null);
  if (q.error && !q.data) {
    return html`
      <section class="screen">
        <h1>Device ${props.ip}</h1>
        <${ErrorBox} error=${q.error} onRetry=${q.reload} />
      </section>
    `;
  }
  if (!q.data) {
    return html`
      <section class="screen">
        <h1>Device ${props.ip}</h1>
        <${Loading} what="the device" />
      </section>
    `;
  }
  // The live copy has the newest interface rates; the detail has the history.
  const d: DeviceDetail = { ...q.data, ...(live ?? {}) };
  const acknowledge = () => {
    sendJson<{ mac: string }>(session.value!, "POST", `/devices/${encodeURIComponent(d.mac ?? d.ip)}/ack`)
      .then(
        (r) => {
          setAck(r?.mac ?? "");
          q.reload();
        },
        setAckError,
      );
  };
  const known = d.arp?.acknowledged || ack !== null;
  const note = interfacesNote(d);
  const row = (k: string, v: unknown) =>
    v === null || v === undefined || v === "" ? null : html`
      <dt>${k}</dt>
      <dd>${v}</dd>
    `;
  return html`<section class="screen" aria-labelledby="device-title" data-testid="device-detail">
    <p class="crumbs"><a href="#/devices">Devices</a> /</p>
    <div class="device-head">
      <${TypeIcon} type=${d.type} size=${40} />
      <div>
        <h1 id="device-title">${d.name ?? d.ip}</h1>
        <p class="lead">${typeName(d.type)}${d.vendor ? ` · ${d.vendor}` : ""}${
    d.model ? ` ${d.model}` : ""
  }</p>
      </div>
      <${SnmpBadge} status=${d.snmp.status} title=${d.snmp.last_error ?? undefined} />
      ${
    d.mac &&
    html`<button type="button" class=${
      known ? "" : "primary"
    } disabled=${known} onClick=${acknowledge} data-testid="ack-device">
        ${known ? "Known device" : "This device is ours"}</button>`
  }
    </div>
    ${ackError && html`<${ErrorBox} error=${ackError} />`}
    <div class="grid-2">
      <div class="panel">
        <h2>Identity</h2>
        <dl class="kv">
          ${row("Address", d.ip)}
          ${row("MAC", d.mac)}
          ${row("Type", html`${typeName(d.type)} <small>(rule: ${d.type_rule ?? "none matched"})</small>`)}
          ${row("Vendor", d.vendor)}
          ${row("Model", d.model)}
          ${row("OS version", d.os_version)}
          ${row("Description", d.sys_descr && html`<span class="wrap">${d.sys_descr}</span>`)}
          ${row("sysObjectID", d.sys_object_id)}
          ${row("Uptime", d.uptime_s === null ? null : formatDuration(d.uptime_s))}
          ${row("Learned from", d.sources.map((s) => labelOf(DEVICE_SOURCE_LABELS, s)).join(", "))}
          ${row("First seen", formatTime(d.first_seen))}
          ${row("Last seen", `${formatTime(d.last_seen)} (${formatAgo(d.last_seen)})`)}
        </dl>
      </div>
      <div class="panel">
        <h2>SNMP</h2>
        <dl class="kv">
          ${row("Status", html`<${SnmpBadge} status=${d.snmp.status} />`)}
          ${
    row(
      "Last success",
      d.snmp.last_success
        ? `${formatTime(d.snmp.last_success)} (${formatAgo(d.snmp.last_success)})`
        : "never",
    )
  }
          ${row("Last error", d.snmp.last_error)}
          ${row("Poll took", d.snmp.poll_ms === null ? null : `${Math.round(d.snmp.poll_ms)} ms`)}
          ${row("CPU", meter("CPU", d.cpu_pct))}
          ${row("Memory", meter("Memory", d.memory_pct))}
        </dl>
        ${
    d.cpu_pct === null && d.memory_pct === null &&
    html`<p class="muted">No CPU or memory figures (the agent has no HOST-RESOURCES-MIB, or is not polled).</p>`
  }
      </div>
    </div>
    <div class="panel">
      <h2>Interfaces <small>(${d.interfaces.length})</small></h2>
      ${note && html`<p class="muted" data-testid="interfaces-note">${note}</p>`}
      ${
    d.interfaces.length === 0 ? null : html`
      <${VirtualTable} label="Interfaces" testId="interfaces" rows=${d
        .interfaces} columns=${IF_COLUMNS} rowKey=${(i: InterfaceJson) => i.index}
        rowHeight=${44} />
    `
  }
    </div>
    <div class="grid-2">
      <div class="panel">
        <h2>ARP history</h2>
        ${
    !d.arp ? html`<p class="muted">Its MAC has not been seen in ARP.</p>` : html`
      <p class="muted">MAC ${d.arp.mac}${d.arp.locally_administered
        ? " (locally administered)"
        : ""}, ${d.arp.known ? "known" : "new"}${d.arp.acknowledged ? ", acknowledged" : ""}.</p>
      <ul class="plain">${d.arp.ips.map((b) =>
        html`<li>${b.ip} <small>${formatTime(b.first_seen)} – ${formatTime(b.last_seen)}</small></li>`
      )}</ul>
      ${d.arp.ip_changes.length > 1 && html`
        <h3>Address changes</h3>
        <ul class="plain">${d.arp.ip_changes.map((c) =>
          html`<li>${formatTime(c.ts)}: ${c.previous_ip ?? "–"} → ${c.ip}${
            c.previous_mac ? ` (was ${c.previous_mac})` : ""
          }</li>`
        )}</ul>
      `}
    `
  }
        ${
    (d.ip_claims?.length ?? 0) > 1 && html`
      <h3>MACs that claimed ${d.ip}</h3>
      <ul class="plain">${d.ip_claims!.map((c) =>
        html`<li>${c.mac} <small>${formatTime(c.first_seen)} – ${formatTime(c.last_seen)}</small></li>`
      )}</ul>
    `
  }
      </div>
      <div class="panel">
        <div class="panel-head"><h2>Security alerts</h2>${
    d.mac && html`<a href=${`#/security?mac=${encodeURIComponent(d.mac)}`}>History</a>`
  }</div>
        ${
    (d.alerts?.length ?? 0) === 0
      ? html`<p class="muted">None.</p>`
      : html`<ul class="feed" data-testid="device-alerts">${
        d.alerts!.map((a) =>
          html`<li key=${a.id}>
              <span class="feed-time">${
            formatTime(a.ts)
          }</span><span class="feed-text"><${SeverityBadge} severity=${a.severity} /> <strong>${
            alertTypeLabel("security", a.type)
          }</strong> ${a.explanation}</span></li>`
        )
      }</ul>`
  }
      </div>
    </div>
    <div class="grid-dns">
      <${DnsHistory} queries=${d.dns_history} />
      <${TcpHealth} health=${d.tcp_health} />
    </div>
  </section>`;
}
