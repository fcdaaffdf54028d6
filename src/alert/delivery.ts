/**
 * Alert delivery: takes security, anomaly and trap events off the bus, drops muted ones, routes each
 * kind to its channels by the alert policy, holds back repeats within the cooldown, and puts one
 * message per recipient list / webhook URL in the outbox, whose loop sends them.
 *
 *   bus → muted? → routes → cooldown → render → outbox (committed) → loop → SMTP / HTTP POST
 */
import type { AlertEvent, EventBus, PublishedEvent, Subscription } from "../events/mod.ts";
import { createLogger, type Logger } from "../base/mod.ts";
import type { AlertChannel, AlertPolicy, RouteKind } from "./alert_policy.ts";
import { Cooldown, cooldownKey } from "./cooldown.ts";
import type { Mailer, MailMessage } from "./mailer.ts";
import { renderAlert } from "./message.ts";
import type { Outbox, OutboxCounters, OutboxMessage } from "./outbox.ts";
import { OutboxLoop, Undeliverable } from "./outbox_loop.ts";
import { postWebhook, webhookBody, webhookHost } from "./webhook.ts";

/** The part of the policy store delivery reads. */
export interface PolicySource {
  /** The policy in force. */
  get(): AlertPolicy;
  /** Called after every change; returns an unsubscribe function. */
  onChange(fn: (p: AlertPolicy) => void): () => void;
}

/** Options of {@link AlertDelivery}. */
export interface AlertDeliveryOptions {
  /** Where the events come from. */
  bus: EventBus;
  /** Routes and cooldown (re-read on every change). */
  policy: PolicySource;
  /** The persistent outbox (its owner closes it). */
  outbox: Outbox;
  /** E-mail: the mailer and the recipients; no e-mail when absent. */
  email?: { mailer: Mailer; to: readonly string[] };
  /** Webhook URLs; each gets every alert routed to "webhook". */
  webhookUrls?: readonly string[];
  /** Where the dashboard is, for device links. */
  dashboardUrl: string;
  /** True for an alert a person muted (per device, per kind, maintenance window). */
  isMuted?: (e: AlertEvent) => boolean;
  /** The box's name, shown in messages. */
  hostname?: string;
  /** Webhook timeout. @default 10_000 */
  webhookTimeoutMs?: number;
  /** The outbox loop's longest sleep. @default 60_000 */
  maxWaitMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default createLogger("alert") */
  log?: Logger;
}

/** What delivery has done since start. */
export interface AlertDeliveryCounters {
  /** Alert events taken off the bus. */
  received: number;
  /** Of those, muted. */
  muted: number;
  /** Of those, routed to no configured channel. */
  unrouted: number;
  /** Of those, held back by the cooldown. */
  suppressed: number;
  /** Of those, ends of anomaly episodes sent as a follow-up of their alert (no cooldown applies). */
  episode_ends: number;
  /** Messages put in the outbox, by channel. */
  enqueued: Record<AlertChannel, number>;
  /** Messages that could not be put in the outbox (database failure): those alerts are lost. */
  enqueue_failed: number;
  /** Events the bus dropped because delivery fell behind. */
  bus_dropped: number;
  /** Cooldown keys remembered. */
  cooldown_keys: number;
  /** The outbox's own counters (pending, delivered, failed attempts, drops). */
  outbox: OutboxCounters;
  /** The last delivery failure in words, null when none. */
  last_error: string | null;
}

/** Anomaly episodes remembered as sent, waiting for their end (the oldest is forgotten past this). */
const MAX_OPEN_EPISODES = 10_000;

function routeKind(e: AlertEvent): RouteKind {
  return e.kind === "security" ? e.type : e.kind;
}

/** Routes alert events to e-mail and webhooks through the cooldown and the outbox. */
export class AlertDelivery {
  #o: AlertDeliveryOptions;
  #now: () => number;
  #log: Logger;
  #policy: AlertPolicy;
  #cooldown: Cooldown;
  #loop: OutboxLoop;
  #sub: Subscription | undefined;
  #unwatch: (() => void) | undefined;
  #lastError: string | null = null;
  #c = { received: 0, muted: 0, unrouted: 0, suppressed: 0, episode_ends: 0, enqueue_failed: 0 };
  /** Anomaly episodes whose open alert went out: their end goes to the same channels. Bounded, oldest first out. */
  #openEpisodes = new Set<string>();
  #enqueued: Record<AlertChannel, number> = { email: 0, webhook: 0 };

  constructor(o: AlertDeliveryOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#log = o.log ?? createLogger("alert");
    this.#policy = o.policy.get();
    this.#cooldown = new Cooldown({ cooldownMs: this.#policy.cooldown_s * 1000 });
    this.#loop = new OutboxLoop({
      outbox: o.outbox,
      send: (m) => this.#send(m),
      now: this.#now,
      log: this.#log,
      maxWaitMs: o.maxWaitMs,
    });
  }

  /** Subscribes to the bus and starts sending (including what a previous run left in the outbox). */
  start(): void {
    if (this.#sub) return;
    this.#unwatch = this.#o.policy.onChange((p) => {
      this.#policy = p;
      this.#cooldown.cooldownMs = p.cooldown_s * 1000;
    });
    this.#sub = this.#o.bus.subscribe((e) => this.handle(e as PublishedEvent & AlertEvent), {
      kinds: ["security", "anomaly", "trap", "advisory"],
      name: "alert-delivery",
    });
    this.#loop.start();
    const pending = this.#o.outbox.pending();
    if (pending > 0) this.#log.info("alert messages left from before are being sent", { pending });
  }

  /** Unsubscribes and waits for the message being sent, if any. Pending messages stay in the outbox. */
  async stop(): Promise<void> {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
    await this.#loop.stop();
    this.#o.email?.mailer.close?.();
  }

  /** Takes one alert event (the bus calls this; tests may too). Never throws. */
  handle(e: AlertEvent): void {
    this.#c.received++;
    try {
      if (this.#o.isMuted?.(e)) {
        this.#c.muted++;
        return;
      }
      const channels = this.#policy.routes[routeKind(e)] ?? [];
      const email = channels.includes("email") ? this.#o.email : undefined;
      const urls = channels.includes("webhook") ? this.#o.webhookUrls ?? [] : [];
      if (!email && urls.length === 0) {
        this.#c.unrouted++;
        return;
      }
      const now = this.#now();
      let suppressed = null;
      const endOf = e.kind === "anomaly" && e.phase === "closed"
        ? e.episode_id
        : e.kind === "advisory" && e.phase === "resolved"
        ? e.advisory_id
        : null;
      if (endOf !== null) {
        // The end of an episode is the same alert's summary: sent when its start was, whatever the cooldown.
        if (!this.#openEpisodes.delete(endOf)) {
          this.#c.unrouted++;
          return;
        }
        this.#c.episode_ends++;
      } else {
        const key = cooldownKey(e);
        if (!this.#cooldown.admit(key, now)) {
          this.#c.suppressed++;
          return;
        }
        suppressed = this.#cooldown.takeSuppressed(key);
        if (e.kind === "anomaly") this.#rememberEpisode(e.episode_id);
        if (e.kind === "advisory") this.#rememberEpisode(e.advisory_id);
      }
      const r = renderAlert(
        e,
        { dashboardUrl: this.#o.dashboardUrl, suppressed, hostname: this.#o.hostname },
        now,
      );
      if (email) {
        const msg: MailMessage = { subject: r.subject, text: r.text, html: r.html };
        this.#enqueue("email", JSON.stringify(email.to), JSON.stringify(msg), now);
      }
      for (const url of urls) {
        this.#enqueue("webhook", url, JSON.stringify(webhookBody(url, e, r, suppressed)), now);
      }
      this.#loop.kick();
    } catch (err) {
      this.#log.error("alert event could not be handled", { kind: e.kind, error: err });
    }
  }

  #rememberEpisode(id: string): void {
    this.#openEpisodes.add(id);
    if (this.#openEpisodes.size > MAX_OPEN_EPISODES) {
      this.#openEpisodes.delete(this.#openEpisodes.values().next().value!);
    }
  }

  #enqueue(channel: AlertChannel, target: string, payload: string, now: number): void {
    try {
      this.#o.outbox.enqueue(channel, target, payload, now);
      this.#enqueued[channel]++;
    } catch (err) {
      this.#c.enqueue_failed++;
      this.#lastError = `the outbox refused a message: ${err instanceof Error ? err.message : String(err)}`;
      this.#log.error("alert lost: the outbox refused it", {
        channel,
        target: channel === "webhook" ? webhookHost(target) : target,
        error: err,
      });
    }
  }

  async #send(m: OutboxMessage): Promise<void> {
    if (m.channel === "email") {
      const email = this.#o.email;
      if (!email) throw new Undeliverable("e-mail is no longer configured");
      let msg: MailMessage, to: string[];
      try {
        msg = JSON.parse(m.payload);
        to = JSON.parse(m.target);
      } catch {
        throw new Undeliverable(`outbox message ${m.id} is not readable`);
      }
      await email.mailer.send({ ...msg, to }, this.#o.outbox.messageId(m.id));
      return;
    }
    // A URL taken out of the configuration may have been taken out because it leaked: never post to it.
    if (!(this.#o.webhookUrls ?? []).includes(m.target)) {
      throw new Undeliverable(`webhook ${webhookHost(m.target)} is no longer configured`);
    }
    await postWebhook(m.target, m.payload, {
      timeoutMs: this.#o.webhookTimeoutMs,
      deliveryId: this.#o.outbox.messageId(m.id),
      fetch: this.#o.fetch,
    });
  }

  /** What happened since start. */
  counters(): AlertDeliveryCounters {
    return {
      ...this.#c,
      enqueued: { ...this.#enqueued },
      bus_dropped: this.#sub?.dropped ?? 0,
      cooldown_keys: this.#cooldown.size,
      outbox: this.#o.outbox.counters(),
      last_error: this.#loop.lastError ?? this.#lastError,
    };
  }
}
