import assert from "node:assert/strict";
import type { SecurityEvent, TrapEvent } from "../events/mod.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";
import { deviceLink, escapeHtml, renderAlert, suppressedSentence } from "./message.ts";

const SPOOF: SecurityEvent = {
  kind: "security",
  ts: "2023-11-14T22:13:20.000Z",
  type: "mac_spoof",
  severity: "critical",
  mac: "02:00:5e:10:00:02",
  ip: "192.0.2.1",
  vendor: null,
  explanation: "192.0.2.1 (the gateway) is claimed by two MACs: someone may be intercepting traffic.",
  evidence: {
    macs: ["00:11:22:33:44:55", "02:00:5e:10:00:02"],
    packets: 3,
    note: "<script>alert(1)</script>",
  },
  source: "capture",
};

Deno.test("renderAlert() puts the explanation, every MAC and the device link in text and HTML", () => {
  const r = renderAlert(SPOOF, { dashboardUrl: "https://flintnet.lan:8480/" });
  const link = "https://flintnet.lan:8480/#/devices/192.0.2.1";
  assert.equal(r.link, link);
  for (const body of [r.text, r.html]) {
    assert.ok(body.includes("192.0.2.1 (the gateway) is claimed by two MACs"), body);
    assert.ok(body.includes("00:11:22:33:44:55"));
    assert.ok(body.includes("02:00:5e:10:00:02"));
    assert.ok(body.includes(link));
  }
  assert.ok(r.html.includes(`href="${link}"`));
  assert.ok(r.subject.startsWith("[Flintnet] CRITICAL: MAC spoofing"));
});

Deno.test("renderAlert() escapes what came from the network in HTML", () => {
  const r = renderAlert(SPOOF, { dashboardUrl: "http://x" });
  assert.ok(!r.html.includes("<script>"));
  assert.ok(r.html.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
  assert.ok(r.text.includes("<script>alert(1)</script>"), "plain text carries it as it is");
});

Deno.test("renderAlert() keeps the subject on one line whatever the event says", () => {
  const e = { ...SPOOF, ip: "192.0.2.1\r\nBcc: victim@example.net", mac: "x".repeat(500) };
  const r = renderAlert(e, { dashboardUrl: "http://x" });
  assert.ok(!/[\r\n]/.test(r.subject));
  assert.ok(r.subject.length <= 200);
  assert.ok(r.link.endsWith("#/devices/192.0.2.1%0D%0ABcc%3A%20victim%40example.net"));
});

Deno.test("renderAlert() says how many alerts the cooldown held back", () => {
  const now = Date.parse("2023-11-14T22:20:00Z");
  const r = renderAlert(SPOOF, {
    dashboardUrl: "http://x",
    suppressed: { count: 3, sinceMs: now - 5 * 60_000 },
  }, now);
  const sentence = "3 more alerts of this kind were suppressed in the last 5 minutes (cooldown).";
  assert.ok(r.text.includes(sentence));
  assert.ok(r.html.includes(sentence));
  assert.ok(r.summary.endsWith(sentence));
  assert.equal(
    suppressedSentence({ count: 1, sinceMs: 0 }, 60_000),
    "1 more alert of this kind was suppressed in the last minute (cooldown).",
  );
});

Deno.test("renderAlert() shows an anomaly's flow, baseline and threshold, linked to its source", () => {
  const r = renderAlert(sampleAnomaly(5_000_000, "flow carried 5 MB"), { dashboardUrl: "http://x" });
  assert.equal(r.link, "http://x/#/devices/192.0.2.1");
  assert.ok(r.subject.includes("Traffic anomaly: 192.0.2.1 → 192.0.2.2:443 TCP"), r.subject);
  assert.ok(r.text.includes("192.0.2.1:40000 → 192.0.2.2:443 TCP"));
  assert.ok(r.text.includes("5000000"));
  assert.ok(r.text.includes("4000"), "threshold");
  assert.ok(r.text.includes("4× and 4 spreads, at least 1000 bytes"), "the three requirements");
  assert.ok(r.text.includes("flow carried 5 MB"));
});

Deno.test("renderAlert() titles an episode's end and shows its summary; a host's links to the host", () => {
  const closed = sampleAnomaly(5_000_000, "back to normal", {
    phase: "closed",
    ended_at: "2023-11-14T22:15:00.000Z",
    peak_bytes: 8_000_000,
    total_bytes: 31_000_000,
  });
  const r = renderAlert(closed, { dashboardUrl: "http://x" });
  assert.ok(r.subject.includes("Traffic anomaly over: 192.0.2.1 → 192.0.2.2:443 TCP"), r.subject);
  for (const part of ["2023-11-14T22:15:00.000Z", "8000000", "31000000", "back to normal"]) {
    assert.ok(r.text.includes(part), part);
  }
  const host = renderAlert(
    sampleAnomaly(9_000_000, "a host", {
      scope: "host",
      subject: "192.0.2.77",
      direction: "received",
      src_ip: null,
      dst_ip: "192.0.2.77",
      src_port: null,
      dst_port: null,
      protocol: null,
      community_id: null,
    }),
    { dashboardUrl: "http://x" },
  );
  assert.equal(host.link, "http://x/#/devices/192.0.2.77");
  assert.ok(host.subject.includes("Traffic anomaly: 192.0.2.77 received"), host.subject);
  assert.ok(host.text.includes("192.0.2.77 (received)"));
});

Deno.test("renderAlert() lists a trap's varbinds", () => {
  const t: TrapEvent = {
    kind: "trap",
    ts: "2023-11-14T22:13:20.000Z",
    source_ip: "2001:db8::7",
    version: "v2c",
    pdu: "trap",
    name: "linkDown",
    trap_oid: "1.3.6.1.6.3.1.1.5.3",
    uptime_cs: 12345,
    if_index: 2,
    if_name: "Gi1/0/2",
    varbinds: [{ oid: "1.3.6.1.2.1.2.2.1.1.2", type: "Integer", value: "2" }],
    reason: "Interface 2 went down.",
  };
  const r = renderAlert(t, { dashboardUrl: "http://x" });
  assert.equal(r.link, "http://x/#/devices/2001:db8::7");
  assert.ok(r.text.includes("1.3.6.1.2.1.2.2.1.1.2"));
  assert.match(r.text, /Interface: +Gi1\/0\/2/);
  assert.ok(r.subject.includes("linkDown"));
  // The history files a linkDown as a warning (alert_row.ts); the mail says the same.
  assert.ok(r.subject.startsWith("[Flintnet] WARNING: "), r.subject);
  const coldStart = renderAlert({ ...t, name: "coldStart", trap_oid: "1.3.6.1.6.3.1.1.5.1" }, {
    dashboardUrl: "http://x",
  });
  assert.ok(coldStart.subject.startsWith("[Flintnet] SNMP trap coldStart"), coldStart.subject);
});

Deno.test("deviceLink() and escapeHtml() handle the awkward cases", () => {
  assert.equal(deviceLink("http://h:1///", "10.0.0.1"), "http://h:1/#/devices/10.0.0.1");
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
});
