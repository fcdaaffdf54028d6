/**
 * Small builders for the OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0), so that the path
 * and schema files read like the documentation they are rather than like nested JSON.
 */

/** A JSON object of the document. */
export type Json = Record<string, unknown>;

/** `{$ref}` to a component schema. */
export function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

/** A string schema. */
export function str(description: string, extra: Json = {}): Json {
  return { type: "string", description, ...extra };
}

/** An integer schema. */
export function int(description: string, extra: Json = {}): Json {
  return { type: "integer", description, ...extra };
}

/** A number schema. */
export function num(description: string, extra: Json = {}): Json {
  return { type: "number", description, ...extra };
}

/** A boolean schema. */
export function bool(description: string): Json {
  return { type: "boolean", description };
}

/** A string schema limited to `values`. */
export function oneOf(values: readonly string[], description: string, extra: Json = {}): Json {
  return { type: "string", enum: [...values], description, ...extra };
}

/** An array of `items`. */
export function array(items: Json, description?: string, extra: Json = {}): Json {
  return { type: "array", ...(description ? { description } : {}), items, ...extra };
}

/** `schema` or null (3.1: a type list). */
export function nullable(schema: Json): Json {
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

/**
 * An object schema. Every property is required unless `required` says otherwise; members the code does
 * not write are not allowed, so the document is a contract a client can validate against.
 */
export function obj(
  properties: Record<string, unknown>,
  description?: string,
  required: readonly string[] = Object.keys(properties),
): Json {
  return {
    type: "object",
    ...(description ? { description } : {}),
    properties,
    required: [...required],
    additionalProperties: false,
  };
}

/** A JSON response. */
export function json(schema: unknown, description: string, headers?: Json): Json {
  return { description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } };
}

/** A query parameter. */
export function query(name: string, description: string, schema: Json): Json {
  return { name, in: "query", description, schema };
}

/** A required path parameter. */
export function pathParam(name: string, description: string, schema: Json): Json {
  return { name, in: "path", required: true, description, schema };
}

/** An error response with its own description (the body is always Error). */
export function errorResponse(description: string): Json {
  return json(ref("Error"), description);
}

/** A JSON request body. */
export function jsonBody(
  schema: unknown,
  description: string,
  required = true,
  types = ["application/json"],
) {
  return {
    description,
    required,
    content: Object.fromEntries(types.map((t) => [t, { schema }])),
  };
}

/** The responses every authenticated route may give besides its own. */
export const AUTH_ERRORS: Json = {
  "401": { $ref: "#/components/responses/Unauthorized" },
  "429": { $ref: "#/components/responses/RateLimited" },
};

/** 400 naming the parameter or body member at fault. */
export const BAD_PARAMETER: Json = { $ref: "#/components/responses/BadParameter" };

/** 413 for a body over the route's limit. */
export function tooLarge(maxBytes: number): Json {
  return errorResponse(`The body is larger than ${maxBytes} bytes (code payload_too_large).`);
}

/** The security requirement of a public route: none. */
export const PUBLIC: Json[] = [];

/** Headers of a paged listing (/flows, /anomalies, /alerts). */
export const PAGE_HEADERS: Json = {
  "Link": {
    description: 'The next page: `<…?cursor=…>; rel="next"` (absent on the last page).',
    schema: str(""),
  },
  "X-Next-Cursor": { description: "The next page's cursor (absent on the last page).", schema: str("") },
  "X-Total-Matched": { description: "How many match the filter, on all pages.", schema: int("") },
};

/** `format=json|csv`, as wantsCsv() in src/http/query_params.ts reads it. */
export const FORMAT_PARAMETER: Json = query(
  "format",
  "csv for CSV (RFC 4180, header row); without it, `Accept: text/csv` ranked at least as high as " +
    "application/json also gives CSV.",
  oneOf(["json", "csv"], ""),
);

/** A 200 that is a JSON page or the same rows as CSV. */
export function jsonOrCsv(schemaName: string, description: string, headers: Json): Json {
  return {
    description,
    headers,
    content: { "application/json": { schema: ref(schemaName) }, "text/csv": { schema: str("CSV") } },
  };
}

/** The forms parseTimeParameter() accepts. */
export const TIME_FORMS = "ISO 8601 with a zone, a date (midnight UTC), or epoch seconds";
