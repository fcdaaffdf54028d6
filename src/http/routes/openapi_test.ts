import assert from "node:assert/strict";
import { Hono } from "hono";
import { AnomalyStore } from "../../alert/anomaly_store.ts";
import { EventBus } from "../../bus.ts";
import { FlowTable } from "../../flow/flow_table.ts";
import { publicRoutes } from "../auth.ts";
import { MetricsRegistry } from "../metrics.ts";
import { SseHub } from "../sse_hub.ts";
import { TicketStore } from "../tickets.ts";
import { ANOMALIES_PARAMETERS, anomaliesRoutes } from "./anomalies.ts";
import { authTicketRoutes } from "./auth_ticket.ts";
import { devicesRoutes, NO_DEVICES } from "./devices.ts";
import { FLOWS_PARAMETERS, flowsRoutes } from "./flows.ts";
import { healthzRoutes } from "./healthz.ts";
import { metricsRoutes } from "./metrics.ts";
import { buildOpenApi, openapiRoutes, toOpenApiPath } from "./openapi.ts";
import { statsRoutes } from "./stats.ts";
import { streamRoutes } from "./stream.ts";
import { EMPTY_TOPOLOGY, topologyRoutes } from "./topology.ts";
import { uiRoutes } from "./ui.ts";
import { versionRoutes } from "./version.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;

/** Every route module mounted as the daemon mounts them. */
function everyRoute(): Hono {
  const bus = new EventBus();
  const startedAt = new Date();
  const app = new Hono();
  for (
    const sub of [
      healthzRoutes(),
      versionRoutes({ startedAt }),
      statsRoutes({ stats: () => ({}), bus, startedAt }),
      flowsRoutes({ table: new FlowTable(1024), warmupIntervals: 30 }),
      anomaliesRoutes({ anomalies: new AnomalyStore(10) }),
      devicesRoutes({ devices: NO_DEVICES }),
      topologyRoutes({ topology: EMPTY_TOPOLOGY }),
      streamRoutes(new SseHub(bus)),
      authTicketRoutes({ tickets: new TicketStore() }),
      metricsRoutes(new MetricsRegistry()),
      openapiRoutes(),
      uiRoutes(),
    ]
  ) app.route("/", sub);
  return app;
}

/** "get /devices/{ip}" for each route a router serves. */
function routeTable(app: Hono): string[] {
  return app.routes.filter((r) => r.method !== "ALL").map((r) =>
    `${r.method.toLowerCase()} ${toOpenApiPath(r.path)}`
  )
    .sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
}

function operation(doc: Doc, key: string): Doc {
  const [method, path] = key.split(" ");
  return doc.paths[path][method];
}

Deno.test("toOpenApiPath() turns Hono patterns into OpenAPI templates", () => {
  assert.equal(toOpenApiPath("/devices/:ip"), "/devices/{ip}");
  assert.equal(toOpenApiPath("/a/:id{[0-9]+}/b"), "/a/{id}/b");
  assert.equal(toOpenApiPath("/ui/*"), "/ui/{path}");
  assert.equal(toOpenApiPath("/flows"), "/flows");
});

Deno.test("the OpenAPI document describes exactly the routes the router serves", () => {
  assert.deepEqual(documented(buildOpenApi()), routeTable(everyRoute()));
});

Deno.test("the OpenAPI document is 3.1 with a bearer scheme, and every $ref resolves", () => {
  const doc: Doc = buildOpenApi();
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(doc.components.securitySchemes.bearer, {
    type: "http",
    scheme: "bearer",
    description: "The API token.",
  });
  assert.deepEqual(doc.security, [{ bearer: [] }]);
  const refs: string[] = [];
  JSON.stringify(doc, (k, v) => {
    if (k === "$ref") refs.push(v);
    return v;
  });
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    const target = ref.replace(/^#\//, "").split("/").reduce((o: Doc, part: string) => o?.[part], doc);
    assert.ok(target !== undefined, `${ref} resolves`);
  }
});

Deno.test("every operation has responses and declares the parameters of its path", () => {
  const doc = buildOpenApi();
  for (const key of documented(doc)) {
    const op = operation(doc, key);
    assert.ok(op.summary, `${key} has a summary`);
    assert.ok(Object.keys(op.responses).some((s) => s.startsWith("2")), `${key} documents success`);
    const names = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (op.parameters ?? []).filter((p: Doc) => p.in === "path").map((p: Doc) => p.name);
    assert.deepEqual(declared, names, `${key} path parameters`);
  }
});

Deno.test("the document says which routes need the token, as the auth middleware does", () => {
  for (const metricsPublic of [false, true]) {
    const doc = buildOpenApi({ metricsPublic });
    const isPublic = publicRoutes({ metricsPublic });
    for (const key of documented(doc)) {
      const [method, path] = key.split(" ");
      const sample = path.replace("{ip}", "192.0.2.1").replace("{path}", "app.js");
      const op = operation(doc, key);
      const open = Array.isArray(op.security) && op.security.length === 0;
      assert.equal(open, isPublic(method.toUpperCase(), sample), `${key} (metricsPublic=${metricsPublic})`);
      if (!open) assert.ok(op.responses["401"], `${key} documents 401`);
    }
  }
});

Deno.test("/flows and /anomalies document exactly the parameters their routes accept", () => {
  const doc = buildOpenApi();
  const names = (key: string) => operation(doc, key).parameters.map((p: Doc) => p.name).sort();
  assert.deepEqual(names("get /flows"), [...FLOWS_PARAMETERS].sort());
  assert.deepEqual(names("get /anomalies"), [...ANOMALIES_PARAMETERS].sort());
});

Deno.test("/stream documents the type filter, resume and the ticket", () => {
  const op = operation(buildOpenApi(), "get /stream");
  const params = op.parameters.map((p: Doc) => `${p.in}:${p.name}`).sort();
  assert.deepEqual(params, ["header:Last-Event-ID", "query:last_event_id", "query:types"]);
  assert.deepEqual(op.security, [{ bearer: [] }, { ticket: [] }]);
  assert.ok(op.responses["200"].content["text/event-stream"]);
});

Deno.test("the device schema has the fields issue 4 defines", () => {
  const device = (buildOpenApi() as Doc).components.schemas.Device;
  assert.deepEqual(Object.keys(device.properties), [
    "ip",
    "mac",
    "name",
    "type",
    "type_rule",
    "vendor",
    "model",
    "os_version",
    "snmp",
    "interfaces",
    "cpu_pct",
    "memory_pct",
    "first_seen",
    "last_seen",
  ]);
  assert.deepEqual(Object.keys(device.properties.snmp.properties), [
    "status",
    "last_success",
    "last_error",
    "poll_ms",
  ]);
  assert.deepEqual(Object.keys(device.properties.interfaces.items.properties), [
    "index",
    "name",
    "alias",
    "speed_bps",
    "oper_status",
    "in_util_pct",
    "out_util_pct",
    "in_errors_per_s",
    "out_errors_per_s",
    "in_discards_per_s",
  ]);
  assert.deepEqual(device.properties.type.enum, [
    "router",
    "switch",
    "server",
    "firewall",
    "printer",
    "access_point",
    "unknown",
  ]);
});

Deno.test("GET /openapi.json serves the document as JSON", async () => {
  const res = await openapiRoutes({ metricsPublic: true }).request("/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  assert.deepEqual(await res.json(), buildOpenApi({ metricsPublic: true }));
});
