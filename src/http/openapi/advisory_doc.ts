/**
 * The document's part for advisories and flow history: GET /advisories, the AdvisoryEvent schema (the
 * stream's `advisory` events and the list's items), and the history page /flows answers with `since`.
 */
import { ADVISORY_SUBJECT_KINDS, ADVISORY_TYPES } from "../../events/mod.ts";
import { ADVISORY_STATES } from "../routes/advisories.ts";
import {
  array,
  AUTH_ERRORS,
  BAD_PARAMETER,
  FORMAT_PARAMETER,
  int,
  type Json,
  jsonOrCsv,
  nullable,
  num,
  obj,
  oneOf,
  PAGE_HEADERS,
  query,
  ref,
  str,
} from "./kit.ts";
import { PAGE_LIMIT_PARAMETERS } from "./paths.ts";

const iso = (d: string) => str(d, { format: "date-time" });

/** Schemas of this file. */
export const ADVISORY_SCHEMAS: Record<string, Json> = {
  AdvisoryEvent: obj(
    {
      id: int("Bus id (on the stream; absent in /advisories).", { minimum: 1 }),
      kind: { const: "advisory" },
      phase: oneOf(["raised", "resolved"], "raised: the condition began; resolved: it ended."),
      advisory_id: str("The advisory, the same in its raised and resolved events."),
      ts: iso("The end of the analysed minute (capture clock in replay)."),
      type: oneOf(ADVISORY_TYPES, "What it is about (docs/advisories.md)."),
      severity: oneOf(["info", "warning", "critical"], "How bad."),
      subject: str("The subject in words: a host, a subnet, an exporter interface, a pair of exporters."),
      subject_kind: oneOf(ADVISORY_SUBJECT_KINDS, "What kind of thing the subject is."),
      ip: nullable(str("The host's or (first) exporter's address; null for a subnet.")),
      summary: str("One sentence with the numbers."),
      action: str("What to do."),
      evidence: { type: "object", description: "The numbers behind it; members depend on the type." },
      raised_at: iso("When it was raised."),
      resolved_at: nullable(iso("When it was resolved; null while open.")),
      resolution: nullable(str("Why it was resolved; null while open.")),
    },
    "An advisory in plain language, raised once and resolved once.",
    [
      "kind",
      "phase",
      "advisory_id",
      "ts",
      "type",
      "severity",
      "subject",
      "subject_kind",
      "ip",
      "summary",
      "action",
      "evidence",
      "raised_at",
      "resolved_at",
      "resolution",
    ],
  ),
  AdvisoriesPage: obj({
    advisories: array(ref("AdvisoryEvent"), "This page, newest raised first."),
    count: int("Advisories on this page."),
    total_matched: int("Advisories matching, on all pages."),
    next_cursor: nullable(str("For the next page; null on the last.")),
  }),
  HistoryFlow: obj({
    src_ip: str(""),
    dst_ip: str(""),
    src_port: int(""),
    dst_port: int(""),
    protocol: int("IP protocol number."),
    bytes: num("Octets over the period (the minutes it was kept in)."),
    packets: num("Packets over the period."),
    first_seen: iso("First packet in the period."),
    last_seen: iso("Last packet in the period."),
    minutes: int("Minutes of the period it was kept in."),
    tcp_flags: int("OR of the TCP flags over the period."),
    exporter: nullable(str("The NetFlow/IPFIX exporter of its latest record; null when captured.")),
  }, "One flow (5-tuple) over a period of the history."),
  HistoryFlowsPage: obj({
    source: { const: "history" },
    flows: array(ref("HistoryFlow"), "This page, most octets (or packets) first."),
    count: int("Flows on this page."),
    oldest: nullable(iso("The oldest minute the history holds.")),
    next_cursor: nullable(str("For the next page; null on the last.")),
  }, "GET /flows with since, when the flow history is on: flows of past minutes."),
};

/** The path items of this file. */
export function advisoryPaths(): Json {
  return {
    "/advisories": {
      get: {
        summary: "Advisories: open and recently resolved, newest raised first; filters, pages, CSV.",
        description: "Each in its latest state. Also in /alerts (kind advisory) and on /stream (advisory). " +
          "An unknown or repeated parameter is a 400.",
        parameters: [
          query("state", "open, resolved or all.", oneOf(ADVISORY_STATES, "", { default: "all" })),
          query("type", "This type.", oneOf(ADVISORY_TYPES, "")),
          query("severity", "At least this severity.", oneOf(["info", "warning", "critical"], "")),
          query("subject_kind", "This kind of subject.", oneOf(ADVISORY_SUBJECT_KINDS, "")),
          query("ip", "About this address (host or exporter).", str("IPv4 or IPv6 address")),
          query("q", "Text the summary contains (case-insensitive).", str("")),
          query(
            "since",
            "Raised at or after: ISO 8601 with a zone, a date (midnight UTC), or epoch seconds.",
            str(""),
          ),
          query("until", "Raised at or before (same forms as since).", str("")),
          ...PAGE_LIMIT_PARAMETERS,
          FORMAT_PARAMETER,
        ],
        responses: {
          "200": jsonOrCsv(
            "AdvisoriesPage",
            "One page, as JSON or CSV (evidence as JSON text).",
            PAGE_HEADERS,
          ),
          "400": BAD_PARAMETER,
          ...AUTH_ERRORS,
        },
      },
    },
  };
}
