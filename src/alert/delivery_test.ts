import assert from "node:assert/strict";
import {
  type AdvisoryEvent,
  type AlertEvent,
  EventBus,
  type SecurityEvent,
  type TrapEvent,
} from "../events/mod.ts";
import { AlertPolicyStore } from "./alert_policy.ts";
import { AlertDelivery, type AlertDeliveryOptions } from "./delivery.ts";
import type { Mailer, MailMessage } from "./mailer.ts";
import { Outbox } from "./outbox.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";

/** Keeps what it was asked to send (the real SMTP path is in tests/alert_delivery_test.ts). */
class RecordingMailer implements Mailer {
  sent: { msg: MailMessage; messageId: string }[] = [];
  send(msg: MailMessage, messageId: string): Promise<void> {
    this.sent.push({ msg, messageId });
    return Promise.resolve();
  }
}

function spoof(mac = "00:11:22:33:44:55", ip = "192.0.2.1"): SecurityEvent {
  return {
    kind: "security",
    ts: "2023-11-14T22:13:20.000Z",
    type: "arp_spoof",
    severity: "warning",
    mac,
    ip,
    vendor: null,
    explanation: `${mac} claims several addresses.`,
    evidence: { ips: [ip, "192.0.2.2"] },
    source: "capture",
  };
}

const TRAP: TrapEvent = {
  kind: "trap",
  ts: "2023-11-14T22:13:20.000Z",
  source_ip: "192.0.2.9",
  version: "v2c",
  pdu: "trap",
  name: "coldStart",
  trap_oid: "1.3.6.1.6.3.1.1.5.1",
  uptime_cs: 1,
  if_index: null,
  if_name: null,
  varbinds: [],
  reason: "The agent restarted.",
};

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Rig {
  bus: EventBus;
  mailer: RecordingMailer;
  posts: { url: string; body: unknown; delivery: string | null }[];
  policy: AlertPolicyStore;
  delivery: AlertDelivery;
  outbox: Outbox;
  clock: { now: number };
}

async function withRig(
  o: Partial<AlertDeliveryOptions>,
  fn: (r: Rig) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-delivery-" });
  const bus = new EventBus();
  const mailer = new RecordingMailer();
  const posts: Rig["posts"] = [];
  const policy = new AlertPolicyStore({ stateDir: dir });
  const outbox = new Outbox({ path: ":memory:" });
  const clock = { now: Date.parse("2023-11-14T22:13:20Z") };
  const fakeFetch = ((url: string | URL | Request, init?: RequestInit) => {
    const h = new Headers(init?.headers);
    posts.push({
      url: String(url),
      body: JSON.parse(String(init?.body)),
      delivery: h.get("X-Flintnet-Delivery"),
    });
    return Promise.resolve(new Response(null, { status: 200 }));
  }) as typeof fetch;
  const delivery = new AlertDelivery({
    bus,
    policy,
    outbox,
    email: { mailer, to: ["ops@example.net", "boss@example.net"] },
    webhookUrls: ["http://127.0.50.1:9/hook-a", "http://127.0.50.1:9/hook-b#slack"],
    dashboardUrl: "http://flintnet.lan",
    now: () => clock.now,
    fetch: fakeFetch,
    ...o,
  });
  delivery.start();
  try {
    await fn({ bus, mailer, posts, policy, delivery, outbox, clock });
  } finally {
    await delivery.stop();
    outbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("AlertDelivery sends a security event as one mail to the recipient list and one POST per webhook", async () => {
  await withRig({}, async ({ bus, mailer, posts, delivery, outbox }) => {
    bus.publish(spoof());
    await until(() => mailer.sent.length === 1 && posts.length === 2, "the deliveries");
    assert.deepEqual(mailer.sent[0].msg.to, ["ops@example.net", "boss@example.net"]);
    assert.ok(mailer.sent[0].msg.text.includes("00:11:22:33:44:55 claims several addresses."));
    assert.match(mailer.sent[0].messageId, /^flintnet\.[0-9a-f]{16}\.1$/);
    assert.deepEqual(posts.map((p) => p.url).sort(), [
      "http://127.0.50.1:9/hook-a",
      "http://127.0.50.1:9/hook-b#slack",
    ]);
    const generic = posts.find((p) => p.url.endsWith("hook-a"))!.body as { event: AlertEvent };
    assert.equal(generic.event.kind, "security");
    const slack = posts.find((p) => p.url.endsWith("#slack"))!.body as { text: string; blocks: unknown[] };
    assert.ok(slack.text.includes("claims several addresses"));
    assert.ok(posts.every((p) => p.delivery?.startsWith("flintnet.")));
    const c = delivery.counters();
    assert.deepEqual(c.enqueued, { email: 1, webhook: 2 });
    assert.equal(c.outbox.delivered, 3);
    assert.equal(outbox.pending(), 0);
  });
});

Deno.test("AlertDelivery skips muted alerts and counts them", async () => {
  await withRig({ isMuted: (e) => e.kind === "security" && e.mac === "00:00:00:00:00:01" }, async (r) => {
    r.bus.publish(spoof("00:00:00:00:00:01"));
    r.bus.publish(spoof("00:00:00:00:00:02"));
    await until(() => r.mailer.sent.length === 1, "one mail");
    assert.ok(r.mailer.sent[0].msg.text.includes("00:00:00:00:00:02"));
    assert.equal(r.delivery.counters().muted, 1);
  });
});

Deno.test("AlertDelivery routes traps nowhere by default, and where the policy says once it is changed", async () => {
  await withRig({}, async (r) => {
    r.bus.publish({ ...TRAP });
    await until(() => r.delivery.counters().unrouted === 1, "the unrouted trap");
    await r.policy.update({ routes: { trap: ["webhook"] } });
    r.bus.publish({ ...TRAP });
    await until(() => r.posts.length === 2, "the trap on both webhooks");
    assert.equal(r.mailer.sent.length, 0);
    await r.policy.update({ routes: { arp_spoof: ["email"] } });
    r.bus.publish(spoof());
    await until(() => r.mailer.sent.length === 1, "the mail");
    assert.equal(r.posts.length, 2, "no webhook for arp_spoof any more");
  });
});

Deno.test("AlertDelivery holds back repeats within the cooldown and mentions them in the next alert", async () => {
  await withRig({}, async (r) => {
    r.bus.publish(spoof());
    await until(() => r.delivery.counters().received === 1, "the first");
    r.clock.now += 60_000;
    r.bus.publish(spoof());
    r.bus.publish(spoof());
    r.bus.publish(spoof("00:11:22:33:44:66")); // another device: its own cooldown
    await until(() => r.delivery.counters().received === 4, "the repeats");
    assert.equal(r.delivery.counters().suppressed, 2);
    r.clock.now += 5 * 60_000;
    r.bus.publish(spoof());
    await until(() => r.mailer.sent.length === 3, "three mails");
    const last = r.mailer.sent[2].msg;
    assert.ok(
      last.text.includes("2 more alerts of this kind were suppressed in the last 6 minutes"),
      last.text,
    );
    const generic = r.posts.filter((p) => p.url.endsWith("hook-a")).at(-1)!.body as { suppressed: unknown };
    assert.deepEqual(generic.suppressed, { count: 2, sinceMs: Date.parse("2023-11-14T22:13:20Z") });
  });
});

Deno.test("AlertDelivery applies a new cooldown without a restart", async () => {
  await withRig({}, async (r) => {
    await r.policy.update({ cooldown_s: 0 });
    r.bus.publish(spoof());
    r.bus.publish(spoof());
    await until(() => r.mailer.sent.length === 2, "both mails");
    assert.equal(r.delivery.counters().suppressed, 0);
  });
});

Deno.test("AlertDelivery never posts to a webhook URL that was taken out of the configuration", async () => {
  const box = new Outbox({ path: ":memory:" });
  box.enqueue("webhook", "http://127.0.50.1:9/leaked", "{}", Date.parse("2023-11-14T22:13:20Z"));
  await withRig({ outbox: box, webhookUrls: ["http://127.0.50.1:9/new"] }, async (r) => {
    await until(() => box.counters().dropped_undeliverable === 1, "the drop");
    assert.equal(r.posts.length, 0);
    assert.ok(!String(r.delivery.counters().last_error).includes("leaked"));
  });
});

Deno.test("AlertDelivery sends an anomaly episode's end where its start went, whatever the cooldown, and only then", async () => {
  await withRig({ isMuted: (e) => e.kind === "anomaly" && e.src_ip === "192.0.2.66" }, async (r) => {
    const open = sampleAnomaly(5_000_000, "it started", { episode_id: "f-one" });
    const closed = { ...open, phase: "closed" as const, reason: "it is over" };
    r.bus.publish(open);
    await until(() => r.mailer.sent.length === 1, "the start");
    r.clock.now += 60_000; // well inside the 5-minute cooldown of the same flow
    r.bus.publish(closed);
    await until(() => r.mailer.sent.length === 2 && r.posts.length === 4, "the end, by mail and webhooks");
    assert.ok(r.mailer.sent[1].msg.subject.includes("Traffic anomaly over:"), r.mailer.sent[1].msg.subject);
    assert.ok(r.mailer.sent[1].msg.text.includes("it is over"));
    const generic = r.posts.filter((p) => p.url.endsWith("hook-a")).at(-1)!.body as { event: AlertEvent };
    assert.equal((generic.event as { phase: string }).phase, "closed");
    // The end of an episode whose start went nowhere (muted, or held back) goes nowhere either.
    const muted = sampleAnomaly(5_000_000, "muted", { episode_id: "f-two", src_ip: "192.0.2.66" });
    r.bus.publish(muted);
    r.bus.publish({ ...muted, phase: "closed" });
    r.bus.publish({ ...sampleAnomaly(1, "never opened here", { episode_id: "f-three" }), phase: "closed" });
    await until(() => r.delivery.counters().received === 5, "all five");
    const c = r.delivery.counters();
    assert.deepEqual([c.episode_ends, c.muted, c.unrouted, c.suppressed], [1, 2, 1, 0]);
    assert.equal(r.mailer.sent.length, 2);
  });
});

function advisory(id: string, phase: "raised" | "resolved"): AdvisoryEvent {
  return {
    kind: "advisory",
    phase,
    advisory_id: id,
    ts: "2023-11-14T22:14:00.000Z",
    type: "port_scan",
    severity: "warning",
    subject: "10.0.0.66",
    subject_kind: "host",
    ip: "10.0.0.66",
    summary: "10.0.0.66 contacted 600 unique ports in 60 s — likely a port scan.",
    action: "Isolate it.",
    evidence: { ports: 600 },
    raised_at: "2023-11-14T22:14:00.000Z",
    resolved_at: phase === "resolved" ? "2023-11-14T22:20:00.000Z" : null,
    resolution: phase === "resolved" ? "Not seen in the last 2 minutes." : null,
  };
}

Deno.test("AlertDelivery routes advisories like other alerts: cooled down per type and subject, resolved where raised", async () => {
  await withRig({}, async ({ bus, mailer, posts, delivery }) => {
    bus.publish(advisory("port_scan-1", "raised"));
    await until(() => mailer.sent.length === 1 && posts.length === 2, "the raised advisory");
    assert.equal(mailer.sent[0].msg.subject, "[Flintnet] WARNING: Port scan: 10.0.0.66");
    assert.ok(mailer.sent[0].msg.text.includes("likely a port scan"));
    assert.ok(mailer.sent[0].msg.text.includes("Isolate it."));
    // The same condition raised again within the cooldown (another advisory id) is held back …
    bus.publish(advisory("port_scan-2", "raised"));
    // … the first one's resolution goes out whatever the cooldown; the held-back one's does not.
    bus.publish(advisory("port_scan-1", "resolved"));
    bus.publish(advisory("port_scan-2", "resolved"));
    await until(() => mailer.sent.length === 2 && posts.length === 4, "the resolution");
    assert.equal(mailer.sent[1].msg.subject, "[Flintnet] WARNING: Resolved: Port scan: 10.0.0.66");
    const c = delivery.counters();
    assert.equal(c.suppressed, 1);
    assert.equal(c.episode_ends, 1);
    assert.equal(c.unrouted, 1);
  });
});
