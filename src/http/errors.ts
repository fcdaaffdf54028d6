/**
 * The one shape of an API error, so scripts can rely on it:
 * `{ "error": { "code": "bad_parameter", "message": "…", "parameter": "limit" } }`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Machine-readable error codes. */
export type ErrorCode =
  | "bad_parameter"
  | "unauthorized"
  | "rate_limited"
  | "not_found"
  | "payload_too_large"
  | "method_not_allowed"
  | "request_timeout"
  | "unavailable"
  | "conflict"
  | "internal";

/** The body of every error response. */
export interface ErrorBody {
  error: {
    /** Machine-readable code. */
    code: ErrorCode;
    /** One sentence for a person: what was wrong and what is accepted. */
    message: string;
    /** The query parameter at fault, for bad_parameter. */
    parameter?: string;
  };
}

/** A request the client can fix: thrown by parsers, turned into a 400 by the app's error handler. */
export class BadParameter extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = "BadParameter";
    this.parameter = parameter;
  }
}

/** Sends an error response. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  parameter?: string,
): Response {
  const body: ErrorBody = { error: { code, message, ...(parameter ? { parameter } : {}) } };
  return c.json(body, status);
}
