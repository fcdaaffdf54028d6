/**
 * Alert delivery end to end against real peers: Debian's aiosmtpd (STARTTLS required, AUTH, a
 * self-signed certificate made for the test) on 127.0.50.1:2525, and a Deno.serve webhook receiver on
 * 127.0.50.1. What arrived is read back from the SMTP server's own parse of each message.
 */
import assert from "node:assert/strict";
import { AlertPolicyStore } from "../src/alert/alert_policy.ts";
import { AlertDelivery } from "../src/alert/delivery.ts";
import { SmtpMailer } from "../src/alert/mailer.ts";
import { Outbox } from "../src/alert/outbox.ts";
import { EventBus, type SecurityEvent } from "../src/events/mod.ts";
import { type SmtpServer, smtpServerUnavailable, startSmtpServer } from "./helpers/smtp_server.ts";

const ADDR = "127.0.50.1";
const PORT = 2525;
const AUTH = { user: "flintnet", pass: "s3cret-pass" };
const DASHBOARD = "https://flintnet.lan:8480";

const missing = await smtpServerUnavailable();
if (missing && Deno.env.get("CI") === "true") throw new Error(`CI=true and ${missing}`);
const ignore = missing !== null;

const SPOOF: SecurityEvent = {
  kind: "security",
  ts: "2023-11-14T22:13:20.000Z",
  type: "arp_spoof",
  severity: "critical",
  mac: "00:11:22:33:44:55",
  ip: "192.0.2.66",
  vendor: null,
  explanation:
    "00:11:22:33:44:55 answers ARP for the gateway 192.0.2.1 and for 192.0.2.66: it is likely intercepting traffic.",
  evidence: {
    claimed_ips: ["192.0.2.1", "192.0.2.66"],
    gateway_mac: "00:aa:bb:cc:dd:ee",
    spoofer_mac: "00:11:22:33:44:55",
  },
  source: "capture",
};

async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  output?: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${output ? `\n${output()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Run {
  bus: EventBus;
  outbox: Outbox;
  delivery: AlertDelivery;
  /** Added to the real time: the cooldown is tested by moving it forward. */
  clock: { offsetMs: number };
  stop(): Promise<void>;
}

/** A delivery on `<dir>/outbox.db` mailing through 127.0.50.1:2525, with fast retries. */
async function startDelivery(
  dir: string,
  o: { tlsRejectUnauthorized?: boolean; webhookUrls?: string[]; mail?: boolean } = {},
): Promise<Run> {
  const bus = new EventBus();
  const policy = new AlertPolicyStore({ stateDir: dir });
  await policy.load();
  const outbox = new Outbox({ path: `${dir}/outbox.db`, backoffBaseMs: 100, backoffMaxMs: 400 });
  const clock = { offsetMs: 0 };
  const mailer = new SmtpMailer({
    host: ADDR,
    port: PORT,
    ...AUTH,
    from: "Flintnet <flintnet@example.net>",
    to: ["ops@example.net"],
    starttls: true,
    tlsRejectUnauthorized: o.tlsRejectUnauthorized ?? false,
    timeoutMs: 5000,
  });
  const delivery = new AlertDelivery({
    bus,
    policy,
    outbox,
    email: o.mail === false ? undefined : { mailer, to: ["ops@example.net", "noc@example.net"] },
    webhookUrls: o.webhookUrls ?? [],
    dashboardUrl: DASHBOARD,
    now: () => Date.now() + clock.offsetMs,
    maxWaitMs: 200,
  });
  delivery.start();
  return {
    bus,
    outbox,
    delivery,
    clock,
    async stop() {
      await delivery.stop();
      outbox.close();
    },
  };
}

/** A temp dir, removed afterwards; SMTP server output printed when the test fails. */
async function scenario(fn: (dir: string, servers: SmtpServer[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-alert-delivery-" });
  const servers: SmtpServer[] = [];
  try {
    await fn(dir, servers);
  } catch (err) {
    for (const s of servers) console.error(`--- SMTP server output ---\n${s.output()}`);
    throw err;
  } finally {
    for (const s of servers) await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "a security event arrives as one mail over STARTTLS with the explanation, the MACs and the device link",
  ignore,
  async fn() {
    await scenario(async (dir, servers) => {
      const smtp = await startSmtpServer({ address: ADDR, port: PORT, auth: AUTH });
      servers.push(smtp);
      const run = await startDelivery(dir);
      try {
        run.bus.publish(structuredClone(SPOOF));
        await until(async () => (await smtp.messages()).length === 1, "the mail", smtp.output);
        await until(() => run.outbox.pending() === 0, "the outbox to empty");
        const [mail] = await smtp.messages();
        assert.equal(mail.tls, true);
        assert.deepEqual(mail.rcpt_tos, ["ops@example.net", "noc@example.net"]);
        assert.equal(mail.mail_from, "flintnet@example.net");
        assert.match(mail.headers["subject"], /ARP spoofing/);
        assert.match(mail.headers["subject"], /192\.0\.2\.66/);
        assert.equal(mail.headers["message-id"], `<${run.outbox.messageId(1)}@example.net>`);
        const link = `${DASHBOARD}/#/devices/192.0.2.66`;
        for (const body of [mail.text, mail.html]) {
          assert.ok(body.includes(SPOOF.explanation), body);
          for (const mac of ["00:11:22:33:44:55", "00:aa:bb:cc:dd:ee"]) assert.ok(body.includes(mac), mac);
          assert.ok(body.includes("192.0.2.1"));
          assert.ok(body.includes(link));
        }
        assert.ok(mail.html.includes(`<a href="${link}">`));
        assert.equal((await smtp.messages()).length, 1);
      } finally {
        await run.stop();
      }
    });
  },
});

Deno.test({
  name: "a repeat within the cooldown is not mailed; the next one after it says how many were suppressed",
  ignore,
  async fn() {
    await scenario(async (dir, servers) => {
      const smtp = await startSmtpServer({ address: ADDR, port: PORT, auth: AUTH });
      servers.push(smtp);
      const run = await startDelivery(dir);
      try {
        run.bus.publish(structuredClone(SPOOF));
        await until(() => run.delivery.counters().received === 1, "the first alert");
        run.clock.offsetMs += 60_000;
        run.bus.publish(structuredClone(SPOOF));
        run.bus.publish(structuredClone(SPOOF));
        run.bus.publish(structuredClone(SPOOF));
        await until(() => run.delivery.counters().received === 4, "the repeats");
        await until(() => run.outbox.pending() === 0, "the first mail to go");
        assert.equal((await smtp.messages()).length, 1);
        assert.equal(run.delivery.counters().suppressed, 3);

        run.clock.offsetMs += 5 * 60_000; // the cooldown (300 s by default) is over
        run.bus.publish(structuredClone(SPOOF));
        await until(async () => (await smtp.messages()).length === 2, "the second mail", smtp.output);
        const second = (await smtp.messages())[1];
        const sentence = "3 more alerts of this kind were suppressed in the last 6 minutes";
        assert.ok(second.text.includes(sentence), second.text);
        assert.ok(second.html.includes(sentence));
        await until(() => run.outbox.pending() === 0, "the outbox to empty");
        assert.equal((await smtp.messages()).length, 2);
      } finally {
        await run.stop();
      }
    });
  },
});

Deno.test({
  name: "an alert raised while the SMTP server is down is delivered once when it comes back",
  ignore,
  async fn() {
    await scenario(async (dir, servers) => {
      const run = await startDelivery(dir);
      try {
        run.bus.publish(structuredClone(SPOOF));
        await until(() => run.delivery.counters().outbox.failed_attempts >= 2, "two failed attempts");
        assert.equal(
          run.delivery.counters().last_error,
          `SMTP server ${ADDR}:${PORT} refused the connection (is it running?)`,
        );
        assert.equal(run.outbox.pending(), 1);
        const smtp = await startSmtpServer({ address: ADDR, port: PORT, auth: AUTH });
        servers.push(smtp);
        await until(() => run.outbox.pending() === 0, "the delivery", smtp.output);
        const mails = await smtp.messages();
        assert.equal(mails.length, 1);
        assert.equal(run.delivery.counters().outbox.delivered, 1);
        assert.ok(mails[0].text.includes(SPOOF.explanation));
      } finally {
        await run.stop();
      }
    });
  },
});

Deno.test({
  name: "a message pending when Flintnet stops is delivered once by the next run on the same outbox",
  ignore,
  async fn() {
    await scenario(async (dir, servers) => {
      const first = await startDelivery(dir);
      try {
        first.bus.publish(structuredClone(SPOOF));
        await until(() => first.delivery.counters().outbox.failed_attempts >= 1, "a failed attempt");
      } finally {
        await first.stop();
      }
      const smtp = await startSmtpServer({ address: ADDR, port: PORT, auth: AUTH });
      servers.push(smtp);
      const second = await startDelivery(dir);
      try {
        await until(() => second.outbox.pending() === 0, "the delivery", smtp.output);
        const mails = await smtp.messages();
        assert.equal(mails.length, 1);
        assert.ok(mails[0].text.includes(SPOOF.explanation));
        assert.equal(mails[0].headers["message-id"], `<${second.outbox.messageId(1)}@example.net>`);
        assert.equal(second.delivery.counters().received, 0, "sent from the outbox, not raised again");
      } finally {
        await second.stop();
      }
    });
  },
});

Deno.test({
  name: "TLS verification on refuses a self-signed SMTP server in words; off, the same message goes through",
  ignore,
  async fn() {
    await scenario(async (dir, servers) => {
      const smtp = await startSmtpServer({ address: ADDR, port: PORT, auth: AUTH });
      servers.push(smtp);
      const strict = await startDelivery(dir, { tlsRejectUnauthorized: true });
      try {
        strict.bus.publish(structuredClone(SPOOF));
        await until(() => strict.delivery.counters().outbox.failed_attempts >= 1, "a failed attempt");
        const err = String(strict.delivery.counters().last_error);
        assert.ok(
          err.startsWith(`TLS with SMTP server ${ADDR}:${PORT} failed: its certificate is not trusted`),
          err,
        );
        assert.equal((await smtp.messages()).length, 0);
      } finally {
        await strict.stop();
      }
      const lax = await startDelivery(dir, { tlsRejectUnauthorized: false });
      try {
        await until(() => lax.outbox.pending() === 0, "the delivery", smtp.output);
        assert.equal((await smtp.messages()).length, 1);
      } finally {
        await lax.stop();
      }
    });
  },
});

Deno.test("webhooks get the generic JSON and the Slack payload, and a 500 is retried until delivered once", async () => {
  const requests: { path: string; delivery: string | null; body: Record<string, unknown> }[] = [];
  let failNext = 1;
  const server = Deno.serve({ hostname: ADDR, port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.push({ path, delivery: req.headers.get("X-Flintnet-Delivery"), body: await req.json() });
    if (path === "/generic/T0KEN" && failNext > 0) {
      failNext--;
      return new Response("try later", { status: 500 });
    }
    return new Response("ok");
  });
  const base = `http://${ADDR}:${server.addr.port}`;
  const dir = await Deno.makeTempDir({ prefix: "flintnet-alert-webhook-" });
  const run = await startDelivery(dir, {
    mail: false,
    webhookUrls: [`${base}/generic/T0KEN`, `${base}/chat/T0KEN#slack`],
  });
  try {
    run.bus.publish(structuredClone(SPOOF));
    await until(() => run.delivery.counters().outbox.delivered === 2, "both deliveries");
    const generic = requests.filter((r) => r.path === "/generic/T0KEN");
    const slack = requests.filter((r) => r.path === "/chat/T0KEN");
    assert.equal(generic.length, 2, "one 500, one 200");
    assert.equal(generic[0].delivery, generic[1].delivery, "the retry carries the same delivery id");
    assert.deepEqual(generic[1].body.event, { ...SPOOF, id: 1 });
    assert.equal(generic[1].body.summary, SPOOF.explanation);
    assert.equal(generic[1].body.link, `${DASHBOARD}/#/devices/192.0.2.66`);
    assert.equal(slack.length, 1);
    assert.ok(String(slack[0].body.text).includes(SPOOF.explanation));
    assert.ok(Array.isArray(slack[0].body.blocks));
    const c = run.delivery.counters();
    assert.equal(c.outbox.delivered, 2);
    assert.equal(c.outbox.failed_attempts, 1);
    assert.equal(c.last_error, `webhook ${ADDR}:${server.addr.port} answered HTTP 500 Internal Server Error`);
  } finally {
    await run.stop();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
