/**
 * `GET /advisories`: what the analysis engine has told, open and recently resolved, newest raised first,
 * with filters, keyset pages and CSV. Each advisory is shown in its latest state (an open one with its
 * latest numbers, a resolved one with when and why). Every advisory is also in /alerts (kind advisory).
 *
 *   curl -H "Authorization: Bearer $TOKEN" 'http://host:8480/advisories?state=open&type=port_scan'
 */
import { Hono } from "hono";
import {
  ADVISORY_SUBJECT_KINDS,
  ADVISORY_TYPES,
  type AdvisoryEvent,
  type AdvisorySeverity,
  type AdvisorySubjectKind,
  type AdvisoryType,
} from "../../events/mod.ts";
import { formatIp, parseIp } from "../../net/mod.ts";
import { CSV_CONTENT_TYPE, toCsv } from "../csv.ts";
import {
  checkParameters,
  invalid,
  nextPageLink,
  parseChoice,
  parsePageLimit,
  parseTimeParameter,
  wantsCsv,
} from "../query_params.ts";

/** Where advisories come from (the analysis engine's book). */
export interface AdvisorySource {
  /** The advisories kept, newest raised first. */
  list(): readonly AdvisoryEvent[];
}

/** States an advisory can be asked for in. */
export const ADVISORY_STATES = ["open", "resolved", "all"] as const;
const SEVERITIES: readonly AdvisorySeverity[] = ["info", "warning", "critical"];

/** Every parameter /advisories accepts. */
export const ADVISORIES_PARAMETERS: readonly string[] = [
  "state",
  "type",
  "severity",
  "subject_kind",
  "ip",
  "q",
  "since",
  "until",
  "limit",
  "cursor",
  "format",
];

/** CSV columns, in this order; evidence as its JSON text. */
export const ADVISORY_CSV_COLUMNS = [
  "advisory_id",
  "phase",
  "type",
  "severity",
  "subject",
  "subject_kind",
  "ip",
  "summary",
  "action",
  "raised_at",
  "resolved_at",
  "resolution",
  "ts",
  "evidence",
] as const;

/** The body of a JSON page. */
export interface AdvisoriesPage {
  /** The advisories on this page, newest raised first. */
  advisories: AdvisoryEvent[];
  /** How many are on this page. */
  count: number;
  /** How many match the filter, on all pages. */
  total_matched: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

interface Filter {
  state: typeof ADVISORY_STATES[number];
  type?: AdvisoryType;
  severity?: AdvisorySeverity;
  subjectKind?: AdvisorySubjectKind;
  ip?: string;
  q?: string;
  sinceMs?: number;
  untilMs?: number;
}

function matches(a: AdvisoryEvent, f: Filter): boolean {
  if (f.state === "open" && a.phase !== "raised") return false;
  if (f.state === "resolved" && a.phase !== "resolved") return false;
  if (f.type !== undefined && a.type !== f.type) return false;
  // severity: at least this one.
  if (f.severity !== undefined && SEVERITIES.indexOf(a.severity) < SEVERITIES.indexOf(f.severity)) {
    return false;
  }
  if (f.subjectKind !== undefined && a.subject_kind !== f.subjectKind) return false;
  if (f.ip !== undefined && a.ip !== f.ip && !a.subject.split(" ").includes(f.ip)) return false;
  if (f.q !== undefined && !a.summary.toLowerCase().includes(f.q)) return false;
  const raised = Date.parse(a.raised_at);
  if (f.sinceMs !== undefined && raised < f.sinceMs) return false;
  if (f.untilMs !== undefined && raised > f.untilMs) return false;
  return true;
}

/** The cursor: the last advisory's id on the previous page, base64url. */
function encodeCursor(id: string): string {
  return btoa(JSON.stringify({ a: id })).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function parseCursor(text: string): string {
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) throw new Error();
    const doc = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
    if (typeof doc?.a !== "string") throw new Error();
    return doc.a;
  } catch {
    throw invalid("cursor", text, "the next_cursor of a previous page of this listing");
  }
}

/** The /advisories sub-app. */
export function advisoriesRoutes(deps: { advisories: AdvisorySource }): Hono {
  const app = new Hono();
  app.get("/advisories", (c) => {
    const url = new URL(c.req.url);
    const p = checkParameters(url.searchParams, ADVISORIES_PARAMETERS);
    const f: Filter = { state: parseChoice("state", p.get("state") ?? "all", ADVISORY_STATES) };
    let v: string | undefined;
    if ((v = p.get("type")) !== undefined) f.type = parseChoice("type", v, ADVISORY_TYPES);
    if ((v = p.get("severity")) !== undefined) f.severity = parseChoice("severity", v, SEVERITIES);
    if ((v = p.get("subject_kind")) !== undefined) {
      f.subjectKind = parseChoice("subject_kind", v, ADVISORY_SUBJECT_KINDS);
    }
    if ((v = p.get("ip")) !== undefined) {
      const ip = parseIp(v);
      if (!ip) throw invalid("ip", v, "an IPv4 or IPv6 address");
      f.ip = formatIp(ip.family, ip.words, 0);
    }
    if ((v = p.get("q")) !== undefined) f.q = v.toLowerCase();
    if ((v = p.get("since")) !== undefined) f.sinceMs = parseTimeParameter("since", v);
    if ((v = p.get("until")) !== undefined) f.untilMs = parseTimeParameter("until", v);
    const limit = parsePageLimit(p);
    const after = p.has("cursor") ? parseCursor(p.get("cursor")!) : undefined;
    const csv = wantsCsv("format", p.get("format"), c.req.header("accept"));

    const all = deps.advisories.list().filter((a) => matches(a, f));
    const start = after === undefined ? 0 : all.findIndex((a) => a.advisory_id === after) + 1;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length && page.length > 0
      ? encodeCursor(page[page.length - 1].advisory_id)
      : null;

    c.header("Vary", "Accept");
    if (next !== null) {
      c.header("Link", `<${nextPageLink(url, next)}>; rel="next"`);
      c.header("X-Next-Cursor", next);
    }
    c.header("X-Total-Matched", String(all.length));
    if (csv) {
      c.header("Content-Type", CSV_CONTENT_TYPE);
      return c.body(
        toCsv(
          ADVISORY_CSV_COLUMNS,
          page.map((a) =>
            ({ ...a, evidence: JSON.stringify(a.evidence) }) as unknown as Record<string, unknown>
          ),
        ),
        200,
      );
    }
    return c.json(
      {
        advisories: page,
        count: page.length,
        total_matched: all.length,
        next_cursor: next,
      } satisfies AdvisoriesPage,
      200,
    );
  });
  return app;
}
