/**
 * GET /openapi.json: an OpenAPI 3.1 description (https://spec.openapis.org/oas/v3.1.0) of every route,
 * parameter and response, written by hand so it reads like documentation. A test compares its paths
 * with the router's route table, so a route added without a description fails.
 */
import { Hono } from "hono";
import { VERSION } from "../../version.ts";

/** A JSON value of the document. */
type Json = Record<string, unknown>;

/** Options of {@link buildOpenApi}. */
export interface OpenApiOptions {
  /** FLINTNET_METRICS_PUBLIC: GET /metrics is documented without security. */
  metricsPublic?: boolean;
}

/** `/devices/:ip` → `/devices/{ip}`; a trailing `*` → `{path}` (Hono patterns to OpenAPI templates). */
export function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}").replace(/\/\*$/, "/{path}");
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, extra: Json = {}) => ({ type: "string", description, ...extra });
const int = (description: string, extra: Json = {}) => ({ type: "integer", description, ...extra });
const num = (description: string) => ({ type: "number", description });
const obj = (
  properties: Record<string, unknown>,
  description?: string,
  required = Object.keys(properties),
) => ({
  type: "object",
  ...(description ? { description } : {}),
  properties,
  required,
});
const json = (schema: unknown, description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema } },
});
const query = (name: string, description: string, schema: Json) => ({
  name,
  in: "query",
  description,
  schema,
});
const errorResponse = (description: string) => json(ref("Error"), description);

/** The responses every authenticated route may give besides its own. */
const AUTH_ERRORS = {
  "401": { $ref: "#/components/responses/Unauthorized" },
  "429": { $ref: "#/components/responses/RateLimited" },
};

const PAGE_HEADERS = {
  "Link": {
    description: 'The next page: `<…?cursor=…>; rel="next"` (absent on the last page).',
    schema: str(""),
  },
  "X-Next-Cursor": { description: "The next page's cursor (absent on the last page).", schema: str("") },
  "X-Total-Matched": { description: "How many match the filter, on all pages.", schema: int("") },
};

/** Filters /flows and /anomalies share (src/http/query_params.ts). */
const FILTERS = [
  query("ip", "Either side is this address.", str("IPv4 or IPv6 address", { examples: ["192.0.2.1"] })),
  query("src_ip", "The source is this address.", str("IPv4 or IPv6 address")),
  query("dst_ip", "The destination is this address.", str("IPv4 or IPv6 address")),
  query(
    "cidr",
    "Either side is in this network; host bits are cleared.",
    str("address/prefix", {
      examples: ["10.0.0.0/8", "2001:db8::/32"],
    }),
  ),
  query("port", "Either port (TCP, UDP, SCTP).", int("0–65535", { minimum: 0, maximum: 65535 })),
  query(
    "protocol",
    "IP protocol: a number or tcp, udp, icmp, icmpv6, sctp.",
    str("", { examples: ["tcp", "6"] }),
  ),
  query("min_bytes", "At least this many bytes.", int("", { minimum: 0 })),
  query(
    "since",
    "Active at or after: ISO 8601 with a zone, a date, or epoch seconds.",
    str("", {
      examples: ["2024-05-01T12:00:00Z", "2024-05-01", "1714564800"],
    }),
  ),
  query("until", "Active at or before (same forms as since; not before since).", str("")),
];

function listingParameters(sorts: string[], defaultSort: string): Json[] {
  return [
    ...FILTERS,
    query("sort", "Sort key.", { type: "string", enum: sorts, default: defaultSort }),
    query("order", "Sort direction.", { type: "string", enum: ["desc", "asc"], default: "desc" }),
    query("limit", "Page size.", { type: "integer", minimum: 1, maximum: 1000, default: 100 }),
    query("cursor", "The next_cursor of the previous page (same sort and order).", str("opaque")),
    query("format", "csv for CSV (also chosen by `Accept: text/csv`).", {
      type: "string",
      enum: ["json", "csv"],
    }),
  ];
}

function listing(summary: string, description: string, sorts: string[], defaultSort: string, page: string) {
  return {
    get: {
      summary,
      description,
      parameters: listingParameters(sorts, defaultSort),
      responses: {
        "200": {
          description: "One page, as JSON or CSV (RFC 4180, header row, nested fields joined with `_`).",
          headers: PAGE_HEADERS,
          content: { "application/json": { schema: ref(page) }, "text/csv": { schema: str("CSV") } },
        },
        "400": { $ref: "#/components/responses/BadParameter" },
        ...AUTH_ERRORS,
      },
    },
  };
}

const FLOW = obj({
  src_ip: str("Source address."),
  dst_ip: str("Destination address."),
  src_port: int("Source port; ICMP type."),
  dst_port: int("Destination port; ICMP code."),
  protocol: int("IP protocol number."),
  bytes: int("IP-layer octets."),
  packets: int("Packets."),
  first_seen: str("First packet.", { format: "date-time" }),
  last_seen: str("Last packet.", { format: "date-time" }),
  duration_s: num("last_seen − first_seen in seconds."),
  tcp_flags: int("OR of the TCP flags seen."),
  ewma: obj({
    mean_bytes: int("Baseline: mean octets per interval."),
    stddev_bytes: int("Deviation of octets per interval."),
    intervals: int("Intervals observed."),
    mature: { type: "boolean", description: "Past the warm-up: may alert." },
  }),
  community_id: str("Community ID v1."),
}, "A flow.");

const ANOMALY = obj({
  id: int("Bus event id (monotonic)."),
  kind: { const: "anomaly" },
  ts: str("End of the interval that tripped.", { format: "date-time" }),
  src_ip: str(""),
  dst_ip: str(""),
  src_port: int(""),
  dst_port: int(""),
  protocol: int(""),
  bytes: int("Octets in the interval."),
  packets: int("Packets in the interval."),
  ewma_bytes: num("Baseline before this interval."),
  ewma_stddev_bytes: num("Baseline deviation."),
  threshold_bytes: num("mean + k·σ."),
  min_bytes: num("The floor (FLINTNET_ANOMALY_MIN_BYTES)."),
  score: num("(bytes − mean) / σ."),
  k: num("The k in use."),
  interval_s: num("Interval length."),
  duration_s: num("How long the flow has been seen."),
  flow_bytes: int("Octets of the whole flow."),
  flow_packets: int("Packets of the whole flow."),
  community_id: str("Community ID v1."),
  reason: str("One plain sentence."),
}, "A flow that carried far more in one interval than its learned baseline.");

const DEVICE_TYPES = ["router", "switch", "server", "firewall", "printer", "access_point", "unknown"];
const nullable = (schema: Json) => ({ ...schema, type: [schema.type, "null"] });

const DEVICE = obj({
  ip: str("Address."),
  mac: nullable(str("MAC address, when known.")),
  name: nullable(str("sysName.")),
  type: { type: "string", enum: DEVICE_TYPES, description: "Classification." },
  type_rule: nullable(str("The classification rule that matched.")),
  vendor: nullable(str("Vendor (sysDescr, sysObjectID or MAC OUI).")),
  model: nullable(str("Model.")),
  os_version: nullable(str("OS version.")),
  snmp: obj({
    status: str('Poll status, e.g. "ok", "no response", "auth failure".'),
    last_success: nullable(str("Last successful poll.", { format: "date-time" })),
    last_error: nullable(str("Last error in words (timeout, auth failure, no such object).")),
    poll_ms: nullable(num("Duration of the last poll.")),
  }),
  interfaces: {
    type: "array",
    items: obj({
      index: int("ifIndex."),
      name: str("ifName / ifDescr."),
      alias: nullable(str("ifAlias.")),
      speed_bps: nullable(int("ifHighSpeed·10⁶, or ifSpeed.")),
      oper_status: str("ifOperStatus (up, down, …)."),
      in_util_pct: nullable(num("Inbound utilisation over the last poll interval.")),
      out_util_pct: nullable(num("Outbound utilisation.")),
      in_errors_per_s: nullable(num("ifInErrors rate.")),
      out_errors_per_s: nullable(num("ifOutErrors rate.")),
      in_discards_per_s: nullable(num("ifInDiscards rate.")),
    }),
  },
  cpu_pct: nullable(num("hrProcessorLoad average.")),
  memory_pct: nullable(num("hrStorage RAM in use.")),
  first_seen: str("", { format: "date-time" }),
  last_seen: str("", { format: "date-time" }),
}, "A device on the network (filled by discovery and SNMP polling).");

const SCHEMAS = {
  Error: obj({
    error: obj(
      {
        code: {
          type: "string",
          enum: [
            "bad_parameter",
            "unauthorized",
            "rate_limited",
            "not_found",
            "payload_too_large",
            "method_not_allowed",
            "internal",
          ],
        },
        message: str("For a person: what was wrong and what is accepted."),
        parameter: str("The parameter at fault (bad_parameter only)."),
      },
      undefined,
      ["code", "message"],
    ),
  }, "The shape of every error."),
  Flow: FLOW,
  FlowsPage: obj({
    flows: { type: "array", items: ref("Flow") },
    count: int("On this page."),
    total_matched: int("Matching, on all pages."),
    next_cursor: { type: ["string", "null"], description: "Pass as cursor; null on the last page." },
  }),
  Anomaly: ANOMALY,
  AnomaliesPage: obj({
    anomalies: { type: "array", items: ref("Anomaly") },
    count: int("On this page."),
    total_matched: int("Matching, on all pages."),
    next_cursor: { type: ["string", "null"], description: "Pass as cursor; null on the last page." },
  }),
  Device: DEVICE,
  Devices: obj({ devices: { type: "array", items: ref("Device") }, count: int("") }),
  Topology: obj({
    nodes: { type: "array", items: { type: "object", description: "A device or host on the map." } },
    links: { type: "array", items: { type: "object", description: "A link (LLDP/CDP neighbour, ARP)." } },
  }),
  Stats: {
    type: "object",
    description: "The daemon's counters.",
    properties: {
      version: str("Flintnet version."),
      uptime_s: int("Seconds since start."),
      rss_bytes: int("Resident memory."),
      capture: {
        type: "object",
        description: "Per interface: state, kernel {packets, drops, freezes}, decode counters incl. " +
          "malformed by reason, batches, rows.",
        additionalProperties: { type: "object" },
      },
      flows: obj({
        active: int(""),
        capacity: int(""),
        created: int(""),
        expired_idle: int(""),
        evicted_full: int(""),
        rolled_over: int(""),
      }),
      events_by_kind: { type: "object", additionalProperties: { type: "integer" } },
      sse_clients: int("Clients on /stream."),
    },
  },
  Version: obj({
    version: str("Flintnet version."),
    deno: str("Deno runtime version."),
    started_at: str("", { format: "date-time" }),
  }),
  Ticket: obj({
    ticket: str("Single-use; pass as /stream?ticket=."),
    expires_in: int("Seconds until it expires (60)."),
  }),
};

const PUBLIC: Json[] = [];

/** The OpenAPI 3.1 document of the whole API. */
export function buildOpenApi(opts: OpenApiOptions = {}): Json {
  const get = (summary: string, response: unknown, extra: Json = {}) => ({
    get: { summary, ...extra, responses: { "200": response, ...AUTH_ERRORS } },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Flintnet API",
      version: VERSION,
      description: "Network monitoring: flows, anomalies, devices, topology and a live event stream. " +
        "Every route but /healthz and the dashboard's files needs `Authorization: Bearer <token>` " +
        "(FLINTNET_API_TOKEN, or the file api-token in the state directory). Repeated failures from one " +
        "address are answered 429 for a minute. Errors share one JSON shape (Error).",
    },
    security: [{ bearer: [] }],
    paths: {
      "/healthz": {
        get: {
          summary: "Liveness: answers when the process does; no token, no data.",
          security: PUBLIC,
          responses: { "200": json(obj({ status: { const: "ok" } }), "Alive.") },
        },
      },
      "/version": get(
        "Version of Flintnet and Deno, and when it started.",
        json(ref("Version"), "The build."),
      ),
      "/stats": get(
        "Capture counters per interface (kernel drops, malformed by reason), flows, events by kind, uptime, RSS.",
        json(ref("Stats"), "Counters."),
      ),
      "/flows": listing(
        "Flows in the flow table: filter, sort, page, JSON or CSV.",
        "An unknown or repeated parameter is a 400, so a typo never silently widens the answer.",
        ["bytes", "packets", "last_seen", "first_seen"],
        "bytes",
        "FlowsPage",
      ),
      "/anomalies": listing(
        "Recent anomalies: the same filters, cursor and CSV as /flows.",
        "Sorted by ts (default), bytes of the interval that tripped, or score; ties by id.",
        ["ts", "bytes", "score"],
        "ts",
        "AnomaliesPage",
      ),
      "/devices": get(
        "Devices the registry holds (empty until discovery runs).",
        json(ref("Devices"), "All."),
      ),
      "/devices/{ip}": {
        get: {
          summary: "One device by address.",
          parameters: [{
            name: "ip",
            in: "path",
            required: true,
            description: "IPv4 or IPv6.",
            schema: str(""),
          }],
          responses: {
            "200": json(ref("Device"), "The device."),
            "400": { $ref: "#/components/responses/BadParameter" },
            "404": errorResponse("No device has that address."),
            ...AUTH_ERRORS,
          },
        },
      },
      "/topology": get("The network map.", json(ref("Topology"), "Nodes and links (empty until discovery).")),
      "/stream": {
        get: {
          summary: "Live events as Server-Sent Events.",
          description:
            "One message per bus event: `event:` is the kind, `data:` its JSON, `id:` increasing. " +
            "A `gap` event ({missed_from, resumed_at, restarted?}) says when a resume lost events. Heartbeat " +
            "comments every 15 s; a `stats` event every 2 s. Browsers authenticate with `ticket` " +
            "(POST /auth/ticket), since EventSource cannot send headers; other clients send the bearer header.",
          security: [{ bearer: [] }, { ticket: [] }],
          parameters: [
            query(
              "types",
              "Only these kinds, comma-separated.",
              str("", {
                examples: ["anomaly,security"],
              }),
            ),
            query(
              "last_event_id",
              "Resume after this id (for clients that cannot send the header).",
              str(""),
            ),
            { name: "Last-Event-ID", in: "header", description: "Resume after this id.", schema: str("") },
          ],
          responses: {
            "200": {
              description: "The stream (never ends on its own).",
              content: {
                "text/event-stream": { schema: str("event: <kind>\\nid: <n>\\ndata: <json>\\n\\n") },
              },
            },
            "400": { $ref: "#/components/responses/BadParameter" },
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
          parameters: [{ name: "path", in: "path", required: true, schema: str("e.g. app.js") }],
          responses: {
            "200": { description: "The file." },
            "304": { description: "Unchanged (If-None-Match)." },
            "404": errorResponse("No such file."),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The API token." },
        ticket: { type: "apiKey", in: "query", name: "ticket", description: "GET /stream only; one use." },
      },
      responses: {
        BadParameter: errorResponse(
          "A parameter is not valid; the error names it and says what is accepted.",
        ),
        Unauthorized: {
          ...errorResponse("Missing or wrong credentials."),
          headers: { "WWW-Authenticate": { schema: str('Bearer realm="flintnet"') } },
        },
        RateLimited: {
          ...errorResponse("Too many failed attempts from this address."),
          headers: { "Retry-After": { schema: int("Seconds to wait.") } },
        },
      },
      schemas: SCHEMAS,
    },
  };
}

/** Serves `GET /openapi.json`. */
export function openapiRoutes(opts: OpenApiOptions = {}): Hono {
  const body = JSON.stringify(buildOpenApi(opts));
  const app = new Hono();
  app.get("/openapi.json", (c) => c.body(body, 200, { "Content-Type": "application/json" }));
  return app;
}
