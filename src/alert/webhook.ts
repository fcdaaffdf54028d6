/**
 * Webhook delivery: a Slack-compatible incoming-webhook payload (`{text, blocks}`) for Slack (host
 * hooks.slack.com, or any URL ending in `#slack` — Mattermost, Rocket.Chat and friends take the same
 * payload), a generic JSON POST of the event with a summary for everything else.
 *
 * A webhook URL is a credential (its path is the secret), so only its host ever appears in logs and
 * error messages.
 */
import type { AlertEvent } from "../events/mod.ts";
import type { Suppressed } from "./cooldown.ts";
import type { RenderedAlert } from "./message.ts";

/** The generic JSON body. */
export interface GenericWebhookBody {
  /** Always "flintnet". */
  source: "flintnet";
  /** One line: the mail subject. */
  subject: string;
  /** The explanation or reason, with the held-back count when there is one. */
  summary: string;
  /** The device in the dashboard. */
  link: string;
  /** Alerts of this kind held back by the cooldown before this one. */
  suppressed: Suppressed | null;
  /** The event as published on the bus. */
  event: AlertEvent;
}

/** True when `url` gets Slack's payload. */
export function isSlackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.hostname === "hooks.slack.com" || u.hash === "#slack";
  } catch {
    return false;
  }
}

/** The part of a webhook URL that may be logged: its host (and port). */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host || "(no host)";
  } catch {
    return "(invalid URL)";
  }
}

/** Slack mrkdwn escaping (https://api.slack.com/reference/surfaces/formatting#escaping). */
function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack refuses a section text over 3000 characters. */
function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/** The JSON body to POST to `url` for an alert. */
export function webhookBody(
  url: string,
  event: AlertEvent,
  r: RenderedAlert,
  suppressed: Suppressed | null = null,
): unknown {
  if (!isSlackUrl(url)) {
    const body: GenericWebhookBody = {
      source: "flintnet",
      subject: r.subject,
      summary: r.summary,
      link: r.link,
      suppressed,
      event,
    };
    return body;
  }
  const link = `<${slackEscape(r.link)}|Open the device in the dashboard>`;
  return {
    // The notification text and the fallback for clients without blocks: mrkdwn too, so escaped as well (a
    // device or DNS name from the network could otherwise write <!channel> or a link of its own into it).
    text: cut(slackEscape(`${r.subject}\n${r.summary}`), 3000),
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: cut(`*${slackEscape(r.subject)}*\n${slackEscape(r.summary)}`, 3000) },
      },
      {
        type: "section",
        text: { type: "mrkdwn", text: "```" + cut(slackEscape(r.text.trimEnd()), 2900) + "```" },
      },
      { type: "context", elements: [{ type: "mrkdwn", text: link }] },
    ],
  };
}

/** A failed POST, described by host only. */
export class WebhookError extends Error {
  /** The HTTP status, when the receiver answered. */
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super(message);
    this.name = "WebhookError";
    this.status = status;
  }
}

/** Options of {@link postWebhook}. */
export interface PostWebhookOptions {
  /** Give up after this long. @default 10_000 */
  timeoutMs?: number;
  /** Sent as X-Flintnet-Delivery, so a receiver can drop a duplicate (see the outbox). */
  deliveryId?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** POSTs `body` (JSON text) to `url`; resolves on 2xx, rejects with a {@link WebhookError} otherwise. */
export async function postWebhook(url: string, body: string, o: PostWebhookOptions = {}): Promise<void> {
  const host = webhookHost(url);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "Flintnet",
  };
  if (o.deliveryId) headers["X-Flintnet-Delivery"] = o.deliveryId;
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, {
      method: "POST",
      headers,
      body,
      // A redirect is a misconfiguration to report, not to follow with the alert in tow.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new WebhookError(describeFetchError(err, url, host, timeoutMs));
  }
  await res.body?.cancel().catch(() => {});
  if (res.status < 200 || res.status > 299) {
    throw new WebhookError(
      `webhook ${host} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
      res.status,
    );
  }
}

function describeFetchError(err: unknown, url: string, host: string, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return `webhook ${host} did not answer within ${Number((timeoutMs / 1000).toFixed(1))} s`;
  }
  // Deno says "fetch failed" and puts the reason in `cause`, quoting the whole URL there: keep only
  // what is safe to show.
  const raw = [e?.message, e?.cause?.message].filter(Boolean).join(": ") || String(err);
  const msg = raw.split(url).join(host).replace(/\(https?:\/\/[^)]*\)/g, `(${host})`);
  if (/connection refused/i.test(msg)) return `webhook ${host} refused the connection`;
  if (/dns error|failed to lookup|name or service not known/i.test(msg)) {
    return `webhook host ${host} does not resolve`;
  }
  if (/certificate|invalid peer|UnknownIssuer/i.test(msg)) {
    return `TLS with webhook ${host} failed: its certificate is not trusted`;
  }
  return `POST to webhook ${host} failed: ${msg.slice(0, 200)}`;
}
