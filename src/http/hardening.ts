/**
 * What every response gets regardless of route: security headers, a closed-by-default CORS policy,
 * a request body limit, and the one error and not-found shape (src/http/errors.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { createLogger } from "../base/mod.ts";
import { BadParameter, errorResponse } from "./errors.ts";

/**
 * The dashboard loads only its own scripts and styles, is never framed, and sends no referrer;
 * `base-uri`/`form-action`/`frame-ancestors` do not fall back to default-src, so they are explicit.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

/** Headers a cross-origin script may read beyond the CORS-safelisted ones. */
const EXPOSED_HEADERS = "Retry-After, WWW-Authenticate, Content-Disposition";
/** Request headers a listed origin may send (Last-Event-ID: an EventSource polyfill resuming). */
const ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";
const ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = "600";

/** Sets a header on the finished response, copying it first when its headers are immutable. */
function setHeader(c: Context, name: string, value: string, append = false): void {
  try {
    if (append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    if (append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  }
}

/**
 * With TLS on: browsers use HTTPS for this host for a year (RFC 6797). Without includeSubDomains: the
 * appliance speaks for itself, not for its domain. Browsers ignore it over a connection with certificate
 * errors (RFC 6797 §8.1), so a self-signed certificate can still be clicked through.
 */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

/**
 * Middleware: CSP, nosniff, no-referrer, DENY framing on every response, Strict-Transport-Security
 * when the server speaks HTTPS (`hsts`), and `Cache-Control: no-store` unless the route chose its own
 * caching (only the dashboard's static files do). Register it first, so error and 404 responses get the
 * headers too.
 */
export function securityHeaders(opts: { hsts?: boolean } = {}): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    if (opts.hsts) setHeader(c, "Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    setHeader(c, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
    setHeader(c, "X-Content-Type-Options", "nosniff");
    setHeader(c, "Referrer-Policy", "no-referrer");
    setHeader(c, "X-Frame-Options", "DENY");
    if (!c.res.headers.has("Cache-Control")) setHeader(c, "Cache-Control", "no-store");
  };
}

/**
 * Middleware: CORS (Fetch standard §3.2) for the listed origins only. Without a listed `Origin` no
 * Access-Control-Allow-Origin header is sent, so browsers keep other pages' scripts out. Preflights
 * (OPTIONS with Access-Control-Request-Method) are answered here with 204 — with the allow headers
 * for a listed origin, without them otherwise — so they never reach authentication. Origins must be
 * normalised as browsers send them (`scheme://host[:port]`, as src/config.ts does).
 */
export function corsAllowList(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return async function corsAllowList(c, next) {
    const origin = c.req.header("Origin");
    if (origin === undefined) return await next();
    const listed = allowed.has(origin);
    if (c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method") !== undefined) {
      c.header("Vary", "Origin");
      if (listed) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        c.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        c.header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_S);
      }
      return c.body(null, 204);
    }
    await next();
    // The answer depends on Origin: caches must not serve one origin's answer to another.
    setHeader(c, "Vary", "Origin", true);
    if (listed) {
      setHeader(c, "Access-Control-Allow-Origin", origin);
      setHeader(c, "Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
  };
}

function tooLarge(c: Context, maxBytes: number): Response {
  return errorResponse(c, 413, "payload_too_large", `the request body is larger than ${maxBytes} bytes`);
}

/**
 * Middleware: refuses a request body over `maxBytes` with 413 — at once when Content-Length says so,
 * and by counting while reading when the body is chunked (or its length is not declared), so memory
 * never holds more than `maxBytes` of it.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a whole number of at least 0, got ${maxBytes}`);
  }
  return async function bodyLimit(c, next) {
    const raw = c.req.raw;
    const declared = raw.headers.get("Content-Length");
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
      await raw.body?.cancel().catch(() => {});
      return tooLarge(c, maxBytes);
    }
    if (raw.body === null) return await next();
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        // The client went away mid-body, or the front closed it for being too slow
        // (FLINTNET_HTTP_READ_TIMEOUT): nobody is left to read an answer, and it is not our failure to log.
        return errorResponse(c, 408, "request_timeout", "the request body did not arrive in time");
      }
      const { done, value } = chunk;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return tooLarge(c, maxBytes);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.byteLength;
    }
    // Handlers read the body as usual, from the bytes already counted. Built from parts, not from
    // `raw`: copying a request reads its signal, which makes Deno 2.9 warn on every clean response.
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body });
    return await next();
  };
}

const log = createLogger("http");

/** The error code and message for an HTTPException Hono throws (e.g. malformed JSON body). */
function httpExceptionResponse(err: HTTPException, c: Context): Response {
  switch (err.status) {
    case 400:
      return errorResponse(c, 400, "bad_parameter", err.message || "the request is malformed", "body");
    case 401:
      return errorResponse(c, 401, "unauthorized", err.message || "authentication is required");
    case 404:
      return notFound(c);
    case 413:
      return errorResponse(c, 413, "payload_too_large", err.message || "the request body is too large");
    default:
      log.error("request failed", { method: c.req.method, path: c.req.path, status: err.status, error: err });
      return errorResponse(c, 500, "internal", "internal error");
  }
}

/**
 * The app's error handler (`app.onError(onError)`): a BadParameter is the client's mistake and
 * becomes 400 naming the parameter; anything else is ours, logged (without the query string, which
 * may hold a stream ticket) and answered with a bare 500 that reveals nothing.
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof BadParameter) {
    return errorResponse(c, 400, "bad_parameter", err.message, err.parameter);
  }
  if (err instanceof HTTPException) return httpExceptionResponse(err, c);
  log.error("request failed", { method: c.req.method, path: c.req.path, error: err });
  return errorResponse(c, 500, "internal", "internal error");
}

/** Longest path echoed back in a 404 message. */
const MAX_ECHOED_PATH = 200;

/** The app's not-found handler (`app.notFound(notFound)`): 404 JSON naming the path. */
export function notFound(c: Context): Response {
  const path = c.req.path.length > MAX_ECHOED_PATH ? c.req.path.slice(0, MAX_ECHOED_PATH) + "…" : c.req.path;
  return errorResponse(
    c,
    404,
    "not_found",
    `there is no ${c.req.method} ${path}: GET /openapi.json lists every route`,
  );
}
