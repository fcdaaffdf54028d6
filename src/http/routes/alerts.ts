/**
 * The alert history and mute rules over HTTP:
 *
 *   GET    /alerts            filters, keyset pages (newest first) and CSV, like /flows
 *   GET    /alerts/:id        one alert with its event
 *   POST   /alerts/:id/ack    {"note": "…"} (optional) → the alert, acknowledged by "api"
 *   GET    /mutes             the active mute rules
 *   POST   /mutes             {"mac"|"ip"|"kind"|"type", "until" | "duration_s", "reason"} → 201 the rule
 *   DELETE /mutes/:id         → 204
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/alerts?kind=security&acked=false&format=csv'
 */
import { type Context, Hono } from "hono";
import type { Mutes } from "../../alert/mod.ts";
import { formatIp } from "../../net/mod.ts";
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  type AlertFilter,
  type AlertRecord,
  type HistoryDb,
} from "../../store/mod.ts";
import { CSV_CONTENT_TYPE, toCsv } from "../csv.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { checkFreeText } from "../free_text.ts";
import { bodyLimit } from "../hardening.ts";
import {
  checkParameters,
  encodeCursor,
  invalid,
  nextPageLink,
  parseChoice,
  parseCursor,
  parseFilterParameters,
  parsePageLimit,
  parseWholeNumber,
  wantsCsv,
} from "../query_params.ts";
import {
  muteJson,
  parseMacParameter,
  parseMuteBody,
  parseNote,
  parseTypeParameter,
  readJsonObject,
} from "./alerts_body.ts";

/** What the alert routes read and change. */
export interface AlertsDeps {
  /** The alert history. */
  history: HistoryDb;
  /** The mute rules. */
  mutes: Mutes;
  /** The clock (tests pass a fixed one). */
  now?: () => number;
}

/** Request bodies here are a few fields; anything larger is refused with 413. */
export const MAX_ALERTS_BODY_BYTES = 16 * 1024;

/** Every parameter GET /alerts accepts. */
export const ALERTS_PARAMETERS: readonly string[] = [
  "kind",
  "type",
  "severity",
  "mac",
  "ip",
  "since",
  "until",
  "acked",
  "muted",
  "q",
  "limit",
  "cursor",
  "format",
];

/** An alert as the API shows it: times as ISO 8601. */
export interface AlertJson extends Omit<AlertRecord, "ts" | "acked_at"> {
  /** When it happened. */
  ts: string;
  /** When it was acknowledged; null when not. */
  acked_at: string | null;
}

/** CSV columns: the alert without its event (GET /alerts/:id has it). */
export const ALERT_CSV_COLUMNS = [
  "id",
  "ts",
  "kind",
  "type",
  "severity",
  "mac",
  "ip",
  "peer_ip",
  "device_ip",
  "summary",
  "muted",
  "acked_at",
  "acked_by",
  "ack_note",
] as const satisfies readonly (keyof AlertJson)[];

/** The body of a JSON page. */
export interface AlertsPage {
  /** The alerts on this page, newest first. */
  alerts: AlertJson[];
  /** How many are on this page. */
  count: number;
  /** How many match the filter, on all pages. */
  total_matched: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** Longest `q`. */
const MAX_Q = 200;

/** The alert as JSON. */
function alertJson(a: AlertRecord): AlertJson {
  return {
    ...a,
    ts: new Date(a.ts).toISOString(),
    acked_at: a.acked_at === null ? null : new Date(a.acked_at).toISOString(),
  };
}

function parseAlertFilter(p: Map<string, string>): AlertFilter {
  const f: AlertFilter = {};
  // since/until and ip as /flows reads them (one wording, one check that until ≥ since).
  const shared = parseFilterParameters(p);
  if (shared.ip) f.ip = formatIp(shared.ip.family, shared.ip.words, 0);
  f.sinceMs = shared.sinceMs;
  f.untilMs = shared.untilMs;
  let v: string | undefined;
  if ((v = p.get("kind")) !== undefined) f.kind = parseChoice("kind", v, ALERT_KINDS);
  if ((v = p.get("type")) !== undefined) f.type = parseTypeParameter("type", v);
  if ((v = p.get("severity")) !== undefined) f.severity = parseChoice("severity", v, ALERT_SEVERITIES);
  if ((v = p.get("mac")) !== undefined) f.mac = parseMacParameter("mac", v);
  if ((v = p.get("acked")) !== undefined) f.acked = parseChoice("acked", v, ["true", "false"]) === "true";
  if ((v = p.get("muted")) !== undefined) f.muted = parseChoice("muted", v, ["true", "false"]) === "true";
  if ((v = p.get("q")) !== undefined) {
    if (v.length > MAX_Q) throw invalid("q", v, `text of at most ${MAX_Q} characters`);
    f.q = checkFreeText("q", v);
  }
  return f;
}

function parseId(c: Context): number {
  return parseWholeNumber("id", c.req.param("id") ?? "", 1, Number.MAX_SAFE_INTEGER);
}

/** The alert and mute routes (paths relative to the root; authentication is the app's). */
export function alertsRoutes(deps: AlertsDeps): Hono {
  const now = deps.now ?? Date.now;
  const limit = bodyLimit(MAX_ALERTS_BODY_BYTES);
  const app = new Hono();

  app.get("/alerts", (c) => {
    const url = new URL(c.req.url);
    const p = checkParameters(url.searchParams, ALERTS_PARAMETERS);
    const filter = parseAlertFilter(p);
    const size = parsePageLimit(p);
    const cursor = p.get("cursor");
    const after = cursor === undefined ? undefined : parseCursor("cursor", cursor, "ts", "desc");
    const csv = wantsCsv("format", p.get("format"), c.req.header("accept"));

    const page = deps.history.query(filter, {
      limit: size,
      after: after && { ts: after.value, id: after.id },
    });
    const next = page.next
      ? encodeCursor({ sort: "ts", order: "desc", value: page.next.ts, id: page.next.id })
      : null;
    const alerts = page.alerts.map(alertJson);

    c.header("Vary", "Accept");
    if (next !== null) {
      c.header("Link", `<${nextPageLink(url, next)}>; rel="next"`);
      c.header("X-Next-Cursor", next);
    }
    c.header("X-Total-Matched", String(page.totalMatched));
    if (csv) return c.body(toCsv(ALERT_CSV_COLUMNS, alerts), 200, { "Content-Type": CSV_CONTENT_TYPE });
    const body: AlertsPage = {
      alerts,
      count: alerts.length,
      total_matched: page.totalMatched,
      next_cursor: next,
    };
    return c.json(body);
  });

  app.get("/alerts/:id", (c) => {
    const id = parseId(c);
    const a = deps.history.get(id);
    if (a === undefined) return errorResponse(c, 404, "not_found", `no alert has the id ${id}`);
    return c.json(alertJson(a));
  });

  app.post("/alerts/:id/ack", limit, async (c) => {
    const id = parseId(c);
    const note = parseNote(await readJsonObject(c, true));
    const a = deps.history.ack(id, "api", note, now());
    if (a === undefined) return errorResponse(c, 404, "not_found", `no alert has the id ${id}`);
    return c.json(alertJson(a));
  });

  app.get("/mutes", (c) => {
    const mutes = deps.mutes.list(now()).map(muteJson);
    return c.json({ mutes, count: mutes.length });
  });

  app.post("/mutes", limit, async (c) => {
    const t = now();
    const rule = parseMuteBody(await readJsonObject(c, false), t);
    if (deps.mutes.list(t).length >= deps.mutes.maxRules) {
      throw new BadParameter(
        "body",
        `${deps.mutes.maxRules} mute rules are active already: delete one (DELETE /mutes/:id) first`,
      );
    }
    const stored = deps.mutes.add(rule, t);
    c.header("Location", `/mutes/${stored.id}`);
    return c.json(muteJson(stored), 201);
  });

  app.delete("/mutes/:id", (c) => {
    const id = parseId(c);
    if (!deps.mutes.remove(id)) return errorResponse(c, 404, "not_found", `no mute rule has the id ${id}`);
    return c.body(null, 204);
  });

  return app;
}
