/**
 * The FLINTNET_* settings of ARP watching and alert delivery: the learning period, the history kept,
 * the cooldown, the SMTP server and recipients, webhook URLs. Thresholds that people tune while
 * Flintnet runs (k, warm-up, cooldown, routing) can also be changed with PUT /config/alerts; these
 * settings are the starting values.
 */
import { boolean, duration, intRange, list, type Parser, Rejected } from "./parsers.ts";
import { ConfigError, read, setting, value, type Vars } from "./setting.ts";
import { normalizeMac } from "../net/mod.ts";

/** Where and how e-mail alerts are sent. */
export interface SmtpConfig {
  /** SMTP server host name or address. */
  host: string;
  /** SMTP port (587 submission with STARTTLS; 465 implicit TLS; 25). */
  port: number;
  /** Login user, when the server wants one. */
  user?: string;
  /** Login password (never logged). */
  pass?: string;
  /** Sender address. */
  from: string;
  /** Recipients. */
  to: string[];
  /** Insist on STARTTLS (refuse to send in clear text). */
  starttls: boolean;
  /** Verify the server's certificate. */
  tlsRejectUnauthorized: boolean;
}

/** Resolved alert settings. */
export interface AlertConfig {
  /** Days of alert history kept. */
  historyDays: number;
  /** Alerts kept at most; the oldest go first. */
  historyMaxAlerts: number;
  /** MiB the history file's rows may use at most; the oldest alerts go first. */
  historyMaxMb: number;
  /** Seconds between two deliveries of the same alert (per device and kind, per flow for anomalies). */
  cooldownS: number;
  /** E-mail delivery; null = off. */
  smtp: SmtpConfig | null;
  /** Webhook URLs (Slack-compatible when on hooks.slack.com or ending in #slack, else generic JSON). */
  webhookUrls: string[];
  /** The dashboard's address for links in alerts; null = worked out from the listen address. */
  publicUrl: string | null;
}

const EMAIL = /^[^\s@,<>"]{1,64}@[A-Za-z0-9.-]{1,253}$/;

function email(text: string): string {
  if (!EMAIL.test(text)) throw new Rejected(`${JSON.stringify(text)} is not an e-mail address`);
  return text;
}

const emailAddress: Parser<string> = {
  accepted: "an e-mail address user@example.com",
  parse: email,
  format: String,
};

const emailList = list("comma-separated e-mail addresses, each once", email);

const macList = list("comma-separated MAC addresses aa:bb:cc:dd:ee:ff, each once", (text) => {
  const mac = normalizeMac(text);
  if (mac === null) throw new Rejected(`${JSON.stringify(text)} is not a MAC`);
  return mac;
});

function httpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Rejected("an entry is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Rejected("an entry is not http(s)");
  return url.href;
}

/** Webhook URLs carry their secret in the path: the error names the entry's host only. */
const webhookUrls: Parser<string[]> = {
  accepted: "comma-separated http:// or https:// URLs",
  parse(text) {
    const urls = text.split(",").map((p) => p.trim()).filter((p) => p !== "").map(httpUrl);
    if (urls.length === 0) throw new Rejected();
    return urls;
  },
  format: (v) => v.map((u) => new URL(u).host).join(","),
};

const publicUrl: Parser<string> = {
  accepted: "the dashboard's http:// or https:// address as people open it, e.g. https://flintnet.lan:8480",
  parse: (text) => httpUrl(text).replace(/\/+$/, ""),
  format: String,
};

const hostName: Parser<string> = {
  accepted: "a host name or IP address",
  parse(text) {
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(text)) throw new Rejected();
    return text;
  },
  format: String,
};

const anyText: Parser<string> = {
  accepted: "any text",
  parse: (t) => t,
  format: () => "[redacted]",
};

/** The settings table rows of this file, in `--help` order. */
export const ALERT_SETTINGS = {
  learningPeriod: setting({
    name: "FLINTNET_LEARNING_PERIOD",
    description: "After the first start, new devices are learned quietly for this long; afterwards a new " +
      "MAC is a rogue-device alert.",
    parser: duration(0, 7776000),
    fallback: 86400,
  }),
  arpAllow: setting({
    name: "FLINTNET_ARP_ALLOW_MACS",
    description: "MACs allowed to answer for several IPs (routers, load balancers): no ARP-spoof alert.",
    parser: macList,
    defaultText: "none",
  }),
  arpWindow: setting({
    name: "FLINTNET_ARP_WINDOW",
    description: "Two ARP claims this close together are at the same time: one MAC claiming two addresses " +
      "within it is ARP spoofing; an address its MAC left unused longer than this was given up.",
    parser: duration(1, 3600),
    fallback: 60,
  }),
  historyDays: setting({
    name: "FLINTNET_HISTORY_DAYS",
    description: "Days of alert history kept (state dir, SQLite).",
    parser: intRange(1, 3650),
    fallback: 30,
  }),
  historyMaxAlerts: setting({
    name: "FLINTNET_HISTORY_MAX_ALERTS",
    description: "Alerts kept in the history at most, whatever their age; the oldest are removed first.",
    parser: intRange(100, 100_000_000),
    fallback: 250_000,
  }),
  historyMaxMb: setting({
    name: "FLINTNET_HISTORY_MAX_MB",
    description:
      "MiB of the state dir the alert history may fill at most; the oldest alerts are removed first.",
    parser: intRange(1, 1_000_000),
    fallback: 256,
  }),
  cooldown: setting({
    name: "FLINTNET_ALERT_COOLDOWN",
    description: "The same alert is delivered again only after this long (per device and kind; per flow " +
      "for anomalies); suppressed ones are counted in the next message.",
    parser: duration(0, 86400),
    fallback: 300,
  }),
  smtpHost: setting({
    name: "FLINTNET_SMTP_HOST",
    description: "SMTP server for e-mail alerts; unset = no e-mail.",
    parser: hostName,
    defaultText: "none (no e-mail)",
  }),
  smtpPort: setting({
    name: "FLINTNET_SMTP_PORT",
    description: "SMTP port (587 with STARTTLS, 465 for implicit TLS).",
    parser: intRange(1, 65535),
    fallback: 587,
  }),
  smtpUser: setting({
    name: "FLINTNET_SMTP_USER",
    description: "SMTP login user; set with FLINTNET_SMTP_PASS.",
    parser: anyText,
    defaultText: "none (no login)",
    secret: true,
  }),
  smtpPass: setting({
    name: "FLINTNET_SMTP_PASS",
    description: "SMTP login password.",
    parser: anyText,
    defaultText: "none",
    secret: true,
  }),
  smtpFrom: setting({
    name: "FLINTNET_SMTP_FROM",
    description: "Sender address of alert e-mail.",
    parser: emailAddress,
    defaultText: "flintnet@<host name>",
  }),
  smtpTo: setting({
    name: "FLINTNET_SMTP_TO",
    description: "Recipients of alert e-mail; required with FLINTNET_SMTP_HOST.",
    parser: emailList,
    defaultText: "none",
  }),
  smtpStarttls: setting({
    name: "FLINTNET_SMTP_STARTTLS",
    description:
      "1 refuses to send unless the server offers STARTTLS (ignored on port 465: TLS from the start).",
    parser: boolean,
    fallback: true,
  }),
  smtpVerify: setting({
    name: "FLINTNET_SMTP_TLS_REJECT_UNAUTHORIZED",
    description: "1 verifies the SMTP server's certificate; 0 accepts a self-signed one.",
    parser: boolean,
    fallback: true,
  }),
  webhooks: setting({
    name: "FLINTNET_WEBHOOK_URLS",
    description: "Webhook URLs for alerts: Slack-compatible for hooks.slack.com or a URL ending in #slack, " +
      "generic JSON otherwise.",
    parser: webhookUrls,
    defaultText: "none",
    secret: true,
  }),
  publicUrl: setting({
    name: "FLINTNET_PUBLIC_URL",
    description: "The dashboard's address as people open it, for links in alerts.",
    parser: publicUrl,
    defaultText: "http(s)://<listen or interface address>:<port>",
  }),
};

/** Reads the alert settings; SMTP settings must be complete when FLINTNET_SMTP_HOST is set. */
export function alertSettings(vars: Vars, hostname: string): AlertConfig {
  const S = ALERT_SETTINGS;
  // Every value is checked, even those that only matter with an SMTP host: a typo never waits.
  const host = read(S.smtpHost, vars), to = read(S.smtpTo, vars), from = read(S.smtpFrom, vars);
  const user = read(S.smtpUser, vars), pass = read(S.smtpPass, vars);
  const port = value(S.smtpPort, vars), starttls = value(S.smtpStarttls, vars);
  const tlsRejectUnauthorized = value(S.smtpVerify, vars);
  let smtp: SmtpConfig | null = null;
  if (host !== undefined) {
    if (to === undefined) {
      throw new ConfigError(
        `${S.smtpHost.name} is set but ${S.smtpTo.name} is not: set the recipients, or unset the host`,
        S.smtpTo.name,
      );
    }
    if ((user === undefined) !== (pass === undefined)) {
      const [set, unset] = user === undefined ? [S.smtpPass, S.smtpUser] : [S.smtpUser, S.smtpPass];
      throw new ConfigError(
        `${set.name} is set but ${unset.name} is not: set both to log in, or neither`,
        unset.name,
      );
    }
    smtp = {
      host,
      port,
      ...(user === undefined ? {} : { user, pass }),
      from: from ??
        `flintnet@${/^[A-Za-z0-9.-]+$/.test(hostname) ? hostname : "localhost"}`,
      to,
      starttls,
      tlsRejectUnauthorized,
    };
  }
  return {
    historyDays: value(S.historyDays, vars),
    historyMaxAlerts: value(S.historyMaxAlerts, vars),
    historyMaxMb: value(S.historyMaxMb, vars),
    cooldownS: value(S.cooldown, vars),
    smtp,
    webhookUrls: read(S.webhooks, vars) ?? [],
    publicUrl: read(S.publicUrl, vars) ?? null,
  };
}
