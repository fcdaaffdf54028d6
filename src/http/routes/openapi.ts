/**
 * GET /openapi.json: an OpenAPI 3.1 description (https://spec.openapis.org/oas/v3.1.0) of every route,
 * parameter, body and response, written by hand so it reads like documentation. The path items live in
 * openapi_paths.ts (flows, stream, the daemon), openapi_device_paths.ts and openapi_alert_paths.ts; the
 * schemas in openapi_schemas.ts, openapi_alert_schemas.ts and openapi_events.ts. The test compares the
 * paths with the router's route table and validates real answers against the schemas, so a route or
 * member added without a description fails.
 */
import { Hono } from "hono";
import { VERSION } from "../../base/mod.ts";
import { alertPaths } from "../openapi/alert_paths.ts";
import { devicePaths } from "../openapi/device_paths.ts";
import { errorResponse, int, type Json, str } from "../openapi/kit.ts";
import { corePaths, type PathOptions } from "../openapi/paths.ts";
import { SCHEMAS } from "../openapi/schemas.ts";
import { topologyPaths } from "../openapi/topology.ts";
import { advisoryPaths } from "../openapi/advisory_doc.ts";
import { recordingPaths } from "../openapi/recording_doc.ts";

/** Options of {@link buildOpenApi}. */
export type OpenApiOptions = PathOptions;

/** `/devices/:ip` → `/devices/{ip}`; a trailing `*` → `{path}` (Hono patterns to OpenAPI templates). */
export function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}").replace(/\/\*$/, "/{path}");
}

/** The OpenAPI 3.1 document of the whole API. */
export function buildOpenApi(opts: OpenApiOptions = {}): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Flintnet API",
      version: VERSION,
      description: "Network monitoring: flows, anomalies, devices, discovery, alerts and a live event " +
        "stream. Every route but /healthz and the dashboard's files needs `Authorization: Bearer <token>` " +
        "(FLINTNET_API_TOKEN, or the file api-token in the state directory). Repeated failures from one " +
        "address are answered 429 for a minute. Errors share one JSON shape (Error); a known path asked " +
        "with the wrong method is a 405 with `Allow`; request bodies over 64 KiB are refused with 413.",
    },
    security: [{ bearer: [] }],
    paths: {
      ...corePaths(opts),
      ...devicePaths(),
      ...topologyPaths(),
      ...alertPaths(),
      ...advisoryPaths(),
      ...recordingPaths(),
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The API token." },
        ticket: { type: "apiKey", in: "query", name: "ticket", description: "GET /stream only; one use." },
      },
      responses: {
        BadParameter: errorResponse(
          "A parameter or body member is not valid; the error names it (parameter) and says what is accepted.",
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
