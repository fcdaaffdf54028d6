import assert from "node:assert/strict";
import { Hono } from "hono";
import { Mutes } from "../../alert/mutes.ts";
import type { AlertKind, AlertSeverity } from "../../store/alert_row.ts";
import { type HistoryDb, type NewAlert, openHistory } from "../../store/history_db.ts";
import { onError } from "../hardening.ts";
import { ALERT_CSV_COLUMNS, type AlertJson, type AlertsPage, alertsRoutes } from "./alerts.ts";
import type { MuteJson } from "./alerts_body.ts";
import { parseCsv } from "../../../tests/helpers/csv_parse.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const KINDS: AlertKind[] = ["security", "anomaly", "trap"];
const SEVERITIES: AlertSeverity[] = ["info", "warning", "critical"];
/** Summaries a spreadsheet would run as formulas, and text CSV must quote. */
const SUMMARIES = ["=1+2", "@cmd", 'new, "odd"\ndevice', "plain words", "-3"];

/** Alert i: every column varies; ts repeats so ids break ties. */
function alert(i: number): NewAlert {
  const kind = KINDS[i % 3];
  return {
    ts: NOW - (i % 17) * 60_000,
    kind,
    type: kind === "security" ? "rogue_device" : kind === "anomaly" ? "traffic_spike" : "linkDown",
    severity: SEVERITIES[i % 2 === 0 ? 0 : 2],
    mac: kind === "security" ? `02:00:00:00:00:${String(i % 4).padStart(2, "0")}` : null,
    ip: `192.0.2.${i % 5}`,
    peer_ip: kind === "anomaly" ? "2001:db8::1" : null,
    device_ip: kind === "trap" ? "192.0.2.250" : null,
    summary: `${SUMMARIES[i % SUMMARIES.length]} ${i}`,
    event: { kind, n: i },
    muted: i % 7 === 0,
  };
}

interface Fixture {
  app: Hono;
  history: HistoryDb;
  mutes: Mutes;
  inserted: NewAlert[];
}

async function withApp(n: number, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-alerts-" });
  const history = openHistory(`${dir}/history.db`);
  try {
    const inserted = Array.from({ length: n }, (_, i) => alert(i));
    for (const a of inserted) history.insert(a);
    history.flush();
    const mutes = new Mutes(history);
    const app = new Hono();
    app.onError(onError);
    app.route("/", alertsRoutes({ history, mutes, now: () => NOW }));
    await fn({ app, history, mutes, inserted });
  } finally {
    history.close();
    await Deno.remove(dir, { recursive: true });
  }
}

// deno-lint-ignore no-explicit-any -- each test reads the JSON shape it asked for
type Json = any;

async function call(
  app: Hono,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Json; res: Response }> {
  const res = await app.request(path, init);
  const text = await res.text();
  return {
    status: res.status,
    body: text === "" ? null : res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    res,
  };
}

function post(
  body: string,
  headers: Record<string, string> = { "Content-Type": "application/json" },
): RequestInit {
  return { method: "POST", body, headers };
}

/** Expected listing: the inserted alerts (id = position + 1) that pass `keep`, newest first. */
function want(inserted: NewAlert[], keep: (a: NewAlert) => boolean = () => true): number[] {
  return inserted.map((a, i) => ({ a, id: i + 1 })).filter((x) => keep(x.a))
    .sort((x, y) => y.a.ts - x.a.ts || y.id - x.id).map((x) => x.id);
}

Deno.test("GET /alerts pages with next_cursor and Link through every alert, newest first", () =>
  withApp(95, async ({ app, inserted }) => {
    const ids: number[] = [];
    let path: string | null = "/alerts?limit=20";
    for (let pages = 0; path !== null; pages++) {
      assert.ok(pages < 10);
      const { status, body, res }: { status: number; body: AlertsPage; res: Response } = await call(
        app,
        path,
      );
      assert.equal(status, 200);
      assert.equal(body.total_matched, 95);
      assert.equal(res.headers.get("X-Total-Matched"), "95");
      ids.push(...body.alerts.map((a) => a.id));
      const link = res.headers.get("Link");
      path = body.next_cursor === null ? null : /^<([^>]+)>; rel="next"$/.exec(link ?? "")![1];
    }
    assert.deepEqual(ids, want(inserted));
  }));

Deno.test("GET /alerts filters as asked and shows times as ISO 8601", () =>
  withApp(120, async ({ app, inserted }) => {
    const since = NOW - 5 * 60_000;
    const cases: [string, (a: NewAlert) => boolean][] = [
      ["kind=anomaly", (a) => a.kind === "anomaly"],
      ["type=linkDown&severity=critical", (a) => a.type === "linkDown" && a.severity === "critical"],
      ["mac=02-00-00-00-00-03", (a) => a.mac === "02:00:00:00:00:03"],
      ["ip=2001:DB8:0::1", (a) => a.peer_ip === "2001:db8::1"],
      ["ip=192.0.2.250", (a) => a.device_ip === "192.0.2.250"],
      [`since=${new Date(since).toISOString()}`, (a) => a.ts >= since],
      ["muted=true", (a) => a.muted],
      ["q=%22odd%22", (a) => a.summary.includes('"odd"')],
      ["acked=false", () => true],
      ["acked=true", () => false],
    ];
    for (const [query, keep] of cases) {
      const { status, body } = await call(app, `/alerts?limit=1000&${query}`);
      assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
      assert.deepEqual(body.alerts.map((a: AlertJson) => a.id), want(inserted, keep), query);
    }
    const one = (await call(app, "/alerts?limit=1")).body.alerts[0] as AlertJson;
    assert.equal(one.ts, new Date(NOW).toISOString());
    assert.deepEqual(one.event, inserted[one.id - 1].event);
  }));

Deno.test("GET /alerts?format=csv parses back to the same alerts, formulas neutralised", () =>
  withApp(40, async ({ app, inserted }) => {
    const { status, body, res } = await call(app, "/alerts?format=csv&limit=1000");
    assert.equal(status, 200);
    assert.match(res.headers.get("Content-Type")!, /^text\/csv/);
    const [header, ...rows] = parseCsv(body);
    assert.deepEqual(header, [...ALERT_CSV_COLUMNS]);
    const ids = want(inserted);
    assert.equal(rows.length, ids.length);
    rows.forEach((row, i) => {
      const a = inserted[ids[i] - 1];
      const safe = /^[=+\-@]/.test(a.summary) ? `'${a.summary}` : a.summary;
      assert.deepEqual(row, [
        String(ids[i]),
        new Date(a.ts).toISOString(),
        a.kind,
        a.type,
        a.severity,
        a.mac ?? "",
        a.ip ?? "",
        a.peer_ip ?? "",
        a.device_ip ?? "",
        safe,
        String(a.muted),
        "",
        "",
        "",
      ]);
    });
  }));

Deno.test("GET /alerts refuses unknown parameters and bad values with a 400 naming them", () =>
  withApp(3, async ({ app }) => {
    const bad: [string, string, RegExp][] = [
      ["kinds=trap", "kinds", /unknown parameter "kinds"/],
      ["kind=alarm", "kind", /kind="alarm" is not valid: expected one of security, anomaly, trap/],
      ["mac=02:00:00:00:00", "mac", /six hex pairs/],
      ["ip=192.0.2.300", "ip", /IPv4 or IPv6/],
      ["acked=yes", "acked", /one of true, false/],
      ["since=2024-05-02&until=2024-05-01", "until", /before since/],
      ["cursor=abc", "cursor", /next_cursor/],
      [`q=${"x".repeat(201)}`, "q", /at most 200 characters/],
    ];
    for (const [query, parameter, message] of bad) {
      const { status, body } = await call(app, `/alerts?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.error.parameter, parameter, query);
      assert.match(body.error.message, message, query);
    }
  }));

Deno.test("GET /alerts/:id returns one alert; an unknown id is a 404, a bad one a 400", () =>
  withApp(3, async ({ app, inserted }) => {
    const { status, body } = await call(app, "/alerts/2");
    assert.equal(status, 200);
    assert.deepEqual([body.id, body.summary, body.acked_at], [2, inserted[1].summary, null]);
    assert.equal((await call(app, "/alerts/9")).status, 404);
    assert.equal((await call(app, "/alerts/x")).body.error.parameter, "id");
  }));

Deno.test("POST /alerts/:id/ack acknowledges as api with the note, and the listing filters on it", () =>
  withApp(5, async ({ app, history }) => {
    const { status, body } = await call(app, "/alerts/4/ack", post(JSON.stringify({ note: "known laptop" })));
    assert.equal(status, 200);
    assert.deepEqual([body.acked_at, body.acked_by, body.ack_note], [
      new Date(NOW).toISOString(),
      "api",
      "known laptop",
    ]);
    assert.equal(history.get(4)?.acked_at, NOW);
    assert.equal((await call(app, "/alerts/5/ack", post(""))).status, 200, "the body is optional");
    const acked = await call(app, "/alerts?acked=true");
    assert.deepEqual(acked.body.alerts.map((a: AlertJson) => a.id).sort(), [4, 5]);
    assert.equal((await call(app, "/alerts/77/ack", post("{}"))).status, 404);
  }));

Deno.test("POST bodies: not JSON, not an object, unknown members, wrong types and over 16 KiB are refused", () =>
  withApp(1, async ({ app }) => {
    const cases: [string, string, number, RegExp][] = [
      ["/alerts/1/ack", "{note:", 400, /not JSON/],
      ["/alerts/1/ack", "[1]", 400, /not an object/],
      ["/alerts/1/ack", '{"notes":"x"}', 400, /unknown member "notes"/],
      ["/alerts/1/ack", '{"note":5}', 400, /note is 5: expected a string/],
      ["/alerts/1/ack", JSON.stringify({ note: "x".repeat(1001) }), 400, /at most 1000 characters/],
      ["/alerts/1/ack", JSON.stringify({ note: "x".repeat(17_000) }), 413, /larger than 16384 bytes/],
      ["/mutes", JSON.stringify({ kind: "trap", duration_s: 60, reason: "y".repeat(17_000) }), 413, /larger/],
      ["/mutes", "", 400, /body is empty/],
      ["/mutes", "kind=trap", 400, /not JSON/],
    ];
    for (const [path, body, status, message] of cases) {
      const r = await call(app, path, post(body));
      assert.equal(r.status, status, `${path} ${body.slice(0, 30)}`);
      assert.match(r.body.error.message, message);
    }
  }));

Deno.test("POST /mutes stores a rule; GET lists it; DELETE removes it", () =>
  withApp(1, async ({ app, mutes }) => {
    const made = await call(
      app,
      "/mutes",
      post(JSON.stringify({ mac: "02-AB-00-00-00-01", duration_s: 3600, reason: "swap" })),
    );
    assert.equal(made.status, 201);
    const rule = made.body as MuteJson;
    assert.deepEqual(rule, {
      id: rule.id,
      mac: "02:ab:00:00:00:01",
      ip: null,
      kind: null,
      type: null,
      until: new Date(NOW + 3_600_000).toISOString(),
      reason: "swap",
      created_at: new Date(NOW).toISOString(),
    });
    assert.equal(made.res.headers.get("Location"), `/mutes/${rule.id}`);
    const until = "2024-05-01T15:30:00+02:00";
    const second = await call(
      app,
      "/mutes",
      post(JSON.stringify({ kind: "security", type: "arp_spoof", until })),
    );
    assert.equal(second.body.until, new Date(Date.parse(until)).toISOString());
    assert.deepEqual((await call(app, "/mutes")).body.mutes.map((m: MuteJson) => m.id), [
      rule.id,
      second.body.id,
    ]);
    assert.deepEqual(mutes.list(NOW).map((m) => m.id), [rule.id, second.body.id]);
    assert.equal((await call(app, `/mutes/${rule.id}`, { method: "DELETE" })).status, 204);
    assert.equal((await call(app, `/mutes/${rule.id}`, { method: "DELETE" })).status, 404);
    assert.equal((await call(app, "/mutes")).body.count, 1);
  }));

Deno.test("POST /mutes refuses a rule without a target or an end, and windows past 30 days", () =>
  withApp(1, async ({ app }) => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ duration_s: 60 }, "body", /at least one of mac, ip, kind, type/],
      [{ kind: "trap" }, "until", /needs its end: until .* or duration_s/],
      [{ kind: "trap", duration_s: 60, until: "2024-05-02" }, "duration_s", /not both/],
      [{ kind: "trap", duration_s: 30 * 86_400 + 1 }, "duration_s", /from 1 to 2592000 \(30 days\)/],
      [{ kind: "trap", duration_s: 1.5 }, "duration_s", /whole number/],
      [{ kind: "trap", until: "2024-05-01T11:00:00Z" }, "until", /after now/],
      [{ kind: "trap", until: "2024-06-01T12:00:01Z" }, "until", /at most 30 days ahead/],
      [{ kind: "trap", until: "tomorrow" }, "until", /ISO 8601/],
      [{ kind: "alarm", duration_s: 60 }, "kind", /one of security, anomaly, trap/],
      [{ kind: "security", type: "linkDown", duration_s: 60 }, "type", /rogue_device, arp_spoof/],
      [{ type: "a b", duration_s: 60 }, "type", /letters, digits/],
      [{ ip: "10.0.0", duration_s: 60 }, "ip", /IPv4 or IPv6/],
      [{ mac: 12, duration_s: 60 }, "mac", /expected a string/],
      [{ kind: "trap", duration_s: 60, extra: 1 }, "extra", /unknown member/],
    ];
    for (const [body, parameter, message] of cases) {
      const r = await call(app, "/mutes", post(JSON.stringify(body)));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.parameter, parameter, JSON.stringify(body));
      assert.match(r.body.error.message, message, JSON.stringify(body));
    }
    assert.equal((await call(app, "/mutes")).body.count, 0);
  }));
