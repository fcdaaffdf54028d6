/**
 * Turns an alert event into the words a person reads: a subject, plain text and HTML with the whole
 * evidence and a link to the device in the dashboard. Everything that came from the network is escaped
 * in HTML and stripped of control characters in the subject (it becomes a mail header).
 */
import type { AdvisoryEvent, AlertEvent, AnomalyEvent, SecurityEvent, TrapEvent } from "../events/mod.ts";
import { alertSeverity } from "../store/mod.ts";
import type { Suppressed } from "./cooldown.ts";

/** An alert in words. */
export interface RenderedAlert {
  /** One line, no control characters, at most 200 characters. */
  subject: string;
  /** Plain text body. */
  text: string;
  /** HTML body (a fragment-free document). */
  html: string;
  /** The dashboard link of the device the alert is about. */
  link: string;
  /** The one-sentence summary (the explanation or reason). */
  summary: string;
}

/** Options of {@link renderAlert}. */
export interface RenderOptions {
  /** Where the dashboard is, e.g. "https://flintnet.lan:8480" (a trailing slash is ignored). */
  dashboardUrl: string;
  /** Alerts of this kind held back by the cooldown before this one, to mention. */
  suppressed?: Suppressed | null;
  /** The hostname of the Flintnet box, shown in the footer. */
  hostname?: string;
}

const TITLES: Record<string, string> = {
  rogue_device: "New device on the network",
  arp_spoof: "ARP spoofing: one MAC claims several IPs",
  mac_spoof: "MAC spoofing: one IP claimed by several MACs",
  duplicate_ip: "Duplicate IP address",
  blocklisted: "Traffic with an address on a block list",
};

const PROTOCOLS: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP" };

/** How a message names each anomaly rule. */
const RULE_WORDS: Record<AnomalyEvent["rule"], string> = {
  spike: "spike (one or two intervals)",
  sustained: "sustained (the last minutes)",
  retransmissions: "TCP retransmissions (share of segments sent again)",
  attack: "attack signals (SYN flood, tiny packets, low TTL, sequence gaps, volume)",
};

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Control characters (CR/LF would split a mail header) become spaces; the result is cut to `max`. */
function oneLine(s: string, max: number): string {
  // deno-lint-ignore no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return clean.length > max ? clean.slice(0, max - 1) + "…" : clean;
}

/** The dashboard link of a device, e.g. `https://host/#/devices/192.0.2.7`. */
export function deviceLink(dashboardUrl: string, ip: string): string {
  const base = dashboardUrl.replace(/\/+$/, "");
  // An address goes in as it is (readable, and what the dashboard's router expects); anything else encoded.
  const part = /^[0-9A-Fa-f:.]+$/.test(ip) ? ip : encodeURIComponent(ip);
  return `${base}/#/devices/${part}`;
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(", ");
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

type Facts = [label: string, value: unknown][];

function securityFacts(e: SecurityEvent): Facts {
  return [
    ["Type", e.type],
    ["Severity", e.severity],
    ["MAC", e.mac],
    ["IP", e.ip],
    ["Vendor", e.vendor ?? "unknown"],
    ["Seen by", e.source === "capture" ? "passive capture" : "SNMP ARP table"],
    ["When", e.ts],
    ...Object.entries(e.evidence).map(([k, v]): [string, unknown] => [k, v]),
  ];
}

function protocolName(n: number): string {
  return PROTOCOLS[n] ?? `protocol ${n}`;
}

function anomalyFacts(e: AnomalyEvent): Facts {
  const what: Facts = e.scope === "flow"
    ? [["Flow", `${e.src_ip}:${e.src_port} → ${e.dst_ip}:${e.dst_port} ${protocolName(e.protocol ?? 0)}`]]
    : [[e.scope === "host" ? "Host" : "Subnet", `${e.subject} (${e.direction})`]];
  const summary: Facts = e.phase === "closed"
    ? [
      ["Ended", e.ended_at],
      ["Duration (s)", e.duration_s],
      ["Peak bytes in an interval", e.peak_bytes],
      ["Bytes during the anomaly", e.total_bytes],
      ["Bytes above the baseline", e.excess_bytes],
    ]
    : [];
  return [
    ...what,
    ["Rule", RULE_WORDS[e.rule]],
    ["Started", e.started_at],
    ...summary,
    ["Bytes in the interval", e.bytes],
    ["Packets in the interval", e.packets],
    ["Flows in the interval", e.flows],
    [
      `Baseline (${e.baseline.source === "hour_of_day" ? "this hour of the day" : "recent"}, bytes)`,
      e.baseline.typical_bytes,
    ],
    ["Spread factor", e.baseline.spread_factor],
    ["Times the baseline", e.ratio],
    ["Spreads above the baseline", e.score],
    ["Threshold (bytes)", e.threshold_bytes],
    ["Required", `${e.ratio_min}× and ${e.k} spreads, at least ${e.min_bytes} bytes`],
    ["Interval (s)", e.interval_s],
    ...(e.flow_bytes === null ? [] : [["Flow bytes", e.flow_bytes] as [string, unknown]]),
    ...(e.community_id === null ? [] : [["Community ID", e.community_id] as [string, unknown]]),
    ["Episode", e.episode_id],
    ["When", e.ts],
  ];
}

function trapFacts(e: TrapEvent): Facts {
  return [
    ["Agent", e.source_ip],
    ["Trap", `${e.name} (${e.trap_oid})`],
    ["PDU", `${e.version} ${e.pdu}`],
    ["Agent uptime (s)", Math.floor(e.uptime_cs / 100)],
    ...(e.if_index === null ? [] : [["ifIndex", e.if_index] as [string, unknown]]),
    ...(e.if_name ? [["Interface", e.if_name] as [string, unknown]] : []),
    ...e.varbinds.map((v): [string, unknown] => [v.oid, `${v.value} (${v.type})`]),
    ["When", e.ts],
  ];
}

/** Advisory types in words, for titles. */
const ADVISORY_TITLES: Record<AdvisoryEvent["type"], string> = {
  top_talker: "Top talker",
  traffic_spike: "Traffic spike",
  traffic_drop: "Traffic drop",
  insecure_protocol: "Insecure protocol",
  port_scan: "Port scan",
  host_sweep: "Host sweep",
  dns_volume: "DNS volume",
  flow_asymmetry: "Asymmetric flows",
};

function advisoryFacts(e: AdvisoryEvent): Facts {
  const evidence = Object.entries(e.evidence).slice(0, 12).map(([k, v]): [string, unknown] => [
    k,
    typeof v === "object" && v !== null ? JSON.stringify(v).slice(0, 300) : v,
  ]);
  return [
    ["Subject", `${e.subject} (${e.subject_kind})`],
    ["Suggested action", e.action],
    ["Raised", e.raised_at],
    ...(e.resolved_at === null ? [] : [["Resolved", e.resolved_at] as [string, unknown]]),
    ...evidence,
  ];
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m === 1 ? "minute" : `${m} minutes`;
}

/** The sentence about held-back alerts, e.g. "3 more alerts of this kind were suppressed in the last 5 minutes." */
export function suppressedSentence(s: Suppressed, nowMs: number): string {
  const what = s.count === 1 ? "1 more alert of this kind was" : `${s.count} more alerts of this kind were`;
  return `${what} suppressed in the last ${minutes(nowMs - s.sinceMs)} (cooldown).`;
}

/** Renders `e` for e-mail and webhooks. */
export function renderAlert(e: AlertEvent, o: RenderOptions, nowMs = Date.now()): RenderedAlert {
  let title: string, summary: string, ip: string, facts: Facts;
  switch (e.kind) {
    case "security":
      title = `${TITLES[e.type] ?? e.type}: ${e.ip} (${e.mac})`;
      summary = e.explanation;
      ip = e.ip;
      facts = securityFacts(e);
      break;
    case "anomaly":
      title = `${e.phase === "closed" ? "Traffic anomaly over" : "Traffic anomaly"}: ${
        e.scope === "flow"
          ? `${e.src_ip} → ${e.dst_ip}:${e.dst_port} ${protocolName(e.protocol ?? 0)}`
          : `${e.subject} ${e.direction}`
      }`;
      summary = e.reason;
      ip = e.src_ip ?? e.dst_ip ?? e.subject;
      facts = anomalyFacts(e);
      break;
    case "trap":
      title = `SNMP trap ${e.name} from ${e.source_ip}`;
      summary = e.reason;
      ip = e.source_ip;
      facts = trapFacts(e);
      break;
    case "advisory":
      title = `${e.phase === "resolved" ? "Resolved: " : ""}${ADVISORY_TITLES[e.type]}: ${e.subject}`;
      summary = e.phase === "resolved" ? `${e.resolution ?? ""} ${e.summary}`.trim() : e.summary;
      ip = e.ip ?? e.subject;
      facts = advisoryFacts(e);
      break;
  }
  const link = deviceLink(o.dashboardUrl, ip);
  const severity = alertSeverity(e);
  const subject = oneLine(
    `[Flintnet] ${severity === "info" ? "" : `${severity.toUpperCase()}: `}${title}`,
    200,
  );
  const extra = o.suppressed ? suppressedSentence(o.suppressed, nowMs) : null;
  const footer = `Sent by Flintnet${o.hostname ? ` on ${o.hostname}` : ""}.`;

  const width = Math.min(28, Math.max(...facts.map(([k]) => k.length)));
  const text = [
    title,
    "",
    summary,
    ...(extra ? ["", extra] : []),
    "",
    ...facts.map(([k, v]) => `${(k + ":").padEnd(width + 2)}${formatValue(v)}`),
    "",
    `Device: ${link}`,
    "",
    footer,
    "",
  ].join("\n");

  const rows = facts.map(([k, v]) =>
    `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${escapeHtml(k)}</th>` +
    `<td style="padding:2px 0;font-family:monospace">${escapeHtml(formatValue(v))}</td></tr>`
  ).join("\n");
  const html = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + "</title></head>",
    '<body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(summary)}</p>`,
    ...(extra ? [`<p><em>${escapeHtml(extra)}</em></p>`] : []),
    `<table>\n${rows}\n</table>`,
    `<p><a href="${escapeHtml(link)}">Open the device in the dashboard</a></p>`,
    `<p style="color:#666">${escapeHtml(footer)}</p>`,
    "</body></html>",
    "",
  ].join("\n");
  return { subject, text, html, link, summary: extra ? `${summary} ${extra}` : summary };
}
