import assert from "node:assert/strict";
import type { SecurityEvent } from "../events/mod.ts";
import { renderAlert } from "./message.ts";
import { isSlackUrl, postWebhook, webhookBody, WebhookError, webhookHost } from "./webhook.ts";

/** This file's own receiver address (see the test plan's address assignments). */
const ADDR = "127.0.50.1";

const EVENT: SecurityEvent = {
  kind: "security",
  ts: "2023-11-14T22:13:20.000Z",
  type: "rogue_device",
  severity: "info",
  mac: "00:11:22:33:44:55",
  ip: "192.0.2.50",
  vendor: "Acme",
  explanation: "A device never seen before joined: <new> & unknown.",
  evidence: { first_seen: "2023-11-14T22:13:20.000Z" },
  source: "capture",
};

Deno.test("isSlackUrl() picks Slack's host and URLs ending in #slack", () => {
  assert.equal(isSlackUrl("https://hooks.slack.com/services/T/B/X"), true);
  assert.equal(isSlackUrl("https://chat.example.net/hooks/abc#slack"), true);
  assert.equal(isSlackUrl("https://example.net/hook"), false);
  assert.equal(isSlackUrl("not a url"), false);
});

Deno.test("webhookHost() shows the host and never the secret path", () => {
  assert.equal(webhookHost("https://user:pw@hooks.slack.com/services/T/B/SECRET"), "hooks.slack.com");
  assert.equal(webhookHost("http://127.0.50.1:8080/x?token=1"), "127.0.50.1:8080");
});

Deno.test("webhookBody() is the event with a summary for a generic receiver", () => {
  const r = renderAlert(EVENT, { dashboardUrl: "http://x" });
  const b = webhookBody("http://example.net/h", EVENT, r, { count: 2, sinceMs: 0 }) as Record<
    string,
    unknown
  >;
  assert.deepEqual(b.event, EVENT);
  assert.equal(b.summary, r.summary);
  assert.equal(b.link, "http://x/#/devices/192.0.2.50");
  assert.deepEqual(b.suppressed, { count: 2, sinceMs: 0 });
});

Deno.test("webhookBody() is Slack's {text, blocks} with mrkdwn escaped", () => {
  const r = renderAlert(EVENT, { dashboardUrl: "http://x" });
  const b = webhookBody("https://hooks.slack.com/services/T/B/X", EVENT, r) as {
    text: string;
    blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
  };
  assert.ok(b.text.includes("A device never seen before joined"));
  // the notification text is mrkdwn as well: what came from the network is escaped there too
  assert.ok(b.text.includes("&lt;new&gt; &amp; unknown"), b.text);
  assert.ok(!/[<>]/.test(b.text), b.text);
  assert.ok(b.blocks[0].text!.text.includes("&lt;new&gt; &amp; unknown"));
  assert.equal(
    b.blocks[2].elements![0].text,
    "<http://x/#/devices/192.0.2.50|Open the device in the dashboard>",
  );
});

Deno.test("postWebhook() resolves on 2xx and rejects other answers naming the host only", async () => {
  const seen: { body: string; delivery: string | null }[] = [];
  let status = 204;
  const server = Deno.serve({ hostname: ADDR, port: 0, onListen() {} }, async (req) => {
    seen.push({ body: await req.text(), delivery: req.headers.get("X-Flintnet-Delivery") });
    return new Response(null, { status });
  });
  const url = `http://${ADDR}:${server.addr.port}/services/SECRET-PATH`;
  try {
    await postWebhook(url, '{"a":1}', { deliveryId: "flintnet.x.1" });
    assert.deepEqual(seen, [{ body: '{"a":1}', delivery: "flintnet.x.1" }]);
    status = 500;
    await assert.rejects(postWebhook(url, "{}"), (err) => {
      assert.ok(err instanceof WebhookError);
      assert.equal(err.status, 500);
      assert.equal(
        err.message,
        `webhook ${ADDR}:${server.addr.port} answered HTTP 500 Internal Server Error`,
      );
      return true;
    });
    status = 302;
    await assert.rejects(postWebhook(url, "{}"), /answered HTTP 302/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("postWebhook() explains a refused connection and a silent receiver without the URL's secret", async () => {
  const listener = Deno.listen({ hostname: ADDR, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) held.push(c); // accepts, never answers
  })();
  try {
    await assert.rejects(postWebhook(`http://${ADDR}:${port}/SECRET`, "{}", { timeoutMs: 200 }), (err) => {
      assert.ok(err instanceof WebhookError);
      assert.equal(err.message, `webhook ${ADDR}:${port} did not answer within 0.2 s`);
      return true;
    });
  } finally {
    listener.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
  }
  await assert.rejects(postWebhook(`http://${ADDR}:${port}/SECRET`, "{}"), (err) => {
    assert.ok(err instanceof WebhookError);
    assert.ok(!err.message.includes("SECRET"), err.message);
    assert.equal(err.message, `webhook ${ADDR}:${port} refused the connection`);
    return true;
  });
});
