/**
 * The path items of the flow explorer, the stream and the daemon's own routes (health, version,
 * stats, metrics, this document, the dashboard). Devices and alerts have their own files.
 */
import { STREAM_KINDS } from "../sse_hub.ts";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../query_params.ts";
import { STREAM_EVENT_SCHEMAS } from "./events.ts";
import {
  array,
  AUTH_ERRORS,
  BAD_PARAMETER,
  errorResponse,
  FORMAT_PARAMETER,
  int,
  type Json,
  json,
  jsonOrCsv,
  num,
  obj,
  oneOf,
  PAGE_HEADERS,
  pathParam,
  PUBLIC,
  query,
  ref,
  str,
  TIME_FORMS,
} from "./kit.ts";

/** Options of the document that change what it says. */
export interface PathOptions {
  /** FLINTNET_METRICS_PUBLIC: GET /metrics is documented without security. */
  metricsPublic?: boolean;
}

/** `since` and `until` as parseFilterParameters() reads them (/flows, /anomalies, /alerts). */
export const TIME_PARAMETERS: Json[] = [
  query(
    "since",
    `At or after: ${TIME_FORMS}.`,
    str("", { examples: ["2024-05-01T12:00:00Z", "2024-05-01", "1714564800"] }),
  ),
  query("until", "At or before (same forms as since; not before since).", str("")),
];

/** `limit` and `cursor` of a keyset-paged listing. */
export const PAGE_LIMIT_PARAMETERS: Json[] = [
  query("limit", "Page size.", {
    type: "integer",
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
  }),
  query("cursor", "The next_cursor of the previous page (same filters, sort and order).", str("opaque")),
];

/** Filters /flows and /anomalies share (FILTER_PARAMETERS in src/http/query_params.ts). */
const FILTERS = [
  query("ip", "Either side is this address.", str("IPv4 or IPv6 address", { examples: ["192.0.2.1"] })),
  query("src_ip", "The source is this address.", str("IPv4 or IPv6 address")),
  query("dst_ip", "The destination is this address.", str("IPv4 or IPv6 address")),
  query(
    "cidr",
    "Either side is in this network; host bits are cleared.",
    str("address/prefix", { examples: ["10.0.0.0/8", "2001:db8::/32"] }),
  ),
  query("port", "Either port (TCP, UDP, SCTP).", int("0–65535", { minimum: 0, maximum: 65535 })),
  query(
    "protocol",
    "IP protocol: a number 0–255 or tcp, udp, icmp, icmpv6, sctp.",
    str("", { examples: ["tcp", "6"] }),
  ),
  query("min_bytes", "At least this many bytes.", int("", { minimum: 0 })),
  ...TIME_PARAMETERS,
];

function listing(
  summary: string,
  description: string,
  sorts: string[],
  defaultSort: string,
  page: string,
  extra: Json[] = [],
) {
  return {
    get: {
      summary,
      description: description + " An unknown or repeated parameter is a 400, so a typo never silently " +
        "widens the answer.",
      parameters: [
        ...FILTERS,
        ...extra,
        query("sort", "Sort key.", oneOf(sorts, "", { default: defaultSort })),
        query("order", "Sort direction.", oneOf(["desc", "asc"], "", { default: "desc" })),
        ...PAGE_LIMIT_PARAMETERS,
        FORMAT_PARAMETER,
      ],
      responses: {
        "200": jsonOrCsv(page, "One page, as JSON or CSV (nested fields joined with `_`).", PAGE_HEADERS),
        "400": BAD_PARAMETER,
        ...AUTH_ERRORS,
      },
    },
  };
}

/** /flows answers from the history with `since`: its JSON is one page shape or the other. */
function withHistory(item: Json): Json {
  // deno-lint-ignore no-explicit-any
  (item as any).get.responses["200"].content["application/json"].schema = {
    oneOf: [ref("FlowsPage"), ref("HistoryFlowsPage")],
  };
  return item;
}

function get(summary: string, response: Json, extra: Json = {}): Json {
  return { get: { summary, ...extra, responses: { "200": response, ...AUTH_ERRORS } } };
}

const STREAM_DESCRIPTION =
  "One message per bus event: `event:` is the kind, `data:` its JSON, `id:` increasing. The data of each " +
  "kind is the schema named here: " +
  STREAM_EVENT_SCHEMAS.map(([kind, schema]) => `\`${kind}\` → #/components/schemas/${schema}`).join(", ") +
  ". A `gap` message says when a " +
  "resume lost events. Heartbeat comments every 15 s; a `stats` event every 2 s. Browsers authenticate " +
  "with `ticket` (POST /auth/ticket), since EventSource cannot send headers; other clients send the " +
  "bearer header.";

/** The path items of this file. */
export function corePaths(opts: PathOptions): Json {
  return {
    "/healthz": {
      get: {
        summary: "Liveness: answers when the process does; no token. Degraded (still 200) names each " +
          "configured part that is not running: a capture interface missing or down, the trap port.",
        security: PUBLIC,
        responses: {
          "200": json(
            {
              oneOf: [
                obj({ status: { const: "ok" } }),
                obj({
                  status: { const: "degraded" },
                  reasons: array(str("One part that is not running, and why."), undefined, { minItems: 1 }),
                }),
              ],
            },
            "Alive; degraded when something configured is not running.",
          ),
        },
      },
    },
    "/version": get("Version of Flintnet and Deno, and when it started.", json(ref("Version"), "The build.")),
    "/stats": get(
      "Capture counters per interface (kernel drops, malformed by reason), flows, events by kind, uptime, RSS.",
      json(ref("Stats"), "Counters."),
    ),
    "/flows": withHistory(listing(
      "Flows in the flow table: filter, sort, page, JSON or CSV.",
      "Sorted by bytes (default), packets, last_seen or first_seen. With `since`, when the flow history " +
        "is on (FLINTNET_FLOW_RETENTION), the answer comes from the per-minute history instead: the " +
        "period's flows summed per 5-tuple (HistoryFlowsPage), sorted by bytes or packets, most first.",
      ["bytes", "packets", "last_seen", "first_seen"],
      "bytes",
      "FlowsPage",
      [
        query(
          "name",
          "The flow's server_name (SNI, HTTP Host or DNS) is this name or a name under it (example.com " +
            "matches www.example.com); any case.",
          str("host name", { examples: ["example.com"] }),
        ),
        query(
          "blocklisted",
          "1 or true: only flows whose source or destination is on a block list (FLINTNET_BLOCKLISTS); " +
            "0 or false: only the others.",
          oneOf(["1", "true", "0", "false"], "Block-listed or not."),
        ),
        query(
          "min_attack_score",
          "Only flows whose attack_score is at least this, 0–1.",
          num("score", { minimum: 0, maximum: 1 }),
        ),
      ],
    )),
    "/anomalies": listing(
      "Recent anomalies: the same filters, cursor and CSV as /flows.",
      "Sorted by ts (default), bytes of the interval that tripped, or score; ties by id.",
      ["ts", "bytes", "score"],
      "ts",
      "AnomaliesPage",
    ),
    "/stream": {
      get: {
        summary: "Live events as Server-Sent Events.",
        description: STREAM_DESCRIPTION,
        security: [{ bearer: [] }, { ticket: [] }],
        parameters: [
          {
            ...query("types", "Only these kinds (all when absent); the gap notice is always sent.", {
              type: "array",
              items: oneOf(STREAM_KINDS, ""),
              examples: [["anomaly", "security"]],
            }),
            style: "form",
            explode: false,
          },
          query("last_event_id", "Resume after this id (for clients that cannot send the header).", str("")),
          { name: "Last-Event-ID", in: "header", description: "Resume after this id.", schema: str("") },
        ],
        responses: {
          "200": {
            description: "The stream (never ends on its own).",
            content: {
              "text/event-stream": { schema: str("event: <kind>\\nid: <n>\\ndata: <json>\\n\\n") },
            },
          },
          "400": BAD_PARAMETER,
          ...AUTH_ERRORS,
        },
      },
    },
    "/auth/ticket": {
      post: {
        summary: "Trade the token for a single-use stream ticket valid 60 s.",
        responses: { "200": json(ref("Ticket"), "A fresh ticket."), ...AUTH_ERRORS },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics (text format 0.0.4).",
        ...(opts.metricsPublic ? { security: PUBLIC } : {}),
        responses: {
          "200": {
            description: "Capture, flows, events, HTTP and SSE metrics.",
            content: { "text/plain": { schema: str("Prometheus text exposition format 0.0.4") } },
          },
          ...(opts.metricsPublic ? {} : AUTH_ERRORS),
        },
      },
    },
    "/openapi.json": get("This document.", json({ type: "object" }, "OpenAPI 3.1.")),
    "/": {
      get: {
        summary: "The dashboard (hash routes).",
        security: PUBLIC,
        responses: { "200": { description: "HTML.", content: { "text/html": { schema: str("") } } } },
      },
    },
    "/ui/{path}": {
      get: {
        summary: "The dashboard's static files.",
        security: PUBLIC,
        parameters: [pathParam("path", "A file of the dashboard.", str("e.g. app.js"))],
        responses: {
          "200": { description: "The file." },
          "304": { description: "Unchanged (If-None-Match)." },
          "404": errorResponse("No such file."),
        },
      },
    },
  };
}
