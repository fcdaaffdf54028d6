import assert from "node:assert/strict";
import { EventBus } from "../../events/mod.ts";
import { DEVICES_PARAMETERS } from "../routes/device_params.ts";
import { createHttpApp } from "../app.ts";
import { publicRoutes } from "../auth.ts";
import { FLOWS_PARAMETERS } from "../routes/flows.ts";
import { ANOMALIES_PARAMETERS } from "../routes/anomalies.ts";
import { ALERTS_PARAMETERS } from "../routes/alerts.ts";
import { buildOpenApi, openapiRoutes, toOpenApiPath } from "../routes/openapi.ts";
import { SseHub } from "../sse_hub.ts";
import { emptyFlowDeps, emptyStores } from "../../../tests/helpers/http_stores.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;

const TOKEN = "openapi-test-token-0123456789";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** The daemon's HTTP app exactly as createApp mounts it, over empty real stores. */
async function withApp(
  fn: (app: ReturnType<typeof createHttpApp>) => Promise<void> | void,
): Promise<void> {
  const bus = new EventBus();
  const hub = new SseHub(bus, { heartbeatMs: 60_000 });
  const stores = emptyStores();
  try {
    const app = createHttpApp({ ...emptyFlowDeps(), ...stores.deps, token: TOKEN, bus, hub });
    await fn(app);
  } finally {
    await hub.stop();
    stores.close();
  }
}

/** "get /devices/{ip}" for each route the router serves (a route with two handlers listed once). */
function routeTable(app: { routes: { method: string; path: string }[] }): string[] {
  const keys = app.routes.filter((r) => r.method !== "ALL").map((r) =>
    `${r.method.toLowerCase()} ${toOpenApiPath(r.path)}`
  );
  return [...new Set(keys)].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
}

function operation(doc: Doc, key: string): Doc {
  const [method, path] = key.split(" ");
  return doc.paths[path][method];
}

/** A value each path parameter accepts, to make a concrete URL of a template. */
const SAMPLE_PATH_VALUES: Record<string, string> = { ip: "192.0.2.1", id: "1", path: "app.js" };

function samplePath(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PATH_VALUES[name]);
}

Deno.test("toOpenApiPath() turns Hono patterns into OpenAPI templates", () => {
  assert.equal(toOpenApiPath("/devices/:ip"), "/devices/{ip}");
  assert.equal(toOpenApiPath("/a/:id{[0-9]+}/b"), "/a/{id}/b");
  assert.equal(toOpenApiPath("/ui/*"), "/ui/{path}");
  assert.equal(toOpenApiPath("/flows"), "/flows");
});

Deno.test("the OpenAPI document describes exactly the routes the daemon's app serves", async () => {
  await withApp((app) => {
    const routes = routeTable(app);
    assert.ok(routes.includes("post /discovery") && routes.includes("put /config/alerts"));
    assert.deepEqual(documented(buildOpenApi()), routes);
  });
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
      const op = operation(doc, key);
      const open = Array.isArray(op.security) && op.security.length === 0;
      assert.equal(
        open,
        isPublic(method.toUpperCase(), samplePath(path)),
        `${key} (metricsPublic=${metricsPublic})`,
      );
      if (!open) assert.ok(op.responses["401"], `${key} documents 401`);
    }
  }
});

Deno.test("/flows, /anomalies, /devices and /alerts document exactly the parameters they accept", () => {
  const doc = buildOpenApi();
  const names = (key: string) => operation(doc, key).parameters.map((p: Doc) => p.name).sort();
  assert.deepEqual(names("get /flows"), [...FLOWS_PARAMETERS].sort());
  assert.deepEqual(names("get /anomalies"), [...ANOMALIES_PARAMETERS].sort());
  assert.deepEqual(names("get /devices"), [...DEVICES_PARAMETERS].sort());
  assert.deepEqual(names("get /alerts"), [...ALERTS_PARAMETERS].sort());
});

/** Values a parameter's schema says are accepted, and values just outside it. */
function probeValues(schema: Doc): { good: string[]; bad: string[] } {
  if (schema.type === "array") {
    const items: string[] = schema.items.enum;
    return { good: [...items, items.join(",")], bad: ["not-a-value", `${items[0]},`] };
  }
  if (schema.enum) return { good: schema.enum, bad: ["not-a-value", schema.enum[0].toUpperCase() + "x"] };
  if (schema.type === "integer" && schema.maximum !== undefined) {
    return {
      good: [String(schema.minimum), String(schema.maximum)],
      bad: [String(schema.minimum - 1), String(schema.maximum + 1), "1.5"],
    };
  }
  if (schema.maxLength !== undefined) {
    return { good: ["x".repeat(schema.maxLength)], bad: ["x".repeat(schema.maxLength + 1)] };
  }
  return { good: [], bad: [] };
}

Deno.test("every value the document lists for a query parameter is accepted, and values outside are refused", async () => {
  const doc = buildOpenApi();
  await withApp(async (app) => {
    let probed = 0;
    for (const key of ["get /flows", "get /anomalies", "get /devices", "get /alerts"]) {
      const path = key.split(" ")[1];
      for (const p of operation(doc, key).parameters) {
        const { good, bad } = probeValues(p.schema);
        for (const v of good) {
          const res = await app.request(`${path}?${new URLSearchParams({ [p.name]: v })}`, { headers: AUTH });
          const text = await res.text();
          assert.equal(res.status, 200, `${path}?${p.name}=${v}: ${text}`);
          probed++;
        }
        for (const v of bad) {
          const res = await app.request(`${path}?${new URLSearchParams({ [p.name]: v })}`, { headers: AUTH });
          assert.equal(res.status, 400, `${path}?${p.name}=${v} is refused`);
          assert.equal((await res.json()).error.parameter, p.name);
          probed++;
        }
      }
    }
    assert.ok(probed > 60, `${probed} values probed`);
  });
});

Deno.test("/stream documents the type filter, resume, the ticket, and a schema for each event kind", () => {
  const doc = buildOpenApi() as Doc;
  const op = operation(doc, "get /stream");
  const params = op.parameters.map((p: Doc) => `${p.in}:${p.name}`).sort();
  assert.deepEqual(params, ["header:Last-Event-ID", "query:last_event_id", "query:types"]);
  assert.deepEqual(op.security, [{ bearer: [] }, { ticket: [] }]);
  assert.ok(op.responses["200"].content["text/event-stream"]);
  const named = [...op.description.matchAll(/`(\w+)` → #\/components\/schemas\/(\w+)/g)];
  const kinds = named.map((m) => m[1]);
  for (const kind of ["anomaly", "device", "interface", "trap", "security", "stats", "gap"]) {
    assert.ok(kinds.includes(kind), `${kind} is described`);
  }
  for (const [, kind, schema] of named) {
    const s = doc.components.schemas[schema];
    assert.ok(s, `${schema} exists`);
    if (kind !== "gap") assert.deepEqual(s.properties.kind, { const: kind });
  }
});

Deno.test("bodies of POST /alerts/{id}/ack, POST /mutes and PUT /config/alerts are documented with 400 and 413", () => {
  const doc = buildOpenApi() as Doc;
  for (const key of ["post /alerts/{id}/ack", "post /mutes", "put /config/alerts"]) {
    const op = operation(doc, key);
    assert.ok(op.requestBody.content["application/json"].schema.$ref, `${key} body schema`);
    assert.ok(op.responses["400"] && op.responses["413"], `${key} errors`);
  }
  assert.equal(operation(doc, "post /alerts/{id}/ack").requestBody.required, false);
  assert.ok(operation(doc, "put /config/alerts").requestBody.content["application/merge-patch+json"]);
  const discovery = operation(doc, "post /discovery").responses;
  assert.ok(discovery["202"] && discovery["200"]);
});

Deno.test("GET /openapi.json serves the document as JSON", async () => {
  const res = await openapiRoutes({ metricsPublic: true }).request("/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  assert.deepEqual(await res.json(), buildOpenApi({ metricsPublic: true }));
});
